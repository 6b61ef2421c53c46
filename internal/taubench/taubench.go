// Package taubench turns the tau-bench airline trajectories (real GPT-4o
// tool-calling agent runs, see shared/datasets/tau-bench-airline/README.md)
// into OTLP traces in the current GenAI semantic-convention layout, so that
// tests can replay real agent traffic through the llmeval processor.
//
// Each record becomes one trace: an invoke_agent root span, a chat span per
// assistant turn and an execute_tool span per tool message. The data has no
// timings or token counts, so both are synthesized deterministically: the
// same record always converts to the same traces, IDs included.
package taubench

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// RelPath is where the dataset lives relative to a directory that holds
// shared/ (the repository's parent directory).
const RelPath = "shared/datasets/tau-bench-airline/gpt-4o-airline.json"

// Names written on every converted trace.
const (
	ServiceName = "tau-bench-airline-agent"
	AgentName   = "airline_agent"
	Provider    = "openai"
	Model       = "gpt-4o"
	ScopeName   = "github.com/otelcol-llmeval/otelcol-llmeval/internal/taubench"
)

// Synthetic timings. Chat latency grows with the output, as a real model's
// does; the numbers are plausible for GPT-4o, not measured.
const (
	chatBase      = time.Second
	chatPerToken  = 10 * time.Millisecond
	toolDuration  = 200 * time.Millisecond
	userThinkTime = time.Second // the simulated user is itself a model
	gap           = 5 * time.Millisecond
)

// epoch is the "current time" of the airline policy in the system prompt
// (2024-05-15 15:00 EST); each record starts at its own offset from it.
var epoch = time.Date(2024, 5, 15, 20, 0, 0, 0, time.UTC)

// Record is one tau-bench trajectory.
type Record struct {
	TaskID int             `json:"task_id"`
	Trial  int             `json:"trial"`
	Reward float64         `json:"reward"` // 1 solved, 0 failed
	Info   json.RawMessage `json:"info"`   // expected actions, kept raw
	Traj   []Message       `json:"traj"`
	// Domain names another system's trajectories written in the same
	// format (testdata/agentcorpus): it names the service, the agent and
	// the conversation IDs. Empty for the airline data.
	Domain string `json:"domain,omitempty"`
}

// Message is an OpenAI-style chat message.
type Message struct {
	Role       string     `json:"role"`    // system, user, assistant, tool
	Content    string     `json:"content"` // null on most tool-calling assistant turns
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
	Name       string     `json:"name,omitempty"` // tool name, on tool messages
	// IsError marks a tool result the tool reported as failed (span status
	// error) whatever its text; airline tools say so with "Error: ...".
	IsError bool `json:"is_error,omitempty"`
}

// ToolCall is a tool call an assistant message requests.
type ToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"` // JSON text
	} `json:"function"`
}

