package spanmodel

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// ev is one span event: its name and attributes, in order.
type ev struct {
	name  string
	attrs []kv
}

func viewWithEvents(t testing.TB, attrs []kv, events ...ev) *View {
	t.Helper()
	rs, ss, span := newSpan(t, attrs...)
	for _, e := range events {
		se := span.Events().AppendEmpty()
		se.SetName(e.name)
		for _, a := range e.attrs {
			require.NoError(t, se.Attributes().PutEmpty(a.K).FromRaw(a.V), a.K)
		}
	}
	v := &View{}
	v.Reset(rs, ss, span)
	return v
}

// Strands Agents (TypeScript SDK, default conventions) puts every message
// in span events: content blocks as JSON in `content`, the answer in
// gen_ai.choice's `message` with Bedrock-style finish reasons.
var (
	strandsChat = []kv{
		{"gen_ai.operation.name", "chat"},
		{"gen_ai.system", "strands-agents"},
		{"gen_ai.request.model", "us.anthropic.claude-sonnet-4-20250514-v1:0"},
		{"gen_ai.usage.input_tokens", 412},
		{"gen_ai.usage.output_tokens", 38},
	}
	strandsTool = []kv{
		{"gen_ai.operation.name", "execute_tool"},
		{"gen_ai.system", "strands-agents"},
		{"gen_ai.tool.name", "get_weather"},
		{"gen_ai.tool.call.id", "tooluse_Qm1x"},
	}
	strandsLatestChat = []kv{
		{"gen_ai.operation.name", "chat"},
		{"gen_ai.provider.name", "strands-agents"},
		{"gen_ai.request.model", "gpt-4o-mini"},
	}
)

