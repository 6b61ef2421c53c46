package llmjudgeconnector

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-llmeval/otelcol-llmeval/connector/llmjudgeconnector/internal/metadata"
	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
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

func TestLoadConfig(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, NewFactory().CreateDefaultConfig(), cfg, "the defaults are valid: no model, nothing judged")

	cfg, err = loadConfig(t, "full")
	require.NoError(t, err)
	assert.Equal(t, "acme.eval", cfg.AttributePrefix)
	m := cfg.Model
	assert.Equal(t, "https://api.openai.com/v1", m.ClientConfig.Endpoint)
	assert.Equal(t, "gpt-4o-mini", m.Name)
	assert.Equal(t, "sk-test-key", string(m.APIKey))
	assert.Equal(t, "[REDACTED]", m.APIKey.String(), "the key never prints")
	assert.Equal(t, 0.2, m.Temperature)
	assert.Equal(t, 512, m.MaxTokens)
	assert.Equal(t, "json_object", m.ResponseFormat)
	assert.Equal(t, 20*time.Second, m.ClientConfig.Timeout)
	org, _ := m.ClientConfig.Headers.Get("OpenAI-Organization")
	assert.Equal(t, "org-acme", string(org))
	assert.Equal(t, 10*time.Second, m.RetryOnFailure.MaxInterval)
	assert.Equal(t, 1.5, m.RetryOnFailure.Multiplier, "unset retry keys keep their defaults")
	assert.Equal(t, 50, cfg.QueueSize)
	assert.Equal(t, 2, cfg.MaxConcurrency)
	assert.Equal(t, 65536, cfg.MaxPromptBytes)
	assert.Equal(t, 40, cfg.MaxSteps)
	assert.Equal(t, BudgetConfig{MaxCallsPerMinute: 30, MaxSpendPerDayUSD: 5}, cfg.Budget)
	assert.Equal(t, map[string]evaluators.Price{"my-judge*": {InputPerMillion: 1, OutputPerMillion: 2}}, cfg.Prices)
	require.Len(t, cfg.Rubrics, 2)
	assert.Equal(t, "trace", cfg.Rubrics[1].Level)
	assert.Equal(t, &ScaleConfig{Min: 1, Max: 5, PassThreshold: 4, Anchors: map[string]string{"1": "nothing done", "5": "done, and confirmed to the user"}}, cfg.Rubrics[1].Scale)

	_, err = loadConfig(t, "off")
	assert.NoError(t, err, "rubrics without a model are checked and kept idle")
	_, err = loadConfig(t, "local_free")
	assert.NoError(t, err, "a local model priced at zero can have a spend cap")
}

// TestInvalidConfigs: every mistake is reported at once, naming the
// rubric and the field.
func TestInvalidConfigs(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"no_rubrics", []string{"rubrics: at least one rubric is required with a model"}},
		{"half_model", []string{"model: endpoint: required with model.name"}},
		{"bad_endpoint", []string{`model: endpoint: "localhost:11434" is not an http(s) URL`}},
		{"bad_settings", []string{
			"attribute_prefix: must not start or end with '.'",
			`model: response_format: "xml" is not one of json_schema, json_object, none`,
			"model: max_tokens: must be at least 1",
			"model: temperature: must be between 0 and 2",
			"queue_size: must be at least 1",
			"max_concurrency: must be at least 1",
			"max_prompt_bytes: must be at least 1024",
			"max_steps: must be at least 1",
			"budget: max_calls_per_minute: must not be negative",
			"budget: max_spend_per_day_usd: must not be negative",
		}},
		{"bad_rubrics", []string{
			"rubrics[0]: name: required",
			`rubrics[1] "Quality": name: must match [a-z0-9_]+`,
			`rubrics[3] "dup": name: duplicate of rubrics[2]`,
			`rubrics[4] "no_prompt": prompt: required (or prompt_file)`,
			`rubrics[5] "both": prompt, prompt_file: set exactly one`,
			`rubrics[6] "missing_file": prompt_file: stat testdata/nope.tmpl: no such file or directory`,
			`rubrics[7] "bad_level": level: "session" is not one of span, trace`,
			`rubrics[8] "bad_when": when:`,
			`rubrics[9] "bad_template": prompt: template: bad_template:1: unclosed action`,
			`rubrics[10] "bad_field": prompt: template: bad_field:1:7: executing "bad_field" at <.Span.Outptu>: can't evaluate field Outptu`,
			`rubrics[11] "bad_func": prompt: template: bad_func:1: function "shout" not defined`,
			`rubrics[12] "bad_scale": scale: min 5 must be less than max 1`,
			`rubrics[12] "bad_scale": scale: pass_threshold: 9 is outside [5, 1]`,
			`rubrics[12] "bad_scale": scale: anchors: key "x" is not a whole number`,
			`rubrics[13] "bad_examples": examples_file: testdata/examples_bad.jsonl:2: input: required`,
			`rubrics[13] "bad_examples": examples_file: testdata/examples_bad.jsonl:3: verdict: "maybe" is not pass or fail`,
			`rubrics[13] "bad_examples": examples_file: testdata/examples_bad.jsonl:4: json: unknown field "extra"`,
			`rubrics[13] "bad_examples": examples_file: testdata/examples_bad.jsonl:5: invalid character`,
			`rubrics[14] "scale_examples": examples_file: testdata/examples_binary.jsonl:1: verdict: the rubric has a scale; give score instead`,
		}},
		{"no_price", []string{`budget: max_spend_per_day_usd: no price for model "llama3.1"; add it under prices`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(t, tt.name)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
