package evaluators

import (
	"testing"
)

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