func TestViewSpanEvents(t *testing.T) {
	tests := []struct {
		name   string
		attrs  []kv
		events []ev
		want   viewWant
	}{
		{
			name:  "strands legacy chat, tool round trip",
			attrs: strandsChat,
			events: []ev{
				{"gen_ai.system.message", []kv{{"content", `[{"text":"You are a weather assistant."}]`}}},
				{"gen_ai.user.message", []kv{{"content", `[{"text":"What is the weather in Paris?"}]`}}},
				{"gen_ai.assistant.message", []kv{{"content", `[{"toolUse":{"name":"get_weather","toolUseId":"tooluse_Qm1x","input":{"city":"Paris"}}}]`}}},
				{"gen_ai.tool.message", []kv{{"content", `[{"toolResult":{"toolUseId":"tooluse_Qm1x","status":"success","content":[{"text":"18°C, sunny"}]}}]`}}},
				{"gen_ai.choice", []kv{{"finish_reason", "endTurn"}, {"message", `[{"text":"It is 18°C and sunny in Paris."}]`}}},
			},
			want: viewWant{
				layout: LayoutGenAIEvents, op: "chat", provider: "strands-agents",
				model: "us.anthropic.claude-sonnet-4-20250514-v1:0", usage: Usage{412, 38, -1, -1},
				finish: []string{"stop"},
				texts: map[TargetKind]string{
					TargetOutput:     "It is 18°C and sunny in Paris.",
					TargetInput:      "What is the weather in Paris?",
					TargetSystem:     "You are a weather assistant.",
					TargetToolResult: "18°C, sunny", // the tool result in the chat input
				},
				in: []Message{
					{Role: "system", Text: "You are a weather assistant."},
					{Role: "user", Text: "What is the weather in Paris?"},
					{Role: "assistant", ToolCalls: []ToolCall{{ID: "tooluse_Qm1x", Name: "get_weather", Arguments: `{"city":"Paris"}`}}},
					{Role: "tool", ToolResults: []ToolResult{{ID: "tooluse_Qm1x", Content: "18°C, sunny"}}},
				},
				out: []Message{{Role: "assistant", Text: "It is 18°C and sunny in Paris.", FinishReason: "stop"}},
			},
		},
		{
			name:  "strands legacy chat asking for a tool (flat toolUse in gen_ai.choice)",
			attrs: strandsChat,
			events: []ev{
				{"gen_ai.user.message", []kv{{"content", `[{"text":"Weather in Oslo?"}]`}}},
				{"gen_ai.choice", []kv{{"finish_reason", "toolUse"}, {"message", `[{"text":"Let me check."},{"type":"toolUse","name":"get_weather","toolUseId":"tooluse_9","input":{"city":"Oslo"}}]`}}},
			},
			want: viewWant{
				layout: LayoutGenAIEvents, op: "chat", provider: "strands-agents",
				model: "us.anthropic.claude-sonnet-4-20250514-v1:0", usage: Usage{412, 38, -1, -1},
				finish: []string{"tool_calls"},
				texts: map[TargetKind]string{
					TargetOutput:        "Let me check.",
					TargetInput:         "Weather in Oslo?",
					TargetToolArguments: `{"city":"Oslo"}`,
				},
				calls: []ToolCall{{ID: "tooluse_9", Name: "get_weather", Arguments: `{"city":"Oslo"}`}},
			},
		},
		{
			name: "strands legacy agent span: plain-text answer",
			attrs: []kv{
				{"gen_ai.operation.name", "invoke_agent"}, {"gen_ai.system", "strands-agents"},
				{"gen_ai.agent.name", "Strands Agents"},
			},
			events: []ev{
				{"gen_ai.user.message", []kv{{"content", `[{"text":"My SSN is 123-45-6789, remember it."}]`}}},
				{"gen_ai.choice", []kv{{"message", "I can't store personal identifiers."}, {"finish_reason", "end_turn"}}},
			},
			want: viewWant{
				layout: LayoutGenAIEvents, op: "invoke_agent", provider: "strands-agents", usage: noUsage(),
				finish: []string{"stop"},
				texts: map[TargetKind]string{
					TargetOutput: "I can't store personal identifiers.",
					TargetInput:  "My SSN is 123-45-6789, remember it.",
				},
			},
		},
		{
			name:  "strands legacy tool span",
			attrs: strandsTool,
			events: []ev{
				{"gen_ai.tool.message", []kv{{"role", "tool"}, {"content", `{"city":"Paris"}`}, {"id", "tooluse_Qm1x"}}},
				{"gen_ai.choice", []kv{{"message", `[{"text":"18°C, sunny"}]`}, {"id", "tooluse_Qm1x"}}},
			},
			want: viewWant{
				layout: LayoutGenAIEvents, op: "execute_tool", provider: "strands-agents", usage: noUsage(),
				toolName: "get_weather",
				texts: map[TargetKind]string{
					TargetToolArguments: `{"city":"Paris"}`,
					TargetToolResult:    "18°C, sunny",
				},
				calls: []ToolCall{{ID: "tooluse_Qm1x", Name: "get_weather", Arguments: `{"city":"Paris"}`}},
			},
		},
		{
			name:  "strands latest: gen_ai.client.inference.operation.details events",
			attrs: strandsLatestChat,
			events: []ev{
				{"gen_ai.client.inference.operation.details", []kv{{"gen_ai.system_instructions", `[{"type":"text","content":"Answer in one sentence."}]`}}},
				{"gen_ai.client.inference.operation.details", []kv{{"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Why is the sky blue?"}]}]`}}},
				{"gen_ai.client.inference.operation.details", []kv{{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Rayleigh scattering."}],"finish_reason":"stop"}]`}}},
			},
			want: viewWant{
				layout: LayoutGenAIEvents, op: "chat", provider: "strands-agents", model: "gpt-4o-mini", usage: noUsage(),
				finish: []string{"stop"},
				texts: map[TargetKind]string{
					TargetOutput: "Rayleigh scattering.",
					TargetInput:  "Why is the sky blue?",
					TargetSystem: "Answer in one sentence.",
				},
			},
		},
		{
			name: "strands latest tool span",
			attrs: []kv{
				{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.provider.name", "strands-agents"},
				{"gen_ai.tool.name", "get_weather"}, {"gen_ai.tool.call.id", "t1"},
			},
			events: []ev{
				{"gen_ai.client.inference.operation.details", []kv{{"gen_ai.input.messages", `[{"role":"tool","parts":[{"type":"tool_call","name":"get_weather","id":"t1","arguments":{"city":"Paris"}}]}]`}}},
				{"gen_ai.client.inference.operation.details", []kv{{"gen_ai.output.messages", `[{"role":"tool","parts":[{"type":"tool_call_response","id":"t1","response":[{"text":"18°C"}]}]}]`}}},
			},
			want: viewWant{
				layout: LayoutGenAIEvents, op: "execute_tool", provider: "strands-agents", usage: noUsage(),
				toolName: "get_weather",
				texts: map[TargetKind]string{
					TargetToolArguments: `{"city":"Paris"}`,
					TargetToolResult:    `[{"text":"18°C"}]`,
				},
				calls: []ToolCall{{ID: "t1", Name: "get_weather", Arguments: `{"city":"Paris"}`}},
			},
		},
		{
			name: "semantic kernel: gen_ai.content.prompt / completion with JSON messages",
			attrs: []kv{
				{"gen_ai.operation.name", "chat.completions"}, {"gen_ai.system", "openai"}, {"gen_ai.request.model", "gpt-4o"},
			},
			events: []ev{
				{"gen_ai.content.prompt", []kv{{"gen_ai.prompt", `[{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "Why is the sky blue?"}]`}}},
				{"gen_ai.content.completion", []kv{{"gen_ai.completion", `[{"index":0,"message":{"role":"Assistant","content":"Because of Rayleigh scattering."},"finish_reason":"Stop"}]`}}},
			},
			want: viewWant{
				layout: LayoutGenAIEvents, op: "chat.completions", provider: "openai", model: "gpt-4o", usage: noUsage(),
				finish: []string{"stop"},
				texts: map[TargetKind]string{
					TargetOutput: "Because of Rayleigh scattering.",
					TargetInput:  "Why is the sky blue?",
					TargetSystem: "You are a helpful assistant.",
				},
			},
		},
		{
			name: "older openlit / spring ai: plain-text prompt and completion",
			attrs: []kv{
				{"gen_ai.operation.name", "chat"}, {"gen_ai.system", "openai"},
			},
			events: []ev{
				{"gen_ai.content.prompt", []kv{{"gen_ai.prompt", "user: [urgent] reset my password"}}},
				{"gen_ai.content.completion", []kv{{"gen_ai.completion", "Use the reset link on the sign-in page."}}},
			},
			want: viewWant{
				layout: LayoutGenAIEvents, op: "chat", provider: "openai", usage: noUsage(),
				texts: map[TargetKind]string{
					TargetOutput: "Use the reset link on the sign-in page.",
					TargetInput:  "user: [urgent] reset my password",
				},
			},
		},
		{
			name:  "attributes win over events",
			attrs: append([]kv{{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"from attributes"}]}]`}}, strandsLatestChat...),
			events: []ev{
				{"gen_ai.choice", []kv{{"message", "from events"}}},
			},
			want: viewWant{
				layout: LayoutGenAI, op: "chat", provider: "strands-agents", model: "gpt-4o-mini", usage: noUsage(),
				texts: map[TargetKind]string{TargetOutput: "from attributes"},
			},
		},
		{
			name:  "events alone mark an LLM span",
			attrs: []kv{{"http.route", "/chat"}},
			events: []ev{
				{"exception", []kv{{"exception.message", "retrying"}}},
				{"gen_ai.user.message", []kv{{"content", "hello"}}},
			},
			want: viewWant{
				layout: LayoutGenAIEvents, usage: noUsage(),
				texts: map[TargetKind]string{TargetInput: "hello"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkView(t, viewWithEvents(t, tt.attrs, tt.events...), tt.want)
		})
	}
}

// checkView asserts what a viewWant says about v.
func checkView(t *testing.T, v *View, w viewWant) {
	t.Helper()
	assert.Equal(t, w.layout, v.Layout(), "layout")
	assert.Equal(t, w.op, v.Operation(), "operation")
	assert.Equal(t, w.provider, v.Provider(), "provider")
	assert.Equal(t, w.model, v.Model(), "model")
	assert.Equal(t, w.usage, v.Usage(), "usage")
	assert.Equal(t, w.toolName, v.ToolName(), "tool name")
	for _, tg := range tTargets {
		text, ok, err := v.Text(tg)
		require.NoError(t, err, "%s", tg.Kind)
		want, wantOK := w.texts[tg.Kind]
		assert.Equal(t, wantOK, ok, "%s ok", tg.Kind)
		assert.Equal(t, want, text, "%s text", tg.Kind)
	}
	calls, err := v.ToolCalls()
	require.NoError(t, err)
	assert.Equal(t, w.calls, calls, "tool calls")
	if w.in != nil {
		in, err := v.InputMessages()
		require.NoError(t, err)
		assert.Equal(t, w.in, in, "input messages")
	}
	if w.out != nil {
		out, err := v.OutputMessages()
		require.NoError(t, err)
		assert.Equal(t, w.out, out, "output messages")
	}
	assert.Equal(t, w.finish, v.FinishReasons(), "finish reasons")
}

// Span events are not decoded by Reset, only on first use, and once.
func TestViewSpanEventsLazy(t *testing.T) {
	v := viewWithEvents(t, strandsChat,
		ev{"gen_ai.user.message", []kv{{"content", `[{"text":"Q"}]`}}},
		ev{"gen_ai.choice", []kv{{"message", `[{"text":"A"}]`}}},
	)
	assert.Equal(t, 0, v.decodes)
	assert.False(t, v.out.done)
	_, _, _ = v.Text(tOutput)
	_, _, _ = v.Text(tOutput)
	_, _ = v.OutputMessages()
	assert.Equal(t, 1, v.decodes)
	assert.False(t, v.in.done, "input not decoded for the output")
}

// A span that is not an LLM span and carries only other events costs no
// allocation in Reset.
func TestViewNonLLMEventsAllocs(t *testing.T) {
	rs, ss, span := nonLLMSpan(t)
	for _, name := range []string{"exception", "gen_ai", "gen_ai.unrelated", "message"} {
		span.Events().AppendEmpty().SetName(name)
	}
	var v View
	allocs := testing.AllocsPerRun(100, func() { v.Reset(rs, ss, span) })
	assert.Zero(t, allocs)
	assert.Equal(t, LayoutNone, v.Layout())
}

// Broken event content is an error naming the event attribute, never a
// panic, and never quotes content.
func TestViewSpanEventsBroken(t *testing.T) {
	tests := []struct {
		name    string
		events  []ev
		target  Target
		wantErr string
	}{
		{"details output not JSON", []ev{{"gen_ai.client.inference.operation.details", []kv{{"gen_ai.output.messages", `[{"role":`}}}}, tOutput, "gen_ai.output.messages: invalid JSON"},
		{"assistant tool_calls wrong shape", []ev{{"gen_ai.assistant.message", []kv{{"tool_calls", `{"id":1}`}}}}, tInput, "gen_ai.assistant.message.tool_calls: unexpected JSON shape"},
		{"system instructions wrong type", []ev{{"gen_ai.client.inference.operation.details", []kv{{"gen_ai.system_instructions", int64(3)}}}}, tSystem, "gen_ai.system_instructions: unexpected Int value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := viewWithEvents(t, strandsChat, tt.events...)
			text, ok, err := v.Text(tt.target)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.True(t, ok)
			assert.Empty(t, text)
			assert.True(t, v.ContentUnread())
		})
	}
}

func TestViewContentUnread(t *testing.T) {
	tests := []struct {
		name   string
		attrs  []kv
		events []ev
		want   bool
	}{
		{"output read", strandsChat, []ev{{"gen_ai.choice", []kv{{"message", "hi"}}}}, false},
		{"content not captured", strandsChat, []ev{{"gen_ai.user.message", nil}, {"gen_ai.choice", []kv{{"finish_reason", "endTurn"}}}}, true},
		{"empty output attribute", []kv{{"gen_ai.operation.name", "chat"}, {"gen_ai.output.messages", `[{"role":"assistant","parts":[]}]`}}, nil, true},
		{"tool-call-only answer is read", []kv{{"gen_ai.operation.name", "chat"}, {"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call","id":"1","name":"f","arguments":{}}]}]`}}, nil, false},
		{"no content keys at all", []kv{{"gen_ai.operation.name", "embeddings"}, {"gen_ai.request.model", "text-embedding-3-small"}}, nil, false},
		{"tool span with a result", strandsTool, []ev{{"gen_ai.choice", []kv{{"message", `[{"text":"ok"}]`}}}}, false},
		{"tool span, events without content", strandsTool, []ev{{"gen_ai.choice", []kv{{"id", "x"}}}}, true},
		{"explicitly empty input is not a miss", []kv{{"gen_ai.event.start_time", "2026-11-29T20:56:02.742Z"}}, []ev{{"gen_ai.client.inference.operation.details", []kv{{"gen_ai.input.messages", "[]"}}}}, false},
		{"input only, read", strandsChat, []ev{{"gen_ai.user.message", []kv{{"content", `[{"text":"Q"}]`}}}}, false},
		{"not an LLM span", []kv{{"http.route", "/"}}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, viewWithEvents(t, tt.attrs, tt.events...).ContentUnread())
		})
	}
}

