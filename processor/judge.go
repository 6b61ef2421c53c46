package llmevalprocessor

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/processor"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"
)

// JudgeConfig is where sampled traces go: an OTLP exporter built from the
// standard factories, with all their settings (endpoint, tls, headers,
// compression, timeout, sending_queue, retry_on_failure, auth).
type JudgeConfig struct {
	OTLPGRPC *otlpexporter.Config     `mapstructure:"otlp_grpc"`
	OTLPHTTP *otlphttpexporter.Config `mapstructure:"otlp_http"`
	// Redact removes or masks message content on the judge's copies.
	Redact sampling.RedactConfig `mapstructure:"redact"`
}

var _ confmap.Unmarshaler = (*JudgeConfig)(nil)

// Unmarshal starts each protocol block from its exporter's defaults, so
// `otlp_http: {endpoint: ...}` gets the standard queue, retry and timeout.
func (j *JudgeConfig) Unmarshal(conf *confmap.Conf) error {
	if conf.IsSet("otlp_grpc") {
		j.OTLPGRPC = otlpexporter.NewFactory().CreateDefaultConfig().(*otlpexporter.Config)
	}
	if conf.IsSet("otlp_http") {
		j.OTLPHTTP = otlphttpexporter.NewFactory().CreateDefaultConfig().(*otlphttpexporter.Config)
	}
	type plain JudgeConfig
	return conf.Unmarshal((*plain)(j))
}

// enabled reports whether a judge is configured.
func (j *JudgeConfig) enabled() bool { return j.OTLPGRPC != nil || j.OTLPHTTP != nil }

// Validate checks the choice of protocol; each protocol's own settings are
// validated by its exporter's config.
func (j *JudgeConfig) Validate() error {
	var errs []error
	if j.OTLPGRPC != nil && j.OTLPHTTP != nil {
		errs = append(errs, errors.New("judge: set exactly one of otlp_grpc, otlp_http"))
	}
	if err := j.Redact.Validate(); err != nil {
		errs = append(errs, prefixErrors("judge: redact: ", err))
	}
	return errors.Join(errs...)
}

// judgeID names the embedded exporter in its own telemetry and logs.
const judgeName = "llmeval_judge"

// newJudge builds the embedded exporter; it starts and stops with the
// processor.
func newJudge(ctx context.Context, set processor.Settings, j *JudgeConfig) (exporter.Traces, error) {
	var f exporter.Factory
	var cfg component.Config
	if j.OTLPGRPC != nil {
		f, cfg = otlpexporter.NewFactory(), j.OTLPGRPC
	} else {
		f, cfg = otlphttpexporter.NewFactory(), j.OTLPHTTP
	}
	es := exporter.Settings{
		ID:                component.NewIDWithName(f.Type(), judgeName),
		TelemetrySettings: set.TelemetrySettings,
		BuildInfo:         set.BuildInfo,
	}
	return f.CreateTraces(ctx, es, cfg)
}

// consumerJudge stands in for the judge exporter with any consumer.
type consumerJudge struct {
	consumer.Traces
	component.StartFunc
	component.ShutdownFunc
}
