package evaluators

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
)

func TestUsageBuildErrors(t *testing.T) {
	cases := []struct {
		typ  string
		s    map[string]any
		want string
	}{
		{"length", nil, `"x": min_chars, max_chars, min_words or max_words: at least one is required`},
		{"length", map[string]any{"min_chars": 5, "max_chars": 2}, `"x": min_chars: 5 is above max_chars 2`},
		{"length", map[string]any{"max_words": -1}, `"x": max_words: must not be negative`},
		{"tokens", nil, `"x": max_input, max_output or max_total: at least one is required`},
		{"tokens", map[string]any{"max_total": -5}, `"x": max_total: must be positive`},
		{"cost", map[string]any{"max_usd": -1}, `"x": max_usd: must be positive`},
		{"cost", map[string]any{"prices": map[string]any{"m": map[string]any{"input_per_million": -1}}}, `"x": prices[m]: prices must not be negative`},
		{"cost", map[string]any{"prices": map[string]any{"m": map[string]any{"input": 1}}}, `"x"`},
	}
	for _, tc := range cases {
		_, err := Build(config.Entries{User: []config.Evaluator{entry("x", tc.typ, tc.s)}}, componenttest.NewNopTelemetrySettings())
		assert.ErrorContains(t, err, tc.want)
	}
}