// logOf builds a log record: event name (as EventName, or as the event.name
// attribute when asAttr), attributes and a body.
func logOf(t testing.TB, name string, asAttr bool, attrs []kv, body any) (plog.ResourceLogs, plog.ScopeLogs, plog.LogRecord) {
	t.Helper()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "support-bot")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("@opentelemetry/instrumentation-openai")
	lr := sl.LogRecords().AppendEmpty()
	lr.SetTraceID(pcommon.TraceID{1, 2, 3})
	lr.SetSpanID(pcommon.SpanID{4, 5, 6})
	lr.SetTimestamp(1_700_000_000_000_000_000)
	if asAttr {
		lr.Attributes().PutStr("event.name", name)
	} else {
		lr.SetEventName(name)
	}
	for _, a := range attrs {
		require.NoError(t, lr.Attributes().PutEmpty(a.K).FromRaw(a.V), a.K)
	}
	if body != nil {
		require.NoError(t, lr.Body().FromRaw(body))
	}
	return rl, sl, lr
}

// Log records: the OTel OpenAI instrumentation (event.name attribute and a
// body), and the latest conventions' details event (EventName and
// attributes given as structured values).
func TestViewLogRecords(t *testing.T) {
	otelAttrs := []kv{{"gen_ai.system", "openai"}}
	tests := []struct {
		name   string
		event  string
		asAttr bool
		attrs  []kv
		body   any
		want   viewWant
	}{
		{
			name: "user message", event: "gen_ai.user.message", asAttr: true, attrs: otelAttrs,
			body: map[string]any{"content": "Email me at dana.reyes@gmail.com"},
			want: viewWant{layout: LayoutGenAIEvents, provider: "openai", usage: noUsage(),
				texts: map[TargetKind]string{TargetInput: "Email me at dana.reyes@gmail.com"}},
		},
		{
			name: "system message", event: "gen_ai.system.message", asAttr: true, attrs: otelAttrs,
			body: map[string]any{"content": "You are a billing assistant."},
			want: viewWant{layout: LayoutGenAIEvents, provider: "openai", usage: noUsage(),
				texts: map[TargetKind]string{TargetSystem: "You are a billing assistant."}},
		},
		{
			name: "choice with text", event: "gen_ai.choice", asAttr: true, attrs: otelAttrs,
			body: map[string]any{"finish_reason": "stop", "index": 0, "message": map[string]any{"content": "Sorry, I can't help with that."}},
			want: viewWant{layout: LayoutGenAIEvents, provider: "openai", usage: noUsage(), finish: []string{"stop"},
				texts: map[TargetKind]string{TargetOutput: "Sorry, I can't help with that."},
				out:   []Message{{Role: "assistant", Text: "Sorry, I can't help with that.", FinishReason: "stop"}}},
		},
		{
			name: "choice with tool calls", event: "gen_ai.choice", asAttr: true, attrs: otelAttrs,
			body: map[string]any{"finish_reason": "tool_calls", "index": 0, "message": map[string]any{
				"tool_calls": []any{map[string]any{"id": "call_abc", "type": "function", "function": map[string]any{"name": "get_weather", "arguments": `{"city":"Lyon"}`}}}}},
			want: viewWant{layout: LayoutGenAIEvents, provider: "openai", usage: noUsage(), finish: []string{"tool_calls"},
				texts: map[TargetKind]string{TargetToolArguments: `{"city":"Lyon"}`},
				calls: []ToolCall{{ID: "call_abc", Name: "get_weather", Arguments: `{"city":"Lyon"}`}}},
		},
		{
			name: "tool message", event: "gen_ai.tool.message", asAttr: true, attrs: otelAttrs,
			body: map[string]any{"id": "call_abc", "content": "error: city not found"},
			want: viewWant{layout: LayoutGenAIEvents, provider: "openai", usage: noUsage(),
				texts: map[TargetKind]string{TargetToolResult: "error: city not found"},
				in:    []Message{{Role: "tool", ToolResults: []ToolResult{{ID: "call_abc", Content: "error: city not found"}}}}},
		},
		{
			name: "details record with structured messages", event: "gen_ai.client.inference.operation.details",
			attrs: []kv{
				{"gen_ai.provider.name", "openai"},
				{"gen_ai.output.messages", []any{map[string]any{"role": "assistant", "finish_reason": "stop",
					"parts": []any{map[string]any{"type": "text", "content": "Your order ships Monday."}}}}},
			},
			want: viewWant{layout: LayoutGenAI, provider: "openai", usage: noUsage(), finish: []string{"stop"},
				texts: map[TargetKind]string{TargetOutput: "Your order ships Monday."}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rl, sl, lr := logOf(t, tt.event, tt.asAttr, tt.attrs, tt.body)
			before := lr.Attributes().Len()
			var v View
			require.True(t, v.ResetLogRecord(rl, sl, lr))
			assert.Equal(t, tt.event, v.Span().Name())
			assert.Equal(t, lr.TraceID(), v.Span().TraceID())
			assert.Equal(t, lr.SpanID(), v.Span().SpanID())
			checkView(t, &v, tt.want)

			// What is written onto the view's span lands on the record,
			// and the OTTL context sees the record's resource.
			v.Span().Attributes().PutStr("llmeval.verdict", "pass")
			tctx := v.TransformContext()
			svc, _ := tctx.GetResource().Attributes().Get("service.name")
			assert.Equal(t, "support-bot", svc.Str())
			v.Release()
			assert.Equal(t, before+1, lr.Attributes().Len())
			got, _ := lr.Attributes().Get("llmeval.verdict")
			assert.Equal(t, "pass", got.Str())
		})
	}
}

