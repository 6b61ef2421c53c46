package evaluators

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch/texttest"
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

// grammarWordScan scans text with an automaton of grammarNeedles alone,
// as the refusal check's target automaton holds them.
type grammarWordScan struct {
	l   *textmatch.Literals
	ids map[string]int
	set textmatch.IDSet
}

func newGrammarWordScan(t testing.TB) *grammarWordScan {
	var b textmatch.LiteralsBuilder
	g := &grammarWordScan{ids: map[string]int{}}
	var ids []int
	for _, w := range grammarNeedles {
		g.ids[w] = b.Add(w)
		ids = append(ids, g.ids[w])
	}
	l, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	g.l, g.set = l, textmatch.NewIDSet(ids)
	return g
}

// check: every word of every sentence findRefusal reads that is one of
// grammarNeedles is a word hit of the scan, and a text holding a refusal
// has a word hit: the refusal check may skip the grammar without one.
func (g *grammarWordScan) check(t *testing.T, text string) {
	t.Helper()
	var h textmatch.Hits
	g.l.Scan(&h, nil, text)
	var s sentence
	textmatch.OwnVoice(text, func(part string) {
		for rest := part; rest != ""; {
			var sent string
			sent, rest = nextSentence(rest)
			s.tokenize(sent)
			for i := 0; i < s.n(); i++ {
				if id, ok := g.ids[string(s.word(i))]; ok && !h.Word(id) {
					t.Fatalf("%q: the grammar reads the word %q, the scan finds it nowhere as a word", text, s.word(i))
				}
			}
		}
	})
	if _, found := findRefusal(text); found && !h.AnyWordIn(&g.set) {
		t.Fatalf("%q holds a refusal and no word hit", text)
	}
}

// TestGrammarWordHits: the grammar's words are found as words wherever
// the grammar reads them, apostrophes, quotation marks and code around
// them included; a word that only contains one does not count.
func TestGrammarWordHits(t *testing.T) {
	g := newGrammarWordScan(t)
	texts := append(corpusTexts(t), differentialTexts...)
	texts = append(texts,
		"I can`t`help with that.", "I'd 'rather'not say.", "I’d ‘prefer’not to", "x`cannot`", "`x`cannot help",
		"I can't help", "I can’t help", "I ca'n't help", "\"Quoted\"won't help", "«No»can do", "„x“cannot",
		"Dear Ms. Cho,\nI cannot attend.\nBest,\nAna\nI won't write that.", "You could say: I can't.\n\nI cannot help.",
	)
	for _, text := range texts {
		g.check(t, text)
	}
	var h textmatch.Hits
	for text, want := range map[string]bool{
		loadshapeAnswer: false,
		"Preferences, canteen, notes, willow and passengers are fine.": false,
		"I'd prefer not to.": true,
		"I can`t`help.":      true,
	} {
		g.l.Scan(&h, nil, text)
		if got := h.AnyWordIn(&g.set); got != want {
			t.Errorf("%q: a grammar word %v, want %v", text, got, want)
		}
	}
}

// loadshapeAnswer is internal/loadshape's answer, which holds no refusal
// and "prefer" only inside "preference".
const loadshapeAnswer = "I found two morning flights to Boston next Tuesday: 7:05 and 9:40. Your window seat preference is kept. Which one would you like me to book?"

func FuzzGrammarWordHits(f *testing.F) {
	f.Add("I can`t`help with that. I'd 'rather'not. “x”cannot")
	f.Add(loadshapeAnswer)
	for _, p := range refusalPatterns {
		f.Add(p.pattern)
	}
	g := newGrammarWordScan(f)
	f.Fuzz(func(t *testing.T, text string) { g.check(t, text) })
}

// tokenizeRunes is what tokenize reads, rune by rune: words of letters
// and digits lower-cased, apostrophes dropped, and whether a comma stands
// before each word.
func tokenizeRunes(raw string) (words []string, commas []bool) {
	var w []rune
	comma := false
	for _, r := range raw + " " {
		switch {
		case strings.ContainsRune("'`’‘ʼ", r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			w = append(w, unicode.ToLower(r))
		default:
			if len(w) > 0 {
				words, commas = append(words, string(w)), append(commas, comma)
				w, comma = w[:0], false
			}
			comma = comma || r == ','
		}
	}
	return words, commas
}

func sameTokens(t *testing.T, raw string) {
	t.Helper()
	var s sentence
	s.tokenize(raw)
	var words []string
	for i := range s.n() {
		words = append(words, string(s.word(i)))
	}
	wantWords, wantCommas := tokenizeRunes(raw)
	if !slices.Equal(words, wantWords) || !slices.Equal(s.commas, wantCommas) {
		t.Fatalf("%q: tokenize reads %q %v, rune by rune %q %v", raw, words, s.commas, wantWords, wantCommas)
	}
}

// TestTokenize: tokenize, which copies ASCII words in a tight loop,
// reads the words and commas a reading rune by rune reads.
func TestTokenize(t *testing.T) {
	pieces := []string{"I", "can't", "CAN’T", "help", ",", ", ", " ", "é", "Ünï", "42", "x`y", "\xff", "\u00a0", "ʼ", "-", "ΣΑΣ", "a,b"}
	for _, s := range append(corpusTexts(t), texttest.Mixes(11, 5000, 12, pieces)...) {
		sameTokens(t, s)
	}
}

func FuzzTokenize(f *testing.F) {
	f.Add("I'm sorry, but I CAN’T help, é ÜNÏ 42 x`y\xff")
	f.Fuzz(sameTokens)
}
