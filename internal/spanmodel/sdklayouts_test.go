package spanmodel

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeOperation(t *testing.T) {
	for in, want := range map[string]string{
		"chat": "chat", "Chat": "chat", "CHAT": "chat", "InvokeAgent": "invoke_agent",
		"ExecuteTool": "execute_tool", "TextCompletion": "text_completion", "invoke_agent": "invoke_agent", "": "",
	} {
		assert.Equal(t, want, NormalizeOperation(in), in)
	}
}

// TestLooseShapes reads the message shapes of the SDK-level layouts
// through the Langfuse keys (shape auto).
func TestLooseShapes(t *testing.T) {
	tests := []struct {
		name     string
		in, out  string
		wantIn   string
		wantOut  string
		calls    []ToolCall
		results  []ToolResult
		inErr    string
		outNotOK bool
	}{
		{name: "plain strings", in: "Hello there", out: "Hi!", wantIn: "Hello there", wantOut: "Hi!"},
		{name: "JSON strings", in: `"quoted"`, out: `"answer"`, wantIn: "quoted", wantOut: "answer"},
		{
			name:   "openai chat with tool calls and results",
			in:     `[{"role":"system","content":"S"},{"role":"user","content":[{"type":"text","text":"Q1"},{"type":"image_url","image_url":{"url":"x"}}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},{"role":"tool","tool_call_id":"c1","content":"{\"ok\":true}"}]`,
			out:    `{"role":"assistant","content":"A","tool_calls":[{"id":"c2","function":{"name":"g","arguments":"{}"}}]}`,
			wantIn: "Q1", wantOut: "A",
			calls:   []ToolCall{{ID: "c2", Name: "g", Arguments: "{}"}},
			results: []ToolResult{{ID: "c1", Content: `{"ok":true}`}},
		},
		{
			name:   "responses items",
			in:     `{"input":[{"role":"user","content":[{"type":"input_text","text":"Q"}]},{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"R"}]}`,
			out:    `{"output":[{"type":"reasoning","summary":[]},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"A"}]},{"type":"function_call","call_id":"c2","name":"g","arguments":"{\"x\":1}"}]}`,
			wantIn: "Q", wantOut: "A",
			calls:   []ToolCall{{ID: "c2", Name: "g", Arguments: `{"x":1}`}},
			results: []ToolResult{{ID: "c1", Content: "R"}},
		},
		{
			name:   "gemini request and response",
			in:     `{"contents":[{"role":"user","parts":[{"text":"Q"}]},{"role":"model","parts":[{"functionCall":{"id":"c1","name":"f","args":{"a":1}}}]},{"role":"user","parts":[{"functionResponse":{"id":"c1","name":"f","response":{"error":"boom"}}}]}],"config":{"systemInstruction":"S"}}`,
			out:    `{"content":{"role":"model","parts":[{"text":"thinking","thought":true},{"text":"A"},{"functionCall":{"name":"g","args":{}}}]},"finishReason":"STOP"}`,
			wantIn: "Q", wantOut: "A",
			calls:   []ToolCall{{Name: "g", Arguments: "{}"}},
			results: []ToolResult{{ID: "c1", Name: "f", Content: `{"error":"boom"}`}},
		},
		{
			name:   "wrapped messages, AI SDK parts and result object",
			in:     `{"version":"0.1.0","messages":[{"role":"user","content":[{"type":"text","text":"Q"}]},{"role":"tool","content":[{"type":"tool-result","toolCallId":"c1","toolName":"f","result":{"v":1}}]}]}`,
			out:    `{"text":"A","toolCalls":[{"toolCallId":"c3","toolName":"h","args":{"b":2}}],"files":[]}`,
			wantIn: "Q", wantOut: "A",
			calls:   []ToolCall{{ID: "c3", Name: "h", Arguments: `{"b":2}`}},
			results: []ToolResult{{ID: "c1", Name: "f", Content: `{"v":1}`}},
		},
		{name: "unknown object is read as its JSON", in: `{"args":[],"kwargs":{"q":"Q"}}`, out: `{"answer":42}`, wantIn: `{"args":[],"kwargs":{"q":"Q"}}`, wantOut: `{"answer":42}`},
		{name: "chat completion body", in: `{"messages":[{"role":"user","content":"Q"}]}`, out: `{"choices":[{"message":{"role":"assistant","content":"A"},"finish_reason":"stop"}]}`, wantIn: "Q", wantOut: "A"},
		{name: "broken JSON names the key, never the content", in: `[{"role":"user","content":"secret`, out: "A", inErr: "langfuse.observation.input: invalid JSON", wantOut: "A"},
		{name: "too deep", in: strings.Repeat("[", 100000), out: "A", inErr: "nested too deeply", wantOut: "A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := viewOf(t, kv{"langfuse.observation.type", "generation"}, kv{"langfuse.observation.input", tt.in}, kv{"langfuse.observation.output", tt.out})
			require.Equal(t, LayoutLangfuse, v.Layout())
			in, ok, err := v.Text(tInput)
			if tt.inErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.inErr)
				assert.NotContains(t, err.Error(), "secret")
			} else {
				require.NoError(t, err)
				assert.True(t, ok)
				assert.Equal(t, tt.wantIn, in)
			}
			out, ok, err := v.Text(tOutput)
			require.NoError(t, err)
			assert.Equal(t, !tt.outNotOK, ok)
			assert.Equal(t, tt.wantOut, out)
			calls, err := v.ToolCalls()
			require.NoError(t, err)
			assert.Equal(t, tt.calls, calls)
			if tt.results != nil {
				msgs, err := v.InputMessages()
				require.NoError(t, err)
				var got []ToolResult
				for _, m := range msgs {
					got = append(got, m.ToolResults...)
				}
				assert.Equal(t, tt.results, got)
			}
		})
	}
}

