package signals

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// slowPhrases are the matches of cats in text as each category's own
// textmatch.Phrases.Each finds them, category by category.
func slowPhrases(d *Detector, cats catMask, text string) map[Category][]int {
	norm := textmatch.Normalize(nil, text)
	got := map[Category][]int{}
	for c := Category(0); c < NumCategories; c++ {
		if cats&(1<<c) == 0 || d.sets[c] == nil {
			continue
		}
		d.sets[c].phrases.Each(norm, func(idx, _, _ int) bool {
			got[c] = append(got[c], idx)
			return true
		})
	}
	return got
}

// fastPhrases are the phrase index's matches, grouped the same way.
func fastPhrases(d *Detector, cats catMask, text string) map[Category][]int {
	got := map[Category][]int{}
	d.index.each(cats, textmatch.Normalize(nil, text), func(c Category, p *indexedPhrase) bool {
		if d.sets[c].kinds[p.idx] != p.kind {
			got[c] = append(got[c], -1) // the wrong kind: a mismatch
		}
		got[c] = append(got[c], p.idx)
		return true
	})
	return got
}

var phraseTexts = []string{
	"",
	"No, I meant the OTHER one!!! This is ridiculous, I said it again, once again, again,again. Thanks anyway",
	"forget it... thanks, that works. Perfect! I give up; speak to a human / real person please",
	"error: rate limit exceeded (status 429): too many requests; Traceback: timed out, an error occurred",
	"Error:Exception:error: failed to parse: unexpected token; already exists, conflict; http 503",
	"thanksgiving know nothing timeouts unauthorizedly error:x",
	"I’m done — it’s “useless”. You’re not helping. WTF. I don't understand; that doesn't make sense",
	"the booking holder is jane.roe@fastmail.com. I'm sorry, but I can't change the seat.",
	"\xffthank\xfe you \u00a0 thank\tyou  ΣΊΣΥΦΟΣ  straße invalid  argument",
}

// TestPhraseIndex: one pass over a text finds, per category, the matches
// each category's phrases find on their own, for the default phrases and
// for configured phrases sharing first words across categories.
func TestPhraseIndex(t *testing.T) {
	for _, cfg := range []Config{{}, {
		Phrases: map[string][]string{
			"misalignment.custom":  {"no way", "again", "thanks a lot"},
			"satisfaction.custom":  {"no way", "again,", "thanks"},
			"failure.custom":       {"error", "error: rate", "rate limit exceeded"},
			"exhaustion.custom":    {"error:", "rate"},
			"disengagement.custom": {"I", "I said it"},
		},
		ReplacePhrases: []string{"satisfaction.gratitude"},
	}} {
		d := newDetector(t, cfg)
		for _, text := range phraseTexts {
			for _, cats := range []catMask{userCats, resultCats, maskOf(Failure), maskOf(Exhaustion), 1<<NumCategories - 1} {
				assert.Equal(t, slowPhrases(d, cats, text), fastPhrases(d, cats, text), "%q, categories %b", text, cats)
			}
		}
	}
	// A text with phrases of every kind finds some: the test compares
	// matches, not two empty answers.
	d := newDetector(t, Config{})
	require.Len(t, fastPhrases(d, userCats, phraseTexts[1]), 3)
	require.Len(t, fastPhrases(d, resultCats, phraseTexts[3]), 2)
}

// FuzzPhraseIndex: for any text and any two configured phrases (each in
// two categories), the one pass finds what each category finds alone.
func FuzzPhraseIndex(f *testing.F) {
	for _, text := range phraseTexts {
		f.Add(text, "no way", "error:")
	}
	f.Add("again, again,again", "again,", "again")
	f.Add("a b a b", "a b", "b a")
	f.Fuzz(func(t *testing.T, text, p1, p2 string) {
		d, err := New(Config{Phrases: map[string][]string{
			"misalignment.fuzz": {p1}, "satisfaction.fuzz": {p1, p2},
			"failure.fuzz": {p2}, "disengagement.fuzz": {p2, p1}, "exhaustion.fuzz": {p1},
		}})
		if err != nil {
			t.Skip("not a phrase")
		}
		all := catMask(1<<NumCategories - 1)
		if slow, fast := slowPhrases(d, all, text), fastPhrases(d, all, text); !assert.Equal(t, slow, fast) {
			t.Fatalf("%q with %q, %q", text, p1, p2)
		}
	})
}
