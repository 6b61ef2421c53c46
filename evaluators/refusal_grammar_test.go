package evaluators

import (
	"testing"
)

// allRules lets refusalAmong try every rule: the grammar unfiltered.
const allRules = ^ruleSet(0)

// sameRefusals checks, sentence by sentence as findRefusal reads them,
// that the grammar filtered by the sentence's words (refusal) finds what
// the grammar trying every rule finds.
func sameRefusals(t *testing.T, text string) {
	t.Helper()
	var s sentence
	for rest := text; rest != ""; {
		var sent string
		sent, rest = nextSentence(rest)
		if s.tokenize(sent); s.n() == 0 {
			continue
		}
		gotKind, got := s.refusal()
		wantKind, want := s.refusalAmong(allRules)
		if got != want || gotKind != wantKind {
			t.Fatalf("sentence %q: filtered %v %q, unfiltered %v %q", sent, got, gotKind, want, wantKind)
		}
	}
}

// TestGrammarFilterDifferential: on every string of the labelled corpora
// and the grammar's own cases, skipping the rules a sentence lacks the
// words of changes no verdict.
func TestGrammarFilterDifferential(t *testing.T) {
	texts := corpusTexts(t)
	for _, p := range refusalPatterns {
		// each rule's words as a sentence, with and without its options
		texts = append(texts, p.pattern)
	}
	texts = append(texts,
		"I can't help with that.", "I cannot be of any help here.", "I'm not able to share it.",
		"no can do", "It's not possible for me to do that", "Sorry but no", "Declining",
		"I won't share your data with anyone.", "I can only help with travel questions.",
		"My guidelines don't allow that.", "That violates our usage policies.",
	)
	matched := 0
	for _, text := range texts {
		sameRefusals(t, text)
		if _, ok := findRefusal(text); ok {
			matched++
		}
	}
	if matched < 50 {
		t.Fatalf("only %d texts hold a refusal: the differential test reads too few", matched)
	}
}

// TestGrammarGroups: every rule needs a group (else it is tried on every
// sentence); a sentence without a refusal's words leaves no rule to try,
// a refusal some.
func TestGrammarGroups(t *testing.T) {
	if len(grammar.needs) != len(grammar.rules) {
		t.Fatalf("%d rules, %d needs", len(grammar.rules), len(grammar.needs))
	}
	for k := range grammar.needs {
		if grammar.needs[k] == (groupSet{}) {
			t.Errorf("rule %d needs no group", k)
		}
	}
	var s sentence
	s.tokenize("I found two morning flights to Boston next Tuesday")
	if p := s.possible(); p != 0 {
		t.Errorf("a sentence without a refusal's words leaves rules %b to try", p)
	}
	s.tokenize("I'm sorry, but I can't help with that")
	if p := s.possible(); p == 0 {
		t.Error("a refusal leaves no rule to try")
	}
}

func FuzzGrammarFilter(f *testing.F) {
	f.Add("I'm sorry, but I can't help with that. Although I can't run it, I won't share your data.")
	f.Add("no can do; it is not possible for me to; outside of my scope")
	for _, p := range refusalPatterns {
		f.Add(p.pattern)
	}
	f.Fuzz(sameRefusals)
}