// TestOpenInferenceValueFallback: OpenInference spans without indexed
// messages are read from the request and response bodies.
func TestOpenInferenceValueFallback(t *testing.T) {
	v := viewOf(t,
		kv{"openinference.span.kind", "LLM"},
		kv{"input.value", `{"model":"m","instructions":"S","input":[{"role":"user","content":"Q"}]}`},
		kv{"output.value", `{"id":"r","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"A"}]}]}`},
	)
	in, ok, err := v.Text(tInput)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "Q", in)
	out, _, err := v.Text(tOutput)
	require.NoError(t, err)
	assert.Equal(t, "A", out)

	// Anything else stays one message with the whole value.
	v = viewOf(t, kv{"openinference.span.kind", "LLM"}, kv{"output.value", `{"answer":1}`}, kv{"input.value", "plain"})
	out, _, err = v.Text(tOutput)
	require.NoError(t, err)
	assert.Equal(t, `{"answer":1}`, out)
	in, _, err = v.Text(tInput)
	require.NoError(t, err)
	assert.Equal(t, "plain", in)
}

func TestCustomLayout(t *testing.T) {
	cl, err := BuildCustomLayout([]MessageLayoutConfig{
		{
			Name:   "acme",
			Input:  ContentSource{Key: "acme.prompt", Shape: "openai_chat"},
			Output: ContentSource{Key: "acme.completion", Shape: "text"},
			System: ContentSource{Key: "acme.system", Shape: "text"},
			Model:  "acme.model", InputTokens: "acme.tokens.in", OutputTokens: "acme.tokens.out",
		},
		{Name: "acme_tools", Match: "acme.tool", ToolArguments: "acme.tool.args", ToolResult: "acme.tool.result", ToolName: "acme.tool"},
		{Name: "genai", Output: ContentSource{Key: "x.out", Shape: "genai"}, OperationKey: "x.op"},
	})
	require.NoError(t, err)

	v := &View{}
	v.SetCustomLayout(cl)
	v.Reset(newSpan(t,
		kv{"acme.prompt", `[{"role":"user","content":"Q"}]`},
		kv{"acme.completion", `{"not":"parsed"}`},
		kv{"acme.system", "Be brief."},
		kv{"acme.model", "acme-1"}, kv{"acme.tokens.in", int64(12)}, kv{"acme.tokens.out", "7"},
	))
	assert.Equal(t, LayoutCustom, v.Layout())
	assert.Equal(t, "chat", v.Operation())
	assert.Equal(t, "acme-1", v.Model())
	assert.Equal(t, Usage{12, 7, -1, -1}, v.Usage())
	for tg, want := range map[Target]string{tInput: "Q", tOutput: `{"not":"parsed"}`, tSystem: "Be brief."} {
		s, ok, err := v.Text(tg)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, want, s, tg)
	}

	v.Reset(newSpan(t, kv{"acme.tool", "lookup"}, kv{"acme.tool.args", `{"id":7}`}, kv{"acme.tool.result", "found"}))
	assert.Equal(t, "execute_tool", v.Operation())
	assert.Equal(t, "lookup", v.ToolName())
	calls, err := v.ToolCalls()
	require.NoError(t, err)
	assert.Equal(t, []ToolCall{{Name: "lookup", Arguments: `{"id":7}`}}, calls)
	res, ok, err := v.Text(tResult)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "found", res)

	v.Reset(newSpan(t, kv{"x.op", "InvokeAgent"}, kv{"x.out", `[{"role":"assistant","parts":[{"type":"text","content":"A"}]}]`}))
	assert.Equal(t, "invoke_agent", v.Operation())
	out, _, err := v.Text(tOutput)
	require.NoError(t, err)
	assert.Equal(t, "A", out)

	// A span no layout matches is read as before.
	v.Reset(newSpan(t, kv{"gen_ai.operation.name", "chat"}, kv{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"B"}]}]`}))
	assert.Equal(t, LayoutGenAI, v.Layout())
	v.Reset(newSpan(t, kv{"http.method", "GET"}))
	assert.False(t, v.IsGenAI())
}

func TestBuildCustomLayoutErrors(t *testing.T) {
	_, err := BuildCustomLayout([]MessageLayoutConfig{
		{Input: ContentSource{Key: "a", Shape: "xml"}},
		{Name: "b", Operation: "chat", OperationKey: "op", Output: ContentSource{Shape: "text"}},
		{Name: "b", Output: ContentSource{Key: "o"}},
	})
	require.Error(t, err)
	for _, want := range []string{
		`[0]: name: required`,
		`[0]: input.shape: "xml" is not one of auto, genai, openai_chat, text`,
		`[1] (b): output.key: required when shape is set`,
		`[1] (b): input: a layout needs at least one of`,
		`[1] (b): operation: set operation or operation_key, not both`,
		`[2] (b): name: "b" is used twice`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	cl, err := BuildCustomLayout(nil)
	assert.NoError(t, err)
	assert.Nil(t, cl)
}
