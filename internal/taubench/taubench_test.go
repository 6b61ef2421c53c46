package taubench

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var (
	loadOnce sync.Once
	loaded   []Record
	loadErr  error
)

func records(t *testing.T) []Record {
	t.Helper()
	path := DefaultPath()
	if path == "" {
		t.Skipf("tau-bench airline dataset not found; looked for %s", strings.Join(SearchPaths(), ", "))
	}
	loadOnce.Do(func() { loaded, loadErr = Load(path) })
	require.NoError(t, loadErr)
	return loaded
}

func TestTaubenchLoad(t *testing.T) {
	recs := records(t)
	require.Len(t, recs, 200)
	failed := 0
	seen := map[string]bool{}
	for _, r := range recs {
		if r.Reward == 0 {
			failed++
		}
		require.NotEmpty(t, r.Traj)
		assert.Equal(t, "system", r.Traj[0].Role)
		seen[r.ConversationID()] = true
	}
	assert.Equal(t, 116, failed, "records with reward 0")
	assert.Len(t, seen, 200, "task_id+trial is unique")
}

// spanList flattens a converted trace.
func spanList(td ptrace.Traces) []ptrace.Span {
	var out []ptrace.Span
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		sss := td.ResourceSpans().At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				out = append(out, spans.At(k))
			}
		}
	}
	return out
}

func TestTaubenchSpans(t *testing.T) {
	traceIDs := map[string]bool{}
	for _, r := range records(t) {
		assistants, tools := 0, 0
		for _, m := range r.Traj {
			switch m.Role {
			case "assistant":
				assistants++
			case "tool":
				tools++
			}
		}
		td := r.Traces()
		require.Equal(t, 1, td.ResourceSpans().Len())
		svc, _ := td.ResourceSpans().At(0).Resource().Attributes().Get("service.name")
		assert.Equal(t, ServiceName, svc.Str())
		spans := spanList(td)
		require.Len(t, spans, 1+assistants+tools, "record %s", r.ConversationID())
		require.Equal(t, len(spans), r.SpanCount())

		root := spans[0]
		ra := root.Attributes().AsRaw()
		assert.Equal(t, "invoke_agent", ra["gen_ai.operation.name"])
		assert.Equal(t, AgentName, ra["gen_ai.agent.name"])
		assert.Equal(t, r.ConversationID(), ra["gen_ai.conversation.id"])
		assert.Equal(t, r.Reward, ra["tau_bench.reward"])
		assert.Equal(t, int64(r.TaskID), ra["tau_bench.task_id"])
		assert.Equal(t, int64(r.Trial), ra["tau_bench.trial"])
		assert.True(t, root.ParentSpanID().IsEmpty())
		traceIDs[root.TraceID().String()] = true

		spanIDs := map[string]bool{}
		var chats, execs int
		lastInput := ""
		for i := len(spans) - 1; i >= 0 && lastInput == ""; i-- {
			if v, ok := spans[i].Attributes().Get("gen_ai.input.messages"); ok {
				lastInput = v.Str()
			}
		}
		checkInput(t, lastInput)
		var system string
		for _, s := range spans {
			if v, ok := s.Attributes().Get("gen_ai.system_instructions"); ok {
				system = v.Str()
				break
			}
		}
		var sys []map[string]any
		require.NoError(t, json.Unmarshal([]byte(system), &sys))
		require.Len(t, sys, 1)
		assert.Equal(t, "text", sys[0]["type"])
		assert.Equal(t, r.Traj[0].Content, sys[0]["content"])
		for _, s := range spans {
			assert.Equal(t, root.TraceID(), s.TraceID())
			assert.False(t, spanIDs[s.SpanID().String()], "span IDs unique in the trace")
			spanIDs[s.SpanID().String()] = true
			assert.Less(t, s.StartTimestamp(), s.EndTimestamp())
			assert.GreaterOrEqual(t, s.StartTimestamp(), root.StartTimestamp())
			assert.LessOrEqual(t, s.EndTimestamp(), root.EndTimestamp())
			if s.SpanID() != root.SpanID() {
				assert.Equal(t, root.SpanID(), s.ParentSpanID())
			}
			a := s.Attributes().AsRaw()
			switch a["gen_ai.operation.name"] {
			case "chat":
				chats++
				checkChat(t, a, system)
				in := a["gen_ai.input.messages"].(string)
				assert.True(t, strings.HasPrefix(lastInput, strings.TrimSuffix(in, "]")),
					"each chat's input is a prefix of the last chat's input")
			case "execute_tool":
				execs++
				res := a["gen_ai.tool.call.result"].(string)
				assert.NotEmpty(t, a["gen_ai.tool.name"])
				assert.NotEmpty(t, a["gen_ai.tool.call.id"])
				assert.True(t, json.Valid([]byte(a["gen_ai.tool.call.arguments"].(string))), "arguments from the matching call")
				if strings.HasPrefix(res, "Error") {
					assert.Equal(t, ptrace.StatusCodeError, s.Status().Code())
				} else {
					assert.Equal(t, ptrace.StatusCodeUnset, s.Status().Code())
				}
			}
		}
		assert.Equal(t, assistants, chats)
		assert.Equal(t, tools, execs)
	}
	assert.Len(t, traceIDs, 200, "trace IDs unique across records")
}

