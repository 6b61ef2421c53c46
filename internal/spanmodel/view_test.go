package spanmodel

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel/spantest"
)

type kv = spantest.KV

var newSpan = spantest.NewSpan

func viewOf(t testing.TB, attrs ...kv) *View {
	t.Helper()
	v := &View{}
	v.Reset(newSpan(t, attrs...))
	return v
}

var (
	tOutput  = Target{Kind: TargetOutput}
	tInput   = Target{Kind: TargetInput}
	tSystem  = Target{Kind: TargetSystem}
	tArgs    = Target{Kind: TargetToolArguments}
	tResult  = Target{Kind: TargetToolResult}
	tReason  = Target{Kind: TargetReasoning}
	tTargets = []Target{tOutput, tInput, tSystem, tArgs, tResult, tReason}
)

func noUsage() Usage { return Usage{-1, -1, -1, -1} }

type viewWant struct {
	layout   Layout
	op       string
	provider string
	model    string
	usage    Usage
	finish   []string // checked after content was read
	toolName string
	// texts holds the targets that must be ok, with their text; every other
	// target of tTargets must be !ok.
	texts map[TargetKind]string
	calls []ToolCall
	in    []Message // checked when non-nil
	out   []Message // checked when non-nil
}

func TestViewLayouts(t *testing.T) {
	tests := []struct {
		name  string
		attrs []kv
		want  viewWant
	}{
		{
			name: "genai chat with text and tool_call output",
			attrs: []kv{
				{"gen_ai.operation.name", "chat"},
				{"gen_ai.provider.name", "openai"},
				{"gen_ai.request.model", "gpt-4o"},
				{"gen_ai.response.model", "gpt-4o-2024-08-06"},
				{"gen_ai.usage.input_tokens", int64(100)},
				{"gen_ai.usage.output_tokens", int64(20)},
				{"gen_ai.usage.cache_read.input_tokens", int64(50)},
				{"gen_ai.response.finish_reasons", []any{"tool_calls"}},
				{"gen_ai.system_instructions", `[{"type":"text","content":"You are helpful."}]`},
				{"gen_ai.input.messages", `[
					{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]},
					{"role":"assistant","parts":[{"type":"tool_call","id":"c0","name":"geo","arguments":{"q":"Paris"}}]},
					{"role":"tool","parts":[{"type":"tool_call_response","id":"c0","response":{"lat":48.8}}]},
					{"role":"user","parts":[{"type":"text","content":"In Celsius"},{"type":"image","content":"x"}]}]`},
				{"gen_ai.output.messages", `[{"role":"assistant","parts":[
					{"type":"text","content":"Let me check."},
					{"type":"reasoning","content":"thinking"},
					{"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city": "Paris"}},
					{"type":"tool_call","id":"call_2","name":"get_time","arguments":"{\"tz\":\"CET\"}"}],
					"finish_reason":"tool_call"}]`},
			},
			want: viewWant{
				layout: LayoutGenAI, op: "chat", provider: "openai", model: "gpt-4o-2024-08-06",
				usage:  Usage{Input: 100, Output: 20, Total: -1, CachedInput: 50},
				finish: []string{"tool_calls"},
				texts: map[TargetKind]string{
					TargetOutput:        "Let me check.",
					TargetInput:         "Weather in Paris?\nIn Celsius",
					TargetSystem:        "You are helpful.",
					TargetToolArguments: "{\"city\": \"Paris\"}\n{\"tz\":\"CET\"}",
					TargetToolResult:    `{"lat":48.8}`,
					TargetReasoning:     "thinking",
				},
				calls: []ToolCall{
					{ID: "call_1", Name: "get_weather", Arguments: `{"city": "Paris"}`},
					{ID: "call_2", Name: "get_time", Arguments: `{"tz":"CET"}`},
				},
				in: []Message{
					{Role: "user", Text: "Weather in Paris?"},
					{Role: "assistant", ToolCalls: []ToolCall{{ID: "c0", Name: "geo", Arguments: `{"q":"Paris"}`}}},
					{Role: "tool", ToolResults: []ToolResult{{ID: "c0", Content: `{"lat":48.8}`}}},
					{Role: "user", Text: "In Celsius"},
				},
				out: []Message{{
					Role: "assistant", Text: "Let me check.", Reasoning: "thinking", FinishReason: "tool_call",
					ToolCalls: []ToolCall{
						{ID: "call_1", Name: "get_weather", Arguments: `{"city": "Paris"}`},
						{ID: "call_2", Name: "get_time", Arguments: `{"tz":"CET"}`},
					},
				}},
			},
		},
		{
			name: "genai tool span",
			attrs: []kv{
				{"gen_ai.operation.name", "execute_tool"},
				{"gen_ai.tool.name", "get_weather"},
				{"gen_ai.tool.call.id", "call_1"},
				{"gen_ai.tool.call.arguments", `{"city":"Paris"}`},
				{"gen_ai.tool.call.result", `{"temp":21}`},
			},
			want: viewWant{
				layout: LayoutGenAI, op: "execute_tool", usage: noUsage(), toolName: "get_weather",
				texts: map[TargetKind]string{
					TargetToolArguments: `{"city":"Paris"}`,
					TargetToolResult:    `{"temp":21}`,
				},
				calls: []ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}},
			},
		},
		{
			name: "genai agent span, older token keys",
			attrs: []kv{
				{"gen_ai.operation.name", "invoke_agent"},
				{"gen_ai.agent.name", "planner"},
				{"gen_ai.conversation.id", "conv-1"},
				{"gen_ai.system", "anthropic"},
				{"gen_ai.request.model", "claude-sonnet-4"},
				{"gen_ai.usage.prompt_tokens", 12.0},
				{"gen_ai.usage.completion_tokens", "7"},
				{"llm.usage.total_tokens", int64(19)},
				{"gen_ai.usage.cached_input_tokens", int64(3)},
				{"gen_ai.response.finish_reasons", "end_turn"},
				{"gen_ai.input.messages", `[{"role":"system","parts":[{"type":"text","content":"Plan well."}]},{"role":"user","parts":[{"type":"text","content":"Plan a trip"}]}]`},
				{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Day 1"},{"type":"text","content":"Day 2"}]}]`},
			},
			want: viewWant{
				layout: LayoutGenAI, op: "invoke_agent", provider: "anthropic", model: "claude-sonnet-4",
				usage:  Usage{Input: 12, Output: 7, Total: 19, CachedInput: 3},
				finish: []string{"end_turn"},
				texts: map[TargetKind]string{
					TargetOutput: "Day 1\nDay 2",
					TargetInput:  "Plan a trip",
					TargetSystem: "Plan well.",
				},
			},
		},
		{
			name: "genai messages as pdata slices",
			attrs: []kv{
				{"gen_ai.operation.name", "chat"},
				{"gen_ai.provider.name", "openai"},
				{"gen_ai.system_instructions", []any{map[string]any{"type": "text", "content": "Sys"}}},
				{"gen_ai.input.messages", []any{
					map[string]any{"role": "user", "parts": []any{map[string]any{"type": "text", "content": "hi"}}},
					`{"role":"user","parts":[{"type":"text","content":"again"}]}`,
				}},
				{"gen_ai.output.messages", []any{map[string]any{
					"role": "assistant", "finish_reason": "stop",
					"parts": []any{
						map[string]any{"type": "text", "content": "hello"},
						map[string]any{"type": "tool_call", "id": "t1", "name": "f", "arguments": map[string]any{"a": int64(1)}},
						map[string]any{"type": "tool_call", "id": "t2", "name": "g", "arguments": `{"b":2}`},
					},
				}}},
			},
			want: viewWant{
				layout: LayoutGenAI, op: "chat", provider: "openai", usage: noUsage(),
				finish: []string{"stop"}, // from the decoded output
				texts: map[TargetKind]string{
					TargetOutput:        "hello",
					TargetInput:         "hi\nagain",
					TargetSystem:        "Sys",
					TargetToolArguments: "{\"a\":1}\n{\"b\":2}",
				},
				calls: []ToolCall{{ID: "t1", Name: "f", Arguments: `{"a":1}`}, {ID: "t2", Name: "g", Arguments: `{"b":2}`}},
			},
		},
		{
			name: "flattened openllmetry, keys out of order",
			attrs: []kv{
				{"gen_ai.completion.0.tool_calls.0.arguments", `{"q":"x"}`},
				{"gen_ai.prompt.10.content", "tenth"},
				{"gen_ai.prompt.10.role", "user"},
				{"gen_ai.completion.0.content", "Sure."},
				{"gen_ai.prompt.2.role", "assistant"},
				{"gen_ai.prompt.2.content", "second"},
				{"gen_ai.prompt.0.content", "Be nice."},
				{"gen_ai.prompt.0.role", "system"},
				{"gen_ai.prompt.1.role", "user"},
				{"gen_ai.prompt.1.content", "first"},
				{"gen_ai.prompt.3.role", "tool"},
				{"gen_ai.prompt.3.content", "tool says"},
				{"gen_ai.prompt.3.tool_call_id", "c9"},
				{"gen_ai.completion.0.role", "assistant"},
				{"gen_ai.completion.0.finish_reason", "stop"},
				{"gen_ai.completion.0.tool_calls.0.name", "search"},
				{"gen_ai.completion.0.tool_calls.0.id", "c1"},
				{"gen_ai.system", "OpenAI"},
				{"gen_ai.request.model", "gpt-3.5-turbo"},
				{"llm.request.type", "chat"},
				{"gen_ai.usage.prompt_tokens", int64(10)},
				{"gen_ai.usage.completion_tokens", int64(5)},
				{"llm.usage.total_tokens", int64(15)},
			},
			want: viewWant{
				layout: LayoutGenAIFlat, op: "chat", provider: "OpenAI", model: "gpt-3.5-turbo",
				usage:  Usage{Input: 10, Output: 5, Total: 15, CachedInput: -1},
				finish: []string{"stop"},
				texts: map[TargetKind]string{
					TargetOutput:        "Sure.",
					TargetInput:         "first\nsecond\ntenth",
					TargetSystem:        "Be nice.",
					TargetToolArguments: `{"q":"x"}`,
					TargetToolResult:    "tool says",
				},
				calls: []ToolCall{{ID: "c1", Name: "search", Arguments: `{"q":"x"}`}},
				in: []Message{
					{Role: "system", Text: "Be nice."},
					{Role: "user", Text: "first"},
					{Role: "assistant", Text: "second"},
					{Role: "tool", ToolResults: []ToolResult{{ID: "c9", Content: "tool says"}}},
					{Role: "user", Text: "tenth"},
				},
			},
		},
		{
			name: "openinference llm with messages and a tool call",
			attrs: []kv{
				{"openinference.span.kind", "LLM"},
				{"llm.model_name", "gpt-4o"},
				{"llm.provider", "openai"},
				{"llm.system", "openai"},
				{"llm.token_count.prompt", int64(30)},
				{"llm.token_count.completion", int64(10)},
				{"llm.token_count.total", int64(40)},
				{"llm.token_count.prompt_details.cache_read", int64(5)},
				{"input.value", `{"messages":[{"role":"user","content":"raw"}]}`},
				{"output.value", `{"choices":[]}`},
				{"llm.input_messages.0.message.role", "system"},
				{"llm.input_messages.0.message.content", "You add."},
				{"llm.input_messages.1.message.role", "user"},
				{"llm.input_messages.1.message.contents.1.message_content.type", "image"},
				{"llm.input_messages.1.message.contents.1.message_content.image.image.url", "http://x"},
				{"llm.input_messages.1.message.contents.0.message_content.type", "text"},
				{"llm.input_messages.1.message.contents.0.message_content.text", "What's 2+2?"},
				{"llm.output_messages.0.message.role", "assistant"},
				{"llm.output_messages.0.message.content", "Calling calc"},
				{"llm.output_messages.0.message.tool_calls.0.tool_call.function.name", "calc"},
				{"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", `{"expr":"2+2"}`},
				{"llm.output_messages.0.message.tool_calls.0.tool_call.id", "tc1"},
				{"llm.tools.0.tool.json_schema", `{"type":"function"}`},
			},
			want: viewWant{
				layout: LayoutOpenInference, op: "chat", provider: "openai", model: "gpt-4o",
				usage: Usage{Input: 30, Output: 10, Total: 40, CachedInput: 5},
				texts: map[TargetKind]string{
					TargetOutput:        "Calling calc",
					TargetInput:         "What's 2+2?",
					TargetSystem:        "You add.",
					TargetToolArguments: `{"expr":"2+2"}`,
				},
				calls: []ToolCall{{ID: "tc1", Name: "calc", Arguments: `{"expr":"2+2"}`}},
			},
		},
		{
			name: "openinference tool span",
			attrs: []kv{
				{"openinference.span.kind", "TOOL"},
				{"tool.name", "calc"},
				{"input.value", `{"expr":"2+2"}`},
				{"output.value", "4"},
			},
			want: viewWant{
				layout: LayoutOpenInference, op: "execute_tool", usage: noUsage(), toolName: "calc",
				texts: map[TargetKind]string{
					TargetToolArguments: `{"expr":"2+2"}`,
					TargetToolResult:    "4",
				},
				calls: []ToolCall{{Name: "calc", Arguments: `{"expr":"2+2"}`}},
			},
		},
		{
			name: "openinference with only input.value and output.value",
			attrs: []kv{
				{"openinference.span.kind", "CHAIN"},
				{"input.value", "question"},
				{"output.value", "answer"},
			},
			want: viewWant{
				layout: LayoutOpenInference, op: "chain", usage: noUsage(),
				texts: map[TargetKind]string{
					TargetOutput: "answer",
					TargetInput:  "question",
				},
			},
		},
		{
			name: "vercel legacy doGenerate",
			attrs: []kv{
				{"ai.operationId", "ai.generateText.doGenerate"},
				{"ai.model.id", "gpt-4o-mini"},
				{"ai.model.provider", "openai.chat"},
				{"gen_ai.system", "openai.chat"},
				{"gen_ai.request.model", "gpt-4o-mini"},
				{"gen_ai.response.model", "gpt-4o-mini-2024-07-18"},
				{"ai.usage.promptTokens", int64(11)},
				{"ai.usage.completionTokens", int64(22)},
				{"ai.response.finishReason", "tool-calls"},
				{"ai.prompt.messages", `[
					{"role":"system","content":"Be brief."},
					{"role":"user","content":[{"type":"text","text":"Weather?"},{"type":"image","image":"..."}]},
					{"role":"assistant","content":[{"type":"tool-call","toolCallId":"a","toolName":"w","args":{"c":"P"}}]},
					{"role":"tool","content":[{"type":"tool-result","toolCallId":"a","toolName":"w","result":{"t":1}}]}]`},
				{"ai.response.text", "Checking"},
				{"ai.response.toolCalls", `[{"toolCallType":"function","toolCallId":"call_9","toolName":"weather","args":"{\"city\":\"Paris\"}"},{"toolCallType":"function","toolCallId":"call_10","toolName":"time","input":{"tz":"CET"}}]`},
			},
			want: viewWant{
				layout: LayoutVercelLegacy, op: "chat", provider: "openai", model: "gpt-4o-mini-2024-07-18",
				usage:  Usage{Input: 11, Output: 22, Total: -1, CachedInput: -1},
				finish: []string{"tool-calls"},
				texts: map[TargetKind]string{
					TargetOutput:        "Checking",
					TargetInput:         "Weather?",
					TargetSystem:        "Be brief.",
					TargetToolArguments: "{\"city\":\"Paris\"}\n{\"tz\":\"CET\"}",
					TargetToolResult:    `{"t":1}`,
				},
				calls: []ToolCall{
					{ID: "call_9", Name: "weather", Arguments: `{"city":"Paris"}`},
					{ID: "call_10", Name: "time", Arguments: `{"tz":"CET"}`},
				},
				in: []Message{
					{Role: "system", Text: "Be brief."},
					{Role: "user", Text: "Weather?"},
					{Role: "assistant", ToolCalls: []ToolCall{{ID: "a", Name: "w", Arguments: `{"c":"P"}`}}},
					{Role: "tool", ToolResults: []ToolResult{{ID: "a", Name: "w", Content: `{"t":1}`}}},
				},
			},
		},
		{
			name: "vercel v5 outer generateObject span",
			attrs: []kv{
				{"ai.operationId", "ai.generateObject"},
				{"ai.model.id", "claude-3-5-haiku"},
				{"ai.model.provider", "anthropic.messages"},
				{"ai.usage.inputTokens", int64(9)},
				{"ai.usage.outputTokens", "4"},
				{"ai.usage.totalTokens", 13.0},
				{"ai.usage.cachedInputTokens", int64(0)},
				{"ai.prompt", `{"system":"JSON only","prompt":"An order"}`},
				{"ai.response.object", `{"id":1}`},
				{"ai.response.finishReason", "stop"},
			},
			want: viewWant{
				layout: LayoutVercelLegacy, op: "invoke_agent", provider: "anthropic", model: "claude-3-5-haiku",
				usage:  Usage{Input: 9, Output: 4, Total: 13, CachedInput: 0},
				finish: []string{"stop"},
				texts: map[TargetKind]string{
					TargetOutput: `{"id":1}`,
					TargetInput:  "An order",
					TargetSystem: "JSON only",
				},
			},
		},
		{
			name: "vercel legacy tool call span",
			attrs: []kv{
				{"ai.operationId", "ai.toolCall"},
				{"ai.toolCall.name", "weather"},
				{"ai.toolCall.id", "call_9"},
				{"ai.toolCall.args", `{"city":"Paris"}`},
				{"ai.toolCall.result", `{"t":21}`},
			},
			want: viewWant{
				layout: LayoutVercelLegacy, op: "execute_tool", usage: noUsage(), toolName: "weather",
				texts: map[TargetKind]string{
					TargetToolArguments: `{"city":"Paris"}`,
					TargetToolResult:    `{"t":21}`,
				},
				calls: []ToolCall{{ID: "call_9", Name: "weather", Arguments: `{"city":"Paris"}`}},
			},
		},
		{
			name: "plain http span",
			attrs: []kv{
				{"http.request.method", "GET"},
				{"url.full", "https://example.com/"},
				{"http.response.status_code", int64(200)},
				{"input.value", "not an llm"},
				{"llm.something", "x"},
				{"gen_ai", "x"},
			},
			want: viewWant{layout: LayoutNone, usage: noUsage()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := viewOf(t, tt.attrs...)
			w := tt.want
			assert.Equal(t, w.layout, v.Layout())
			assert.Equal(t, w.layout != LayoutNone, v.IsGenAI())
			assert.Equal(t, w.op, v.Operation())
			assert.Equal(t, w.provider, v.Provider())
			assert.Equal(t, w.model, v.Model())
			assert.Equal(t, w.usage, v.Usage())
			assert.Equal(t, w.toolName, v.ToolName())
			for _, target := range tTargets {
				text, ok, err := v.Text(target)
				require.NoError(t, err, target.String())
				want, wantOK := w.texts[target.Kind]
				assert.Equal(t, wantOK, ok, target.String())
				assert.Equal(t, want, text, target.String())
			}
			calls, err := v.ToolCalls()
			require.NoError(t, err)
			assert.Equal(t, w.calls, calls)
			assert.Equal(t, w.finish, v.FinishReasons())
			in, err := v.InputMessages()
			require.NoError(t, err)
			if w.in != nil {
				assert.Equal(t, w.in, in)
			}
			out, err := v.OutputMessages()
			require.NoError(t, err)
			if w.out != nil {
				assert.Equal(t, w.out, out)
			}
		})
	}
}

