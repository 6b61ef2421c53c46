package llmevalprocessor

import (
	"errors"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/pdata/ptrace"

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
	// ShutdownTimeout is the longest the processor's shutdown waits for the
	// judge: the buffered traces are decided at once, the sampled ones
	// handed to the judge until then, and the rest dropped and counted.
	// The pipeline after llmeval (a batch processor, the exporters) is
	// shut down only when llmeval's shutdown returns, so the main stream's
	// last spans wait at most this long for the judge.
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
}

// DefaultJudgeShutdownTimeout is judge.shutdown_timeout's default.
const DefaultJudgeShutdownTimeout = 5 * time.Second

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

// Redactor hides what judge.redact hides from the judge.
type Redactor interface {
	// Apply redacts every span and span event of td in place.
	Apply(td ptrace.Traces)
	// Hides reports whether an attribute key is redacted.
	Hides(key string) bool
}

// JudgeRedactor is judge.redact as the judge copies get it, for tools that
// show traces to people (llmeval review shows nothing the judge would not
// see); nil when judge.redact is off.
func (cfg *Config) JudgeRedactor() Redactor {
	if r := sampling.NewRedaction(cfg.Judge.Redact, cfg.AttributePrefix); r != nil {
		return r
	}
	return nil
}

// enabled reports whether a judge is configured.
func (j *JudgeConfig) enabled() bool { return j.OTLPGRPC != nil || j.OTLPHTTP != nil }

// Validate checks the choice of protocol; the collector validates each
// protocol's settings and the redact block through their own Validate.
func (j *JudgeConfig) Validate() error {
	if j.OTLPGRPC != nil && j.OTLPHTTP != nil {
		return errors.New("set exactly one of otlp_grpc, otlp_http")
	}
	if j.ShutdownTimeout <= 0 {
		return errors.New("shutdown_timeout: must be positive")
	}
	return nil
}

// queue is the judge exporter's sending_queue.
func (j *JudgeConfig) queue() *configoptional.Optional[exporterhelper.QueueBatchConfig] {
	if j.OTLPGRPC != nil {
		return &j.OTLPGRPC.QueueConfig
	}
	return &j.OTLPHTTP.QueueConfig
}

// senders is how many sampled traces are handed to the judge at once: as
// many as its queue has consumers, one when it has no queue.
func (j *JudgeConfig) senders() int {
	if q := j.queue(); q.HasValue() {
		return q.Get().NumConsumers
	}
	return 1
}

// protocol is the configured exporter's factory, config and config key.
// The config is a copy whose in-memory sending queue waits for each
// export's result (wait_for_result), so the exporter never holds a copy
// the sampler has stopped counting: what is inside the exporter stays
// charged to the judge's share of max_bytes until the exporter is done
// with it. A persistent queue (storage) keeps copies on disk, not in
// memory, and is left as configured.
func (j *JudgeConfig) protocol() (exporter.Factory, component.Config, string) {
	if j.OTLPGRPC != nil {
		c := *j.OTLPGRPC
		waitForResult(&c.QueueConfig)
		return otlpexporter.NewFactory(), &c, "otlp_grpc"
	}
	c := *j.OTLPHTTP
	waitForResult(&c.QueueConfig)
	return otlphttpexporter.NewFactory(), &c, "otlp_http"
}

func waitForResult(q *configoptional.Optional[exporterhelper.QueueBatchConfig]) {
	if q.HasValue() && q.Get().StorageID == nil {
		q.Get().WaitForResult = true
	}
}

// consumerJudge stands in for the judge exporter with any consumer.
type consumerJudge struct {
	consumer.Traces
	component.StartFunc
	component.ShutdownFunc
}