func TestViewLogRecordNotGenAI(t *testing.T) {
	rl, sl, lr := logOf(t, "browser.page_view", false, []kv{{"gen_ai.system", "openai"}}, "hello")
	var v View
	assert.False(t, IsGenAIEvent(lr))
	assert.False(t, v.ResetLogRecord(rl, sl, lr))
	assert.Equal(t, 1, lr.Attributes().Len(), "attributes untouched")

	// A view reused from a record to a span starts over, and the record
	// keeps its attributes.
	rl, sl, lr = logOf(t, "gen_ai.user.message", false, []kv{{"gen_ai.system", "openai"}}, map[string]any{"content": "x"})
	require.True(t, v.ResetLogRecord(rl, sl, lr))
	rs, ss, span := nonLLMSpan(t)
	v.Reset(rs, ss, span)
	assert.Equal(t, LayoutNone, v.Layout())
	assert.Equal(t, 1, lr.Attributes().Len())
	_, ok := v.LogRecord()
	assert.False(t, ok)
}

func TestEventRegistry(t *testing.T) {
	names := EventNames()
	keys := EventContentKeys()
	assert.Len(t, keys, len(names))
	for _, n := range names {
		assert.NotEqual(t, evNone, eventKind(n), n)
		assert.NotEmpty(t, keys[n], n)
	}
	assert.Equal(t, evNone, eventKind("gen_ai.evaluation.result"))
}