func TestViewAttributeTarget(t *testing.T) {
	v := viewOf(t,
		kv{"gen_ai.operation.name", "chat"},
		kv{"s", "str"},
		kv{"i", int64(42)},
		kv{"m", map[string]any{"a": "b"}},
	)
	for key, want := range map[string]string{"s": "str", "i": "42", "m": `{"a":"b"}`} {
		text, ok, err := v.Text(Target{Kind: TargetAttribute, Key: key})
		require.NoError(t, err)
		assert.True(t, ok, key)
		assert.Equal(t, want, text, key)
	}
	_, ok, err := v.Text(Target{Kind: TargetAttribute, Key: "missing"})
	assert.NoError(t, err)
	assert.False(t, ok)
}

func TestViewOutputOK(t *testing.T) {
	for _, tt := range []struct {
		name, out string
		ok        bool
	}{
		{"empty array", `[]`, true},
		{"null", `null`, true},
		{"empty text part", `[{"role":"assistant","parts":[{"type":"text","content":""}]}]`, true},
		{"no parts", `[{"role":"assistant","parts":[]}]`, true},
		{"tool call only", `[{"role":"assistant","parts":[{"type":"tool_call","id":"1","name":"f","arguments":{}}]}]`, false},
		// No text but other parts: no text, not an empty answer.
		{"empty text and tool call", `[{"role":"assistant","parts":[{"type":"text","content":""},{"type":"tool_call","name":"f"}]}]`, false},
		{"blank text and image", `[{"role":"assistant","parts":[{"type":"text","content":" \n"},{"type":"blob","modality":"image","content":"aGk="}]}]`, false},
		{"reasoning only", `[{"role":"assistant","parts":[{"type":"reasoning","content":"think"}],"finish_reason":"stop"}]`, false},
		{"server tool call only", `[{"role":"assistant","parts":[{"type":"server_tool_call","name":"web_search","server_tool_call":{"type":"web_search"}}]}]`, false},
		{"unknown part only", `[{"role":"assistant","parts":[{"type":"compaction","content":"summary"}]}]`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := viewOf(t, kv{"gen_ai.operation.name", "chat"}, kv{"gen_ai.output.messages", tt.out})
			text, ok, err := v.Text(tOutput)
			require.NoError(t, err)
			assert.Equal(t, tt.ok, ok)
			assert.Empty(t, text)
		})
	}
	t.Run("input with only a system message", func(t *testing.T) {
		v := viewOf(t, kv{"gen_ai.operation.name", "chat"},
			kv{"gen_ai.input.messages", `[{"role":"system","parts":[{"type":"text","content":"S"}]}]`})
		_, ok, err := v.Text(tInput)
		require.NoError(t, err)
		assert.False(t, ok)
		text, ok, err := v.Text(tSystem)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "S", text)
	})
	t.Run("empty system instructions", func(t *testing.T) {
		v := viewOf(t, kv{"gen_ai.operation.name", "chat"}, kv{"gen_ai.system_instructions", `[]`})
		text, ok, err := v.Text(tSystem)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Empty(t, text)
	})
}