// Load reads the dataset file.
func Load(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var recs []Record
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// SearchPaths lists, nearest first, where DefaultPath looks: RelPath under
// the working directory and under each of its parents.
func SearchPaths() []string {
	dir, err := os.Getwd()
	if err != nil {
		return nil
	}
	var paths []string
	for {
		paths = append(paths, filepath.Join(dir, RelPath))
		parent := filepath.Dir(dir)
		if parent == dir {
			return paths
		}
		dir = parent
	}
}

// DefaultPath finds the dataset beside the repository by walking up from the
// working directory (in a checkout it is <repo>/../shared/...). It returns ""
// when none of SearchPaths exists.
func DefaultPath() string {
	for _, p := range SearchPaths() {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// ConversationID is the gen_ai.conversation.id of the record's trace.
func (r Record) ConversationID() string {
	if r.Domain != "" {
		return fmt.Sprintf("%s-%d-%d", r.Domain, r.TaskID, r.Trial)
	}
	return fmt.Sprintf("tau-bench-airline-%d-%d", r.TaskID, r.Trial)
}

// names are the service and agent names of the record's trace.
func (r Record) names() (service, agent string) {
	if r.Domain != "" {
		return r.Domain + "-agent", r.Domain + "_agent"
	}
	return ServiceName, AgentName
}

// TraceID is the record's deterministic trace ID.
func (r Record) TraceID() pcommon.TraceID {
	sum := sha256.Sum256([]byte(r.ConversationID()))
	var id pcommon.TraceID
	copy(id[:], sum[:])
	if id.IsEmpty() {
		id[15] = 1
	}
	return id
}

// SpanCount is how many spans Traces produces: the root, one per assistant
// turn, one per tool message.
func (r Record) SpanCount() int {
	n := 1
	for _, m := range r.Traj {
		if m.Role == "assistant" || m.Role == "tool" {
			n++
		}
	}
	return n
}

// Parts of the GenAI semconv message JSON.
type (
	msgJSON struct {
		Role         string     `json:"role"`
		Parts        []partJSON `json:"parts"`
		FinishReason string     `json:"finish_reason,omitempty"`
	}
	partJSON struct {
		Type      string          `json:"type"`
		Content   *string         `json:"content,omitempty"`
		ID        string          `json:"id,omitempty"`
		Name      string          `json:"name,omitempty"`
		Arguments json.RawMessage `json:"arguments,omitempty"`
		Response  *string         `json:"response,omitempty"`
	}
)

func textPart(s string) partJSON { return partJSON{Type: "text", Content: &s} }

// semconvMessage converts one OpenAI message (not a system message).
func semconvMessage(m Message) msgJSON {
	out := msgJSON{Role: m.Role, Parts: []partJSON{}}
	switch m.Role {
	case "tool":
		content := m.Content
		out.Parts = append(out.Parts, partJSON{Type: "tool_call_response", ID: m.ToolCallID, Response: &content})
	default:
		if m.Content != "" {
			out.Parts = append(out.Parts, textPart(m.Content))
		}
		for _, tc := range m.ToolCalls {
			out.Parts = append(out.Parts, partJSON{Type: "tool_call", ID: tc.ID, Name: tc.Function.Name, Arguments: argumentsJSON(tc.Function.Arguments)})
		}
	}
	return out
}

// argumentsJSON is the arguments as a JSON value (an object in this data);
// text that is not valid JSON is kept as a JSON string.
func argumentsJSON(args string) json.RawMessage {
	if json.Valid([]byte(args)) {
		var buf bytes.Buffer
		if json.Compact(&buf, []byte(args)) == nil {
			return buf.Bytes()
		}
	}
	b, _ := json.Marshal(args)
	return b
}

func mustJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only plain structs and valid RawMessages are encoded
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// tokens is the rough estimate of 4 bytes a token, at least 1 for non-empty text.
func tokens(n int) int64 {
	if n == 0 {
		return 0
	}
	return int64(max(1, n/4))
}

func messageLen(m Message) int {
	n := len(m.Content)
	for _, tc := range m.ToolCalls {
		n += len(tc.Function.Name) + len(tc.Function.Arguments)
	}
	return n
}

// Traces converts the record to one trace in the GenAI semconv layout.
func (r Record) Traces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	service, agent := r.names()
	rs.Resource().Attributes().PutStr("service.name", service)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(ScopeName)
	spans := ss.Spans()
	spans.EnsureCapacity(r.SpanCount())

	traceID := r.TraceID()
	seq := uint32(0)
	nextSpanID := func() pcommon.SpanID {
		seq++
		var id pcommon.SpanID
		copy(id[:4], traceID[:4])
		binary.BigEndian.PutUint32(id[4:], seq)
		return id
	}
	ts := pcommon.NewTimestampFromTime

	start := epoch.Add(time.Duration(r.TaskID*4+r.Trial) * time.Hour)
	now := start

	root := spans.AppendEmpty()
	root.SetTraceID(traceID)
	root.SetSpanID(nextSpanID())
	root.SetName("invoke_agent " + agent)
	root.SetKind(ptrace.SpanKindInternal)
	ra := root.Attributes()
	ra.PutStr("gen_ai.operation.name", "invoke_agent")
	ra.PutStr("gen_ai.agent.name", agent)
	ra.PutStr("gen_ai.provider.name", Provider)
	ra.PutStr("gen_ai.request.model", Model)
	ra.PutStr("gen_ai.conversation.id", r.ConversationID())
	ra.PutDouble("tau_bench.reward", r.Reward)
	ra.PutInt("tau_bench.task_id", int64(r.TaskID))
	ra.PutInt("tau_bench.trial", int64(r.Trial))

	child := func(name string, kind ptrace.SpanKind, d time.Duration) ptrace.Span {
		s := spans.AppendEmpty()
		s.SetTraceID(traceID)
		s.SetSpanID(nextSpanID())
		s.SetParentSpanID(root.SpanID())
		s.SetName(name)
		s.SetKind(kind)
		s.SetStartTimestamp(ts(now))
		now = now.Add(d)
		s.SetEndTimestamp(ts(now))
		now = now.Add(gap)
		return s
	}

	var system string
	var systemJSON string
	systemLen := 0
	// The conversation so far, system message excluded, encoded once per
	// message: convo holds "[m1,m2,...", closed with "]" per chat span.
	convo := []byte{'['}
	convoLen := 0
	calls := map[string]ToolCall{} // latest call by ID: IDs repeat in this data

	for _, m := range r.Traj {
		switch m.Role {
		case "system":
			system = m.Content
			systemLen = len(system)
			systemJSON = mustJSON([]partJSON{textPart(system)})
			continue
		case "user":
			now = now.Add(userThinkTime)
		case "assistant":
			outTok := tokens(messageLen(m))
			s := child("chat "+Model, ptrace.SpanKindClient, chatBase+time.Duration(outTok)*chatPerToken)
			a := s.Attributes()
			a.PutStr("gen_ai.operation.name", "chat")
			a.PutStr("gen_ai.provider.name", Provider)
			a.PutStr("gen_ai.request.model", Model)
			a.PutStr("gen_ai.response.model", Model)
			a.PutStr("gen_ai.conversation.id", r.ConversationID())
			if system != "" {
				a.PutStr("gen_ai.system_instructions", systemJSON)
			}
			a.PutStr("gen_ai.input.messages", string(convo)+"]")
			out := semconvMessage(m)
			out.FinishReason = "stop"
			if len(m.ToolCalls) > 0 {
				out.FinishReason = "tool_call"
			}
			a.PutStr("gen_ai.output.messages", mustJSON([]msgJSON{out}))
			a.PutEmptySlice("gen_ai.response.finish_reasons").AppendEmpty().SetStr(out.FinishReason)
			a.PutInt("gen_ai.usage.input_tokens", tokens(systemLen+convoLen))
			a.PutInt("gen_ai.usage.output_tokens", outTok)
			for _, tc := range m.ToolCalls {
				calls[tc.ID] = tc
			}
		case "tool":
			s := child("execute_tool "+m.Name, ptrace.SpanKindInternal, toolDuration)
			a := s.Attributes()
			a.PutStr("gen_ai.operation.name", "execute_tool")
			a.PutStr("gen_ai.tool.name", m.Name)
			a.PutStr("gen_ai.tool.type", "function")
			a.PutStr("gen_ai.tool.call.id", m.ToolCallID)
			if tc, ok := calls[m.ToolCallID]; ok {
				a.PutStr("gen_ai.tool.call.arguments", tc.Function.Arguments)
			}
			a.PutStr("gen_ai.tool.call.result", m.Content)
			if m.IsError || IsToolError(m.Content) {
				s.Status().SetCode(ptrace.StatusCodeError)
				s.Status().SetMessage(m.Content)
				a.PutStr("error.type", "tool_error")
				ev := s.Events().AppendEmpty()
				ev.SetName("exception")
				ev.SetTimestamp(s.EndTimestamp())
				ev.Attributes().PutStr("exception.type", "tool_error")
				ev.Attributes().PutStr("exception.message", m.Content)
			}
		default:
			continue
		}
		if len(convo) > 1 {
			convo = append(convo, ',')
		}
		convo = append(convo, mustJSON(semconvMessage(m))...)
		convoLen += messageLen(m)
	}

	root.SetStartTimestamp(ts(start))
	root.SetEndTimestamp(ts(now))
	return td
}

// IsToolError reports whether a tool result is a failure. The tau-bench
// airline tools answer failures with a plain-text "Error: ..." string instead
// of raising.
func IsToolError(result string) bool { return strings.HasPrefix(result, "Error") }
