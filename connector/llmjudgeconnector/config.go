package llmjudgeconnector // import "github.com/otelcol-llmeval/otelcol-llmeval/connector/llmjudgeconnector"

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/otel/metric/noop"
	nooptrace "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
)

// Config is the llmjudge connector's configuration.
type Config struct {
	// AttributePrefix is the llmeval processor's attribute_prefix: the
	// verdicts and signals the prompt data reads, and the provenance
	// attributes the records carry, start with it.
	AttributePrefix string `mapstructure:"attribute_prefix"`
	// Model is the judge: any OpenAI-compatible chat completions API.
	// Without endpoint and name the connector judges nothing and says so
	// at start-up.
	Model ModelConfig `mapstructure:"model"`
	// Rubrics are what the judge is asked, each on the spans or traces its
	// `when` selects.
	Rubrics []RubricConfig `mapstructure:"rubrics"`
	// QueueSize bounds the rendered prompts waiting for a judge call; when
	// full, further ones are skipped and counted, never waited for.
	QueueSize int `mapstructure:"queue_size"`
	// MaxConcurrency bounds the judge calls in flight.
	MaxConcurrency int `mapstructure:"max_concurrency"`
	// MaxPromptBytes bounds one request's messages (instructions, examples
	// and the rendered prompt); a larger prompt is skipped and counted.
	MaxPromptBytes int `mapstructure:"max_prompt_bytes"`
	// MaxSteps bounds the steps a trace-level prompt sees.
	MaxSteps int `mapstructure:"max_steps"`
	// Budget caps calls and spend.
	Budget BudgetConfig `mapstructure:"budget"`
	// Prices are USD per million tokens by model name or pattern, in the
	// cost check's table format, merged over its built-in table.
	Prices map[string]evaluators.Price `mapstructure:"prices"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// prefixLines puts prefix before each line of a joined error, so every
// line names its field.
func prefixLines(prefix string, err error) error {
	var out []error
	for _, line := range strings.Split(err.Error(), "\n") {
		out = append(out, errors.New(prefix+line))
	}
	return errors.Join(out...)
}

// ModelConfig is the judge model and how to reach it.
type ModelConfig struct {
	// ClientConfig holds endpoint (the API's base URL, e.g.
	// https://api.openai.com/v1; /chat/completions is appended), headers,
	// tls, auth, timeout and the other standard HTTP client settings.
	ClientConfig confighttp.ClientConfig `mapstructure:",squash"`
	// APIKey, when set, is sent as `Authorization: Bearer <api_key>`.
	APIKey configopaque.String `mapstructure:"api_key"`
	// Name is the model the requests name, e.g. gpt-4o-mini, llama3.1:8b.
	Name string `mapstructure:"name"`
	// Temperature is sent with every request; 0 by default, for
	// repeatable verdicts.
	Temperature float64 `mapstructure:"temperature"`
	// MaxTokens bounds the judge's answer.
	MaxTokens int `mapstructure:"max_tokens"`
	// ResponseFormat asks for structured output: json_schema (default),
	// json_object, or none for servers that support neither. Answers are
	// parsed the same robust way in every case.
	ResponseFormat string `mapstructure:"response_format"`
	// RetryOnFailure retries 429s, 5xx answers, timeouts and network
	// errors with exponential backoff, honouring Retry-After.
	RetryOnFailure configretry.BackOffConfig `mapstructure:"retry_on_failure"`
}

// BudgetConfig caps what the judge may cost. Zero means no cap.
type BudgetConfig struct {
	// MaxCallsPerMinute is a token bucket of this many calls, refilled
	// continuously over a minute.
	MaxCallsPerMinute int `mapstructure:"max_calls_per_minute"`
	// MaxSpendPerDayUSD stops calls once the day's spend (UTC) reaches it.
	MaxSpendPerDayUSD float64 `mapstructure:"max_spend_per_day_usd"`
}

// RubricConfig is one question for the judge.
type RubricConfig struct {
	// Name is gen_ai.evaluation.name on the records: [a-z0-9_]+, unique.
	Name string `mapstructure:"name"`
	// When lists OTTL span conditions; the rubric applies to an LLM/agent
	// span when any is true. Empty: every LLM/agent span.
	When []string `mapstructure:"when"`
	// Level is span (judge each selected span) or trace (judge the whole
	// trace once when any of its spans is selected).
	Level string `mapstructure:"level"`
	// Prompt or PromptFile is the rubric as a Go text/template over the
	// prompt data (README: "Prompt data").
	Prompt     string `mapstructure:"prompt"`
	PromptFile string `mapstructure:"prompt_file"`
	// ExamplesFile holds few-shot examples, one JSON object a line.
	ExamplesFile string `mapstructure:"examples_file"`
	// Scale makes the rubric numeric; without it the verdict is pass/fail.
	Scale *ScaleConfig `mapstructure:"scale"`
}

// ScaleConfig is a numeric rubric scale.
type ScaleConfig struct {
	Min int `mapstructure:"min"`
	Max int `mapstructure:"max"`
	// PassThreshold: a score at or above it passes.
	PassThreshold float64 `mapstructure:"pass_threshold"`
	// Anchors describe levels of the scale, keyed by the level.
	Anchors map[string]string `mapstructure:"anchors"`
}

const (
	levelSpan  = "span"
	levelTrace = "trace"

	formatJSONSchema = "json_schema"
	formatJSONObject = "json_object"
	formatNone       = "none"
)

var _ component.Config = (*Config)(nil)

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Timeout = 60 * time.Second
	retry := configretry.NewDefaultBackOffConfig()
	retry.InitialInterval = time.Second
	retry.MaxInterval = 30 * time.Second
	retry.MaxElapsedTime = 2 * time.Minute
	return &Config{
		AttributePrefix: "llmeval",
		Model: ModelConfig{
			ClientConfig:   client,
			MaxTokens:      1024,
			ResponseFormat: formatJSONSchema,
			RetryOnFailure: retry,
		},
		QueueSize:      100,
		MaxConcurrency: 4,
		MaxPromptBytes: 256 << 10,
		MaxSteps:       100,
	}
}

// Enabled reports whether a model is configured; without one the
// connector judges nothing.
func (m *ModelConfig) Enabled() bool { return m.ClientConfig.Endpoint != "" || m.Name != "" }

// Validate builds the rubrics exactly as start-up does (templates parsed
// and tried on a sample trace, example files read, OTTL compiled), so
// every mistake stops the collector at start-up naming rubric and field.
func (cfg *Config) Validate() error {
	_, err := NewJudge(cfg, validationTelemetry())
	return err
}

// validateSettings checks everything but the rubrics.
func (cfg *Config) validateSettings() []error {
	var errs []error
	if err := config.ValidatePrefix(cfg.AttributePrefix); err != nil {
		errs = append(errs, fmt.Errorf("attribute_prefix: %w", err))
	}
	m := &cfg.Model
	switch {
	case !m.Enabled():
	case m.ClientConfig.Endpoint == "":
		errs = append(errs, errors.New("model: endpoint: required with model.name"))
	case m.Name == "":
		errs = append(errs, errors.New("model: name: required with model.endpoint"))
	default:
		if u, err := url.Parse(m.ClientConfig.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("model: endpoint: %q is not an http(s) URL", m.ClientConfig.Endpoint))
		}
	}
	switch m.ResponseFormat {
	case formatJSONSchema, formatJSONObject, formatNone:
	default:
		errs = append(errs, fmt.Errorf("model: response_format: %q is not one of json_schema, json_object, none", m.ResponseFormat))
	}
	if m.MaxTokens < 1 {
		errs = append(errs, errors.New("model: max_tokens: must be at least 1"))
	}
	if m.Temperature < 0 || m.Temperature > 2 {
		errs = append(errs, errors.New("model: temperature: must be between 0 and 2"))
	}
	if cfg.QueueSize < 1 {
		errs = append(errs, errors.New("queue_size: must be at least 1"))
	}
	if cfg.MaxConcurrency < 1 {
		errs = append(errs, errors.New("max_concurrency: must be at least 1"))
	}
	if cfg.MaxPromptBytes < 1024 {
		errs = append(errs, errors.New("max_prompt_bytes: must be at least 1024"))
	}
	if cfg.MaxSteps < 1 {
		errs = append(errs, errors.New("max_steps: must be at least 1"))
	}
	if cfg.Budget.MaxCallsPerMinute < 0 {
		errs = append(errs, errors.New("budget: max_calls_per_minute: must not be negative"))
	}
	if cfg.Budget.MaxSpendPerDayUSD < 0 {
		errs = append(errs, errors.New("budget: max_spend_per_day_usd: must not be negative"))
	}
	return errs
}

// validationTelemetry is what Validate builds with: nothing it creates runs.
func validationTelemetry() component.TelemetrySettings {
	return component.TelemetrySettings{
		Logger:         zap.NewNop(),
		TracerProvider: nooptrace.NewTracerProvider(),
		MeterProvider:  noop.NewMeterProvider(),
	}
}