const secret = "SECRET-CONTENT"

// requireContentErr checks a broken-content result: ok stays true, the
// error names the key and carries no span content.
func requireContentErr(t *testing.T, text string, ok bool, err error, key, contains string) {
	t.Helper()
	require.Error(t, err)
	assert.True(t, ok, "ok stays true for present but broken content")
	assert.Empty(t, text)
	assert.True(t, strings.HasPrefix(err.Error(), key+": "), err.Error())
	assert.Contains(t, err.Error(), contains)
	assert.NotContains(t, err.Error(), secret)
	assert.Less(t, len(err.Error()), 160)
}

func TestViewBrokenContent(t *testing.T) {
	chat := kv{"gen_ai.operation.name", "chat"}
	t.Run("bad JSON", func(t *testing.T) {
		v := viewOf(t, chat,
			kv{"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"ok"}]}]`},
			kv{"gen_ai.output.messages", `[{"role":"` + secret + `",x}]`})
		text, ok, err := v.Text(tOutput)
		requireContentErr(t, text, ok, err, "gen_ai.output.messages", "invalid JSON at byte 27")
		// The error is cached: same answer, no second decode.
		_, _, err2 := v.Text(tOutput)
		assert.Equal(t, err, err2)
		assert.Equal(t, 1, v.decodes)
		msgs, err := v.OutputMessages()
		assert.Nil(t, msgs)
		assert.Equal(t, err2, err)
		calls, err := v.ToolCalls()
		assert.Nil(t, calls)
		assert.Error(t, err)
		text, ok, err = v.Text(tArgs)
		requireContentErr(t, text, ok, err, "gen_ai.output.messages", "invalid JSON")
		// The input side is unaffected.
		text, ok, err = v.Text(tInput)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "ok", text)
	})
	t.Run("wrong JSON shape", func(t *testing.T) {
		for _, s := range []string{
			`{"role":"assistant"}`,
			`[{"role":"assistant","parts":{"type":"text"}}]`,
			`["` + secret + `"]`,
			`"` + secret + `"`,
		} {
			v := viewOf(t, chat, kv{"gen_ai.output.messages", s})
			text, ok, err := v.Text(tOutput)
			requireContentErr(t, text, ok, err, "gen_ai.output.messages", "unexpected JSON shape")
		}
	})
	t.Run("nested wrong shape in vercel content", func(t *testing.T) {
		v := viewOf(t, kv{"ai.operationId", "ai.generateText.doGenerate"},
			kv{"ai.prompt.messages", `[{"role":"user","content":[{"type":5}]}]`})
		text, ok, err := v.Text(tInput)
		requireContentErr(t, text, ok, err, "ai.prompt.messages", "unexpected JSON shape")
		v = viewOf(t, kv{"ai.operationId", "ai.generateText.doGenerate"},
			kv{"ai.prompt.messages", `[{"role":"user","content":5}]`})
		text, ok, err = v.Text(tInput)
		requireContentErr(t, text, ok, err, "ai.prompt.messages", "unexpected JSON shape")
	})
	t.Run("wrong attribute types", func(t *testing.T) {
		v := viewOf(t, chat,
			kv{"gen_ai.output.messages", int64(5)},
			kv{"gen_ai.input.messages", map[string]any{"role": secret}},
			kv{"gen_ai.system_instructions", true},
			kv{"gen_ai.request.model", int64(4)},
			kv{"gen_ai.provider.name", []any{"x"}},
			kv{"gen_ai.usage.input_tokens", "12"},
			kv{"gen_ai.usage.output_tokens", "abc"},
			kv{"llm.usage.total_tokens", true},
			kv{"gen_ai.usage.cached_input_tokens", math.NaN()},
			kv{"gen_ai.response.finish_reasons", int64(1)},
		)
		assert.Equal(t, "", v.Model())
		assert.Equal(t, "", v.Provider())
		assert.Equal(t, Usage{Input: 12, Output: -1, Total: -1, CachedInput: -1}, v.Usage())
		assert.Nil(t, v.FinishReasons())
		text, ok, err := v.Text(tOutput)
		requireContentErr(t, text, ok, err, "gen_ai.output.messages", "unexpected Int value")
		text, ok, err = v.Text(tInput)
		requireContentErr(t, text, ok, err, "gen_ai.input.messages", "unexpected Map value")
		text, ok, err = v.Text(tSystem)
		requireContentErr(t, text, ok, err, "gen_ai.system_instructions", "unexpected Bool value")
		// pdata slices of the wrong element type.
		v = viewOf(t, chat, kv{"gen_ai.output.messages", []any{int64(1)}},
			kv{"gen_ai.input.messages", []any{map[string]any{"role": "user", "parts": "x"}}})
		text, ok, err = v.Text(tOutput)
		requireContentErr(t, text, ok, err, "gen_ai.output.messages[0]", "unexpected Int value")
		text, ok, err = v.Text(tInput)
		requireContentErr(t, text, ok, err, "gen_ai.input.messages[0].parts", "unexpected Str value")
		v = viewOf(t, kv{"ai.operationId", "ai.generateText"}, kv{"ai.prompt", map[string]any{}})
		text, ok, err = v.Text(tInput)
		requireContentErr(t, text, ok, err, "ai.prompt", "unexpected Map value")
	})
	t.Run("token counts", func(t *testing.T) {
		for _, tt := range []struct {
			val  any
			want int64
		}{
			{int64(12), 12}, {12.9, 12}, {"12", 12}, {" 12 ", 12}, {"12.0", 12}, {"1e3", 1000},
			{"abc", -1}, {"", -1}, {int64(-3), -1}, {-1.0, -1}, {math.Inf(1), -1}, {1e300, -1},
			{"99999999999999999999", -1}, {true, -1}, {[]any{int64(1)}, -1}, {map[string]any{}, -1},
		} {
			v := viewOf(t, chat, kv{"gen_ai.usage.input_tokens", tt.val})
			assert.Equal(t, tt.want, v.Usage().Input, "%#v", tt.val)
		}
	})
	t.Run("finish reasons as JSON string", func(t *testing.T) {
		v := viewOf(t, chat, kv{"gen_ai.response.finish_reasons", `["stop", "length"]`})
		assert.Equal(t, []string{"stop", "length"}, v.FinishReasons())
	})
	t.Run("10 MB value", func(t *testing.T) {
		big := `[{"role":"assistant","parts":[{"type":"text","content":"` + strings.Repeat("a", 10<<20) + `"}]}]`
		start := time.Now()
		v := viewOf(t, chat, kv{"gen_ai.output.messages", big}, kv{"ai.prompt.messages", big})
		text, ok, err := v.Text(tOutput)
		requireContentErr(t, text, ok, err, "gen_ai.output.messages", "exceeds 4194304 bytes")
		// Vercel content is bounded too.
		text, ok, err = v.Text(tInput)
		requireContentErr(t, text, ok, err, "ai.prompt.messages", "exceeds 4194304 bytes")
		assert.Less(t, time.Since(start), 5*time.Second)
		// The raw attribute is still readable as an attribute target.
		raw, ok, err := v.Text(Target{Kind: TargetAttribute, Key: "gen_ai.output.messages"})
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Len(t, raw, len(big))
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		bad := "caf\xe9 \xff\xfe"
		v := viewOf(t, chat,
			kv{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"` + bad + `"}]}]`},
			kv{"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"` + bad + `\n"}]}]`},
			kv{"gen_ai.system_instructions", "[\xff" + bad}, // JSON-looking: decoded, and broken
			kv{"gen_ai.request.model", bad},
		)
		assert.Equal(t, bad, v.Model())
		text, ok, err := v.Text(tOutput)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, bad, text, "kept as it is")
		_, ok, err = v.Text(tInput)
		require.NoError(t, err)
		assert.True(t, ok)
		_, _, err = v.Text(tSystem)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "\xff")

		v = viewOf(t, kv{"gen_ai.system", "x"}, kv{"gen_ai.prompt.0.content", bad}, kv{"gen_ai.prompt.\xff.content", bad})
		text, ok, err = v.Text(tInput)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, bad, text)
	})
	t.Run("deeply nested JSON", func(t *testing.T) {
		deep := strings.Repeat("[", 100000)
		inPart := `[{"role":"user","parts":[{"type":"text","content":` + strings.Repeat(`{"a":`, 20000) + `1` + strings.Repeat(`}`, 20000) + `}]}]`
		v := viewOf(t, chat,
			kv{"gen_ai.output.messages", deep},
			kv{"gen_ai.input.messages", inPart},
			kv{"gen_ai.system_instructions", deep + strings.Repeat("]", 100000)},
		)
		text, ok, err := v.Text(tOutput)
		requireContentErr(t, text, ok, err, "gen_ai.output.messages", "nested too deeply")
		text, ok, err = v.Text(tInput)
		requireContentErr(t, text, ok, err, "gen_ai.input.messages", "nested too deeply")
		text, ok, err = v.Text(tSystem)
		requireContentErr(t, text, ok, err, "gen_ai.system_instructions", "nested too deeply")
		for _, key := range []string{"ai.prompt.messages", "ai.prompt", "ai.response.toolCalls"} {
			v = viewOf(t, kv{"ai.operationId", "ai.generateText.doGenerate"}, kv{key, deep})
			_, _, err1 := v.Text(tInput)
			_, _, err2 := v.Text(tOutput)
			err = err1
			if err == nil {
				err = err2
			}
			require.Error(t, err, key)
			assert.Contains(t, err.Error(), key+": JSON nested too deeply")
		}
	})
	t.Run("messages and tool calls are capped", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("[")
		for i := range 20000 {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"role":"user","parts":[{"type":"text","content":"m"}]}`)
		}
		b.WriteString("]")
		var c strings.Builder
		c.WriteString(`[{"role":"assistant","parts":[`)
		for i := range 20000 {
			if i > 0 {
				c.WriteString(",")
			}
			fmt.Fprintf(&c, `{"type":"tool_call","id":"%d","name":"f","arguments":{}}`, i)
		}
		c.WriteString(`]}]`)
		v := viewOf(t, chat, kv{"gen_ai.input.messages", b.String()}, kv{"gen_ai.output.messages", c.String()})
		msgs, err := v.InputMessages()
		require.NoError(t, err)
		assert.Len(t, msgs, MaxMessages)
		calls, err := v.ToolCalls()
		require.NoError(t, err)
		assert.Len(t, calls, MaxToolCalls)
		assert.Equal(t, "9999", calls[len(calls)-1].ID)

		// Flattened keys with huge sparse indexes.
		v = viewOf(t, kv{"gen_ai.system", "x"},
			kv{"gen_ai.prompt.999999999.content", "last"},
			kv{"gen_ai.prompt.5.content", "first"},
			kv{"gen_ai.prompt.99999999999999999999.content", "ignored"})
		text, _, err := v.Text(tInput)
		require.NoError(t, err)
		assert.Equal(t, "first\nlast", text)
	})
}

func TestViewLazy(t *testing.T) {
	big := `[{"role":"assistant","parts":[{"type":"text","content":"` + strings.Repeat("x", 3<<20) + `"}],"finish_reason":"stop"}]`
	rs, ss, span := newSpan(t,
		kv{"gen_ai.operation.name", "chat"},
		kv{"gen_ai.output.messages", big},
		kv{"gen_ai.system_instructions", `[{"type":"text","content":"S"}]`},
	)
	var v View
	v.Reset(rs, ss, span)
	assert.Equal(t, 0, v.decodes, "Reset decodes nothing")

	// System text reads the system instructions, not the output.
	text, ok, err := v.Text(tSystem)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "S", text)
	assert.Equal(t, 1, v.decodes)
	assert.False(t, v.out.done, "output not decoded for the system text")

	text, ok, err = v.Text(tOutput)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Len(t, text, 3<<20)
	assert.Equal(t, 2, v.decodes)
	_, _, _ = v.Text(tOutput)
	_, _ = v.OutputMessages()
	_, _ = v.ToolCalls()
	_, _, _ = v.Text(tArgs)
	_, _, _ = v.Text(tSystem)
	assert.Equal(t, 2, v.decodes, "decoded at most once")
	assert.Equal(t, []string{"stop"}, v.FinishReasons(), "from the decoded output")

	// Without a finish-reason attribute, FinishReasons reads the output's
	// own finish_reason whether or not anything decoded it before.
	v.Reset(rs, ss, span)
	assert.Equal(t, []string{"stop"}, v.FinishReasons(), "decodes the output itself")
	assert.Equal(t, 1, v.decodes)
	_, _, _ = v.Text(tOutput)
	assert.Equal(t, 1, v.decodes, "decoded at most once")

	// The next span starts over.
	v.Reset(rs, ss, span)
	assert.Equal(t, 0, v.decodes)
	assert.False(t, v.out.done)
}

func TestViewReuse(t *testing.T) {
	var v View
	v.Reset(newSpan(t,
		kv{"gen_ai.operation.name", "chat"},
		kv{"gen_ai.provider.name", "openai"},
		kv{"gen_ai.usage.input_tokens", int64(3)},
		kv{"gen_ai.response.finish_reasons", []any{"stop"}},
		kv{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"one"},{"type":"tool_call","id":"1","name":"f"}]}]`},
		kv{"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"q"}]}]`},
	))
	text, _, _ := v.Text(tOutput)
	assert.Equal(t, "one", text)
	_, _, _ = v.Text(tInput)
	_, _, _ = v.Text(tSystem)
	_, _, _ = v.Text(tArgs)

	v.Reset(newSpan(t,
		kv{"openinference.span.kind", "LLM"},
		kv{"output.value", "two"},
	))
	assert.Equal(t, LayoutOpenInference, v.Layout())
	assert.Equal(t, "", v.Provider())
	assert.Equal(t, noUsage(), v.Usage())
	assert.Nil(t, v.FinishReasons())
	text, ok, err := v.Text(tOutput)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "two", text)
	msgs, err := v.OutputMessages()
	require.NoError(t, err)
	assert.Equal(t, []Message{{Role: "assistant", Text: "two"}}, msgs)
	calls, err := v.ToolCalls()
	require.NoError(t, err)
	assert.Nil(t, calls)
	for _, target := range []Target{tInput, tSystem, tArgs, tResult} {
		_, ok, err := v.Text(target)
		require.NoError(t, err)
		assert.False(t, ok, target.String())
	}

	v.Reset(newSpan(t, kv{"http.request.method", "GET"}))
	assert.Equal(t, LayoutNone, v.Layout())
	for _, target := range tTargets {
		_, ok, err := v.Text(target)
		require.NoError(t, err)
		assert.False(t, ok)
	}
	v.Release()
}

