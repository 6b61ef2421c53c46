package evaluators

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

func TestPrefilterLiterals(t *testing.T) {
	cases := []struct {
		pattern string
		want    []string // nil: no prefilter
		fold    bool
	}{
		{`sk-[A-Za-z0-9]{20,}`, []string{"sk-"}, false},
		{`(?i)\b(acme|globex)\b`, []string{"acme", "globex"}, true},
		{`#\d{4}`, []string{"#"}, false},
		{`(?i)drop\s+table`, []string{"table"}, true},
		{`\d{3}-\d{2}-\d{4}`, []string{"-"}, false},
		{`(foo)?bar`, []string{"bar"}, false},
		{`a*`, nil, false},
		{`.+`, nil, false},
		{`(?i)straße`, nil, false},
		{`x|\d`, nil, false},
	}
	for _, tc := range cases {
		pf := newPrefilter(tc.pattern)
		if tc.want == nil {
			assert.Nil(t, pf, tc.pattern)
			continue
		}
		if assert.NotNil(t, pf, tc.pattern) {
			assert.ElementsMatch(t, tc.want, pf.literals, tc.pattern)
			assert.Equal(t, tc.fold, pf.fold, tc.pattern)
		}
	}
}

// FuzzPrefilter checks the one property that matters: a prefilter never
// rules out a text the regex matches, searching alone or through the
// target's literal automaton.
func FuzzPrefilter(f *testing.F) {
	for _, s := range [][2]string{
		{`(?i)\b(acme|globex)\b`, "ACME corp"}, {`(?i)kelvin`, "\u212Aelvin"}, {`(?i)class`, "claſs"},
		{`sk-[a-z]{3}`, "xsk-abc"}, {`a+b`, "aaab"}, {`(?i)x(y|z)w`, "XZW"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		fr, err := compileFiltered(pattern, spanmodel.Target{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		x := &literalIndex{}
		scanned, err := compileFiltered(pattern, spanmodel.Target{Kind: spanmodel.TargetOutput}, x)
		if err != nil {
			t.Fatal(err)
		}
		if err := x.compile(); err != nil {
			t.Fatal(err)
		}
		var hits textmatch.Hits
		if len(x.built) > 0 {
			if x.built[0] == nil { // a lone list is searched directly: scan it all the same
				if x.built[0], err = x.builders[0].Build(); err != nil {
					t.Fatal(err)
				}
			}
			x.built[0].Scan(&hits, nil, text)
		}
		want := re.FindStringIndex(text)
		lower := func() string { return lowerForPrefilter(text) }
		got := fr.find(text, lower, nil)
		if want == nil && got != -1 || want != nil && got != want[0] {
			t.Fatalf("pattern %q on %q: regex says %v, filtered says %d (literals %v)", pattern, text, want, got, fr.pf)
		}
		if got := scanned.find(text, lower, &hits); want == nil && got != -1 || want != nil && got != want[0] {
			t.Fatalf("pattern %q on %q: regex says %v, through the automaton %d (literals %v)", pattern, text, want, got, fr.pf)
		}
	})
}
