package spanmodel

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzViewMessages feeds arbitrary text to every decoded content attribute
// and calls every accessor: the view must never panic, and its errors must
// stay short (they never quote content).
func FuzzViewMessages(f *testing.F) {
	f.Add(
		`[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},{"role":"user","parts":[{"type":"text","content":"Hi"}]},{"role":"tool","parts":[{"type":"tool_call_response","id":"1","response":{"ok":true}}]}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"Hello"},{"type":"tool_call","id":"1","name":"f","arguments":{"a":1}}],"finish_reason":"stop"}]`,
		`[{"role":"system","content":"S"},{"role":"user","content":[{"type":"text","text":"Q"},{"type":"tool-result","toolCallId":"a","toolName":"w","output":{"type":"json","value":1}}]},{"role":"assistant","content":[{"type":"tool-call","toolCallId":"a","toolName":"w","input":{"c":"P"}}]}]`,
		`[{"toolCallType":"function","toolCallId":"call_9","toolName":"weather","args":"{\"city\":\"Paris\"}"}]`,
		`[{"type":"text","content":"You are helpful."}]`,
	)
	f.Add(`[]`, `null`, `{"system":"S","prompt":"P"}`, `[{"toolCallId":1}]`, `[{"type":"text"}]`)
	f.Add(`[{"role":"user","parts":[{"type":"text","content":"caf\u00e9 \ud83d"}]}]`, `[{"role":"assistant","parts":[{"type":"text","content":"\u0000\n"}]}]`,
		`[{"role":"user","content":null}]`, `[{"args":{"deep":[[[[]]]]}}]`, `[{"type":"text","content":{"x":[1,2]}}]`)
	f.Add("[{\"role\":\"\xff\"}]", `[{"role":"assistant","parts":[}`, `[[[[[[`, `{"a":`, "\x00")
	f.Add(`[{"parts":[{"type":"tool_call","arguments":"x"},{"type":"tool_call_response","response":null}]}]`, `[{"role":5}]`, `{"messages":[{"role":"user","content":"m"}],"prompt":[{"role":"user","content":[]}]}`, `""`, `[1]`)

	// The SDK-level layouts' shapes (loose.go): Responses items, Gemini
	// contents, wrapped messages, AI SDK results.
	f.Add(`{"input":[{"role":"user","content":[{"type":"input_text","text":"Q"}]},{"type":"function_call","call_id":"c","name":"f","arguments":"{}"}]}`,
		`{"output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"A"}]}]}`,
		`{"contents":[{"role":"user","parts":[{"text":"Q"},{"functionResponse":{"name":"f","response":{"e":1}}}]}],"config":{"systemInstruction":{"parts":[{"text":"S"}]}}}`,
		`{"content":{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},"finishReason":"STOP"}`,
		`{"version":"0.1.0","messages":[{"role":"user","parts":[{"type":"text","content":"Q"}]}]}`)
	f.Add(`{"text":"A","toolCalls":[{"toolCallId":1,"args":[]}]}`, `{"choices":[{"message":null}]}`, `{"messages":{"role":"x"}}`, `[{"role":"tool","content":[{"type":"tool-result"}]}]`, `{"candidates":[{"content":{"parts":7}}]}`)

	f.Fuzz(func(t *testing.T, in, out, prompt, toolCalls, sys string) {
		views := []*View{
			viewOf(t,
				kv{"gen_ai.operation.name", "chat"},
				kv{"gen_ai.input.messages", in},
				kv{"gen_ai.output.messages", out},
				kv{"gen_ai.system_instructions", sys},
				kv{"ai.prompt.messages", prompt},
				kv{"ai.response.toolCalls", toolCalls},
			),
			viewOf(t,
				kv{"ai.operationId", "ai.generateText.doGenerate"},
				kv{"ai.prompt.messages", prompt},
				kv{"ai.response.toolCalls", toolCalls},
				kv{"ai.response.text", out},
			),
			viewOf(t,
				kv{"ai.operationId", "ai.generateText"},
				kv{"ai.prompt", prompt},
				kv{"ai.response.toolCalls", in},
			),
			viewOf(t,
				kv{"gen_ai.system", sys},
				kv{"gen_ai.prompt.0.role", in},
				kv{"gen_ai.prompt." + prompt + ".content", out},
				kv{"gen_ai.response.finish_reasons", toolCalls},
				kv{"gen_ai.usage.input_tokens", sys},
			),
		}
		for _, k := range []string{"generation", "tool"} {
			views = append(views, viewOf(t,
				kv{"langfuse.observation.type", k},
				kv{"langfuse.observation.input", in},
				kv{"langfuse.observation.output", out},
				kv{"langfuse.observation.usage_details", toolCalls},
			))
		}
		views = append(views,
			viewOf(t, kv{"gcp.vertex.agent.llm_request", prompt}, kv{"gcp.vertex.agent.llm_response", toolCalls}),
			viewOf(t, kv{"gen_ai.operation.name", "Chat"}, kv{"gen_ai.input.messages", sys}, kv{"gen_ai.output.messages", prompt}),
			viewOf(t, kv{"mastra.span.type", "model_generation"}, kv{"mastra.model_generation.input", in}, kv{"mastra.model_generation.output", out}, kv{"gen_ai.system_instructions", sys}),
			viewOf(t, kv{"traceloop.span.kind", "tool"}, kv{"traceloop.entity.input", in}, kv{"traceloop.entity.output", out}),
			viewOf(t, kv{"openinference.span.kind", "LLM"}, kv{"input.value", prompt}, kv{"output.value", out}),
		)
		for _, v := range views {
			exercise(t, v)
		}
		formsAgree(t, in, out, prompt)
	})
}

