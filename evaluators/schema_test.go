package evaluators

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

func TestJSONSchemaEvaluator(t *testing.T) {
	file := entry("s", "json_schema", map[string]any{"schema_file": "testdata/order.schema.json"})
	inline := entry("s", "json_schema", map[string]any{"schema": map[string]any{
		"type": "object", "required": []any{"answer"}, "properties": map[string]any{"answer": map[string]any{"type": "string"}},
		"additionalProperties": false,
	}})
	runEvalCases(t, []evalCase{
		{name: "valid", entry: file, attrs: []kv{chat, outMsgs(`{"order_id":"AB1234","items":[{"sku":"x","qty":2}]}`)}, verdict: Pass},
		{name: "fenced valid", entry: file, attrs: []kv{chat, outMsgs("```json\n{\"order_id\":\"AB1234\",\"items\":[{\"sku\":\"x\",\"qty\":1}]}\n```")}, verdict: Pass},
		{name: "ref'd item fails", entry: file, attrs: []kv{chat, outMsgs(`{"order_id":"AB1234","items":[{"sku":"x","qty":0}]}`)}, verdict: Fail, reason: "schema: at /items/0/qty: minimum"},
		{name: "missing property", entry: file, attrs: []kv{chat, outMsgs(`{"items":[{"sku":"x","qty":1}]}`)}, verdict: Fail, reason: "schema: at /: required: missing order_id"},
		{name: "pattern never echoes the value", entry: file, attrs: []kv{chat, outMsgs(`{"order_id":"secret-123","items":[{"sku":"x","qty":1}]}`)}, verdict: Fail, reason: "schema: at /order_id: pattern"},
		{name: "wrong type", entry: inline, attrs: []kv{chat, outMsgs(`{"answer":42}`)}, verdict: Fail, reason: "schema: at /answer: type: got number, want string"},
		{name: "additional property", entry: inline, attrs: []kv{chat, outMsgs(`{"answer":"a","extra":1}`)}, verdict: Fail, reason: "schema: at /: additionalProperties: 1 unexpected"},
		{name: "not JSON", entry: inline, attrs: []kv{chat, outMsgs(`answer: a`)}, verdict: Fail, reason: "not JSON"},
		{name: "absent", entry: inline, attrs: []kv{chat}, verdict: Skip},
	})
}

func TestJSONSchemaBuildErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"type": 5}`), 0o600))
	remote := filepath.Join(dir, "remote.json")
	require.NoError(t, os.WriteFile(remote, []byte(`{"$ref": "https://example.com/s.json"}`), 0o600))
	cases := []struct {
		s    map[string]any
		want string
	}{
		{nil, `"x": schema or schema_file: one is required`},
		{map[string]any{"schema": map[string]any{"type": "object"}, "schema_file": bad}, `"x": schema, schema_file: set exactly one`},
		{map[string]any{"schema_file": filepath.Join(dir, "missing.json")}, `"x": schema_file: open`},
		{map[string]any{"schema_file": bad}, `"x": schema_file:`},
		{map[string]any{"schema_file": remote}, `"x": schema_file:`},
		{map[string]any{"schema": map[string]any{"type": "strange"}}, `"x": schema:`},
	}
	for _, tc := range cases {
		_, err := Build(config.Entries{User: []config.Evaluator{entry("x", "json_schema", tc.s)}}, componenttest.NewNopTelemetrySettings())
		assert.ErrorContains(t, err, tc.want)
	}
}

func TestToolCallEvaluator(t *testing.T) {
	defs := kv{"gen_ai.tool.definitions", `[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}},{"type":"function","name":"now"}]`}
	call := func(name, args string) kv {
		return kv{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call","id":"1","name":"` + name + `","arguments":` + args + `}]}]`}
	}
	tc := entry("t", "tool_call", nil)
	runEvalCases(t, []evalCase{
		{name: "valid", entry: tc, attrs: []kv{chat, defs, call("get_weather", `{"city":"Oslo"}`)}, verdict: Pass},
		{name: "arguments as a string", entry: tc, attrs: []kv{chat, defs, call("get_weather", `"{\"city\":\"Oslo\"}"`)}, verdict: Pass},
		{name: "no parameters declared", entry: tc, attrs: []kv{chat, defs, call("now", `{}`)}, verdict: Pass},
		{name: "truncated arguments", entry: tc, attrs: []kv{chat, defs, call("get_weather", `"{\"city\": \"Os"`)}, verdict: Fail, reason: "call 1 of 1: arguments are not a JSON object"},
		{name: "array arguments", entry: tc, attrs: []kv{chat, defs, call("get_weather", `"[1]"`)}, verdict: Fail, reason: "not a JSON object"},
		{name: "unknown tool", entry: tc, attrs: []kv{chat, defs, call("get_wether", `{"city":"Oslo"}`)}, verdict: Fail, reason: "call 1 of 1: tool not declared"},
		{name: "unknown tool allowed", entry: entry("t", "tool_call", map[string]any{"require_declared": false}), attrs: []kv{chat, defs, call("get_wether", `{}`)}, verdict: Pass},
		{name: "schema violation", entry: tc, attrs: []kv{chat, defs, call("get_weather", `{"town":"Oslo"}`)}, verdict: Fail, reason: "call 1 of 1: arguments fail the declared schema at /: required: 1 missing"},
		{name: "no definitions: only JSON checked", entry: tc, attrs: []kv{chat, call("anything", `{"a":1}`)}, verdict: Pass},
		{name: "no tool calls", entry: tc, attrs: []kv{chat, defs, outMsgs("hi")}, verdict: Skip},
		{name: "agent span reports, does not request", entry: tc, attrs: []kv{{"gen_ai.operation.name", "invoke_agent"}, defs, call("get_wether", `{}`)}, notRun: true},
		{name: "broken definitions", entry: tc, attrs: []kv{chat, {"gen_ai.tool.definitions", `[{`}, call("x", `{}`)}, verdict: Error, reason: "gen_ai.tool.definitions"},
		{name: "zod lookahead pattern is not enforced, the rest is", entry: tc, attrs: []kv{chat,
			{"gen_ai.tool.definitions", `[{"name":"mail","parameters":{"type":"object","required":["to"],"properties":{"to":{"type":"string","pattern":"^(?!\\.)[a-z.]+@x\\.com$"}}}}]`},
			call("mail", `{"cc":"a"}`)}, verdict: Fail, reason: "required: 1 missing"},
		{name: "zod lookahead pattern on a valid call", entry: tc, attrs: []kv{chat,
			{"gen_ai.tool.definitions", `[{"name":"mail","parameters":{"type":"object","required":["to"],"properties":{"to":{"type":"string","pattern":"^(?!\\.)[a-z.]+@x\\.com$"}}}}]`},
			call("mail", `{"to":"a@x.com"}`)}, verdict: Pass},
		{name: "schema that does not compile", entry: tc, attrs: []kv{chat, {"gen_ai.tool.definitions", `[{"name":"x","parameters":{"type":7}}]`}, call("x", `{}`)}, verdict: Error, reason: "does not compile"},
	})
}

