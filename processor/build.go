package llmevalprocessor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/metric/noop"
	nooptrace "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"

	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadata"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"
)

// parts is everything a Config makes the processor run.
type parts struct {
	checks []*evaluators.Check
	// detector is nil when signals are off.
	detector *signals.Detector
	// rules and judge are set when a judge is configured.
	rules sampling.Rules
	judge judgeExporter
	// layout is the custom message layout, nil when none is configured.
	layout *spanmodel.CustomLayout
}

// judgeExporter is where sampled traces go: the embedded OTLP exporter, or
// any consumer in replay.
type judgeExporter interface {
	component.Component
	consumer.Traces
}

// build makes the processor's parts from cfg without starting anything.
// Validate and start-up both call it, so `otelcol validate`, `llmeval check`
// and start-up refuse the same configs with the same messages. Every
// mistake is reported once, all at once, each naming its block, the user's
// list index and the field. Settings the collector validates itself (the
// judge exporter's own Validate) are not reported again: the exporter is
// only built when they are valid. replayJudge, when not nil, replaces the judge exporter.
func (cfg *Config) build(ctx context.Context, set processor.Settings, replayJudge consumer.Traces) (*parts, error) {
	var errs []error
	if err := validatePrefix(cfg.AttributePrefix); err != nil {
		errs = append(errs, fmt.Errorf("attribute_prefix: %w", err))
	}
	errs = append(errs, reservedNameErrors(cfg.entries())...)
	if f := cfg.Signals.FeedbackAttribute; !cfg.TrustIncoming && strings.HasPrefix(f, cfg.AttributePrefix+".") {
		errs = append(errs, fmt.Errorf("signals: feedback_attribute: %q is under attribute_prefix, whose incoming attributes are removed (trust_incoming: false)", f))
	}
	p := &parts{}
	var err error
	if p.checks, err = evaluators.Build(cfg.entries(), set.TelemetrySettings); err != nil {
		errs = append(errs, err)
	}
	if p.layout, err = spanmodel.BuildCustomLayout(cfg.MessageLayouts); err != nil {
		errs = append(errs, prefixErrors("message_layouts", err))
	}
	if cfg.Signals.IsEnabled() {
		if p.detector, err = signals.New(cfg.Signals); err != nil {
			errs = append(errs, prefixErrors("signals: ", err))
		}
	}
	if err := sampling.ValidateRedact(cfg.Judge.Redact); err != nil {
		errs = append(errs, prefixErrors("judge: redact: ", err))
	}
	samplingErrs := cfg.validateSampling()
	errs = append(errs, samplingErrs...)
	if cfg.Judge.enabled() {
		if len(samplingErrs) == 0 {
			if p.rules, err = sampling.BuildRules(cfg.effectiveSampling().Rules, set.TelemetrySettings); err != nil {
				errs = append(errs, prefixErrors("sampling: ", err))
			}
		}
		if replayJudge != nil {
			p.judge = consumerJudge{Traces: replayJudge}
		} else if p.judge, err = newJudge(ctx, set, &cfg.Judge); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// validationSettings is what Validate builds with: nothing it creates runs
// or reports.
func validationSettings() processor.Settings {
	return processor.Settings{
		ID: component.NewID(metadata.Type),
		TelemetrySettings: component.TelemetrySettings{
			Logger:         zap.NewNop(),
			TracerProvider: nooptrace.NewTracerProvider(),
			MeterProvider:  noop.NewMeterProvider(),
		},
	}
}

// newJudge builds the embedded exporter, unstarted; it starts and stops
// with the processor. Its ID derives from the processor's, so two llmeval
// instances report their judges apart: llmeval/a → otlp_http/llmeval_a_judge.
// A protocol block the collector already found invalid is not built again.
func newJudge(ctx context.Context, set processor.Settings, j *JudgeConfig) (exporter.Traces, error) {
	f, cfg, key := j.protocol()
	if confmap.Validate(cfg) != nil {
		return nil, nil
	}
	es := exporter.Settings{
		ID:                component.NewIDWithName(f.Type(), judgeName(set.ID)),
		TelemetrySettings: set.TelemetrySettings,
		BuildInfo:         set.BuildInfo,
	}
	es.Logger = es.Logger.With(zap.String("judge", es.ID.String()))
	exp, err := f.CreateTraces(ctx, es, cfg)
	if err != nil {
		return nil, fmt.Errorf("judge: %s: %w", key, err)
	}
	return exp, nil
}

// judgeName is the embedded exporter's ID name for processor id.
func judgeName(id component.ID) string {
	if id.Name() == "" {
		return id.Type().String() + "_judge"
	}
	return id.Type().String() + "_" + id.Name() + "_judge"
}
