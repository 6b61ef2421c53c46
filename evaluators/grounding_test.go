package evaluators

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
)

func TestExtractClaims(t *testing.T) {
	cases := map[string][]string{
		"Your order 1042 ships on 3 May for $1,299.50.":            {"1042", "3 May", "1,299.50"},
		"Order 1042 ships today.":                                  {"Order 1042"},
		"Revenue was $4.2 million, up 12.5% at 15:20 UTC":          {"4.2 million", "12.5%", "15:20 UTC"},
		"It takes 60 minutes, not 5 or 7; see Gate 12 and F14.":    {"60 minutes", "Gate", "Gate 12", "F14"},
		"On August 14, 2024 the p99 was 0.84 s.":                   {"August 14, 2024", "p99", "0.84 s"},
		`The hotel is "Grand Budapest" in Zubrowka.`:               {"Grand Budapest", "Zubrowka"},
		"Paris is nice. We met Marie Curie at Sorbonne University": {"Marie Curie", "Sorbonne University"},
		"Yes. I think so. Thanks!":                                 nil,
		"“Quoted” text and 7 items":                                {"Quoted"},
		"":                                                         nil,
	}
	for in, want := range cases {
		var got []string
		for _, c := range extractClaims(in) {
			got = append(got, c.text)
		}
		assert.Equal(t, want, got, in)
	}
}

func TestGroundingEvaluator(t *testing.T) {
	in := func(toolResult string) kv {
		return kv{"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"When does order 1042 ship?"}]},` +
			`{"role":"tool","parts":[{"type":"tool_call_response","id":"1","response":` + jsonQuote(toolResult) + `}]}]`}
	}
	g := entry("g", "grounding", nil)
	runEvalCases(t, []evalCase{
		{name: "grounded", entry: g, attrs: []kv{chat, in(`{"order":1042,"carrier":"Posten Norge","eta":"2026-05-03","total":"1299.50"}`), outMsgs("Order 1042 ships with Posten Norge; total 1,299.50.")}, verdict: Pass, score: ptr(1)},
		{name: "made up", entry: g, attrs: []kv{chat, in(`{"order":1042,"carrier":"Posten Norge"}`), outMsgs("Order 1042 ships with DHL Express on 2026-05-07, total 980.")}, verdict: Fail,
			reason: "3 of 4 claims not in context (numbers 2, names and quotes 1)", score: ptr(0.2)},
		{name: "number inside a longer number", entry: g, attrs: []kv{chat, in(`{"year":2012}`), outMsgs("It costs 12 dollars, since 2012.")}, verdict: Fail, reason: "1 of 2 claims not in context (numbers 1, names and quotes 0)", score: ptr(0.5)},
		{name: "reformatted figures", entry: g, attrs: []kv{chat, in(`{"revenue_usd":4187332,"margin":0.412,"high_c":31,"eta":"2024-08-14T15:20:00Z"}`),
			outMsgs("Revenue was $4.19 million (41.2% margin), the high about 88 °F, arriving 8:20 AM PDT on August 14.")}, verdict: Pass, score: ptr(1)},
		{name: "one invented figure among true ones", entry: g, attrs: []kv{chat, in(`{"revenue_usd":4187332,"margin":0.412,"employees":1284}`),
			outMsgs("Revenue was $4.19 million, margin 41.2%, 1,284 staff, 150 of them new.")}, verdict: Fail, reason: "1 of 4 claims not in context (numbers 1, names and quotes 0)", score: ptr(0.75)},
		{name: "invented round number", entry: g, attrs: []kv{chat, in(`{"timeout_s":30}`), outMsgs("Requests time out after 60 seconds.")}, verdict: Fail, reason: "1 of 1 claims not in context (numbers 1, names and quotes 0)", score: ptr(0)},
		{name: "no claims", entry: g, attrs: []kv{chat, in(`{"ok":true}`), outMsgs("Sure, done.")}, verdict: Pass, score: ptr(1)},
		{name: "no context", entry: g, attrs: []kv{chat, outMsgs("Order 1042 ships with DHL.")}, verdict: Skip},
		{name: "input as context", entry: entry("g", "grounding", map[string]any{"context": []any{"input"}}), attrs: []kv{chat,
			{"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Context: Ada Lovelace was born in 1815.\nQ: who?"}]}]`}, outMsgs("Ada Lovelace, born 1815.")}, verdict: Pass, score: ptr(1)},
		{name: "lower bar for names", entry: entry("g", "grounding", map[string]any{"min_ratio": 0.5}), attrs: []kv{chat, in(`{"owner":"Ada Lovelace"}`), outMsgs("We asked Ada Lovelace and Charles Babbage.")}, verdict: Pass, score: ptr(0.5)},
		{name: "a lower bar does not excuse a figure", entry: entry("g", "grounding", map[string]any{"min_ratio": 0.1}), attrs: []kv{chat, in(`{"year":2012}`), outMsgs("It costs 12 dollars, since 2012.")}, verdict: Fail, reason: "1 of 2 claims not in context (numbers 1, names and quotes 0)", score: ptr(0.5)},
	})
	for _, tc := range []struct {
		s    map[string]any
		want string
	}{
		{map[string]any{"min_ratio": 1.5}, `"x": min_ratio: 1.5 is outside [0, 1]`},
		{map[string]any{"context": []any{"docs"}}, `"x": context[0]: "docs" is not one of tool_results, input, system`},
	} {
		_, err := Build(config.Entries{User: []config.Evaluator{entry("x", "grounding", tc.s)}}, componenttest.NewNopTelemetrySettings())
		assert.ErrorContains(t, err, tc.want)
	}
}

func FuzzGroundingClaims(f *testing.F) {
	f.Add(`Order 1,042 "quoted" Marie Curie “x” 3.14`)
	f.Add("\xff\xfe Ä Ö 12,")
	f.Fuzz(func(t *testing.T, s string) {
		claims := extractClaims(s)
		if len(claims) > maxClaims {
			t.Fatalf("%d claims", len(claims))
		}
		for _, c := range claims {
			if c.text == "" || !strings.Contains(s, c.text) {
				t.Fatalf("claim %q is not part of the text", c.text)
			}
		}
	})
}
