package evaluators

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// maxPrefilterLiterals bounds the alternatives a prefilter tries.
const maxPrefilterLiterals = 16

// prefilter is a cheap necessary condition for a regular expression: every
// match contains one of the literals. When none occurs in a text the
// pattern cannot match it, and the regex is not run at all. Go's RE2 reads
// a 2 KB answer in tens of microseconds for patterns without a literal
// prefix; substring search takes well under one.
type prefilter struct {
	literals []string
	fold     bool // literals are lower case; search the lower-cased text
}

// newPrefilter derives a prefilter from a pattern, or nil when the pattern
// has no required literal (then the regex always runs).
func newPrefilter(pattern string) *prefilter {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	lits, fold, ok := requiredLiterals(re.Simplify())
	if !ok {
		return nil
	}
	for i, l := range lits {
		if l == "" {
			return nil
		}
		if fold {
			lits[i] = strings.ToLower(l)
		}
	}
	return &prefilter{literals: lits, fold: fold}
}

// requiredLiterals returns strings one of which every match contains.
func requiredLiterals(re *syntax.Regexp) (lits []string, fold, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		f := re.Flags&syntax.FoldCase != 0
		if f && !isASCII(s) {
			return nil, false, false // non-ASCII case folding is not mirrored by lowerForPrefilter
		}
		return []string{s}, f, true
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
	case syntax.OpConcat:
		best, bestLen := []string(nil), 0
		bestFold := false
		for _, sub := range re.Sub {
			l, f, ok := requiredLiterals(sub)
			if !ok {
				continue
			}
			if n := shortest(l); n > bestLen {
				best, bestLen, bestFold = l, n, f
			}
		}
		return best, bestFold, best != nil
	case syntax.OpAlternate:
		var all []string
		anyFold := false
		for _, sub := range re.Sub {
			l, f, ok := requiredLiterals(sub)
			if !ok {
				return nil, false, false
			}
			all = append(all, l...)
			anyFold = anyFold || f
		}
		if len(all) > maxPrefilterLiterals {
			return nil, false, false
		}
		if anyFold {
			// Mixed case sensitivity: searching lower-cased text is still a
			// necessary condition for every alternative.
			return all, true, true
		}
		return all, false, true
	}
	return nil, false, false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lowerForPrefilter lower-cases text so that every string RE2's (?i)
// matches with an ASCII literal contains that literal in lower case: the
// only non-ASCII runes folding to ASCII letters are the Kelvin sign
// (lowered to k by ToLower) and the long s ſ (mapped here).
func lowerForPrefilter(text string) string {
	l := strings.ToLower(text)
	if strings.ContainsRune(l, 'ſ') {
		l = strings.ReplaceAll(l, "ſ", "s")
	}
	return l
}

func shortest(lits []string) int {
	n := -1
	for _, l := range lits {
		if c := utf8.RuneCountInString(l); n < 0 || c < n {
			n = c
		}
	}
	return n
}

// mayMatch reports whether the regex could match text; lower is text in
// lower case when the prefilter folds (computed once by the caller).
func (p *prefilter) mayMatch(text, lower string) bool {
	s := text
	if p.fold {
		s = lower
	}
	for _, l := range p.literals {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

// filteredRegexp is a compiled pattern with its prefilter.
type filteredRegexp struct {
	re *regexp.Regexp
	pf *prefilter // nil: always run re
	// lits are pf's literals in the target's automaton: with them the
	// prefilter costs no search of its own.
	lits literals
}

// compileFiltered compiles pattern for target, adding its prefilter's
// literals to the checks' automaton for target (x may be nil).
func compileFiltered(pattern string, target spanmodel.Target, x *literalIndex) (*filteredRegexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	f := &filteredRegexp{re: re, pf: newPrefilter(pattern)}
	if f.pf != nil {
		f.lits = x.add(target, f.pf.literals...)
	}
	return f, nil
}

// find returns the start of the first match, or -1. lower is supplied
// lazily: it is computed only when a folding prefilter needs it. hits are
// the target's literal hits (nil: search the literals here).
func (f *filteredRegexp) find(text string, lower func() string, hits *textmatch.Hits) int {
	if f.pf != nil {
		if hits != nil && f.lits.x != nil {
			if !f.lits.mayAny(hits) {
				return -1
			}
		} else {
			l := ""
			if f.pf.fold {
				l = lower()
			}
			if !f.pf.mayMatch(text, l) {
				return -1
			}
		}
	}
	loc := f.re.FindStringIndex(text)
	if loc == nil {
		return -1
	}
	return loc[0]
}
