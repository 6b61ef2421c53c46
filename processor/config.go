package llmevalprocessor

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/contract"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"
)

// Config is the llmeval processor's configuration.
type Config struct {
	// AttributePrefix starts every attribute the processor writes.
	AttributePrefix string `mapstructure:"attribute_prefix"`
	// RecordPasses also writes <prefix>.<name>.verdict=pass (and its score
	// and reason); by default only fail and error verdicts are written.
	RecordPasses bool `mapstructure:"record_passes"`
	// EmitEvents also writes one gen_ai.evaluation.result span event per
	// verdict.
	EmitEvents bool `mapstructure:"emit_events"`
	// TrustIncoming keeps attributes under the prefix that arrive on
	// incoming spans. By default they are removed before evaluation:
	// telemetry from applications is untrusted, and a client must not be
	// able to forge a verdict, a signal or a judge mark. Set it only on a
	// second tier behind an llmeval tier you trust.
	TrustIncoming bool `mapstructure:"trust_incoming"`
	// DefaultEvaluators adds the built-in set (README: "Default evaluator
	// set"). Unset means: only when Evaluators is empty.
	DefaultEvaluators *bool `mapstructure:"default_evaluators"`
	// Evaluators are the checks to run.
	Evaluators []config.Evaluator `mapstructure:"evaluators"`
	// Signals tunes the trajectory signals; on by default.
	Signals signals.Config `mapstructure:"signals"`
	// Sampling chooses whole traces for the judge; active when a judge is
	// configured.
	Sampling sampling.Config `mapstructure:"sampling"`
	// Judge receives the sampled traces.
	Judge JudgeConfig `mapstructure:"judge"`
	// MessageLayouts declare where an unknown producer's messages live
	// (README: "Custom message layout").
	MessageLayouts []spanmodel.MessageLayoutConfig `mapstructure:"message_layouts"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var (
	_ component.Config    = (*Config)(nil)
	_ confmap.Unmarshaler = (*Config)(nil)
)

// Unmarshal refuses durations written without a unit (the decoder would
// read `decision_wait: 20` as 20 ns), then decodes as usual.
func (cfg *Config) Unmarshal(conf *confmap.Conf) error {
	if err := config.RequireDurationUnits(conf.ToStringMap(), reflect.TypeOf(cfg)); err != nil {
		return err
	}
	type plain Config
	return conf.Unmarshal((*plain)(cfg))
}

// Validate builds everything start-up builds (evaluators, signals,
// sampling rules with their OTTL conditions, the judge exporter) without
// starting it, so a mistake stops `otelcol validate` and start-up alike,
// naming the block, the entry and the field.
func (cfg *Config) Validate() error {
	_, err := cfg.build(context.Background(), validationSettings(), nil)
	return err
}

// entries is the evaluator list the processor runs: the configured
// evaluators, after the default set when DefaultEvaluators says so.
func (cfg *Config) entries() config.Entries {
	useDefaults := len(cfg.Evaluators) == 0
	if cfg.DefaultEvaluators != nil {
		useDefaults = *cfg.DefaultEvaluators
	}
	if !useDefaults {
		return config.Entries{User: cfg.Evaluators}
	}
	return config.Entries{Defaults: evaluators.DefaultSet(), User: cfg.Evaluators}
}

// EffectiveEvaluators is the list the processor runs, defaults first.
func (cfg *Config) EffectiveEvaluators() []config.Evaluator { return cfg.entries().All() }

// effectiveSampling is the sampling block the processor runs: the
// configured one, or, when it sends nothing, the documented default
// (sampling.Config.WithDefaultSending).
func (cfg *Config) effectiveSampling() sampling.Config {
	names := make([]string, 0, len(cfg.EffectiveEvaluators()))
	for _, e := range cfg.EffectiveEvaluators() {
		names = append(names, e.Name)
	}
	return cfg.Sampling.WithDefaultSending(names)
}

// validateSampling checks the sampling block against the evaluators, and
// that sampling and judge come together.
func (cfg *Config) validateSampling() []error {
	var errs []error
	names := make([]string, 0, len(cfg.EffectiveEvaluators()))
	for _, e := range cfg.EffectiveEvaluators() {
		names = append(names, e.Name)
	}
	hasRules := cfg.Sampling.Sends()
	if hasRules || len(cfg.Sampling.ScoreWeights) > 0 || cfg.Judge.enabled() {
		if err := cfg.Sampling.Validate(names); err != nil {
			errs = append(errs, prefixErrors("sampling: ", err))
		}
	}
	switch {
	case hasRules && !cfg.Judge.enabled():
		errs = append(errs, errors.New("sampling: rules, target_ratio or baseline_ratio need a judge (judge: otlp_grpc or otlp_http)"))
	case len(cfg.Sampling.ScoreWeights) > 0 && !cfg.Judge.enabled():
		errs = append(errs, errors.New("sampling: score_weights need a judge (judge: otlp_grpc or otlp_http)"))
	}
	for _, r := range cfg.Sampling.Rules {
		if r.Signals != nil && !cfg.Signals.IsEnabled() {
			errs = append(errs, fmt.Errorf("sampling: rules %q: matches signals, but signals are disabled", r.Name))
		}
	}
	return errs
}

// prefixErrors puts prefix before each joined error, so every line names
// its block.
func prefixErrors(prefix string, err error) error {
	var out []error
	for _, line := range strings.Split(err.Error(), "\n") {
		out = append(out, errors.New(prefix+line))
	}
	return errors.Join(out...)
}

func validatePrefix(p string) error {
	if err := config.ValidatePrefix(p); err != nil {
		return err
	}
	if ns, _, _ := strings.Cut(p, "."); foreignNamespaces()[ns] {
		return fmt.Errorf("%q is in the %s namespace, which the semantic conventions or a producer layout own; choose a name of your own", p, ns)
	}
	return nil
}

// reservedNames are the evaluator names the attribute contract or the
// sampling rules already use: <prefix>.verdict, <prefix>.failed,
// <prefix>.signal.*, <prefix>.judge.* and verdict_failed: [any]. An
// evaluator's name is the second segment of its own keys.
var reservedNames = contract.ReservedEvaluatorNames

func reservedNameErrors(es config.Entries) []error {
	var errs []error
	for i, e := range es.All() {
		for _, r := range reservedNames {
			if e.Name == r {
				errs = append(errs, fmt.Errorf("%s: name: %q is reserved (reserved: %s)", es.Label(i), r, strings.Join(reservedNames, ", ")))
			}
		}
	}
	return errs
}

// semconvNamespaces are the top-level namespaces of the OpenTelemetry
// semantic-conventions attribute registry (v1.37). A prefix under one of
// them would write our verdicts as if the conventions defined them.
var semconvNamespaces = []string{
	"android", "app", "artifact", "aspnetcore", "aws", "az", "azure", "browser", "cassandra", "cicd",
	"client", "cloud", "cloudevents", "cloudfoundry", "code", "container", "cpu", "cpython", "db",
	"deployment", "destination", "device", "disk", "dns", "dotnet", "elasticsearch", "enduser", "error",
	"event", "exception", "faas", "feature_flag", "file", "gcp", "gen_ai", "geo", "go", "graphql",
	"heroku", "host", "http", "hw", "ios", "jsonrpc", "jvm", "k8s", "kestrel", "linux", "log",
	"mainframe", "mcp", "message", "messaging", "network", "nfs", "nodejs", "oci", "onc_rpc", "openai",
	"openshift", "opentracing", "oracle", "oracle_cloud", "os", "otel", "peer", "pprof", "process",
	"profile", "rpc", "security_rule", "server", "service", "session", "signalr", "source", "system",
	"telemetry", "test", "thread", "tls", "url", "user", "user_agent", "v8js", "vcs", "webengine", "zos",
}

// foreignNamespaces are the namespaces a prefix may not start with: the
// semantic conventions', and those of every producer layout the view reads
// (llm.*, input.value, ai.*, ...), taken from the view's own key list.
func foreignNamespaces() map[string]bool {
	out := make(map[string]bool, len(semconvNamespaces)+8)
	for _, ns := range semconvNamespaces {
		out[ns] = true
	}
	for _, k := range spanmodel.AttributeKeys() {
		ns, _, _ := strings.Cut(k, ".")
		out[ns] = true
	}
	return out
}