type decodedMsg struct {
	Role         string `json:"role"`
	FinishReason string `json:"finish_reason"`
	Parts        []struct {
		Type      string         `json:"type"`
		Content   *string        `json:"content"`
		ID        string         `json:"id"`
		Name      string         `json:"name"`
		Arguments map[string]any `json:"arguments"`
		Response  *string        `json:"response"`
	} `json:"parts"`
}

func decodeMsgs(t *testing.T, s any) []decodedMsg {
	t.Helper()
	str, ok := s.(string)
	require.True(t, ok, "messages are a JSON string")
	var out []decodedMsg
	dec := json.NewDecoder(strings.NewReader(str))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&out))
	return out
}

func checkChat(t *testing.T, a map[string]any, system string) {
	t.Helper()
	assert.Equal(t, "openai", a["gen_ai.provider.name"])
	assert.Equal(t, "gpt-4o", a["gen_ai.request.model"])

	assert.Equal(t, system, a["gen_ai.system_instructions"], "the same system instructions on every chat span")

	out := decodeMsgs(t, a["gen_ai.output.messages"])
	require.Len(t, out, 1)
	assert.Equal(t, "assistant", out[0].Role)
	require.NotEmpty(t, out[0].Parts)
	hasCall := false
	for _, p := range out[0].Parts {
		hasCall = hasCall || p.Type == "tool_call"
	}
	want := "stop"
	if hasCall {
		want = "tool_call"
	}
	assert.Equal(t, want, out[0].FinishReason)
	assert.Equal(t, []any{want}, a["gen_ai.response.finish_reasons"])
	assert.Positive(t, a["gen_ai.usage.input_tokens"])
	assert.GreaterOrEqual(t, a["gen_ai.usage.output_tokens"], int64(0))
}

// checkInput decodes a chat span's input messages and checks their shape.
func checkInput(t *testing.T, input string) {
	t.Helper()
	in := decodeMsgs(t, input)
	require.NotEmpty(t, in)
	assert.Equal(t, "user", in[0].Role, "the system message is not part of the input messages")
	for _, m := range in {
		assert.NotEqual(t, "system", m.Role)
		for _, p := range m.Parts {
			switch p.Type {
			case "text":
				assert.NotNil(t, p.Content)
			case "tool_call":
				assert.Equal(t, "assistant", m.Role)
				assert.NotEmpty(t, p.ID)
				assert.NotEmpty(t, p.Name)
				assert.NotNil(t, p.Arguments, "arguments are an object")
			case "tool_call_response":
				assert.Equal(t, "tool", m.Role)
				assert.NotEmpty(t, p.ID)
				assert.NotNil(t, p.Response)
			default:
				t.Errorf("unexpected part type %q", p.Type)
			}
		}
	}
}

func TestTaubenchDeterministic(t *testing.T) {
	for _, r := range records(t) {
		m := ptrace.ProtoMarshaler{}
		a, err := m.MarshalTraces(r.Traces())
		require.NoError(t, err)
		b, err := m.MarshalTraces(r.Traces())
		require.NoError(t, err)
		require.True(t, bytes.Equal(a, b), "record %s converts the same twice", r.ConversationID())
	}
}

func TestTaubenchToolErrors(t *testing.T) {
	errs := 0
	for _, r := range records(t) {
		for _, s := range spanList(r.Traces()) {
			if s.Status().Code() == ptrace.StatusCodeError {
				errs++
				assert.True(t, IsToolError(s.Status().Message()))
				require.Equal(t, 1, s.Events().Len())
				assert.Equal(t, "exception", s.Events().At(0).Name())
			}
		}
	}
	assert.Equal(t, 73, errs, "tool results starting with \"Error\" in the dataset")
}

