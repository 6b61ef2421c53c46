package textmatch

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPhrases(t *testing.T) {
	p, err := Compile([]string{"I can't help", "I can't help with that", "no", "as an AI", "human"})
	require.NoError(t, err)
	cases := []struct {
		text string
		want []string // phrases found, in order
	}{
		{"Sorry, I CAN’T help with that.", []string{"i cant help with that"}},
		{"i cant  help you", []string{"i cant help"}},
		{"No, that is wrong", []string{"no"}},
		{"I know nothing", nil},                // "no" inside words
		{"no problem, nobody", []string{"no"}}, // only the whole word
		{"As an AI, I think", []string{"as an ai"}},
		{"as an aim", nil},
		{"humans and a human", []string{"human"}},
		{"", nil},
	}
	for _, tc := range cases {
		var got []string
		p.Each(Normalize(nil, tc.text), func(idx, start, end int) bool {
			got = append(got, p.Phrase(idx))
			return true
		})
		assert.Equal(t, tc.want, got, tc.text)
	}
	idx, ok := p.First(Normalize(nil, "well, I can't help"))
	assert.True(t, ok)
	assert.Equal(t, "i cant help", p.Phrase(idx))
	assert.Equal(t, 2, p.Count(Normalize(nil, "no. No!")))
}

func TestCompileErrors(t *testing.T) {
	_, err := Compile([]string{"ok", "  "})
	assert.EqualError(t, err, "[1]: empty phrase")
	_, err = Compile([]string{"?!"})
	assert.ErrorContains(t, err, "[0]")

	var b PhraseLists
	for i := 0; i < MaxLabels; i++ {
		l, err := b.Add([]string{"x"})
		require.NoError(t, err)
		assert.Equal(t, Label(i), l)
	}
	_, err = b.Add([]string{"x"})
	assert.ErrorContains(t, err, "more than 16")
}

// refMatches are the matches of one list alone in norm, found the slow
// way: at every word start not inside the previous match, the longest
// phrase ending at a word boundary (the first among equals); numbers are
// the list's.
func refMatches(list []string, norm []byte) [][3]int {
	phrases := make([][]byte, len(list))
	for i, s := range list {
		phrases[i] = Normalize(nil, s)
	}
	var got [][3]int
	after := 0
	for i := range norm {
		if i < after || !IsWord(norm[i]) || i > 0 && IsWord(norm[i-1]) {
			continue
		}
		best := -1
		for k, ph := range phrases {
			end := i + len(ph)
			whole := !(end < len(norm) && IsWord(norm[end]) && IsWord(ph[len(ph)-1]))
			if (best < 0 || len(ph) > len(phrases[best])) && bytes.HasPrefix(norm[i:], ph) && whole {
				best = k
			}
		}
		if best >= 0 {
			after = i + len(phrases[best])
			got = append(got, [3]int{best, i, after})
		}
	}
	return got
}

// listMatches are p's matches of the lists in labels, grouped by list,
// numbered within their list (first is each list's first phrase number);
// it fails t when matches do not come in order of position.
func listMatches(t *testing.T, p *Phrases, first []int, labels Labels, norm []byte) map[Label][][3]int {
	got := map[Label][][3]int{}
	last := 0
	p.EachOf(labels, norm, func(idx, start, end int) bool {
		l := p.Label(idx)
		require.NotZero(t, labels&l.Set(), "a list not asked for")
		require.GreaterOrEqual(t, start, last, "out of order")
		last = start
		got[l] = append(got[l], [3]int{idx - first[l], start, end})
		return true
	})
	return got
}

// checkLists compares every set of p's lists (built from lists) with each
// list alone.
func checkLists(t *testing.T, lists [][]string, text string) {
	var b PhraseLists
	first := make([]int, len(lists))
	n := 0
	for i, list := range lists {
		if _, err := b.Add(list); err != nil {
			t.Skip("not a phrase")
		}
		first[i], n = n, n+len(list)
	}
	p := b.Phrases()
	norm := Normalize(nil, text)
	for labels := Labels(0); labels < 1<<len(lists); labels++ {
		want := map[Label][][3]int{}
		for l := range lists {
			if m := refMatches(lists[l], norm); labels&Label(l).Set() != 0 && len(m) > 0 {
				want[Label(l)] = m
			}
		}
		require.Equal(t, want, listMatches(t, p, first, labels, norm), "%q, lists %b", text, labels)
	}
}