func TestToolDefinitionsLayouts(t *testing.T) {
	cases := []struct {
		name  string
		attrs []kv
		want  []spanmodel.ToolDefinition
	}{
		{"openai nesting", []kv{chat, {"gen_ai.tool.definitions", `[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object"}}}]`}},
			[]spanmodel.ToolDefinition{{Name: "f", Description: "d", Parameters: `{"type":"object"}`}}},
		{"vercel inputSchema", []kv{chat, {"gen_ai.tool.definitions", `[{"type":"function","name":"f","inputSchema":{"type":"object"}}]`}},
			[]spanmodel.ToolDefinition{{Name: "f", Parameters: `{"type":"object"}`}}},
		{"anthropic input_schema", []kv{chat, {"gen_ai.tool.definitions", `[{"name":"f","input_schema":{}}]`}},
			[]spanmodel.ToolDefinition{{Name: "f", Parameters: `{}`}}},
		{"openinference indexed", []kv{{"openinference.span.kind", "LLM"},
			{"llm.tools.1.tool.json_schema", `{"type":"function","function":{"name":"b"}}`},
			{"llm.tools.0.tool.json_schema", `{"type":"function","function":{"name":"a","parameters":{}}}`}},
			[]spanmodel.ToolDefinition{{Name: "a", Parameters: `{}`}, {Name: "b"}}},
		{"vercel legacy", []kv{{"ai.operationId", "ai.generateText.doGenerate"}, {"ai.prompt.tools", []any{`{"type":"function","name":"f","parameters":{}}`}}},
			[]spanmodel.ToolDefinition{{Name: "f", Parameters: `{}`}}},
		{"none", []kv{chat}, nil},
	}
	for _, tc := range cases {
		v := viewOf(t, tc.attrs...)
		got, err := v.ToolDefinitions()
		require.NoError(t, err, tc.name)
		if tc.want == nil {
			assert.Empty(t, got, tc.name)
			continue
		}
		assert.Equal(t, tc.want, got, tc.name)
	}
}

// TestToolCallOnRealProducers reads the spans the Vercel AI SDK, OpenLLMetry
// and OpenInference emitted for a model that sent broken tool arguments.
func TestToolCallOnRealProducers(t *testing.T) {
	c := build(t, entry("t", "tool_call", nil))
	for _, producer := range []string{"vercel_ai", "traceloop", "openinference"} {
		for scenario, want := range map[string]Verdict{"bad_tool_args": Fail, "normal": Pass} {
			body, err := os.ReadFile(filepath.Join("..", "testdata", "fixtures", "real", producer+"_"+scenario+".json"))
			require.NoError(t, err)
			td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(body)
			require.NoError(t, err)
			worst := Skip
			var reasons []string
			rss := td.ResourceSpans()
			for i := 0; i < rss.Len(); i++ {
				for j := 0; j < rss.At(i).ScopeSpans().Len(); j++ {
					ss := rss.At(i).ScopeSpans().At(j)
					for k := 0; k < ss.Spans().Len(); k++ {
						v := &spanmodel.View{}
						v.Reset(rss.At(i), ss, ss.Spans().At(k))
						r, _ := evaluate(t, c, v)
						if r.Verdict > worst {
							worst = r.Verdict
						}
						if r.Reason != "" {
							reasons = append(reasons, r.Reason)
						}
					}
				}
			}
			assert.Equal(t, want, worst, "%s/%s: %v", producer, scenario, reasons)
		}
	}
}

func FuzzToolDefinitions(f *testing.F) {
	f.Add(`[{"type":"function","name":"f","parameters":{"type":"object"}}]`, `{"a":1}`)
	f.Add(`[{"function":{"name":"f","parameters":{"type":7}}}]`, `[`)
	f.Add(`[]`, ``)
	c, err := Build(config.Entries{User: []config.Evaluator{entry("t", "tool_call", nil)}}, componenttest.NewNopTelemetrySettings())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, defs, args string) {
		v := viewOf(t, chat, kv{"gen_ai.tool.definitions", defs},
			kv{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call","id":"1","name":"f","arguments":` + jsonQuote(args) + `}]}]`})
		if _, err := v.ToolDefinitions(); err != nil && !strings.Contains(err.Error(), "gen_ai.tool.definitions") {
			t.Fatalf("error does not name the attribute: %v", err)
		}
		r := c[0].Evaluate(context.Background(), v)
		if r.Verdict == Fail && strings.Contains(r.Reason, args) && len(args) > 12 {
			t.Fatalf("reason echoes the arguments: %q", r.Reason)
		}
	})
}