func TestViewOperations(t *testing.T) {
	for in, want := range map[string]string{
		"ai.generateText.doGenerate":   "chat",
		"ai.streamText.doStream":       "chat",
		"ai.generateObject.doGenerate": "chat",
		"ai.streamObject.doStream":     "chat",
		"ai.toolCall":                  "execute_tool",
		"ai.embed.doEmbed":             "embeddings",
		"ai.embedMany.doEmbed":         "embeddings",
		"ai.embedMany":                 "embeddings",
		"ai.generateText":              "invoke_agent",
		"ai.streamText":                "invoke_agent",
		"other":                        "",
	} {
		assert.Equal(t, want, viewOf(t, kv{"ai.operationId", in}).Operation(), in)
	}
	for in, want := range map[string]string{
		"LLM": "chat", "TOOL": "execute_tool", "AGENT": "invoke_agent", "RETRIEVER": "retrieval",
		"EMBEDDING": "embeddings", "CHAIN": "chain", "RERANKER": "reranker", "GUARDRAIL": "guardrail",
		"Custom_Kind": "custom_kind",
	} {
		assert.Equal(t, want, viewOf(t, kv{"openinference.span.kind", in}).Operation(), in)
	}
	v := viewOf(t, kv{"gen_ai.system", "openai"}, kv{"llm.request.type", "completion"})
	assert.Equal(t, "text_completion", v.Operation())
	assert.Equal(t, LayoutGenAIFlat, v.Layout())
	// gen_ai.operation.name wins over the others.
	v = viewOf(t, kv{"gen_ai.operation.name", "chat"}, kv{"openinference.span.kind", "TOOL"}, kv{"ai.operationId", "ai.toolCall"})
	assert.Equal(t, "chat", v.Operation())
}

