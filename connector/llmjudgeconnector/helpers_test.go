package llmjudgeconnector

import (
	"encoding/json"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/fakellm"
)

// fakeJudge is the scripted OpenAI-compatible server, closed with the test.
func newFakeJudge(t *testing.T, fn func(n int, req fakellm.Request) fakellm.Reply) *fakellm.Server {
	t.Helper()
	f := fakellm.New(fn)
	t.Cleanup(f.Close)
	return f
}

var ok = fakellm.OK

// agentTrace is one agent run: a root agent span, a chat span asking for
// a tool, the tool span, and the final chat answer, which says answer.
func agentTrace(td ptrace.Traces, id byte, service, answer string) {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	ss := rs.ScopeSpans().AppendEmpty()
	trace := pcommon.TraceID{0xa, id}
	start := time.Unix(1700000000, 0)
	add := func(n byte, parent byte, offset time.Duration, name string, attrs map[string]any) {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(trace)
		sp.SetSpanID(pcommon.SpanID{id, n})
		if parent != 0 {
			sp.SetParentSpanID(pcommon.SpanID{id, parent})
		}
		sp.SetName(name)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start.Add(offset)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(offset + 500*time.Millisecond)))
		_ = sp.Attributes().FromRaw(attrs)
	}
	// Appended out of start order: steps must be sorted by start time.
	add(4, 1, 3*time.Second, "chat final", map[string]any{
		"gen_ai.operation.name":  "chat",
		"gen_ai.request.model":   "gpt-4o-mini",
		"gen_ai.response.id":     "chatcmpl-final-" + string('0'+rune(id)),
		"gen_ai.input.messages":  `[{"role":"user","parts":[{"type":"text","content":"Where is order 42?"}]}]`,
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":` + jsonString(answer) + `}],"finish_reason":"stop"}]`,
	})
	add(1, 0, 0, "invoke_agent support", map[string]any{"gen_ai.operation.name": "invoke_agent"})
	add(2, 1, time.Second, "chat tool", map[string]any{
		"gen_ai.operation.name":      "chat",
		"gen_ai.request.model":       "gpt-4o-mini",
		"gen_ai.system_instructions": `[{"type":"text","content":"You are a support agent."}]`,
		"gen_ai.input.messages":      `[{"role":"user","parts":[{"type":"text","content":"Where is order 42?"}]}]`,
		"gen_ai.output.messages":     `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"order_status","arguments":{"id":42}}],"finish_reason":"tool_calls"}]`,
	})
	add(3, 1, 2*time.Second, "execute_tool order_status", map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "order_status",
		"gen_ai.tool.call.arguments": `{"id":42}`, "gen_ai.tool.call.result": `{"status":"shipped"}`,
	})
	add(5, 4, 3*time.Second, "POST /v1/chat/completions", map[string]any{"http.request.method": "POST"})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// prompt is the rendered prompt of a task: its last message.
func prompt(t *Task) string {
	m := t.Messages()
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1].Content
}
