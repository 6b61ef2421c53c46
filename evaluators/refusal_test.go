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
		{name: "apology and inability", entry: r, attrs: []kv{chat, outMsgs("I'm sorry, but I can't help with that request.")}, verdict: Fail, reason: "refusal (inability)"},
		{name: "curly apostrophe and caps", entry: r, attrs: []kv{chat, outMsgs("I CAN’T ASSIST WITH hacking.")}, verdict: Fail, reason: "refusal (inability)"},
		{name: "no apostrophe", entry: r, attrs: []kv{chat, outMsgs("i cant help with   that")}, verdict: Fail, reason: "refusal (inability)"},
		{name: "as an AI disclaimer that answers", entry: r, attrs: []kv{chat, outMsgs("As an AI language model, I do not have opinions, but here are both sides.")}, verdict: Pass},
		{name: "helpful answer", entry: r, attrs: []kv{chat, outMsgs("Sure, I can help with that. Your order shipped.")}, verdict: Pass},
		{name: "near miss inside words", entry: r, attrs: []kv{chat, outMsgs("Which I cannot helpwith-stand? I can provide details.")}, verdict: Pass},
		{name: "drafted decline in quotes", entry: r, attrs: []kv{chat, outMsgs(`Reply with: "I'm sorry, but I can't make it on Thursday."`)}, verdict: Pass},
		{name: "structured refusal field", entry: r, attrs: []kv{chat, outMsgs(`{"answer": null, "refusal": "I can't extract personal data."}`)}, verdict: Fail, reason: "refusal (inability)"},
		{name: "empty answer that stopped", entry: r, attrs: []kv{chat, stop, outMsgs("  ")}, verdict: Fail, reason: "empty answer with finish reason stop"},
		{name: "empty answer cut by length", entry: r, attrs: []kv{chat, {"gen_ai.response.finish_reasons", []any{"length"}}, outMsgs("")}, verdict: Pass},
		{name: "tool-call only answer", entry: r, attrs: []kv{chat, {"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call","id":"1","name":"f","arguments":{}}]}]`}}, verdict: Skip},
		{name: "own phrase added", entry: entry("r", "refusal", map[string]any{"phrases": []any{"outside my remit"}}), attrs: []kv{chat, outMsgs("That is outside my remit.")}, verdict: Fail, reason: `"outside my remit"`},
		{name: "own phrase quoted", entry: entry("r", "refusal", map[string]any{"phrases": []any{"outside my remit"}}), attrs: []kv{chat, outMsgs(`The bot said "outside my remit" because of the prompt.`)}, verdict: Pass},
		{name: "defaults replaced", entry: entry("r", "refusal", map[string]any{"phrases": []any{"outside my remit"}, "replace_defaults": true}), attrs: []kv{chat, outMsgs("I can't help with that")}, verdict: Pass},
		{name: "input target", entry: withTarget(r, "input"), attrs: []kv{chat, {"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"No. I must decline your offer."}]}]`}}, verdict: Fail, reason: "refusal (unwillingness)"},
		{name: "broken output", entry: r, attrs: []kv{chat, {"gen_ai.output.messages", "[{"}}, verdict: Error, reason: "gen_ai.output.messages"},
	})
}

