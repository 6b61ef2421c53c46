package llmjudgeconnector

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// fakeJudge is a scripted OpenAI-compatible chat completions server.
type fakeJudge struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []recordedRequest
	// reply answers request n (0-based); nil answers every request with a
	// pass.
	reply func(n int, req chatRequest) reply
}

type recordedRequest struct {
	auth string
	path string
	body chatRequest
}

type reply struct {
	status  int // 200 when 0
	headers map[string]string
	body    string // a raw body; completion() builds a normal one
	delay   time.Duration
}

func newFakeJudge(t *testing.T, fn func(n int, req chatRequest) reply) *fakeJudge {
	t.Helper()
	f := &fakeJudge{reply: fn}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeJudge) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var req chatRequest
	_ = json.Unmarshal(raw, &req)
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, recordedRequest{auth: r.Header.Get("Authorization"), path: r.URL.Path, body: req})
	fn := f.reply
	f.mu.Unlock()
	rep := reply{body: completion(`{"explanation":"fine","verdict":"pass"}`)}
	if fn != nil {
		rep = fn(n, req)
	}
	if rep.delay > 0 {
		select {
		case <-time.After(rep.delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range rep.headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.status != 0 {
		w.WriteHeader(rep.status)
	}
	_, _ = io.WriteString(w, rep.body)
}

func (f *fakeJudge) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakeJudge) request(i int) recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[i]
}

// completion is a chat completion answering content, with usage.
func completion(content string) string {
	b, _ := json.Marshal(map[string]any{
		"id":      "chatcmpl-judge",
		"object":  "chat.completion",
		"model":   "judge-model-2025",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": content}, "finish_reason": "stop"}},
		"usage":   map[string]any{"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100},
	})
	return string(b)
}

func ok(content string) reply { return reply{body: completion(content)} }

// userPrompt is the rendered prompt of a request: its last message.
func userPrompt(req chatRequest) string {
	if len(req.Messages) == 0 {
		return ""
	}
	return req.Messages[len(req.Messages)-1].Content
}

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

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
