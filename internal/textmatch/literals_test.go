package textmatch

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFold(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Can't  Help\n\tYou", "cant help you"},
		{"  leading and trailing  ", " leading and trailing "},
		{"I CAN’T “quote”", `i cant "quote"`},
		{"claſs \u212Aelvin", "class kelvin"},
		{"a\xffb\ufffdc", "a b c"},
		{"no\u00a0way", "no way"},
		{"ca'n`t", "cant"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, string(Fold(nil, tc.in)), "%q", tc.in)
	}
}

func TestLiteralsBuilder(t *testing.T) {
	// By name: the needles added, the IDs Add returns, the distinct needles.
	cases := map[string]struct {
		needles []string
		ids     []int
		n       int
	}{
		"empty":                            {nil, nil, 0},
		"distinct":                         {[]string{"acme", "globex"}, []int{0, 1}, 2},
		"same scan form once":              {[]string{"Acme Corp", "acme  corp", "ACME\ncorp", "globex"}, []int{0, 0, 0, 1}, 2},
		"apostrophes only fold to nothing": {[]string{"'", "`’", "x"}, []int{Always, Always, 0}, 1},
		"invalid UTF-8 is always":          {[]string{"\xc5", "ok"}, []int{Always, 0}, 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var b LiteralsBuilder
			var ids []int
			for _, n := range tc.needles {
				ids = append(ids, b.Add(n))
			}
			assert.Equal(t, tc.ids, ids)
			l, err := b.Build()
			require.NoError(t, err)
			assert.Equal(t, tc.n, l.Len())
			var h Hits
			l.Scan(&h, nil, strings.Join(tc.needles, " | "))
			for _, id := range ids {
				assert.True(t, h.Has(id), "every needle is in the text of all of them")
			}
			l.Scan(&h, nil, "nothing to see")
			for _, id := range ids {
				assert.Equal(t, id == Always, h.Has(id), "only Always is in a text without needles")
			}
		})
	}
}

// buildJoined builds an automaton of the needles joined by NUL bytes.
func buildJoined(t *testing.T, joined string) (needles []string, ids []int, l *Literals) {
	t.Helper()
	needles = strings.Split(joined, "\x00")
	var b LiteralsBuilder
	ids = make([]int, len(needles))
	for i, n := range needles {
		ids[i] = b.Add(n)
	}
	l, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return needles, ids, l
}

// FuzzLiteralsScan checks the automaton against substring search, and the
// property the checks rely on: when a reading of the text contains the
// same reading of a needle, the scan form of the text contains the scan
// form of that needle.
func FuzzLiteralsScan(f *testing.F) {
	f.Add("I can't help", "cant\x00help\x00can")
	f.Add("ACME  Corp\u212a", "acme corp\x00k\x00 \x00corpk")
	f.Add("aaaa", "a\x00aa\x00aaa\x00aaaaa")
	f.Add("claſs “x”", "class\x00\"x\"\x00ſ")
	f.Fuzz(func(t *testing.T, text, joined string) {
		needles, ids, l := buildJoined(t, joined)
		var h Hits
		folded := l.Scan(&h, nil, text)
		if l.Len() > 0 && !bytes.Equal(folded, Fold(nil, text)) {
			t.Fatalf("scan read %q, Fold gives %q", folded, Fold(nil, text))
		}
		ft := Fold(nil, text)
		// mayHold is what the scan promises for a needle x.
		mayHold := func(x string) bool {
			return !utf8.ValidString(x) || len(Fold(nil, x)) == 0 || bytes.Contains(ft, Fold(nil, x))
		}
		for i, n := range needles {
			if want := mayHold(n); h.Has(ids[i]) != want {
				t.Fatalf("needle %q in %q: scan says %v, substring search %v", n, text, h.Has(ids[i]), want)
			}
			readings := map[string]func(string) string{
				"as is":     func(s string) string { return s },
				"ToLower":   strings.ToLower,
				"Normalize": func(s string) string { return string(Normalize(nil, s)) },
			}
			for name, r := range readings {
				rn := r(n)
				if name == "Normalize" && rn == "" {
					continue // Compile refuses empty phrases
				}
				// The checks add the needle as they read it.
				if strings.Contains(r(text), rn) && !mayHold(rn) {
					t.Fatalf("%s(%q) contains %s(%q) but the scan form does not", name, text, name, n)
				}
			}
		}
	})
}

// BenchmarkLiteralsScan: folding a 2 KB answer and running an automaton
// of 100 needles over it, against strings.ToLower of the same text.
func BenchmarkLiteralsScan(b *testing.B) {
	text := strings.Repeat("The order #4521 ships from the Berlin warehouse on Monday; tracking follows by email. ", 24)
	var lb LiteralsBuilder
	for i := 0; i < 100; i++ {
		lb.Add(strings.Repeat(string(rune('a'+i%26)), 1+i/26) + "-x" + string(rune('0'+i%10)))
	}
	l, err := lb.Build()
	require.NoError(b, err)
	buf := make([]byte, 0, 4096)
	var h Hits
	b.Run("fold", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for i := 0; i < b.N; i++ {
			buf = Fold(buf[:0], text)
		}
	})
	b.Run("fold_and_scan", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for i := 0; i < b.N; i++ {
			buf = l.Scan(&h, buf, text)
		}
	})
	b.Run("strings.ToLower", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for i := 0; i < b.N; i++ {
			_ = strings.ToLower(text)
		}
	})
}

