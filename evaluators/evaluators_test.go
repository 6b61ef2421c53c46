package evaluators

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel/spantest"
)

// outMsgs is gen_ai.output.messages holding one assistant text.
type kv = spantest.KV

func viewOf(t testing.TB, attrs ...kv) *spanmodel.View {
	t.Helper()
	v := &spanmodel.View{}
	v.Reset(spantest.NewSpan(t, attrs...))
	return v
}

func outMsgs(text string) kv {
	return kv{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":` + jsonQuote(text) + `}]}]`}
}

func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var chat = kv{"gen_ai.operation.name", "chat"}

// build builds one entry through the public Build path.
func build(t *testing.T, e config.Evaluator) *Check {
	t.Helper()
	checks, err := Build(config.Entries{User: []config.Evaluator{e}}, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.Len(t, checks, 1)
	return checks[0]
}

// evaluate runs a check on a span the way the processor does: selection
// first, then the evaluator.
func evaluate(t *testing.T, c *Check, v *spanmodel.View) (Result, bool) {
	t.Helper()
	ok, err := c.Selects(context.Background(), v)
	require.NoError(t, err)
	if !ok {
		return Result{}, false
	}
	return c.Evaluate(context.Background(), v), true
}

type evalCase struct {
	name     string
	entry    config.Evaluator
	attrs    []kv
	duration time.Duration // span duration when set
	verdict  Verdict
	reason   string // substring of the reason; "" means no reason
	score    *float64
	notRun   bool // when did not select the span
}

func ptr(f float64) *float64 { return &f }

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := build(t, tc.entry)
			rs, ss, span := spantest.NewSpan(t, tc.attrs...)
			if tc.duration != 0 {
				start := time.Unix(1_700_000_000, 0)
				span.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
				span.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(tc.duration)))
			}
			v := &spanmodel.View{}
			v.Reset(rs, ss, span)
			r, ran := evaluate(t, c, v)
			if tc.notRun {
				assert.False(t, ran, "when must not select the span")
				return
			}
			require.True(t, ran)
			assert.Equal(t, tc.verdict, r.Verdict, "reason: %s", r.Reason)
			if tc.reason == "" {
				assert.Empty(t, r.Reason)
			} else {
				assert.Contains(t, r.Reason, tc.reason)
			}
			if tc.score != nil {
				assert.True(t, r.HasScore)
				assert.InDelta(t, *tc.score, r.Score, 1e-9)
			} else {
				assert.False(t, r.HasScore)
			}
		})
	}
}

func entry(name, typ string, settings map[string]any) config.Evaluator {
	return config.Evaluator{Name: name, Type: typ, Settings: settings}
}

func withTarget(e config.Evaluator, target string) config.Evaluator {
	e.Target = target
	return e
}

func withWhen(e config.Evaluator, when ...string) config.Evaluator {
	e.When = when
	return e
}

func TestBuildErrors(t *testing.T) {
	cases := []struct {
		name    string
		entries []config.Evaluator
		want    []string
	}{
		{"unknown type", []config.Evaluator{entry("x", "nope", nil)}, []string{`evaluators[0] "x": type: unknown type "nope" (want one of contains,`}},
		{"missing name", []config.Evaluator{entry("", "json", nil)}, []string{"evaluators[0]: name: required"}},
		{"bad name", []config.Evaluator{entry("Bad-Name", "json", nil)}, []string{`evaluators[0] "Bad-Name": name: must match [a-z0-9_]+`}},
		{"duplicate", []config.Evaluator{entry("a", "json", nil), entry("a", "json", nil)}, []string{`evaluators[1] "a": name: duplicate of evaluators[0]`}},
		{"missing type", []config.Evaluator{entry("a", "", nil)}, []string{`evaluators[0] "a": type: required`}},
		{"bad regex", []config.Evaluator{entry("r", "regex", map[string]any{"must_match": "(a"})}, []string{`evaluators[0] "r": must_match: error parsing regexp`}},
		{"regex without patterns", []config.Evaluator{entry("r", "regex", nil)}, []string{`"r": must_match or must_not_match: at least one is required`}},
		{"unknown key", []config.Evaluator{entry("r", "regex", map[string]any{"must_match": "a", "max": "1s"})}, []string{`"r"`, "max"}},
		{"key of another type", []config.Evaluator{entry("j", "json", map[string]any{"any": []any{"x"}})}, []string{`"j"`, "any"}},
		{"contains without lists", []config.Evaluator{entry("c", "contains", nil)}, []string{`"c": any, all or none: at least one list is required`}},
		{"contains empty needle", []config.Evaluator{entry("c", "contains", map[string]any{"all": []any{"a", ""}})}, []string{`"c": all[1]: empty string`}},
		{"latency without max", []config.Evaluator{entry("l", "latency", nil)}, []string{`"l": max: required`}},
		{"latency bad duration", []config.Evaluator{entry("l", "latency", map[string]any{"max": "soon"})}, []string{`"l"`, "max"}},
		{"target on latency", []config.Evaluator{withTarget(entry("l", "latency", map[string]any{"max": "1s"}), "output")}, []string{`"l": target: type latency reads no target`}},
		{"target on ottl", []config.Evaluator{withTarget(entry("o", "ottl", map[string]any{"fail_when": "true"}), "input")}, []string{`"o": target: type ottl reads no target`}},
		{"bad target", []config.Evaluator{withTarget(entry("j", "json", nil), "body")}, []string{`"j": target:`}},
		{"ottl without fail_when", []config.Evaluator{entry("o", "ottl", nil)}, []string{`"o": fail_when`}},
		{"ottl does not compile", []config.Evaluator{entry("o", "ottl", map[string]any{"fail_when": `attributes["x"] == 1`})}, []string{`"o": fail_when`}},
		{"bad when", []config.Evaluator{withWhen(entry("j", "json", nil), `span.attributes["x"] ==`)}, []string{`"j": when:`}},
		{"empty when", []config.Evaluator{withWhen(entry("j", "json", nil), " ")}, []string{`"j": when: [0]: empty condition`}},
		{"all errors at once", []config.Evaluator{entry("a", "nope", nil), entry("b", "regex", map[string]any{"must_match": "("})}, []string{`"a": type`, `"b": must_match`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(config.Entries{User: tc.entries}, componenttest.NewNopTelemetrySettings())
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestDefaultSetBuilds(t *testing.T) {
	checks, err := Build(config.Entries{Defaults: DefaultSet()}, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	names := make([]string, len(checks))
	for i, c := range checks {
		names[i] = c.Name
	}
	assert.Equal(t, []string{"refusal", "finish_reason", "pii", "tool_call", "sql_safety", "destructive_action", "latency"}, names)
}
