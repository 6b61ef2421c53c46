package evaluators

import (
	"go.opentelemetry.io/collector/component/componenttest"

	"testing"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"

	"github.com/stretchr/testify/assert"
)

func TestRefusalEvaluator(t *testing.T) {
	r := entry("r", "refusal", nil)
	stop := kv{"gen_ai.response.finish_reasons", []any{"stop"}}
	runEvalCases(t, []evalCase{
		{name: "stock refusal", entry: r, attrs: []kv{chat, outMsgs("I'm sorry, but I can't help with that request.")}, verdict: Fail, reason: `refusal phrase "I'm sorry, but I can't"`},
		{name: "curly apostrophe and caps", entry: r, attrs: []kv{chat, outMsgs("I CAN’T ASSIST WITH hacking.")}, verdict: Fail, reason: `"I can't assist with"`},
		{name: "no apostrophe", entry: r, attrs: []kv{chat, outMsgs("i cant help with   that")}, verdict: Fail, reason: `"I can't help with"`},
		{name: "as an AI", entry: r, attrs: []kv{chat, outMsgs("As an AI language model, I do not have opinions.")}, verdict: Fail, reason: `"as an AI language model, I"`},
		{name: "helpful answer", entry: r, attrs: []kv{chat, outMsgs("Sure, I can help with that. Your order shipped.")}, verdict: Pass},
		{name: "near miss inside words", entry: r, attrs: []kv{chat, outMsgs("Which I cannot helpwith-stand? I can provide details.")}, verdict: Pass},
		{name: "empty answer that stopped", entry: r, attrs: []kv{chat, stop, outMsgs("  ")}, verdict: Fail, reason: "empty answer with finish reason stop"},
		{name: "empty answer cut by length", entry: r, attrs: []kv{chat, {"gen_ai.response.finish_reasons", []any{"length"}}, outMsgs("")}, verdict: Pass},
		{name: "tool-call only answer", entry: r, attrs: []kv{chat, {"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call","id":"1","name":"f","arguments":{}}]}]`}}, verdict: Skip},
		{name: "own phrase added", entry: entry("r", "refusal", map[string]any{"phrases": []any{"outside my remit"}}), attrs: []kv{chat, outMsgs("That is outside my remit.")}, verdict: Fail, reason: `"outside my remit"`},
		{name: "defaults replaced", entry: entry("r", "refusal", map[string]any{"phrases": []any{"outside my remit"}, "replace_defaults": true}), attrs: []kv{chat, outMsgs("I can't help with that")}, verdict: Pass},
		{name: "input target", entry: withTarget(r, "input"), attrs: []kv{chat, {"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"say: I must decline"}]}]`}}, verdict: Fail, reason: `"I must decline"`},
		{name: "broken output", entry: r, attrs: []kv{chat, {"gen_ai.output.messages", "[{"}}, verdict: Error, reason: "gen_ai.output.messages"},
	})
}

func TestFinishReasonEvaluator(t *testing.T) {
	f := entry("f", "finish_reason", nil)
	fr := func(r ...any) kv { return kv{"gen_ai.response.finish_reasons", r} }
	runEvalCases(t, []evalCase{
		{name: "stop", entry: f, attrs: []kv{chat, fr("stop")}, verdict: Pass},
		{name: "openai length", entry: f, attrs: []kv{chat, fr("length")}, verdict: Fail, reason: "finish reason length"},
		{name: "anthropic max_tokens", entry: f, attrs: []kv{chat, fr("max_tokens")}, verdict: Fail, reason: "finish reason length"},
		{name: "gemini SAFETY", entry: f, attrs: []kv{chat, fr("SAFETY")}, verdict: Fail, reason: "finish reason content_filter"},
		{name: "vercel tool-calls", entry: f, attrs: []kv{chat, fr("tool-calls")}, verdict: Pass},
		{name: "vercel error", entry: f, attrs: []kv{chat, fr("error")}, verdict: Fail, reason: "finish reason error"},
		{name: "second of several", entry: f, attrs: []kv{chat, fr("stop", "content-filter")}, verdict: Fail, reason: "finish reason content_filter"},
		{name: "none", entry: f, attrs: []kv{chat}, verdict: Skip},
		{name: "custom fail_on", entry: entry("f", "finish_reason", map[string]any{"fail_on": []any{"tool_calls"}}), attrs: []kv{chat, fr("tool_use")}, verdict: Fail, reason: "finish reason tool_calls"},
		{name: "custom fail_on passes length", entry: entry("f", "finish_reason", map[string]any{"fail_on": []any{"tool_calls"}}), attrs: []kv{chat, fr("length")}, verdict: Pass},
		{name: "openinference", entry: f, attrs: []kv{{"openinference.span.kind", "LLM"}, {"llm.finish_reason", "length"}, {"output.value", "x"}}, verdict: Fail, reason: "finish reason length"},
	})
}

func TestNormalizeFinishReason(t *testing.T) {
	cases := map[string]string{
		"stop": "stop", "end_turn": "stop", "STOP": "stop", "stop_sequence": "stop",
		"length": "length", "MAX_TOKENS": "length", "max-tokens": "length",
		"content_filter": "content_filter", "content-filter": "content_filter", "RECITATION": "content_filter", "guardrail_intervened": "content_filter",
		"tool_calls": "tool_calls", "tool_call": "tool_calls", "tool-calls": "tool_calls", "tool_use": "tool_calls", "function_call": "tool_calls",
		"error": "error", "MALFORMED_FUNCTION_CALL": "error",
		"unknown": "other", "banana": "other", "": "", " stop ": "stop",
	}
	for in, want := range cases {
		assert.Equal(t, want, NormalizeFinishReason(in), in)
	}
}

func TestRefusalAndFinishReasonBuildErrors(t *testing.T) {
	cases := []struct {
		e    map[string]any
		typ  string
		want string
	}{
		{map[string]any{"replace_defaults": true}, "refusal", `"x": phrases: required when replace_defaults is true`},
		{map[string]any{"phrases": []any{"ok", "!!"}}, "refusal", `"x": phrases[1]:`},
		{map[string]any{"fail_on": []any{"length", "max_tokens"}}, "finish_reason", `"x": fail_on[1]: "max_tokens" is not one of stop, length`},
		{map[string]any{"fail_on": []any{}}, "finish_reason", `"x": fail_on: must list at least one`},
	}
	for _, tc := range cases {
		_, err := Build(config.Entries{User: []config.Evaluator{entry("x", tc.typ, tc.e)}}, componenttest.NewNopTelemetrySettings())
		assert.ErrorContains(t, err, tc.want)
	}
}
