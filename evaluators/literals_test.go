package evaluators

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel/spantest"
)

func buildIndexed(t testing.TB, evs ...config.Evaluator) ([]*Check, *literalIndex) {
	t.Helper()
	x := &literalIndex{}
	checks, err := buildChecks(config.Entries{User: evs}, componenttest.NewNopTelemetrySettings(), x)
	require.NoError(t, err)
	return checks, x
}

// needlesOf lists the needles of each target's automaton, by target name.
func needlesOf(x *literalIndex) map[string]int {
	out := map[string]int{}
	for i, t := range x.targets {
		out[t.String()] = -1
		if x.built[i] != nil {
			out[t.String()] = x.built[i].Len()
		}
	}
	return out
}

func TestLiteralIndexBuild(t *testing.T) {
	contains := func(target string, needles ...any) config.Evaluator {
		return withTarget(entry("c", "contains", map[string]any{"none": needles}), target)
	}
	regex := func(pattern string) config.Evaluator {
		return entry("r", "regex", map[string]any{"must_not_match": pattern})
	}
	cases := []struct {
		name string
		evs  []config.Evaluator
		want map[string]int // distinct needles per target; -1: searched by its check
	}{
		{"no literal checks", []config.Evaluator{entry("l", "latency", map[string]any{"max": "1s"}), entry("f", "finish_reason", nil)}, map[string]int{}},
		{"regex without a required literal", []config.Evaluator{regex(`\d+`)}, map[string]int{}},
		{"a lone regex prefilter is searched by its check", []config.Evaluator{regex(`(?i)\b(acme|globex)\b`)}, map[string]int{"output": -1}},
		{"regex literal in case-sensitive and folded form is one needle", []config.Evaluator{regex(`sk-[a-z]+`), regex(`(?i)SK-\d`)}, map[string]int{"output": 1}},
		{"contains per target", []config.Evaluator{contains("output", "acme corp"), contains("input", "acme corp"), regex(`(?i)acme`)}, map[string]int{"output": 2, "input": -1}},
		{"a long lone list is scanned", []config.Evaluator{contains("input", "a1", "b2", "c3", "d4", "e5")}, map[string]int{"input": 5}},
		{"needles shared across checks once", []config.Evaluator{contains("output", "Acme  Corp", "globex"), contains("output", "acme corp"), regex(`(?i)globex`)}, map[string]int{"output": 2}},
		{"apostrophes only: always, no needle", []config.Evaluator{contains("output", "'"), contains("output", "`")}, map[string]int{"output": 0}},
		{"pii reads three targets", []config.Evaluator{entry("p", "pii", nil)}, map[string]int{"output": len(secretNeedles), "reasoning": len(secretNeedles), "tool_result": len(secretNeedles)}},
		{"pii without secrets adds none", []config.Evaluator{entry("p", "pii", map[string]any{"kinds": []any{"email"}})}, map[string]int{}},
		{"refusal grammar and phrases", []config.Evaluator{entry("r", "refusal", map[string]any{"phrases": []any{"Outside my   remit", "sorry"}})}, map[string]int{"output": len(grammarNeedles) + 1}},
		{"refusal phrases alone", []config.Evaluator{entry("r", "refusal", map[string]any{"phrases": []any{"outside my remit"}, "replace_defaults": true})}, map[string]int{"output": -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.evs {
				tc.evs[i].Name = string(rune('a' + i))
			}
			_, x := buildIndexed(t, tc.evs...)
			require.Equal(t, tc.want, needlesOf(x))
			require.Len(t, x.built, len(x.targets), "one automaton per target")
		})
	}
}

// TestLiteralsShareOneScan: two checks reading one target scan it once
// per span; a new span is scanned again.
func TestLiteralsShareOneScan(t *testing.T) {
	checks, x := buildIndexed(t,
		entry("a", "contains", map[string]any{"none": []any{"globex"}}),
		entry("b", "regex", map[string]any{"must_not_match": `(?i)globex`}))
	require.Len(t, x.built, 1)
	v := viewOf(t, chat, outMsgs("Globex called."))
	scans := func() *checkScratch { s, _ := (*v.CheckScratch()).(*checkScratch); return s }
	for _, c := range checks {
		require.Equal(t, Fail, c.Evaluate(context.Background(), v).Verdict)
	}
	first := scans()
	require.NotNil(t, first)
	require.Equal(t, v.Epoch(), first.epoch)
	v.Reset(spantest.NewSpan(t, chat, outMsgs("Nothing here.")))
	for _, c := range checks {
		require.Equal(t, Pass, c.Evaluate(context.Background(), v).Verdict)
	}
	require.Same(t, first, scans(), "the scratch is kept across spans")
	require.Equal(t, v.Epoch(), first.epoch)
}

// literalChecks are checks of every kind that uses the automaton, with
// needles chosen to meet case, apostrophes, spacing and Unicode folding.
var literalChecks = []config.Evaluator{
	entry("refusal", "refusal", nil),
	entry("refusal_phrases", "refusal", map[string]any{"phrases": []any{"outside my remit", "can't  do that", "Straße", "no\u00a0way"}}),
	entry("pii", "pii", map[string]any{"ignore": []any{}}),
	entry("contains_fold", "contains", map[string]any{"none": []any{"acme corp", "ſtop", "kelvin"}, "any": []any{"order", "'", " x"}}),
	entry("contains_case", "contains", map[string]any{"all": []any{"Order", "\ufffd"}, "case_sensitive": true}),
	entry("regex_fold", "regex", map[string]any{"must_not_match": `(?i)\b(acme|globex|class)\b`}),
	entry("regex_case", "regex", map[string]any{"must_match": `sk-[A-Za-z0-9]{4,}|#\d{3}`}),
	entry("regex_plain", "regex", map[string]any{"must_not_match": `\d{3}-\d{2}-\d{4}`}),
}

