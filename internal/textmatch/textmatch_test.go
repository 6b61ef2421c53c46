package textmatch

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

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
	// Each piece among the last bytes, which are read as the end of the
	// text's last word when a word before them was read whole.
	for n := 1; n < 24; n++ {
		for _, p := range pieces {
			sameAsRunes(t, "Plain Word Text Ab"[:min(n, 18)]+strings.Repeat("x", max(n-18, 0))+p)
			sameAsRunes(t, "Plain Word Text Ab"[:min(n, 18)]+p+"yZ")
		}
	}
}

func FuzzNormalizeWords(f *testing.F) {
	for _, s := range []string{"The Order #4521 SHIPS  from\tBerlin", "  I CAN'T  help’  “you” ", "claſs\xff\ufffdé É  ", "abcdefgh ABCDEFGH  12345678"} {
		f.Add(s)
	}
	f.Fuzz(sameAsRunes)
}
