package signals

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

var phraseTexts = []string{
	"",
	"No I meant the return leg!!! Once again: that's wrong, I already told you. This is ridiculous. Thanks anyway",
	"never mind... thank you, that worked. Great! I'm done; talk to a person / your manager please",
	"Error: rate limit exceeded, status 429 too many requests. Traceback: deadline exceeded; failed to connect",
	"exception:error:Error: invalid argument: unknown column; already exists, conflict; http 502",
	"thanksgiving know nothing timeouts unauthorizedly error:x",
	"I’m confused — it’s “awful”. You’re not helping. Damn. What do you mean; that makes no sense",
	"the booking holder is jane.roe@fastmail.com. I'm sorry, but I can't change the seat.",
}

// alone is what category c's phrases, compiled alone, find in text: its
// count and kinds in the order first seen, as Found keeps them.
func alone(t *testing.T, d *Detector, c Category, text string) (int, []string) {
	var list, kinds []string
	for i := 0; i < d.phrases.Len(); i++ {
		if Category(d.phrases.Label(i)) == c {
			list, kinds = append(list, d.phrases.Phrase(i)), append(kinds, d.kinds[i])
		}
	}
	p, err := textmatch.Compile(list)
	require.NoError(t, err)
	var f Found
	p.Each(textmatch.Normalize(nil, text), func(i, _, _ int) bool {
		f.Add(c, kinds[i], 1)
		return true
	})
	return f.Count(c), f.Kinds(c)
}

// TestPhraseCategories: one pass over a text for several categories
// finds, per category, the count and kinds its own phrases find alone,
// for the default phrases and for configured phrases sharing first words
// across categories.
func TestPhraseCategories(t *testing.T) {
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
			for _, cats := range []textmatch.Labels{userCats, resultCats, failureCat, exhaustionCat} {
				var f Found
				d.matchCats(cats, text, &f)
				for c := Category(0); c < NumCategories; c++ {
					if cats&textmatch.Label(c).Set() == 0 {
						assert.Zero(t, f.Count(c), "%s not asked", c)
						continue
					}
					n, kinds := alone(t, d, c, text)
					assert.Equal(t, n, f.Count(c), "%q: %s", text, c)
					assert.Equal(t, kinds, append([]string(nil), f.Kinds(c)...), "%q: %s", text, c)
				}
			}
		}
	}
	// Texts with phrases of several categories find some: the test
	// compares matches, not two empty answers.
	var f Found
	d := newDetector(t, Config{})
	d.matchCats(userCats, phraseTexts[1], &f)
	assert.Positive(t, f.Count(Misalignment)*f.Count(Disengagement)*f.Count(Satisfaction))
	assert.True(t, d.reportsFailure(phraseTexts[3]))
	assert.False(t, d.reportsFailure(phraseTexts[5][:12]))
}
