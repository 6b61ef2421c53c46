package evaluators

import (
	"testing"
)

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
