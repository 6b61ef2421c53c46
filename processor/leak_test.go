package llmevalprocessor

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// The property: reasons and evaluation-event explanations carry kinds,
// counts, positions and static text only, never message content. Content
// is written in a marker alphabet (Cyrillic letters) that no static text,
// configured name or phrase uses, so a reason quoting even one character
// of content is caught; realistic secrets and personal data ride along, so
// a reason quoting a claim, a tool name, a JSON key or a value is caught
// by substring.

// markerRune maps a byte of fuzz input to content: structural ASCII that
// drives parsers (quotes, brackets, separators, digits, spaces) stays,
// everything else becomes a Cyrillic letter.
func markerRune(b byte) rune {
	if strings.IndexByte(" \n{}[]\":,.;|&-/=0123456789'`", b) >= 0 {
		return rune(b)
	}
	return rune(0x410 + int(b)%64)
}

func toMarkers(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(markerRune(s[i]))
	}
	return b.String()
}

// isMarker reports a rune of content in a reason: a Cyrillic letter, or a
// Latin-1 character, which is what quoting one byte of a Cyrillic letter
// (encoding/json's "invalid character 'Ð'") looks like. No static text,
// configured name or phrase uses either.
func isMarker(r rune) bool { return r >= 0x80 && r <= 0x4ff }

// secrets are realistic secrets and personal data; each is also written in
// content.
var secrets = []string{
	"4111 1111 1111 1111", "AKIAIOSFODNN7EXAMPLE", "hunter2-Passw0rd!", "jane.doe@example.com",
	"123-45-6789", "+1 415 555 0134", "sk-proj-abcdefghij0123456789", "DE89370400440532013000",
}

// leakWindow is the shortest stretch of a secret a reason may not contain.
const leakWindow = 6

// everyEvaluatorType configures every evaluator type on every target it
// reads, with settings that make each reach its reason-writing paths.
func everyEvaluatorType() []config.Evaluator {
	schema := map[string]any{
		"type": "object", "required": []any{"answer"},
		"properties":           map[string]any{"answer": map[string]any{"type": "string", "maxLength": 3}},
		"additionalProperties": map[string]any{"type": "string", "maxLength": 3},
	}
	closed := map[string]any{"type": "object", "additionalProperties": false}
	evs := []config.Evaluator{
		{Name: "ottl_rt", Type: "ottl", Settings: map[string]any{"fail_when": []any{
			`Int(span.attributes["app.payload"]) > 1`, `ParseJSON(span.attributes["app.payload"])["a"] == 1`,
			`Double(span.attributes["gen_ai.output.messages"]) > 1.0`,
		}}},
		{Name: "when_rt", Type: "latency", When: []string{`Int(span.attributes["app.payload"]) > 1`}, Settings: map[string]any{"max": "1ms"}},
		{Name: "lat", Type: "latency", Settings: map[string]any{"max": "1ms"}},
		{Name: "finish", Type: "finish_reason", Settings: map[string]any{"fail_on": []any{"length", "content_filter", "other", "error"}}},
		{Name: "toks", Type: "tokens", Settings: map[string]any{"max_total": 1}},
		{Name: "usd", Type: "cost", Settings: map[string]any{"max_usd": 0.0}},
		{Name: "destr", Type: "destructive_action"},
		{Name: "destr_confirm", Type: "destructive_action", Settings: map[string]any{"requires_confirmation_tool": "confirm"}},
		{Name: "calls", Type: "tool_call", Settings: map[string]any{"require_declared": true}},
		{Name: "ground", Type: "grounding", Settings: map[string]any{"context": []any{"tool_results", "input", "system"}, "min_ratio": 1.0}},
	}
	for _, target := range []string{"output", "input", "system", "tool_arguments", "tool_result", "attribute:app.payload"} {
		n := strings.NewReplacer(":", "_", ".", "_").Replace(target)
		evs = append(evs,
			config.Evaluator{Name: "json_" + n, Type: "json", Target: target},
			config.Evaluator{Name: "schema_" + n, Type: "json_schema", Target: target, Settings: map[string]any{"schema": schema}},
			config.Evaluator{Name: "closed_" + n, Type: "json_schema", Target: target, Settings: map[string]any{"schema": closed}},
			config.Evaluator{Name: "re_" + n, Type: "regex", Target: target, Settings: map[string]any{"must_not_match": `(?i)[a-z\x{400}-\x{4ff}]`}},
			config.Evaluator{Name: "must_" + n, Type: "regex", Target: target, Settings: map[string]any{"must_match": `^zz$`}},
			config.Evaluator{Name: "has_" + n, Type: "contains", Target: target, Settings: map[string]any{"any": []any{"zzz"}}},
			config.Evaluator{Name: "not_" + n, Type: "contains", Target: target, Settings: map[string]any{"none": []any{"{", " "}}},
			config.Evaluator{Name: "refuse_" + n, Type: "refusal", Target: target},
			config.Evaluator{Name: "len_" + n, Type: "length", Target: target, Settings: map[string]any{"max_chars": 2, "max_words": 1}},
			config.Evaluator{Name: "pii_" + n, Type: "pii", Target: target},
			config.Evaluator{Name: "sql_" + n, Type: "sql_safety", Target: target},
		)
	}
	return evs
}