func TestViewMarkers(t *testing.T) {
	for _, a := range []kv{
		{"gen_ai.operation.name", "chat"},
		{"gen_ai.provider.name", "openai"},
		{"gen_ai.system", "openai"},
		{"gen_ai.request.model", "m"},
		{"openinference.span.kind", "LLM"},
		{"llm.model_name", "m"},
		{"ai.operationId", "ai.generateText"},
		{"gen_ai.prompt.0.content", "x"},
		{"gen_ai.completion.0.content", "x"},
	} {
		assert.True(t, viewOf(t, a).IsGenAI(), a.K)
	}
	for _, a := range []kv{
		{"gen_ai.input.messages", "[]"},
		{"gen_ai.tool.name", "f"},
		{"llm.input_messages.0.message.content", "x"},
		{"input.value", "x"},
		{"ai.response.text", "x"},
		{"gen_ai.promptx", "x"},
	} {
		assert.False(t, viewOf(t, a).IsGenAI(), a.K)
	}
}

func TestViewKeyTable(t *testing.T) {
	seen := map[string]bool{}
	for k := attrKey(0); k < numKeys; k++ {
		name := keyDefs[k].name
		require.NotEmpty(t, name, "key %d", k)
		require.False(t, seen[name], "%s registered twice", name)
		seen[name] = true
		assert.LessOrEqual(t, len(name), maxKeyLen, name)
		assert.Equal(t, k, classifyKey(name), name)
		assert.NotEqual(t, LayoutNone, keyDefs[k].layout, name)
	}
	for _, k := range []string{"gen_ai.prompt.0.role", "gen_ai.operation.nam", "gen_ai.operation.namex", "", "http.route"} {
		assert.Equal(t, kNone, classifyKey(k), k)
	}
}

