package llmevalprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadata"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg, confmap.Validate(cfg)
}

func boolPtr(b bool) *bool { return &b }

func TestLoadConfig(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, NewFactory().CreateDefaultConfig(), cfg)

	cfg, err = loadConfig(t, "custom")
	require.NoError(t, err)
	assert.Equal(t, "acme.eval", cfg.AttributePrefix)
	assert.True(t, cfg.RecordPasses)
	assert.True(t, cfg.EmitEvents)
	assert.Equal(t, boolPtr(true), cfg.DefaultEvaluators)
	assert.Equal(t, []config.Evaluator{
		{Name: "order_json", Type: "json", When: []string{`span.attributes["gen_ai.operation.name"] == "chat"`}},
		{Name: "no_competitor", Type: "regex", Target: "output", Settings: map[string]any{"must_not_match": `(?i)\b(acme|globex)\b`}},
		{Name: "slow_tool", Type: "latency", Settings: map[string]any{"max": "30s"}},
	}, cfg.Evaluators)
}

func TestLoadSamplingConfig(t *testing.T) {
	t.Setenv("JUDGE_TOKEN", "s3cret")
	cfg, err := loadConfig(t, "sampling")
	require.NoError(t, err)
	s := cfg.Sampling
	assert.Equal(t, 5*time.Second, s.DecisionWait)
	assert.Equal(t, sampling.DefaultMaxTraceDuration, s.MaxTraceDuration, "unset keys keep their defaults")
	assert.Equal(t, 1000, s.MaxTraces)
	assert.Equal(t, 0.01, s.BaselineRatio)
	require.Len(t, s.Rules, 3)
	assert.Equal(t, []string{"loop", "failure.invalid_arguments"}, s.Rules[1].Signals)
	assert.Equal(t, 0.5, *s.Rules[1].Ratio)
	assert.Equal(t, map[string]float64{"loops": 0.5}, s.Budget.RuleShares)
	assert.Equal(t, sampling.LateSend, s.LateMatches)
	require.NotNil(t, cfg.Judge.OTLPHTTP)
	assert.Nil(t, cfg.Judge.OTLPGRPC)
	assert.Equal(t, "https://judge.internal:4318", cfg.Judge.OTLPHTTP.ClientConfig.Endpoint)
	assert.True(t, cfg.Judge.OTLPHTTP.RetryConfig.Enabled, "the exporter's own defaults apply")
	assert.True(t, cfg.Judge.OTLPHTTP.QueueConfig.HasValue(), "the sending queue is on by default")
	assert.Equal(t, "mask", cfg.Judge.Redact.Mode)
}

func TestConfigValidateErrors(t *testing.T) {
	cases := map[string][]string{
		"bad_regex":           {`evaluators[0] "no_competitor": must_not_match: error parsing regexp: missing closing )`},
		"bad_ottl":            {`evaluators[0] "tokens": fail_when[0]:`},
		"bad_prefix":          {"attribute_prefix: must not start or end with '.'"},
		"empty_prefix":        {"attribute_prefix: must not be empty"},
		"duplicate_names":     {`evaluators[1] "a": name: duplicate of evaluators[0]`},
		"default_name_clash":  {`evaluators[0] "latency": name: duplicate of default_evaluators[6] "latency"`},
		"unknown_key":         {`evaluators[0] "j"`, "must_match"},
		"rules_without_judge": {"sampling: rules, target_ratio or baseline_ratio need a judge"},
		"two_judges":          {"judge: set exactly one of otlp_grpc, otlp_http"},
		"reserved_names": {
			`evaluators[0] "judge": name: "judge" is reserved (reserved: verdict, failed, signal, judge, any)`,
			`evaluators[1] "verdict": name: "verdict" is reserved`,
			`evaluators[2] "failed": name: "failed" is reserved`,
			`evaluators[3] "signal": name: "signal" is reserved`,
			`evaluators[4] "any": name: "any" is reserved`,
		},
		"semconv_prefix":        {`attribute_prefix: "gen_ai.eval" is in the gen_ai namespace`},
		"layout_prefix":         {`attribute_prefix: "llm" is in the llm namespace`},
		"baseline_rule":         {`sampling: rules[0] "baseline": name: "baseline" is reserved for the baseline`},
		"feedback_under_prefix": {`signals: feedback_attribute: "llmeval.feedback" is under attribute_prefix`},
		"bad_late_matches":      {`sampling: late_matches: "resend" is not follow or send`},
		"bad_message_layout": {
			`message_layouts[0] (acme): input.shape: "xml" is not one of auto, genai, openai_chat, text`,
			`message_layouts[1] (acme): name: "acme" is used twice`,
			`message_layouts[1] (acme): input: a layout needs at least one of input.key, output.key, tool_arguments, tool_result`,
			`message_layouts[1] (acme): operation: set operation or operation_key, not both`,
		},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.Error(t, err)
			for _, w := range want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestTrustIncomingAllowsFeedbackUnderThePrefix(t *testing.T) {
	cfg, err := loadConfig(t, "trusted_feedback_under_prefix")
	require.NoError(t, err)
	assert.True(t, cfg.TrustIncoming)
}

func TestEffectiveEvaluators(t *testing.T) {
	mine := []config.Evaluator{{Name: "mine", Type: "json"}}
	names := func(evs []config.Evaluator) []string {
		out := []string{}
		for _, e := range evs {
			out = append(out, e.Name)
		}
		return out
	}
	cases := []struct {
		name     string
		defaults *bool
		evs      []config.Evaluator
		want     []string
	}{
		{"nothing configured: defaults", nil, nil, []string{"refusal", "finish_reason", "pii", "tool_call", "sql_safety", "destructive_action", "latency"}},
		{"own list replaces defaults", nil, mine, []string{"mine"}},
		{"defaults alongside own", boolPtr(true), mine, []string{"refusal", "finish_reason", "pii", "tool_call", "sql_safety", "destructive_action", "latency", "mine"}},
		{"defaults off, nothing configured", boolPtr(false), nil, []string{}},
		{"defaults off with own", boolPtr(false), mine, []string{"mine"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &Config{AttributePrefix: "llmeval", DefaultEvaluators: tc.defaults, Evaluators: tc.evs}
			assert.Equal(t, tc.want, names(cfg.EffectiveEvaluators()))
			assert.NoError(t, cfg.Validate())
		})
	}
}

func TestUnknownTopLevelKeyIsAnError(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig()
	err := confmap.NewFromStringMap(map[string]any{"evaluatorz": []any{}}).Unmarshal(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "evaluatorz")
}

// A judge without a sampling block runs the documented default: failed
// safety checks always, the most troubled 10%, a 1% baseline.
func TestJudgeWithoutSamplingRunsTheDefault(t *testing.T) {
	cfg, err := loadConfig(t, "judge_without_rules")
	require.NoError(t, err)
	eff := cfg.effectiveSampling()
	assert.Equal(t, []sampling.RuleConfig{{Name: sampling.SafetyRule, VerdictFailed: []string{"pii", "sql_safety", "destructive_action"}}}, eff.Rules)
	assert.Equal(t, sampling.DefaultTargetRatio, eff.TargetRatio)
	assert.Equal(t, sampling.DefaultBaselineRatio, eff.BaselineRatio)
	assert.Empty(t, cfg.Sampling.Rules, "the user's config is left as written")
}
