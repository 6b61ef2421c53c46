// Package llmevalprocessor is an OpenTelemetry Collector processor that runs
// code-based checks on LLM and agent spans and writes their verdicts onto the
// spans as attributes.
package llmevalprocessor // import "github.com/otelcol-llmeval/otelcol-llmeval/processor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadata"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"
)

// NewFactory returns the factory for the llmeval processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		AttributePrefix: "llmeval",
		Sampling:        sampling.NewDefaultConfig(),
		Judge:           JudgeConfig{ShutdownTimeout: DefaultJudgeShutdownTimeout},
	}
}

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	sp, err := shared.acquire(ctx, set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, sp.p.processTraces,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(sp.start),
		processorhelper.WithShutdown(sp.releaser()),
	)
}

// createLogs builds llmeval for a logs pipeline: it evaluates GenAI events
// sent as log records, with the same instance (and so the same sampling
// state) as a traces pipeline using the same component ID.
func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	sp, err := shared.acquire(ctx, set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, sp.p.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(sp.start),
		processorhelper.WithShutdown(sp.releaser()),
	)
}

// NewReplayTraces builds the processor exactly as the factory does, except
// that sampled traces go to judge instead of the configured exporter: the
// llmeval command-line tool replays files through it.
func NewReplayTraces(ctx context.Context, set processor.Settings, cfg *Config, next, judge consumer.Traces) (processor.Traces, error) {
	return newTraces(ctx, set, cfg, next, judge)
}

// NewReplay builds the processor as the factory does for one component in
// a traces and a logs pipeline (one instance: verdicts on GenAI log
// records count toward their trace's sampling), except that sampled traces
// go to judge: the llmeval command-line tool replays files holding both.
func NewReplay(ctx context.Context, set processor.Settings, cfg *Config, nextTraces consumer.Traces, nextLogs consumer.Logs, judge consumer.Traces) (processor.Traces, processor.Logs, error) {
	p, err := newLLMEvalProcessor(ctx, set, cfg, judge)
	if err != nil {
		return nil, nil, err
	}
	sp := &sharedProcessor{owner: &sharedProcessors{byID: map[component.ID]*sharedProcessor{}}, id: set.ID, cfg: cfg, p: p, refs: 2}
	tp, err := processorhelper.NewTraces(ctx, set, cfg, nextTraces, p.processTraces,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(sp.start), processorhelper.WithShutdown(sp.releaser()))
	if err != nil {
		return nil, nil, err
	}
	lp, err := processorhelper.NewLogs(ctx, set, cfg, nextLogs, p.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(sp.start), processorhelper.WithShutdown(sp.releaser()))
	if err != nil {
		return nil, nil, err
	}
	return tp, lp, nil
}

func newTraces(ctx context.Context, set processor.Settings, cfg *Config, next, judge consumer.Traces) (processor.Traces, error) {
	p, err := newLLMEvalProcessor(ctx, set, cfg, judge)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(p.shutdown),
	)
}

// SignalCategories lists the signal categories, as the attributes
// <prefix>.signal.<category>.* name them.
func SignalCategories() []string { return signals.CategoryNames() }