var listTexts = []string{
	"",
	"No, I meant the OTHER one!!! This is ridiculous, I said it again, once again, again,again. Thanks anyway",
	"forget it... thanks, that works. Perfect! I give up; speak to a human / real person please",
	"error: rate limit exceeded (status 429): too many requests; Traceback: timed out, an error occurred",
	"Error:Exception:error: failed to parse: unexpected token; already exists, conflict; http 503",
	"thanksgiving know nothing timeouts unauthorizedly error:x",
	"I’m done — it’s “useless”. You’re not helping. WTF. I don't understand; that doesn't make sense",
	"\xffthank\xfe you \u00a0 thank\tyou  ΣΊΣΥΦΟΣ  straße invalid  argument",
}

// TestPhraseLists: lists sharing first words and phrases, matched
// together, find in each list what it finds alone.
func TestPhraseLists(t *testing.T) {
	lists := [][]string{
		{"no way", "again", "thanks a lot", "I said", "this is ridiculous"},
		{"no way", "again,", "thanks", "thank you", "perfect"},
		{"error", "error: rate", "rate limit exceeded", "error:", "too many requests"},
		{"error:", "rate", "timed out", "ridiculous", "I"},
		{"I", "I said it", "speak to a human", "again, again"},
	}
	for _, text := range listTexts {
		checkLists(t, lists, text)
	}
	// Many first words, long ones sharing their first eight bytes (one
	// hash) and short ones: the table grows and chains.
	var many [][]string
	var text strings.Builder
	for l := 0; l < 3; l++ {
		var list []string
		for k := 0; k < 150; k++ {
			w := fmt.Sprintf("%c%d", 'a'+k%7, k)
			if k%3 == 0 {
				w = fmt.Sprintf("longprefix%d", k)
			}
			list = append(list, w+" x", w)
			if k%(l+2) == 0 {
				fmt.Fprintf(&text, "%s x %s, ", w, w)
			}
		}
		many = append(many, list)
	}
	checkLists(t, many, text.String())
	// The texts hold matches of several lists: the comparison is not
	// between two empty answers.
	var b PhraseLists
	for _, l := range lists {
		_, err := b.Add(l)
		require.NoError(t, err)
	}
	got := listMatches(t, b.Phrases(), []int{0, 5, 10, 15, 20}, 0b11111, Normalize(nil, listTexts[1]))
	assert.Len(t, got, 4)
}

// FuzzPhraseLists: for any text and phrases, lists matched together find
// in each list what it finds alone.
func FuzzPhraseLists(f *testing.F) {
	for _, text := range listTexts {
		f.Add(text, "no way", "error:", "again")
	}
	f.Add("again, again,again", "again,", "again", "again, again")
	f.Add("a b a b", "a b", "b a", "a")
	f.Fuzz(func(t *testing.T, text, p1, p2, p3 string) {
		checkLists(t, [][]string{{p1}, {p1, p2}, {p2, p3, p1}, {p3, p2}}, text)
	})
}

func FuzzPhrases(f *testing.F) {
	f.Add("I can't help with that", "can't help")
	f.Add("no\xffno", "no")
	f.Add("ŞİMDİ değil", "değil")
	f.Fuzz(func(t *testing.T, text, phrase string) {
		p, err := Compile([]string{phrase})
		if err != nil {
			return
		}
		norm := Normalize(nil, text)
		if len(norm) > 4*len(text)+4 {
			t.Fatalf("normal form grew from %d to %d bytes", len(text), len(norm))
		}
		p.Each(norm, func(idx, start, end int) bool {
			if idx != 0 || start < 0 || end > len(norm) || start >= end {
				t.Fatalf("bad match %d [%d,%d) in %d bytes", idx, start, end, len(norm))
			}
			return true
		})
		// A phrase surrounded by spaces is always found.
		host := Normalize(nil, text+" "+phrase+" ")
		if !strings.Contains(string(host), string(p.phrases[0])) {
			return
		}
		if p.Count(Normalize(nil, "x "+phrase+" x")) == 0 {
			t.Fatalf("phrase %q not found between spaces", phrase)
		}
	})
}
