package llmevalprocessor

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"

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

// Validate checks the choice of protocol; the collector validates each
// protocol's settings and the redact block through their own Validate.
func (j *JudgeConfig) Validate() error {
	if j.OTLPGRPC != nil && j.OTLPHTTP != nil {
		return errors.New("set exactly one of otlp_grpc, otlp_http")
	}
	return nil
}

// protocol is the configured exporter's factory, config and config key.
func (j *JudgeConfig) protocol() (exporter.Factory, component.Config, string) {
	if j.OTLPGRPC != nil {
		return otlpexporter.NewFactory(), j.OTLPGRPC, "otlp_grpc"
	}
	return otlphttpexporter.NewFactory(), j.OTLPHTTP, "otlp_http"
}

// consumerJudge stands in for the judge exporter with any consumer.
type consumerJudge struct {
	consumer.Traces
	component.StartFunc
	component.ShutdownFunc
}
