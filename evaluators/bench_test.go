package evaluators

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
)

// benchAnswer is a ~2 KB assistant answer without findings, so every
// evaluator reads all of it.
var benchAnswer = strings.Repeat("The order #4521 ships from the Berlin warehouse on Monday; tracking follows by email. ", 24)

// BenchmarkEvaluators measures each type alone on a chat span with a 2 KB
// answer (or a tool span with 2 KB of arguments), with the content already
// decoded: the figure is the evaluator's own cost per span.
func BenchmarkEvaluators(b *testing.B) {
	chatAttrs := []kv{chat,
		{"gen_ai.request.model", "gpt-4o"}, {"gen_ai.usage.input_tokens", int64(812)}, {"gen_ai.usage.output_tokens", int64(430)},
		{"gen_ai.response.finish_reasons", []any{"stop"}},
		{"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Where is order 4521?"}]},{"role":"tool","parts":[{"type":"tool_call_response","id":"1","response":` + jsonQuote(benchAnswer) + `}]}]`},
		outMsgs(benchAnswer),
	}
	jsonAttrs := []kv{chat, outMsgs(`{"answer":` + jsonQuote(benchAnswer) + `,"order":4521,"items":[1,2,3]}`)}
	args := `{"command":` + jsonQuote(strings.Repeat("ls -la /srv/data && cat notes.txt | grep order; ", 40)) + `,"query":` + jsonQuote(strings.Repeat("SELECT id, status FROM orders WHERE id = 4521; ", 10)) + `}`
	toolAttrs := toolSpan("run", args)
	callAttrs := []kv{chat,
		{"gen_ai.tool.definitions", `[{"type":"function","name":"get_order","parameters":{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}}]`},
		{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call","id":"1","name":"get_order","arguments":{"order_id":"4521"}}]}]`},
	}
	cases := []struct {
		name  string
		e     config.Evaluator
		attrs []kv
	}{
		{"json", entry("e", "json", nil), jsonAttrs},
		{"json_schema", entry("e", "json_schema", map[string]any{"schema": map[string]any{"type": "object", "required": []any{"answer"}}}), jsonAttrs},
		{"regex", entry("e", "regex", map[string]any{"must_not_match": `sk-[A-Za-z0-9]{20,}`}), chatAttrs},
		{"contains", entry("e", "contains", map[string]any{"none": []any{"acme corp", "globex"}}), chatAttrs},
		{"ottl", entry("e", "ottl", map[string]any{"fail_when": `span.attributes["gen_ai.usage.output_tokens"] > 4000`}), chatAttrs},
		{"refusal", entry("e", "refusal", nil), chatAttrs},
		{"finish_reason", entry("e", "finish_reason", nil), chatAttrs},
		{"length", entry("e", "length", map[string]any{"max_words": 1000}), chatAttrs},
		{"tokens", entry("e", "tokens", map[string]any{"max_output": 4096}), chatAttrs},
		{"cost", entry("e", "cost", nil), chatAttrs},
		{"pii", entry("e", "pii", nil), chatAttrs},
		{"grounding", entry("e", "grounding", nil), chatAttrs},
		{"sql_safety", entry("e", "sql_safety", nil), toolAttrs},
		{"destructive_action", entry("e", "destructive_action", nil), toolAttrs},
		{"tool_call", entry("e", "tool_call", nil), callAttrs},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			checks, err := Build(config.Entries{User: []config.Evaluator{c.e}}, componenttest.NewNopTelemetrySettings())
			if err != nil {
				b.Fatal(err)
			}
			ev := checks[0].Evaluator
			v := viewOf(b, c.attrs...)
			ctx := context.Background()
			if r := ev.Evaluate(ctx, v); r.Verdict != Pass {
				b.Fatalf("benchmark input must pass, got %v: %s", r.Verdict, r.Reason)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Each span is scanned for literals once, whichever check
				// asks first: alone, this one pays for the scan every time.
				if s, ok := (*v.CheckScratch()).(*checkScratch); ok {
					s.forget()
				}
				ev.Evaluate(ctx, v)
			}
		})
	}
}
