package evaluators

import (
	"testing"
)

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
