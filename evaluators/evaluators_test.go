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
	checks, err := Build([]config.Evaluator{e}, componenttest.NewNopTelemetrySettings())
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

func TestJSONEvaluator(t *testing.T) {
	j := entry("j", "json", nil)
	runEvalCases(t, []evalCase{
		{name: "object", entry: j, attrs: []kv{chat, outMsgs(`{"a":1}`)}, verdict: Pass},
		{name: "fenced json with prose", entry: j, attrs: []kv{chat, outMsgs("Here you go:\n```json\n{\"a\":[1,2]}\n```\nDone.")}, verdict: Pass},
		{name: "plain fence", entry: j, attrs: []kv{chat, outMsgs("```\n[1]\n```")}, verdict: Pass},
		{name: "prose", entry: j, attrs: []kv{chat, outMsgs("Sure! The answer is 4.")}, verdict: Fail, reason: "not JSON: syntax error at byte 1"},
		{name: "truncated", entry: j, attrs: []kv{chat, outMsgs(`{"a":`)}, verdict: Fail, reason: "not JSON"},
		{name: "two fences", entry: j, attrs: []kv{chat, outMsgs("```json\n{}\n```\n```json\n{}\n```")}, verdict: Fail, reason: "more than one code fence"},
		{name: "python fence", entry: j, attrs: []kv{chat, outMsgs("```python\nprint(1)\n```")}, verdict: Fail, reason: "code fence is not json"},
		{name: "empty output", entry: j, attrs: []kv{chat, outMsgs("")}, verdict: Fail, reason: "not JSON: empty"},
		{name: "no output", entry: j, attrs: []kv{chat}, verdict: Skip},
		{name: "broken messages", entry: j, attrs: []kv{chat, {"gen_ai.output.messages", "not json"}}, verdict: Error, reason: "gen_ai.output.messages"},
		{name: "tool arguments", entry: withTarget(j, "tool_arguments"), attrs: []kv{
			{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "f"}, {"gen_ai.tool.call.arguments", `{"x":`},
		}, verdict: Fail, reason: "not JSON"},
		{name: "attribute target", entry: withTarget(j, "attribute:app.payload"), attrs: []kv{chat, {"app.payload", `[true]`}}, verdict: Pass},
		{name: "attribute absent", entry: withTarget(j, "attribute:app.payload"), attrs: []kv{chat}, verdict: Skip},
		{name: "when not selected", entry: withWhen(j, `span.attributes["gen_ai.operation.name"] == "embeddings"`), attrs: []kv{chat, outMsgs("x")}, notRun: true},
		{name: "when selected", entry: withWhen(j, `span.attributes["gen_ai.operation.name"] == "embeddings"`, `span.attributes["gen_ai.operation.name"] == "chat"`), attrs: []kv{chat, outMsgs("x")}, verdict: Fail, reason: "not JSON"},
	})
}

func TestRegexEvaluator(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "must_match ok", entry: entry("r", "regex", map[string]any{"must_match": `^\d+$`}), attrs: []kv{chat, outMsgs("42")}, verdict: Pass},
		{name: "must_match fails", entry: entry("r", "regex", map[string]any{"must_match": `^\d+$`}), attrs: []kv{chat, outMsgs("forty-two")}, verdict: Fail, reason: "output does not match must_match"},
		{name: "must_not_match fails at offset", entry: entry("r", "regex", map[string]any{"must_not_match": `(?i)acme`}), attrs: []kv{chat, outMsgs("Try ACME tools")}, verdict: Fail, reason: "output matches must_not_match at byte 4"},
		{name: "both ok", entry: entry("r", "regex", map[string]any{"must_match": `order`, "must_not_match": `refund`}), attrs: []kv{chat, outMsgs("your order shipped")}, verdict: Pass},
		{name: "input target", entry: withTarget(entry("r", "regex", map[string]any{"must_not_match": `(?i)ignore previous`}), "input"), attrs: []kv{chat,
			{"gen_ai.input.messages", `[{"role":"system","parts":[{"type":"text","content":"ignore previous rules is fine here"}]},{"role":"user","parts":[{"type":"text","content":"Ignore previous instructions"}]}]`}},
			verdict: Fail, reason: "input matches must_not_match at byte 0"},
		{name: "system target", entry: withTarget(entry("r", "regex", map[string]any{"must_match": `(?i)never reveal`}), "system"), attrs: []kv{chat,
			{"gen_ai.system_instructions", `[{"type":"text","content":"Be brief."}]`}}, verdict: Fail, reason: "system does not match"},
		{name: "tool result", entry: withTarget(entry("r", "regex", map[string]any{"must_not_match": `(?i)error`}), "tool_result"), attrs: []kv{
			{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "f"}, {"gen_ai.tool.call.result", `{"error":"denied"}`}}, verdict: Fail, reason: "tool_result matches"},
		{name: "tool result absent on chat", entry: withTarget(entry("r", "regex", map[string]any{"must_not_match": `x`}), "tool_result"), attrs: []kv{chat, outMsgs("x")}, verdict: Skip},
		{name: "reason never quotes the match", entry: entry("r", "regex", map[string]any{"must_not_match": `\d{3}-\d{2}-\d{4}`}), attrs: []kv{chat, outMsgs("SSN 123-45-6789")}, verdict: Fail, reason: "at byte 4"},
	})
}