// contentSpans builds spans of every layout that carry c (content in the
// marker alphabet, with the secrets) in every place the view reads: texts,
// tool names, arguments, results, JSON keys and values, finish reasons.
func contentSpans(c string) ptrace.Traces {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	secretText := strings.Join(secrets, " ")
	text := c + " " + secretText + " " + c
	// JSON whose keys and values are content, and a destructive command.
	obj := fmt.Sprintf(`{%s: %s, "answer": %s, "cmd": %s, "sql": %s}`, q(c), q(secretText), q(c+secretText),
		q("rm -rf /"+c), q("DROP TABLE "+c))
	call := func(id, name, args string) string {
		return fmt.Sprintf(`{"type":"tool_call","id":%s,"name":%s,"arguments":%s}`, q(id), q(name), args)
	}
	input := fmt.Sprintf(`[{"role":"system","parts":[{"type":"text","content":%s}]},`+
		`{"role":"user","parts":[{"type":"text","content":%s}]},`+
		`{"role":"assistant","parts":[%s]},`+
		`{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":%s}]},`+
		`{"role":"user","parts":[{"type":"text","content":%s}]}]`,
		q(text), q(text), call("c1", "delete_"+c, obj), q(text), q(`"`+c+`" `+text))
	output := fmt.Sprintf(`[{"role":"assistant","finish_reason":%s,"parts":[{"type":"text","content":%s},%s,%s]}]`,
		q(c), q(`"`+c+`" said `+text+` and "`+secrets[1]+`"; `+obj), call("c2", c, obj), call("c3", "drop_"+c+"_db", q(c)))
	defs := fmt.Sprintf(`[{"type":"function","name":"lookup","parameters":{"type":"object","properties":{"city":{"type":"string"}},"additionalProperties":false}},`+
		`{"type":"function","name":%s,"parameters":{"type":"object","required":["x"]}}]`, q("drop_"+c+"_db"))

	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	ss := rs.ScopeSpans().AppendEmpty()
	add := func(name string, attrs map[string]any) {
		sp := ss.Spans().AppendEmpty()
		sp.SetName(name)
		sp.SetTraceID(pcommon.TraceID{1})
		sp.SetSpanID(pcommon.SpanID{byte(ss.Spans().Len())})
		sp.SetStartTimestamp(1)
		sp.SetEndTimestamp(5_000_000_000)
		_ = sp.Attributes().FromRaw(attrs)
		sp.Status().SetCode(ptrace.StatusCodeError)
		sp.Status().SetMessage(text)
		ev := sp.Events().AppendEmpty()
		ev.SetName("exception")
		ev.Attributes().PutStr("exception.message", text)
	}
	add("chat", map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.request.model": c, "gen_ai.provider.name": "openai",
		"gen_ai.input.messages": input, "gen_ai.output.messages": output, "gen_ai.tool.definitions": defs,
		"gen_ai.system_instructions":     fmt.Sprintf(`[{"type":"text","content":%s}]`, q(text)),
		"gen_ai.response.finish_reasons": []any{c, "length"}, "gen_ai.usage.input_tokens": int64(10),
		"gen_ai.usage.output_tokens": int64(10), "gen_ai.conversation.id": c, "app.payload": text,
	})
	for _, args := range []string{obj, text, "rm -rf /" + c, "DROP TABLE " + c} {
		add("tool", map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "drop_" + c, "gen_ai.tool.call.id": c,
			"gen_ai.tool.call.arguments": args, "gen_ai.tool.call.result": text, "gen_ai.conversation.id": c,
			"app.payload": obj,
		})
	}
	add("openinference", map[string]any{
		"openinference.span.kind": "LLM", "llm.model_name": c, "input.value": text, "output.value": obj,
		"llm.output_messages.0.message.role": "assistant", "llm.output_messages.0.message.content": text,
		"llm.output_messages.0.message.tool_calls.0.tool_call.function.name":      "delete_" + c,
		"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": obj,
		"app.payload": map[string]any{c: []any{c, secrets[0]}},
	})
	add("vercel", map[string]any{
		"ai.operationId": "ai.generateText.doGenerate", "ai.model.id": c, "ai.response.text": obj,
		"ai.response.finishReason": c,
		"ai.prompt.messages":       fmt.Sprintf(`[{"role":"user","content":[{"type":"text","text":%s}]}]`, q(text)),
		"ai.response.toolCalls":    fmt.Sprintf(`[{"toolCallType":"function","toolCallId":"x","toolName":%s,"args":%s}]`, q("destroy_"+c), q(obj)),
	})
	// JSON answers whose keys are content: a schema failing at such a key,
	// or listing unexpected keys, must not name it.
	for _, answer := range []string{fmt.Sprintf(`{%s: %s}`, q(c), q(secretText)), fmt.Sprintf(`{"answer": "x", %s: 5}`, q(c))} {
		add("json", map[string]any{
			"ai.operationId": "ai.generateText.doGenerate", "ai.response.text": answer,
			"ai.prompt": q(c), "app.payload": answer,
		})
	}
	add("flat", map[string]any{
		"gen_ai.system": "openai", "gen_ai.request.model": c, "gen_ai.prompt.0.role": "user",
		"gen_ai.prompt.0.content": text, "gen_ai.completion.0.role": "assistant",
		"gen_ai.completion.0.content": obj, "gen_ai.completion.0.finish_reason": c,
	})
	return td
}

