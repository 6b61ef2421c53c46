package textmatch

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
