package signals

import (
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oracleNearDuplicate is nearDuplicate as it was written first, with maps
// of the words themselves: the word sets must give its answers.
func oracleNearDuplicate(a, b string, threshold float64) bool {
	wa, wb := oracleWords(a), oracleWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	if len(wa) < 3 || len(wb) < 3 {
		return strings.Join(wa, " ") == strings.Join(wb, " ")
	}
	set := make(map[string]bool, len(wa))
	for _, w := range wa {
		set[w] = true
	}
	inter, union := 0, len(set)
	seen := make(map[string]bool, len(wb))
	for _, w := range wb {
		if seen[w] {
			continue
		}
		seen[w] = true
		if set[w] {
			inter++
		} else {
			union++
		}
	}
	return float64(inter)/float64(union) >= threshold
}

func oracleWords(s string) []string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(f) > maxSimilarityWords {
		f = f[:maxSimilarityWords]
	}
	return f
}

// oracleJaccard is the similarity the oracle compares with the threshold
// (-1 for the short-message rule).
func oracleJaccard(a, b string) (n int, sim float64) {
	wa, wb := oracleWords(a), oracleWords(b)
	if len(wa) < 3 || len(wb) < 3 {
		return len(wa), -1
	}
	set := map[string]bool{}
	for _, w := range wa {
		set[w] = true
	}
	all := map[string]bool{}
	inter := 0
	for _, w := range wb {
		if set[w] && !all[w] {
			inter++
		}
		all[w] = true
	}
	for w := range set {
		all[w] = true
	}
	return len(wa), float64(inter) / float64(len(all))
}

var long = strings.Repeat("Tracking updates follow by email. ", 40) // 200+ words

func TestNearDuplicate(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"equal", "Where is my order 4521?", "where is my order 4521", true},
		{"case and spacing", "WHERE   is my\norder", "where is my order", true},
		{"one word more of eight", "please check where my order 4521 is now", "please check where my order 4521 is now again", true},
		{"different", "Where is my order 4521?", "Can I pay by card instead?", false},
		{"empty", "", "", false},
		{"no words", "?!? ...", "?!? ...", false},
		{"one empty", "hello there friend", "", false},
		{"two words equal", "Thanks, bye", "thanks bye", true},
		{"two words reordered", "bye thanks", "thanks bye", false},
		{"two words against three", "thanks bye", "thanks bye now", false},
		{"repeated words count once", "no no no no yes", "no yes yes", true},
		{"digits and letters", "abc123 def456 ghi789", "ABC123 DEF456 GHI789", true},
		{"non-ASCII letters", "Größe ÄNDERN bitte", "größe ändern BITTE", true},
		{"Greek final sigma", "ΟΔΟΣ ΟΔΟΣ ΟΔΟΣ", "οδοσ οδοσ οδοσ", true},
		{"Kelvin sign lowers to k", "\u212a1 x y", "k1 x y", true},
		{"dotted capital I", "\u0130stanbul is big", "istanbul is big", true},
		{"combining dot splits words", "\u0130stanbul is big", "i\u0307stanbul is big", false},
		{"not UTF-8 splits words", "ab\xffcd ef", "ab cd ef", true},
		{"U+FFFD splits words", "ab\ufffdcd ef", "ab cd ef", true},
		{"underscore splits words", "snake_case_name", "snake case name", true},
		{"only the first 200 words", long + " extra words here that differ", long, true},
		{"words after the 200th ignored", long + "a b c", long + "x y z", true},
		{"combining marks split words", "cafe\u0301 ouvert", "cafe \u0301 ouvert", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, oracleNearDuplicate(tc.a, tc.b, DefaultNearDuplicate), "the oracle")
			assert.Equal(t, tc.want, nearDuplicate(tc.a, tc.b, DefaultNearDuplicate))
			assert.Equal(t, tc.want, nearDuplicate(tc.b, tc.a, DefaultNearDuplicate), "swapped")
		})
	}
}

