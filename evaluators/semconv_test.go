package evaluators

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel/spantest"
)

// TestSemconvFixturesVerdicts runs every evaluator type over the GenAI
// semconv examples and schema test cases, in every value form: none gives
// an `error` verdict, and pii with its default targets fails exactly the
// fixtures with a marker in the output, the reasoning or the tool results
// the model read, naming the same kinds and targets in every form.
func TestSemconvFixturesVerdicts(t *testing.T) {
	entries := append(DefaultSet(),
		entry("json", "json", nil),
		entry("length", "length", map[string]any{"min_chars": 1}),
		entry("regex", "regex", map[string]any{"must_not_match": "forbidden"}),
		entry("contains", "contains", map[string]any{"none": []any{"forbidden"}}),
		entry("json_schema", "json_schema", map[string]any{"schema": map[string]any{"type": "object"}}),
		entry("grounding", "grounding", nil),
		entry("tokens", "tokens", map[string]any{"max_total": 100000}),
		withTarget(entry("pii_input", "pii", nil), "input"),
		withTarget(entry("pii_system", "pii", nil), "system"),
		withTarget(entry("pii_args", "pii", nil), "tool_arguments"),
		withTarget(entry("pii_result", "pii", nil), "tool_result"),
		withTarget(entry("pii_reasoning", "pii", nil), "reasoning"),
		withTarget(entry("refusal_reasoning", "refusal", nil), "reasoning"),
	)
	checks, err := Build(config.Entries{User: entries}, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	for _, f := range spantest.SemconvFixtures(t, "../internal/spanmodel/testdata/semconv") {
		t.Run(f.Name, func(t *testing.T) {
			var first map[string]Result
			for _, form := range spantest.Forms {
				v := &spanmodel.View{}
				v.Reset(f.Span(t, form))
				// On a tool span, pii reads the result only when told to.
				read := len(f.Lands["output"]) + len(f.Lands["reasoning"])
				if !v.IsToolSpan() {
					read += len(f.Lands["tool_result"])
				}
				got := map[string]Result{}
				for _, c := range checks {
					r := c.Evaluate(context.Background(), v)
					assert.NotEqual(t, Error, r.Verdict, "%s %s: %s", form, c.Name, r.Reason)
					got[c.Name] = r
				}
				if read > 0 {
					assert.Equal(t, Fail, got["pii"].Verdict, "%s pii", form)
					assert.True(t, strings.HasPrefix(got["pii"].Reason, "pii found: email ("), got["pii"].Reason)
				} else {
					assert.NotEqual(t, Fail, got["pii"].Verdict, "%s pii: %s", form, got["pii"].Reason)
				}
				// Each marker is personal data where it lands.
				for name, target := range map[string]string{"tool_arguments": "pii_args", "tool_result": "pii_result",
					"reasoning": "pii_reasoning", "input": "pii_input", "system": "pii_system"} {
					if len(f.Lands[name]) > 0 {
						assert.Equal(t, Fail, got[target].Verdict, "%s %s", form, target)
					}
				}
				if first == nil {
					first = got
					continue
				}
				assert.Equal(t, first, got, "%s form's verdicts differ", form)
			}
		})
	}
}