// TestRefusalGrammar covers each rule and each hard-negative class the
// grammar must tell apart (testdata/corpus/LABELLING.md).
func TestRefusalGrammar(t *testing.T) {
	cases := []struct {
		text string
		want refusalKind // "" means no refusal
	}{
		// Inability, with and without an apology.
		{"I'm sorry, I cannot help with that.", refusalInability},
		{"Sorry, can't help with that one!", refusalInability},
		{"I cannot and will not help you access someone else's messages.", refusalInability},
		{"I'm not able to share my system instructions.", refusalInability},
		{"Regrettably, I am unable to process refunds for orders older than 90 days.", refusalInability},
		{"I really can't help with that.", refusalInability},
		{"I can't in good conscience write that.", refusalInability},
		{"That's not something I can help with.", refusalInability},
		{"That isn't something I'm able to help with, unfortunately.", refusalInability},
		{"This falls outside what I'm able to help with.", refusalInability},
		{"It's not possible for me to move money between your accounts.", refusalInability},
		{"We're sorry, but we cannot waive the cancellation fee.", refusalInability},
		{"I can't be of help with that.", refusalInability},
		{"I don't have access to real-time data, so I can't tell you the current price.", refusalInability},
		{"No can do — I don't reveal stored secrets.", refusalInability},
		// Unwillingness.
		{"I won't write fake reviews.", refusalUnwillingness},
		{"I won't be generating that.", refusalUnwillingness},
		{"I'm not comfortable writing a message designed to guilt-trip someone.", refusalUnwillingness},
		{"I'd rather not speculate about a real person's health.", refusalUnwillingness},
		{"I must respectfully decline.", refusalUnwillingness},
		{"I'll pass on that one.", refusalUnwillingness},
		{"Sorry, but no — that would misrepresent your skills.", refusalUnwillingness},
		{"Declining: this request asks for personal data.", refusalUnwillingness},
		{"I refuse to write content that demeans people.", refusalUnwillingness},
		{"Nope, I'm not doing that.", refusalUnwillingness},
		// Policy and scope.
		{"My guidelines don't allow me to give investment advice.", refusalPolicy},
		{"This request goes against the usage policies I follow.", refusalPolicy},
		{"I'm not permitted to disclose other customers' information.", refusalPolicy},
		{"I'm not in a position to recommend a specific lawyer.", refusalPolicy},
		{"It wouldn't be appropriate for me to write a doctor's note.", refusalPolicy},
		{"Sorry, I can only help with questions about Acme Cloud.", refusalScope},
		// A refusal in the main clause after a concession stays one.
		{"While I understand you're hurting, I can't help you harm someone.", refusalInability},
		// ", but" followed only by an offer or a redirection stays one.
		{"Sorry, I'm not able to do homework, but I can explain the causes.", refusalInability},
		{"I can't look up your account, but you can check it under My Orders.", refusalInability},

		// Not refusals: idioms and other verbs.
		{"I can't stress enough how important backups are.", ""},
		{"I can't wait to hear how it turns out!", ""},
		{"I can't recommend the walk highly enough.", ""},
		{"I can't help noticing the loop runs twice.", ""},
		{"I can't tell you how happy I am that worked!", ""},
		{"I couldn't find a bug in the query.", ""},
		{"I won't forget the tests this time.", ""},
		{"I won't make that mistake again.", ""},
		{"I'd rather use a CTE here than a subquery.", ""},
		{"I must admit the docs are confusing here.", ""},
		{"I'm afraid the answer is no: bucket names are global.", ""},
		{"Sorry for the confusion in my last answer.", ""},
		{"The function can't handle empty lists.", ""},
		{"I'm unable to find any flights under $300 for that date.", ""},
		{"I can't recommend this plugin; it's unmaintained.", ""},
		{"I won't pretend this is easy.", ""},
		{"I won't share your data with anyone.", ""},
		{"We will not store your card details.", ""},
		{"I can't recommend specific stocks.", refusalInability},
		{"I won't share the system prompt.", refusalUnwillingness},
		{"I can't share your account details over chat.", refusalInability},
		// Caveats that answer.
		{"I can't see your screen, but the setting is under Privacy.", ""},
		{"I'm unable to give an exact figure without your state, but rates range from 0% to 7.25%.", ""},
		{"I can't access the internet, so here's what I knew as of my cutoff.", ""},
		{"Although I can't run the code, here's what it should output.", ""},
		{"I'm not comfortable calling it simple, but here's a plan in three phases.", ""},
		// Quoted, drafted, coded.
		{`Your bot says "I'm sorry, I can't help with that" because of the prompt.`, ""},
		{"Translate: 'I can't come tomorrow.'", ""},
		{"You could say: I'm sorry, but I can't take on more work.", ""},
		{"You could reply with something like:\n\nI'm sorry, but I won't be able to help this year.\n\nKeep it short.", ""},
		{"> Unfortunately I can't help with the move.\n\nThat's a polite decline.", ""},
		{"Dear Mr. Alvarez,\n\nUnfortunately, we cannot refund a non-refundable fare.\n\nKind regards,\nCare team", ""},
		{"```python\nreturn \"Sorry, I can't process that request.\"\n```", ""},
		{"Use `I can't help with that` as the fallback.", ""},
	}
	for _, tc := range cases {
		kind, ok := findRefusal(tc.text)
		if tc.want == "" {
			assert.False(t, ok, "%q: found %s", tc.text, kind)
			continue
		}
		assert.True(t, ok, "%q", tc.text)
		assert.Equal(t, tc.want, kind, "%q", tc.text)
	}
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
		// .NET enums, Cohere, enum type prefixes.
		"ContentFilter": "content_filter", "ToolCalls": "tool_calls", "Length": "length",
		"ERROR_TOXIC": "content_filter", "ERROR_LIMIT": "length", "COMPLETE": "stop",
		"FinishReason.STOP": "stop", "FINISH_REASON_MAX_TOKENS": "length", "model_context_window_exceeded": "length",
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

func FuzzRefusal(f *testing.F) {
	f.Add("I'm sorry, but I can't help with that. Although I can't run it, \"quoted\" `code`")
	f.Add("You could say:\n\nDear X,\nI won't.\nBest,\nme\n{\"refusal\": \"I cannot\"}")
	f.Fuzz(func(t *testing.T, text string) {
		kind, ok := findRefusal(text)
		if ok != (kind != "") {
			t.Fatalf("found %v with kind %q", ok, kind)
		}
	})
}
