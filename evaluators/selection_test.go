package evaluators

import (
	"testing"
	"time"
)

// TestAgentSpansGetTurnChecksOnly: one event, one verdict. Without `when`,
// content checks skip agent and workflow spans, which only report what
// their model calls produced; checks of the whole turn run there; `when`
// selects agent spans explicitly.
func TestAgentSpansGetTurnChecksOnly(t *testing.T) {
	const leak = "I'm sorry, I can't share that. Her email is jane.roe@fastmail.com."
	agent := []kv{{"gen_ai.operation.name", "invoke_agent"}, outMsgs(leak)}
	oiAgent := []kv{{"openinference.span.kind", "AGENT"}, {"output.value", leak}}
	oiChain := []kv{{"openinference.span.kind", "CHAIN"}, {"output.value", leak}}
	vercelOuter := []kv{{"ai.operationId", "ai.generateText"}, {"ai.response.text", leak}}
	vercelCall := []kv{{"ai.operationId", "ai.generateText.doGenerate"}, {"ai.response.text", leak}}
	p, r := entry("p", "pii", nil), entry("r", "refusal", nil)
	runEvalCases(t, []evalCase{
		{name: "pii on the model call", entry: p, attrs: []kv{chat, outMsgs(leak)}, verdict: Fail, reason: "email (1)"},
		{name: "pii on invoke_agent", entry: p, attrs: agent, notRun: true},
		{name: "refusal on invoke_agent", entry: r, attrs: agent, notRun: true},
		{name: "pii on an OpenInference agent", entry: p, attrs: oiAgent, notRun: true},
		{name: "refusal on an OpenInference chain", entry: r, attrs: oiChain, notRun: true},
		{name: "refusal on Vercel's outer span", entry: r, attrs: vercelOuter, notRun: true},
		{name: "refusal on Vercel's model call", entry: r, attrs: vercelCall, verdict: Fail, reason: "refusal (inability)"},
		{name: "finish_reason on invoke_agent", entry: entry("f", "finish_reason", nil), attrs: append(agent, kv{"gen_ai.response.finish_reasons", []any{"length"}}), notRun: true},
		{name: "pii on a tool's result", entry: withTarget(p, "tool_result"), attrs: []kv{{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "crm"}, {"gen_ai.tool.call.result", leak}}, verdict: Fail, reason: "email (1)"},
		{name: "latency on invoke_agent", entry: entry("l", "latency", map[string]any{"max": "1s"}), attrs: agent, duration: 3 * time.Second, verdict: Fail, score: ptr(3.0), reason: "3s"},
		{name: "when selects agent spans", entry: withWhen(p, `span.attributes["gen_ai.operation.name"] == "invoke_agent"`), attrs: agent, verdict: Fail, reason: "email (1)"},
	})
}