func TestTaubenchIOBackAndForth(t *testing.T) {
	// The last chat span's input plus its output is the whole conversation
	// up to that turn: check it against the record.
	r := records(t)[0]
	spans := spanList(r.Traces())
	var last ptrace.Span
	for _, s := range spans {
		if v, _ := s.Attributes().Get("gen_ai.operation.name"); v.Str() == "chat" {
			last = s
		}
	}
	in := decodeMsgs(t, last.Attributes().AsRaw()["gen_ai.input.messages"])
	out := decodeMsgs(t, last.Attributes().AsRaw()["gen_ai.output.messages"])
	lastAssistant := 0
	for i, m := range r.Traj {
		if m.Role == "assistant" {
			lastAssistant = i
		}
	}
	require.Len(t, in, lastAssistant-1, "everything before the last assistant turn, minus the system message")
	for i, m := range in {
		orig := r.Traj[i+1]
		require.Equal(t, orig.Role, m.Role)
		switch orig.Role {
		case "tool":
			assert.Equal(t, orig.Content, *m.Parts[0].Response)
			assert.Equal(t, orig.ToolCallID, m.Parts[0].ID)
		case "user":
			assert.Equal(t, orig.Content, *m.Parts[0].Content)
		case "assistant":
			if len(orig.ToolCalls) > 0 {
				p := m.Parts[len(m.Parts)-1]
				var args map[string]any
				require.NoError(t, json.Unmarshal([]byte(orig.ToolCalls[0].Function.Arguments), &args))
				assert.Equal(t, args, p.Arguments)
				assert.Equal(t, orig.ToolCalls[0].Function.Name, p.Name)
			}
		}
	}
	if c := r.Traj[lastAssistant].Content; c != "" {
		assert.Equal(t, c, *out[0].Parts[0].Content)
	}
}

// TestAgentCorpus: the hand-written corpus of other domains
// (testdata/agentcorpus) loads in the same format, names each domain's
// service, agent and conversations, and marks the tool results its tools
// reported failed.
func TestAgentCorpus(t *testing.T) {
	recs, err := Load("../../testdata/agentcorpus/trajectories.json")
	require.NoError(t, err)
	require.Len(t, recs, 36)
	byDomain, failed, ids := map[string]int{}, 0, map[string]bool{}
	for _, r := range recs {
		byDomain[r.Domain]++
		if r.Reward < 1 {
			failed++
		}
		assert.False(t, ids[r.TraceID().String()], "trace IDs are distinct")
		ids[r.TraceID().String()] = true
	}
	assert.Equal(t, map[string]int{"retail": 12, "coding": 12, "helpdesk": 12}, byDomain)
	assert.Equal(t, 18, failed)

	cases := []struct {
		name    string
		rec     Record
		service string
		agent   string
		conv    string
		errored int
	}{
		{"airline names", Record{TaskID: 3, Trial: 1, Traj: []Message{{Role: "tool", Content: "Error: not found", Name: "t"}}},
			ServiceName, AgentName, "tau-bench-airline-3-1", 1},
		{"domain names", Record{Domain: "helpdesk", TaskID: 201, Traj: []Message{{Role: "tool", Content: `{"error":"timeout"}`, Name: "t", IsError: true}}},
			"helpdesk-agent", "helpdesk_agent", "helpdesk-201-0", 1},
		{"is_error absent: text decides", Record{Domain: "coding", TaskID: 101, Traj: []Message{{Role: "tool", Content: `{"error":"timeout"}`, Name: "t"}}},
			"coding-agent", "coding_agent", "coding-101-0", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			td := tc.rec.Traces()
			rs := td.ResourceSpans().At(0)
			svc, _ := rs.Resource().Attributes().Get("service.name")
			assert.Equal(t, tc.service, svc.Str())
			spans := rs.ScopeSpans().At(0).Spans()
			root := spans.At(0)
			assert.Equal(t, "invoke_agent "+tc.agent, root.Name())
			conv, _ := root.Attributes().Get("gen_ai.conversation.id")
			assert.Equal(t, tc.conv, conv.Str())
			errored := 0
			for i := 0; i < spans.Len(); i++ {
				if spans.At(i).Status().Code() == ptrace.StatusCodeError {
					errored++
				}
			}
			assert.Equal(t, tc.errored, errored)
		})
	}
}