func TestViewNonLLMAllocs(t *testing.T) {
	rs, ss, span := nonLLMSpan(t)
	var v View
	v.Reset(rs, ss, span)
	allocs := testing.AllocsPerRun(100, func() {
		v.Reset(rs, ss, span)
		_, _, _ = v.Text(tOutput)
	})
	assert.Zero(t, allocs)
}

func nonLLMSpan(t testing.TB) (ptrace.ResourceSpans, ptrace.ScopeSpans, ptrace.Span) {
	return newSpan(t,
		kv{"http.request.method", "POST"},
		kv{"url.full", "https://api.example.com/v1/orders"},
		kv{"url.path", "/v1/orders"},
		kv{"server.address", "api.example.com"},
		kv{"server.port", int64(443)},
		kv{"http.response.status_code", int64(201)},
		kv{"network.protocol.version", "1.1"},
		kv{"user_agent.original", "curl/8.0"},
		kv{"client.address", "10.0.0.1"},
		kv{"http.route", "/v1/orders"},
	)
}

func BenchmarkViewNonLLM(b *testing.B) {
	rs, ss, span := nonLLMSpan(b)
	var v View
	b.ReportAllocs()
	for b.Loop() {
		v.Reset(rs, ss, span)
		_, _, _ = v.Text(tOutput)
	}
}