// leaks returns what a reason or explanation gives away, or "".
func leaks(s string) string {
	for i, r := range s {
		if isMarker(r) {
			return fmt.Sprintf("content character %q at byte %d", r, i)
		}
	}
	for _, sec := range secrets {
		for i := 0; i+leakWindow <= len(sec); i++ {
			if w := sec[i : i+leakWindow]; strings.Contains(s, w) {
				return fmt.Sprintf("%q of secret %q", w, sec)
			}
		}
	}
	return ""
}

func newLeakProcessor(t testing.TB) (consumer.Traces, *consumertest.TracesSink) {
	on := true
	cfg := testConfig(func(c *Config) {
		c.DefaultEvaluators, c.RecordPasses, c.EmitEvents = &on, true, true
	}, everyEvaluatorType()...)
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, sink)
	require.NoError(t, err)
	return p, sink
}

// checkNoContent runs the spans and fails on any reason or explanation that
// gives content away; it returns how many it checked.
func checkNoContent(t testing.TB, p consumer.Traces, sink *consumertest.TracesSink, content string) int {
	sink.Reset()
	require.NoError(t, p.ConsumeTraces(context.Background(), contentSpans(content)))
	checked := 0
	for _, td := range sink.AllTraces() {
		forEachSpan(td, func(sp ptrace.Span) {
			for k, v := range sp.Attributes().All() {
				if strings.HasPrefix(k, "llmeval.") && strings.HasSuffix(k, ".reason") {
					checked++
					if l := leaks(v.Str()); l != "" {
						t.Errorf("span %s: %s = %q gives away %s", sp.Name(), k, v.Str(), l)
					}
				}
			}
			for i := 0; i < sp.Events().Len(); i++ {
				ev := sp.Events().At(i)
				if ev.Name() != evalEventName {
					continue
				}
				if v, ok := ev.Attributes().Get(evalExplanation); ok {
					checked++
					if l := leaks(v.Str()); l != "" {
						t.Errorf("span %s: event explanation %q gives away %s", sp.Name(), v.Str(), l)
					}
				}
			}
		})
	}
	return checked
}

// TestNoContentInReasons runs every evaluator type over content in every
// place the view reads and checks no reason and no event explanation gives
// any of it away.
func TestNoContentInReasons(t *testing.T) {
	p, sink := newLeakProcessor(t)
	for _, content := range []string{"Secret Value", "Paris 1889", "{\"k\": [1, 2]}", "x", "DROP TABLE users", "rm -rf /"} {
		n := checkNoContent(t, p, sink, toMarkers(content))
		require.Greater(t, n, 100, "the spans reach the evaluators' reasons")
	}
}

// FuzzNoContentInReasons is the same property over fuzzed content.
func FuzzNoContentInReasons(f *testing.F) {
	for _, s := range []string{"Secret Value", "Paris 1889", `{"k": [1, 2]}`, "", "\"quoted claim\"", "a\nb", "[[[["} {
		f.Add(s)
	}
	p, sink := newLeakProcessor(f)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || len(s) > 512 {
			t.Skip()
		}
		checkNoContent(t, p, sink, toMarkers(s))
	})
}