// FuzzViewEvents feeds arbitrary text to every event content attribute, as
// span events and as log-record bodies: never a panic, short errors, and
// the record gets its attributes back.
func FuzzViewEvents(f *testing.F) {
	f.Add(`[{"text":"hi"},{"toolUse":{"name":"f","toolUseId":"1","input":{"a":1}}}]`, `[{"toolResult":{"toolUseId":"1","status":"success","content":[{"text":"ok"},{"json":{"x":1}}]}}]`, `endTurn`, `[{"role":"user","content":"Q"}]`)
	f.Add(`[{"type":"toolUse","name":"f","toolUseId":"1","input":"x"}]`, `{"city":"Paris"}`, `toolUse`, `[{"index":0,"message":{"role":"Assistant","content":[{"type":"text","text":"A"}],"tool_calls":[{"id":"c","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"Stop"}]`)
	f.Add(`[`, `[{"toolResult":{"content":"s"}}]`, ``, `["a",1,null,{"role":5}]`)
	f.Add(`[{"toolResult":null,"toolUse":null,"text":null}]`, `[[[[[[[`, "\xff", `[{"message":{"content":null}}]`)
	f.Fuzz(func(t *testing.T, content, message, finish, prompt string) {
		v := viewWithEvents(t, strandsChat,
			ev{"gen_ai.system.message", []kv{{"content", content}}},
			ev{"gen_ai.user.message", []kv{{"content", message}}},
			ev{"gen_ai.assistant.message", []kv{{"content", content}, {"tool_calls", prompt}}},
			ev{"gen_ai.tool.message", []kv{{"content", message}, {"id", finish}}},
			ev{"gen_ai.content.prompt", []kv{{"gen_ai.prompt", prompt}}},
			ev{"gen_ai.content.completion", []kv{{"gen_ai.completion", prompt}}},
			ev{"gen_ai.choice", []kv{{"message", message}, {"finish_reason", finish}}},
			ev{"gen_ai.client.inference.operation.details", []kv{{"gen_ai.input.messages", content}, {"gen_ai.output.messages", message}, {"gen_ai.system_instructions", prompt}}},
		)
		exercise(t, v)
		_ = v.ContentUnread()
		tool := viewWithEvents(t, strandsTool,
			ev{"gen_ai.tool.message", []kv{{"content", content}}},
			ev{"gen_ai.choice", []kv{{"message", message}}},
		)
		exercise(t, tool)
		_ = tool.ContentUnread()

		for _, name := range EventNames() {
			body := map[string]any{"content": content, "message": map[string]any{"content": message, "tool_calls": prompt}, "finish_reason": finish, "tool_calls": content}
			rl, sl, lr := logOf(t, name, true, []kv{{"gen_ai.system", "openai"}, {"gen_ai.prompt", prompt}}, body)
			var lv View
			if !lv.ResetLogRecord(rl, sl, lr) {
				t.Fatalf("%s not read", name)
			}
			exercise(t, &lv)
			_ = lv.ContentUnread()
			lv.Release()
			if lr.Attributes().Len() != 3 {
				t.Fatalf("%s: record has %d attributes after Release", name, lr.Attributes().Len())
			}
		}
	})
}