func BenchmarkViewChatOutput(b *testing.B) {
	out := `[{"role":"assistant","parts":[{"type":"text","content":"` + strings.Repeat("The order ships Tuesday. ", 2048/25) + `"}],"finish_reason":"stop"}]`
	rs, ss, span := newSpan(b,
		kv{"gen_ai.operation.name", "chat"},
		kv{"gen_ai.provider.name", "openai"},
		kv{"gen_ai.request.model", "gpt-4o"},
		kv{"gen_ai.response.model", "gpt-4o-2024-08-06"},
		kv{"gen_ai.usage.input_tokens", int64(812)},
		kv{"gen_ai.usage.output_tokens", int64(431)},
		kv{"gen_ai.response.finish_reasons", []any{"stop"}},
		kv{"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"When does my order ship?"}]}]`},
		kv{"gen_ai.output.messages", out},
		kv{"server.address", "api.openai.com"},
	)
	var v View
	b.ReportAllocs()
	b.SetBytes(int64(len(out)))
	for b.Loop() {
		v.Reset(rs, ss, span)
		text, ok, err := v.Text(tOutput)
		if err != nil || !ok || len(text) < 2000 {
			b.Fatal(len(text), ok, err)
		}
	}
}

// TestReserved: Reset notes a key under the reserved prefix on any span,
// LLM or not, and forgets it at the next Reset.
func TestReserved(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		attrs  []kv
		want   bool
	}{
		{"none", "llmeval.", []kv{{"http.request.method", "GET"}}, false},
		{"forged verdict on an LLM span", "llmeval.", []kv{{"gen_ai.operation.name", "chat"}, {"llmeval.verdict", "pass"}}, true},
		{"forged key on a plain span", "llmeval.", []kv{{"http.request.method", "GET"}, {"llmeval.pii.verdict", "fail"}}, true},
		{"the prefix without its dot is another key", "llmeval.", []kv{{"llmeval", "x"}, {"llmevaluation.x", "y"}}, false},
		{"a known key under a custom prefix", "gen_ai.", []kv{{"gen_ai.operation.name", "chat"}}, true},
		{"no prefix set", "", []kv{{"llmeval.verdict", "pass"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &View{}
			v.SetReservedPrefix(tc.prefix)
			v.Reset(newSpan(t, tc.attrs...))
			if v.Reserved() != tc.want {
				t.Fatalf("Reserved() = %v, want %v", v.Reserved(), tc.want)
			}
			v.Reset(newSpan(t, kv{"http.request.method", "GET"}))
			if v.Reserved() {
				t.Fatal("Reserved() still true after a Reset on a clean span")
			}
		})
	}
}

// TestViewReleaseScrubs checks that Reset leaves the buffers of a larger
// earlier span to be overwritten and that Release drops every reference
// they keep past their length (reuse, scrub), while the current span's
// answers stay as they were.
func TestViewReleaseScrubs(t *testing.T) {
	msg := func(role, text string) string {
		return `{"role":"` + role + `","parts":[{"type":"text","content":"` + text + `"},{"type":"tool_call","id":"c","name":"f","arguments":{}}]}`
	}
	var many []string
	for i := 0; i < 6; i++ {
		many = append(many, msg("user", fmt.Sprint("question ", i)), msg("assistant", fmt.Sprint("answer ", i)))
	}
	var v View
	read := func() {
		_, _ = v.OutputMessages()
		_, _ = v.InputMessages()
		_, _, _, _, _ = v.InputFrom()
		_, _, _ = v.Text(tResult)
	}
	v.Reset(newSpan(t,
		kv{"gen_ai.operation.name", "chat"},
		kv{"gen_ai.input.messages", "[" + strings.Join(many, ",") + "]"},
		kv{"gen_ai.output.messages", "[" + strings.Join(many[:4], ",") + "]"},
	))
	read()
	v.Reset(newSpan(t,
		kv{"gen_ai.operation.name", "chat"},
		kv{"gen_ai.input.messages", "[" + msg("user", "short") + "]"},
		kv{"gen_ai.output.messages", "[" + msg("assistant", "reply") + "]"},
	))
	read()
	require.Greater(t, cap(v.in.msgs), len(v.in.msgs))
	require.Positive(t, v.in.dirty[0], "the larger span's messages are left to be overwritten")

	v.Release()
	for name, c := range map[string]*convo{"in": &v.in, "out": &v.out, "tail.one": &v.tail.one} {
		assert.Equal(t, [4]int{}, c.dirty, name)
		assertZeroPast(t, name+".msgs", c.msgs)
		assertZeroPast(t, name+".meta", c.meta)
		assertZeroPast(t, name+".calls", c.calls)
		assertZeroPast(t, name+".results", c.results)
	}
	tl := &v.tail
	assert.Zero(t, tl.dirty)
	assertZeroPast(t, "tail.elems", tl.elems)
	assertZeroPast(t, "tail.rev", tl.rev)
	assertZeroPast(t, "tail.msgs", tl.msgs)
	assertZeroPast(t, "tail.fromElems", tl.fromElems)
	assertZeroPast(t, "tail.keptCalls", tl.keptCalls)
	assertZeroPast(t, "tail.keptResults", tl.keptResults)
	assertZeroPast(t, "tail.pre", tl.pre)
	assertZeroPast(t, "tail.preParts", tl.preParts)
	assertZeroPast(t, "tail.parts", tl.parts)

	// The current span reads as before the Release.
	msgs, err := v.OutputMessages()
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, "reply", msgs[0].Text)
	in, err := v.InputMessages()
	require.NoError(t, err)
	require.Len(t, in, 1)
	assert.Equal(t, "short", in[0].Text)
}