// TestWordSetSimilarity: the word sets give the oracle's similarity
// exactly, so every threshold decides alike (at the similarity itself,
// just below and just above it).
func TestWordSetSimilarity(t *testing.T) {
	texts := []string{
		"Where is my order 4521? It still says pending.",
		"where is my order 4522? it still says pending!",
		"No, I meant the other order, check again!",
		"No, I meant the other order. Check it again please.",
		"Your order left our Berlin warehouse and is in transit. " + long,
		"Your order 4521 left our Berlin warehouse and is in transit. " + long,
		"ok", "ok thanks", "thanks ok", "Ünïcödé wörds, ÜNÏCÖDÉ WÖRDS and more",
	}
	for _, a := range texts {
		for _, b := range texts {
			n, sim := oracleJaccard(a, b)
			for _, th := range []float64{0, 0.5, DefaultNearDuplicate, 1, sim, sim - 1e-9, sim + 1e-9} {
				if th < 0 || th > 1 {
					continue
				}
				require.Equal(t, oracleNearDuplicate(a, b, th), nearDuplicate(a, b, th), "%q vs %q at %g (%d words, similarity %g)", a, b, th, n, sim)
			}
		}
	}
}

// TestNearTextReadsWhatTheAnswerNeeds: against a short text's word set, a
// long text is read only until it has more distinct words than could
// still be near, or a third word when the short text has fewer.
func TestNearTextReadsWhatTheAnswerNeeds(t *testing.T) {
	answer := "Your order 4319 left our Berlin warehouse and is in transit; it should arrive on December 5. " + long
	tests := []struct {
		short     string
		th        float64
		wantRead  int // words of answer read
		wantClose bool
	}{
		{"Order 9123 shipped yesterday from Berlin.", DefaultNearDuplicate, 8, false}, // 6 distinct: 6/8 < 0.85
		{"Order 9123 shipped yesterday from Berlin.", 0.5, 13, false},                 // 6/13 < 0.5
		{"ok thanks", DefaultNearDuplicate, 3, false},                                 // fewer than three words
		{"Order 9123 shipped yesterday from Berlin.", 0, maxSimilarityWords, true},    // any overlap is enough
		{answer, DefaultNearDuplicate, maxSimilarityWords, true},                      // too many distinct words to stop early
	}
	for _, tc := range tests {
		var ws, scratch wordSet
		buf := ws.build(tc.short, nil)
		got, _ := ws.nearText(answer, tc.th, &scratch, buf)
		assert.Equal(t, tc.wantClose, got, "%q at %g", tc.short, tc.th)
		assert.Equal(t, oracleNearDuplicate(tc.short, answer, tc.th), got, "the oracle")
		assert.Equal(t, tc.wantRead, scratch.n, "%q at %g: words read", tc.short, tc.th)
	}
}

// FuzzNearDuplicate: the word sets decide as the oracle does, for any two
// texts and threshold.
func FuzzNearDuplicate(f *testing.F) {
	f.Add("Where is my order 4521?", "where is my order 4521", uint8(85))
	f.Add("ab\xffcd ef", "AB cd EF", uint8(100))
	f.Add("\u0130stanbul \u212a", "i\u0307stanbul k", uint8(50))
	f.Add(long+"a", long+"b", uint8(99))
	f.Add("x", "x", uint8(0))
	f.Fuzz(func(t *testing.T, a, b string, pct uint8) {
		th := float64(pct%101) / 100
		if got, want := nearDuplicate(a, b, th), oracleNearDuplicate(a, b, th); got != want {
			t.Fatalf("nearDuplicate(%q, %q, %g) = %v, the oracle %v", a, b, th, got, want)
		}
	})
}

func BenchmarkNearDuplicate(b *testing.B) {
	answer := "Your order 4319 left our Berlin warehouse and is in transit; it should arrive on December 5. " + strings.Repeat("Tracking updates follow by email. ", 20)
	for _, c := range []struct {
		name string
		f    func(a, b string, th float64) bool
	}{{"maps_of_words", oracleNearDuplicate}, {"word_sets", nearDuplicate}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c.f("Order 9123 shipped yesterday from Berlin.", answer, DefaultNearDuplicate)
			}
		})
	}
}