// BenchmarkViewStrandsChatOutput: a Strands chat span whose ~2 KB answer is
// in a gen_ai.choice event, after the system and user message events.
func BenchmarkViewStrandsChatOutput(b *testing.B) {
	answer := strings.Repeat("The order ships Tuesday. ", 2048/25)
	v := viewWithEvents(b, strandsChat,
		ev{"gen_ai.system.message", []kv{{"content", `[{"text":"You are a support agent."}]`}}},
		ev{"gen_ai.user.message", []kv{{"content", `[{"text":"When does my order ship?"}]`}}},
		ev{"gen_ai.choice", []kv{{"finish_reason", "endTurn"}, {"message", `[{"text":"` + answer + `"}]`}}},
	)
	rs, ss, span := v.Resource(), v.Scope(), v.Span()
	b.ReportAllocs()
	b.SetBytes(int64(len(answer)))
	for b.Loop() {
		v.Reset(rs, ss, span)
		text, ok, err := v.Text(tOutput)
		if err != nil || !ok || len(text) < 2000 {
			b.Fatal(len(text), ok, err)
		}
	}
}

// BenchmarkViewLogRecordChoice: an OTel OpenAI gen_ai.choice log record,
// reset, read and given back its attributes.
func BenchmarkViewLogRecordChoice(b *testing.B) {
	answer := strings.Repeat("The order ships Tuesday. ", 2048/25)
	rl, sl, lr := logOf(b, "gen_ai.choice", true, []kv{{"gen_ai.system", "openai"}},
		map[string]any{"finish_reason": "stop", "index": 0, "message": map[string]any{"content": answer}})
	var v View
	b.ReportAllocs()
	b.SetBytes(int64(len(answer)))
	for b.Loop() {
		v.ResetLogRecord(rl, sl, lr)
		text, ok, err := v.Text(tOutput)
		if err != nil || !ok || len(text) < 2000 {
			b.Fatal(len(text), ok, err)
		}
		v.Release()
	}
}