// assertZeroPast asserts that s holds only zero elements past its length,
// up to its capacity.
func assertZeroPast[T any](t *testing.T, name string, s []T) {
	t.Helper()
	for i, e := range s[len(s):cap(s)] {
		if !reflect.ValueOf(e).IsZero() {
			t.Errorf("%s: element %d past the length is not zero", name, len(s)+i)
			return
		}
	}
}

func TestReuseScrub(t *testing.T) {
	var dirty int
	s := []string{"a", "b", "c"}
	s = reuse(s, &dirty)
	assert.Equal(t, 0, len(s))
	assert.Equal(t, 3, dirty)
	s = append(s, "x")
	s = reuse(s, &dirty)
	assert.Equal(t, 3, dirty, "the longest fill is kept")
	s = append(s, "y")
	scrub(s, &dirty)
	assert.Equal(t, 0, dirty)
	assert.Equal(t, []string{"y", "", ""}, s[:3])

	big := make([]string, 1, scratchCap+1)
	dirty = 5
	assert.Nil(t, reuse(big, &dirty), "a very large buffer is dropped")
	assert.Equal(t, 0, dirty)
	scrub([]string(nil), &dirty)
}

// TestViewFallbackAfterReuse: a messages attribute the one-pass reader
// gives up on (a key with an escape) is decoded by encoding/json into the
// buffers an earlier span filled; nothing of that span shows through.
func TestViewFallbackAfterReuse(t *testing.T) {
	var v View
	v.Reset(newSpan(t,
		kv{"gen_ai.operation.name", "chat"},
		kv{"gen_ai.system_instructions", `[{"type":"text","content":"be brief"},{"type":"text","content":"be kind"}]`},
		kv{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"one"},{"type":"tool_call","id":"c1","name":"f"}],"finish_reason":"stop"},` +
			`{"role":"assistant","parts":[{"type":"text","content":"two"}],"finish_reason":"length"}]`},
	))
	_, err := v.OutputMessages()
	require.NoError(t, err)
	_, _, err = v.Text(tSystem)
	require.NoError(t, err)

	v.Reset(newSpan(t,
		kv{"gen_ai.operation.name", "chat"},
		// The reader gives up on the first element; encoding/json then
		// decodes the second into what the first span left there.
		kv{"gen_ai.system_instructions", `[{"typ\u0065":"text","content":"new rules"},{"type":"text"}]`},
		kv{"gen_ai.output.messages", `[{"r\u006fle":"assistant","parts":[{"type":"text","content":"three"}]},{"role":"user"}]`},
	))
	msgs, err := v.OutputMessages()
	require.NoError(t, err)
	assert.Equal(t, []Message{{Role: "assistant", Text: "three"}, {Role: "user"}}, msgs)
	sys, ok, err := v.Text(tSystem)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "new rules", sys)
	v.Release()
}
