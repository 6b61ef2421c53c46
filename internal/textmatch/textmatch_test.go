package textmatch

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch/texttest"
)

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"  I Can’t   HELP\n\twith that ": "i cant help with that",
		"It's “quoted”":                  `its "quoted"`,
		"don`t":                          "dont",
		"ÉCOLE Straße":                   "école straße",
		"bad \xff byte":                  "bad byte",
		"":                               "",
		"\n\n":                           "",
	}
	for in, want := range cases {
		assert.Equal(t, want, string(Normalize(nil, in)), "%q", in)
	}
}

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

// normalizeRunes is what normalize writes, read one rune at a time: each
// rune mapped on its own, a space written only after something else, and
// the offsets at which apostrophes were dropped.
func normalizeRunes(s string, scan bool) (out []byte, drops []int) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case strings.ContainsRune("'`’‘ʼ", r):
			if len(drops) == 0 || drops[len(drops)-1] != len(out) {
				drops = append(drops, len(out))
			}
		case r == utf8.RuneError && (n == 1 || scan), unicode.IsSpace(r):
			if len(out) == 0 && scan || len(out) > 0 && out[len(out)-1] != ' ' {
				out = append(out, ' ')
			}
		case strings.ContainsRune("“”„", r):
			out = append(out, '"')
		case r == 'ſ' && scan:
			out = append(out, 's')
		default:
			out = utf8.AppendRune(out, unicode.ToLower(r))
		}
	}
	if !scan {
		out = bytes.TrimSuffix(out, []byte(" "))
	}
	return out, drops
}

// sameAsRunes checks Normalize, Fold and the scan's drops against
// normalizeRunes.
func sameAsRunes(t *testing.T, s string) {
	t.Helper()
	want, _ := normalizeRunes(s, false)
	if got := Normalize(nil, s); !bytes.Equal(got, want) {
		t.Fatalf("Normalize(%q) = %q, rune by rune %q", s, got, want)
	}
	want, wantDrops := normalizeRunes(s, true)
	var bitmap []uint64
	got := normalize([]byte("kept"), s, true, &bitmap)
	if !bytes.Equal(got[4:], want) {
		t.Fatalf("Fold(%q) = %q, rune by rune %q", s, got[4:], want)
	}
	var gotDrops []int
	for k := range len(bitmap) * 64 {
		if bitmap[k>>6]&(1<<(k&63)) != 0 {
			gotDrops = append(gotDrops, k-4)
		}
	}
	if !slices.Equal(gotDrops, wantDrops) {
		t.Fatalf("drops of %q at %v, rune by rune %v", s, gotDrops, wantDrops)
	}
}

// TestNormalizeWords: normalize, which reads eight plain bytes at a time,
// writes what a reading rune by rune writes, on texts dense in the bytes
// that end a plain word (spaces, apostrophes, tabs, capitals, non-ASCII)
// at every offset.
func TestNormalizeWords(t *testing.T) {
	pieces := []string{"a", "Z", "q", " ", "  ", "\t", "\n", "'", "`", "’", "é", "É", "\xff", "\ufffd", "ſ", "“", "@", "[", "0", "~", "\x7f", "\x01", "Hello World. "}
	for _, s := range texttest.Mixes(7, 20000, 40, pieces) {
		sameAsRunes(t, s)
	}
}

func FuzzNormalizeWords(f *testing.F) {
	for _, s := range []string{"The Order #4521 SHIPS  from\tBerlin", "  I CAN'T  help’  “you” ", "claſs\xff\ufffdé É  ", "abcdefgh ABCDEFGH  12345678"} {
		f.Add(s)
	}
	f.Fuzz(sameAsRunes)
}