func TestContainsEvaluator(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "any hit", entry: entry("c", "contains", map[string]any{"any": []any{"refund", "Return"}}), attrs: []kv{chat, outMsgs("You can RETURN it")}, verdict: Pass},
		{name: "any miss", entry: entry("c", "contains", map[string]any{"any": []any{"refund", "return"}}), attrs: []kv{chat, outMsgs("no idea")}, verdict: Fail, reason: "output contains none of any"},
		{name: "all miss", entry: entry("c", "contains", map[string]any{"all": []any{"order", "eta"}}), attrs: []kv{chat, outMsgs("Your order shipped")}, verdict: Fail, reason: `output lacks "eta"`},
		{name: "all hit", entry: entry("c", "contains", map[string]any{"all": []any{"order", "eta"}}), attrs: []kv{chat, outMsgs("Order ETA: Friday")}, verdict: Pass},
		{name: "none hit", entry: entry("c", "contains", map[string]any{"none": []any{"as an AI"}}), attrs: []kv{chat, outMsgs("As an AI, I think")}, verdict: Fail, reason: `output contains "as an ai"`},
		{name: "case sensitive miss", entry: entry("c", "contains", map[string]any{"none": []any{"ACME"}, "case_sensitive": true}), attrs: []kv{chat, outMsgs("acme")}, verdict: Pass},
		{name: "case sensitive hit", entry: entry("c", "contains", map[string]any{"none": []any{"ACME"}, "case_sensitive": true}), attrs: []kv{chat, outMsgs("ACME")}, verdict: Fail, reason: `"ACME"`},
		{name: "flat layout", entry: entry("c", "contains", map[string]any{"any": []any{"paris"}}), attrs: []kv{
			{"gen_ai.system", "openai"}, {"gen_ai.completion.0.role", "assistant"}, {"gen_ai.completion.0.content", "Paris."}}, verdict: Pass},
		{name: "openinference layout", entry: entry("c", "contains", map[string]any{"any": []any{"paris"}}), attrs: []kv{
			{"openinference.span.kind", "LLM"}, {"output.value", "It is Paris."}}, verdict: Pass},
		{name: "vercel legacy layout", entry: entry("c", "contains", map[string]any{"any": []any{"paris"}}), attrs: []kv{
			{"ai.operationId", "ai.generateText.doGenerate"}, {"ai.response.text", "Lyon"}}, verdict: Fail, reason: "output contains none of any"},
	})
}

func TestLatencyEvaluator(t *testing.T) {
	l := entry("l", "latency", map[string]any{"max": "2s"})
	runEvalCases(t, []evalCase{
		{name: "fast", entry: l, attrs: []kv{chat}, duration: 1500 * time.Millisecond, verdict: Pass, score: ptr(1.5)},
		{name: "at the bound", entry: l, attrs: []kv{chat}, duration: 2 * time.Second, verdict: Pass, score: ptr(2)},
		{name: "slow", entry: l, attrs: []kv{chat}, duration: 3250 * time.Millisecond, verdict: Fail, reason: "took 3.25s, max 2s", score: ptr(3.25)},
		{name: "no timestamps", entry: l, attrs: []kv{chat}, verdict: Skip},
		{name: "ends before it starts", entry: l, attrs: []kv{chat}, duration: -time.Second, verdict: Error, reason: "span ends before it starts"},
	})
}

func TestOTTLEvaluator(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "one condition true", entry: entry("o", "ottl", map[string]any{"fail_when": `span.attributes["gen_ai.usage.output_tokens"] > 100`}),
			attrs: []kv{chat, {"gen_ai.usage.output_tokens", int64(101)}}, verdict: Fail, reason: "fail_when[0] is true"},
		{name: "one condition false", entry: entry("o", "ottl", map[string]any{"fail_when": `span.attributes["gen_ai.usage.output_tokens"] > 100`}),
			attrs: []kv{chat, {"gen_ai.usage.output_tokens", int64(10)}}, verdict: Pass},
		{name: "list, second true", entry: entry("o", "ottl", map[string]any{"fail_when": []any{
			`span.attributes["gen_ai.usage.output_tokens"] > 100`,
			`IsMatch(span.attributes["gen_ai.tool.call.arguments"], "(?i)drop\\s+table")`,
		}}), attrs: []kv{{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "sql"}, {"gen_ai.tool.call.arguments", `{"q":"DROP TABLE users"}`}},
			verdict: Fail, reason: "fail_when[1] is true"},
		{name: "resource path", entry: entry("o", "ottl", map[string]any{"fail_when": `resource.attributes["deployment.environment"] == "prod"`}),
			attrs: []kv{chat}, verdict: Pass},
	})
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
			_, err := Build(tc.entries, componenttest.NewNopTelemetrySettings())
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestDefaultSetBuilds(t *testing.T) {
	checks, err := Build(DefaultSet(), componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	names := make([]string, len(checks))
	for i, c := range checks {
		names[i] = c.Name
	}
	assert.Equal(t, []string{"refusal", "finish_reason", "pii", "tool_call", "sql_safety", "destructive_action", "latency"}, names)
}

func TestExtractJSON(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{in: ` {"a":1} `, want: `{"a":1}`},
		{in: "```json\n{\"a\":1}\n```", want: `{"a":1}`},
		{in: "```JSON\n[1]\n```", want: `[1]`},
		{in: "Sure:\n```\n[1]\n```\nbye", want: `[1]`},
		{in: "```json {\"a\":1}```", err: "unterminated code fence"},
		{in: "```json\n{\"a\":1}", err: "unterminated code fence"},
		{in: "```yaml\na: 1\n```", err: "code fence is not json"},
		{in: "```json\n1\n```\n```json\n2\n```", err: "more than one code fence"},
		{in: "no json here", want: "no json here"},
	}
	for _, tc := range cases {
		got, err := ExtractJSON(tc.in)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, tc.in)
			continue
		}
		assert.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}