// TestIDSet: AnyIn over a set answers as Any over its IDs, for random
// sets and hits, Always included.
func TestIDSet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var h Hits
		h.bits = make([]uint64, r.IntN(4))
		for i := range h.bits {
			h.bits[i] = r.Uint64() & r.Uint64() & r.Uint64()
		}
		ids := make([]int, r.IntN(6))
		for i := range ids {
			ids[i] = r.IntN(300) - 10
			if ids[i] < 0 {
				ids[i] = Always
			}
		}
		s := NewIDSet(ids)
		if got, want := h.AnyIn(&s), h.Any(ids); got != want {
			t.Fatalf("hits %x, ids %v: AnyIn %v, Any %v", h.bits, ids, got, want)
		}
	}
}

func TestLiteralsWords(t *testing.T) {
	var b LiteralsBuilder
	prefer, cant, corp := b.Add("prefer"), b.Add("can't"), b.Add("acme corp")
	l, err := b.Build()
	require.NoError(t, err)
	cases := []struct {
		text                   string
		prefer, cant, acmeCorp bool // word hits
	}{
		{"Your seat preference is kept.", false, false, false},
		{"I'd prefer not to.", true, false, false},
		{"PREFER, CAN'T", true, true, false},
		{"I cant, you can’t, they cantor", false, true, false},
		{"cantor and scant", false, false, false},
		{"prefer`x` and 'prefer'x", true, false, false}, // apostrophes: a reader may split there
		{"x’prefer", true, false, false},
		{"préfer prefer2 2prefer", false, false, false},
		{"éprefer", true, false, false}, // a non-ASCII letter counts as an edge
		{"acme  corp", false, false, true},
		{"acme corporation", false, false, false},
	}
	var h Hits
	for _, tc := range cases {
		l.Scan(&h, nil, tc.text)
		assert.Equal(t, tc.prefer, h.Word(prefer), "prefer in %q", tc.text)
		assert.Equal(t, tc.cant, h.Word(cant), "cant in %q", tc.text)
		assert.Equal(t, tc.acmeCorp, h.Word(corp), "acme corp in %q", tc.text)
		for _, id := range []int{prefer, cant, corp} {
			assert.True(t, !h.Word(id) || h.Has(id), "a word hit is a hit")
		}
		assert.True(t, h.Word(Always))
	}
}

// TestFoldKeepsSeparators: no character a reader splits words at (neither
// a letter nor a digit nor an apostrophe) folds to an ASCII letter or
// digit, so Hits.Word sees the split. Every rune is tried.
func TestFoldKeepsSeparators(t *testing.T) {
	var buf []byte
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || foldDrops(r) {
			continue
		}
		buf = Fold(buf[:0], string(r))
		for _, c := range buf {
			if asciiAlnum(c) {
				t.Fatalf("%U folds to %q", r, buf)
			}
		}
	}
}

// foldDrops reports whether folding drops r: the apostrophes.
func foldDrops(r rune) bool {
	return r == '\'' || r == '`' || r == '’' || r == '‘' || r == 'ʼ'
}

// readWords splits text into lower-cased words the way Hits.Word
// promises to see: at every character that is neither a letter nor a
// digit nor an apostrophe, and at the apostrophes cut chooses; the other
// apostrophes are dropped.
func readWords(text string, cut func(i int) bool) []string {
	var words []string
	var w []rune
	end := func() {
		if len(w) > 0 {
			words = append(words, string(w))
			w = w[:0]
		}
	}
	for i, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			w = append(w, unicode.ToLower(r))
		case foldDrops(r):
			if cut(i) {
				end()
			}
		default:
			end()
		}
	}
	end()
	return words
}

// FuzzLiteralsWords: every word of the text, however it is split at
// apostrophes, that equals a needle is a word hit of that needle.
func FuzzLiteralsWords(f *testing.F) {
	f.Add("I'd prefer`not` 'prefer'x préfer", "prefer\x00not\x00x", uint64(0x5555))
	f.Add("can't can`t ca'n't CAN’T cantor", "cant\x00can\x00t\x00tor", uint64(0xffff))
	f.Add("a\u212Aelvin \u212A ſtop claſs", "k\x00kelvin\x00stop\x00class", uint64(3))
	f.Add("x\xffprefer\ufffdy  prefer\u00a0z", "prefer\x00y\x00z", uint64(0))
	f.Fuzz(func(t *testing.T, text, joined string, cuts uint64) {
		needles, ids, l := buildJoined(t, joined)
		var h Hits
		l.Scan(&h, nil, text)
		for i, id := range ids {
			if h.Word(id) && !h.Has(id) {
				t.Fatalf("needle %q in %q: a word hit without a hit", needles[i], text)
			}
		}
		for _, split := range []func(int) bool{
			func(int) bool { return false },
			func(int) bool { return true },
			func(i int) bool { return cuts>>(i&63)&1 != 0 },
		} {
			for _, w := range readWords(text, split) {
				for i, n := range needles {
					if w == n && !h.Word(ids[i]) {
						t.Fatalf("word %q of %q is needle %q, not a word hit", w, text, n)
					}
				}
			}
		}
	})
}