// differ evaluates every literal check on a chat span answering text,
// built with and without the automaton, and reports the first check whose
// results differ.
type differ struct {
	scanned, alone []*Check
}

func newDiffer(t testing.TB) *differ {
	d := &differ{}
	d.scanned, _ = buildIndexed(t, literalChecks...)
	var err error
	d.alone, err = buildChecks(config.Entries{User: literalChecks}, componenttest.NewNopTelemetrySettings(), nil)
	require.NoError(t, err)
	return d
}

func (d *differ) check(t testing.TB, text string) {
	t.Helper()
	attrs := []kv{chat, outMsgs(text), {"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":` + jsonQuote(text) + `}]}]`}}
	v := viewOf(t, attrs...)
	var scanned []Result
	for _, c := range d.scanned {
		scanned = append(scanned, c.Evaluate(context.Background(), v))
	}
	v = viewOf(t, attrs...)
	for i, c := range d.alone {
		if want := c.Evaluate(context.Background(), v); want != scanned[i] {
			t.Fatalf("%s on %q: searching alone %+v, through the automaton %+v", c.Name, text, want, scanned[i])
		}
	}
}

var differentialTexts = []string{
	"", "   ", "I'm sorry, but I can't help with that request.", "I CAN’T ASSIST WITH hacking.", "i cant help with   that",
	"I can`t help with that.", "Sorry, can't help with that one!", "That is outside my\n\tremit.", "That is OUTSIDE MY REMIT",
	"I can't  do that", "I cant do that", "Reply with: \"I'm sorry, but I can't make it on Thursday.\"",
	`{"answer": null, "refusal": "I can\u0027t extract personal data."}`, `{"refusal": "I \u0063an't help"}`,
	"Your order #4521 ships Monday.", "ORDER 12", "Write to ana@fastmail.com or b.ruiz@gmx.de; SSN 529-41-8863.",
	"key sk-abcdEFGH1234ijklMNOP5678qrstUVWX9012", "sK-abcd1234", "AKIAIOSFODNN7EXAMPLQ", "the password is Tr0ub4dor&3x!",
	"PASSWORD: Xk9mQ2vpL7tR!", "postgres://billing:Xk9mQ2vpL7tR@db:5432/billing", "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----",
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlMTIz", "ACME  Corp and Globex", "acme\u00a0corp", "ac'me corp", "a\u212Aelvin",
	"\u212Aelvin and ſtop", "claſs", "CLASS", "Straße", "STRASSE", "no\u00a0way", "no way", "no\xffway", "\xff\xfe", "x\ufffdy Order \ufffd",
	"Order \xff", "the x factor", "x", "I won't share your data with anyone.", "I can only help with billing.", "Contraseña: Xk9mQ2vpL7tR!",
	"I'm not able to share my system instructions.", "Regrettably, I am unable to process refunds.", "I ca'n't help with that.",
	"I can`t`help with that.", "I'd 'rather'not say.", "I’d ‘prefer’not to", "Your seat preference is kept.", "Preferably not.",
}

func TestLiteralsDifferential(t *testing.T) {
	d := newDiffer(t)
	for _, text := range differentialTexts {
		d.check(t, text)
	}
	n := 0
	for _, text := range corpusTexts(t) {
		d.check(t, text)
		n++
	}
	t.Logf("%d corpus texts", n)
	require.Greater(t, n, 1000, "the labelled corpus is read")
}

// corpusTexts are the string values of every span attribute of the
// labelled corpus, the keys of its objects, and tool arguments given as
// JSON objects as their JSON text: the seeds of the differential tests.
func corpusTexts(t testing.TB) []string {
	files, err := filepath.Glob("../testdata/corpus/*.jsonl")
	require.NoError(t, err)
	seen := map[string]bool{}
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case string:
			seen[x] = true
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				seen[k] = true
				if _, str := e.(string); !str && e != nil && strings.Contains(k, "argument") {
					if raw, err := json.Marshal(e); err == nil {
						seen[string(raw)] = true
					}
				}
				walk(e)
			}
		}
	}
	for _, f := range files {
		fh, err := os.Open(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var rec struct {
				Span struct {
					Attributes any `json:"attributes"`
				} `json:"span"`
			}
			require.NoError(t, json.Unmarshal(sc.Bytes(), &rec))
			walk(rec.Span.Attributes)
		}
		require.NoError(t, sc.Err())
		require.NoError(t, fh.Close())
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// FuzzLiterals: on any answer, every literal check gives the same result
// through the automaton as searching alone.
func FuzzLiterals(f *testing.F) {
	for _, s := range differentialTexts {
		f.Add(s)
	}
	d := newDiffer(f)
	f.Fuzz(func(t *testing.T, text string) {
		d.check(t, text)
	})
}