// formsAgree builds schema-shaped GenAI messages, every part type with
// extra properties of any JSON type, from the fuzzer's strings (text from
// in and out, structure from the bytes of shape), and checks that the JSON
// string form and the structured form give the same view.
func formsAgree(t *testing.T, in, out, shape string) {
	texts := strings.Split(strings.ToValidUTF8(in+"\x00"+out, "?"), "\x00")
	next := 0
	text := func() string { next++; return texts[next%len(texts)] }
	pos := 0
	pick := func(n int) int {
		if len(shape) == 0 {
			return 0
		}
		pos++
		return int(shape[pos%len(shape)]) % n
	}
	anyValue := func() any {
		switch pick(7) {
		case 0:
			return text()
		case 1:
			return float64(pick(1000))
		case 2:
			return pick(2) == 0
		case 3:
			return nil
		case 4:
			return map[string]any{"k": text(), "n": float64(pick(9))}
		case 5:
			return []any{text(), nil}
		}
		return ""
	}
	types := []string{"text", "reasoning", "tool_call", "tool_call_response", "server_tool_call",
		"server_tool_call_response", "blob", "uri", "file", "compaction", "generic", "citation"}
	roles := []any{"user", "assistant", "tool", "system", "developer", nil, float64(3)}
	var msgs []any
	for range 1 + pick(4) {
		var parts []any
		for range pick(5) {
			p := map[string]any{"type": types[pick(len(types))]}
			for _, k := range []string{"content", "id", "name", "arguments", "response", "result", "transcript",
				"server_tool_call", "server_tool_call_response", "extra"} {
				if pick(3) == 0 {
					continue
				}
				switch k {
				case "content", "transcript":
					p[k] = text()
				default:
					p[k] = anyValue()
				}
			}
			parts = append(parts, p)
		}
		m := map[string]any{"role": roles[pick(len(roles))], "parts": parts}
		if pick(2) == 0 {
			m["finish_reason"] = anyValue()
		}
		msgs = append(msgs, m)
	}
	js, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}
	sides := func(val any) *View {
		return viewOf(t, kv{"gen_ai.operation.name", "chat"}, kv{"gen_ai.input.messages", val}, kv{"gen_ai.output.messages", val})
	}
	want := viewSnapshot(t, sides(string(js)))
	if got := viewSnapshot(t, sides(msgs)); got != want {
		t.Fatalf("structured form differs from the JSON form\njson:\n%s\nstructured:\n%s", want, got)
	}
}

func exercise(t *testing.T, v *View) {
	check := func(err error) {
		if err != nil && len(err.Error()) > 200 {
			t.Fatalf("error too long (%d bytes)", len(err.Error()))
		}
	}
	_ = v.Layout()
	_ = v.IsGenAI()
	_ = v.Operation()
	_ = v.Provider()
	_ = v.Model()
	_ = v.Usage()
	_ = v.ToolName()
	_ = v.Duration()
	_, _ = v.Err()
	for _, target := range []Target{tOutput, tInput, tSystem, tArgs, tResult, {Kind: TargetAttribute, Key: "gen_ai.input.messages"}} {
		text, ok, err := v.Text(target)
		check(err)
		if err != nil && (!ok || text != "") {
			t.Fatalf("%s: error with ok=%v text=%q", target, ok, text)
		}
	}
	msgs, err := v.InputMessages()
	check(err)
	if len(msgs) > MaxMessages {
		t.Fatal("too many input messages")
	}
	msgs, err = v.OutputMessages()
	check(err)
	if len(msgs) > MaxMessages {
		t.Fatal("too many output messages")
	}
	calls, err := v.ToolCalls()
	check(err)
	if len(calls) > MaxToolCalls {
		t.Fatal("too many tool calls")
	}
	_ = v.FinishReasons()
	if v.decodes > 3 {
		t.Fatalf("%d decodes", v.decodes)
	}
}
