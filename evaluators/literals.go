package evaluators

import (
	"fmt"
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// Every literal a check looks for in a text (a refusal rule's words, a
// secret's prefix, a contains needle, the literals a regex needs) goes
// into one automaton per target, built with the checks. The first check
// that reads a target on a span scans it once for all of them; every
// check then consults the hits instead of searching the text itself, and
// runs its own matching only where one of its literals occurs. A hit is a
// necessary condition (textmatch.Fold), so verdicts are those of the
// checks searching alone (TestLiteralsDifferential, FuzzLiterals).

// literalIndex collects the needles of every check, per target, while the
// checks are built, and holds the compiled automata after.
type literalIndex struct {
	targets  []spanmodel.Target
	builders []*textmatch.LiteralsBuilder
	adds     []int // needle lists added per target
	// built holds each target's automaton, nil where its one small list
	// is searched directly (see compile).
	built []*textmatch.Literals
}

// soleListMax is the most needles one list may have and still be searched
// directly when it is the only one on its target: a few substring
// searches (SIMD, from the first byte) cost less than folding the text.
const soleListMax = 4

// literals are one check's needles in one target's automaton. The zero
// value (no index: checks built alone, as the differential tests do)
// makes the check search the text itself.
type literals struct {
	x    *literalIndex
	slot int
	ids  []int
	set  textmatch.IDSet // the ids, for mayAny
}

// add registers needles for target and returns their handle; ids follow
// the order of needles. A nil index returns the zero handle.
func (x *literalIndex) add(t spanmodel.Target, needles ...string) literals {
	if x == nil {
		return literals{}
	}
	slot := -1
	for i, have := range x.targets {
		if have == t {
			slot = i
			break
		}
	}
	if slot < 0 {
		slot = len(x.targets)
		x.targets = append(x.targets, t)
		x.builders = append(x.builders, &textmatch.LiteralsBuilder{})
		x.adds = append(x.adds, 0)
	}
	x.adds[slot]++
	l := literals{x: x, slot: slot, ids: make([]int, len(needles))}
	for i, n := range needles {
		l.ids[i] = x.builders[slot].Add(n)
	}
	l.set = textmatch.NewIDSet(l.ids)
	return l
}

// compile builds one automaton per target read by more than one needle
// list, or by one with more than soleListMax needles. A lone short list
// (one regex's literals, say) is searched by its check as before.
func (x *literalIndex) compile() error {
	x.built = make([]*textmatch.Literals, len(x.builders))
	for i, b := range x.builders {
		if x.adds[i] < 2 && b.Len() <= soleListMax {
			continue
		}
		l, err := b.Build()
		if err != nil {
			return fmt.Errorf("literals of target %s: %w", x.targets[i], err)
		}
		x.built[i] = l
	}
	return nil
}

// checkScratch is what the checks keep with a view (View.CheckScratch):
// per span, the targets scanned so far, the tool arguments walked
// (argWalks) and the JSON validity answers; across spans, the tool names
// met lately and the shell judge.
type checkScratch struct {
	owner *literalIndex
	epoch uint64
	done  []bool
	hits  []textmatch.Hits
	buf   []byte
	// args are the tool arguments walked on the span (toolargs.go),
	// valid for argsEpoch.
	args      argWalks
	argsEpoch uint64
	// valid remembers jsonValid's answers on the span (jsonValidOn),
	// valid for argsEpoch too.
	valid []validMemo
	// names are the tool names met lately, on any span (toolargs.go).
	names toolNames
	// judge is destructive_action's shell judge, its lexer sql_safety's
	// too (judgeOf).
	judge *shellJudge
}

// validMemo is jsonValid's answer for text.
type validMemo struct {
	text  string
	valid bool
}

// maxValidMemos bounds the texts whose validity is remembered per span.
const maxValidMemos = 16

// onSpan resets what is remembered per span (the argument walks, the
// JSON validity) when v reads another span than last time.
func (s *checkScratch) onSpan(v *spanmodel.View) {
	if s.argsEpoch != v.Epoch() || s.argsEpoch == 0 {
		s.argsEpoch = v.Epoch()
		s.args.reset()
		clear(s.valid)
		s.valid = s.valid[:0]
	}
}

// jsonValidOn is jsonValid(s) for a text of the span v reads: tool_call,
// sql_safety and destructive_action ask it about the same tool arguments,
// and the span's first answer is kept. jsonValid is a function of the text
// alone, so the kept answer is its answer (TestJSONValidOnDifferential).
func jsonValidOn(v *spanmodel.View, text string) bool {
	if v == nil {
		return jsonValid(text)
	}
	s := scratchOf(v)
	s.onSpan(v)
	if text != "" && (text[0] == '{' || text[0] == '[') && len(strings.TrimSpace(text)) == len(text) {
		// The checks that ask will walk these arguments too: the walk
		// decides validity as it goes (argWalk.fill).
		if w := s.args.find(v, text); w != nil {
			return w.valid
		}
	}
	for i := range s.valid {
		if s.valid[i].text == text {
			return s.valid[i].valid
		}
	}
	ok := jsonValid(text)
	if len(s.valid) < maxValidMemos {
		s.valid = append(s.valid, validMemo{text: text, valid: ok})
	}
	return ok
}

// scratchOf returns the check scratch kept with v.
func scratchOf(v *spanmodel.View) *checkScratch {
	p := v.CheckScratch()
	s, _ := (*p).(*checkScratch)
	if s == nil {
		s = &checkScratch{}
		*p = s
	}
	return s
}

// forget drops what was recorded for the current span, so that the next
// check reads it again (benchmarks measure one check alone that way).
func (s *checkScratch) forget() {
	clear(s.done)
	s.argsEpoch = 0
}

// hits returns the needles of l's target that text (the target's text on
// the span v reads) holds, scanning it on the first call for the span.
// It returns nil when l has no index or its target no automaton: then
// the caller searches itself.
func (l *literals) hits(v *spanmodel.View, text string) *textmatch.Hits {
	if l.x == nil || l.x.built[l.slot] == nil {
		return nil
	}
	s := scratchOf(v)
	if n := len(l.x.built); len(s.done) < n {
		s.done = append(s.done, make([]bool, n-len(s.done))...)
		s.hits = append(s.hits, make([]textmatch.Hits, n-len(s.hits))...)
	}
	if s.epoch != v.Epoch() || s.owner != l.x {
		s.epoch, s.owner = v.Epoch(), l.x
		clear(s.done)
	}
	if !s.done[l.slot] {
		s.buf = l.x.built[l.slot].Scan(&s.hits[l.slot], s.buf, text)
		s.done[l.slot] = true
	}
	return &s.hits[l.slot]
}

// may reports whether needle i of l may occur: always without an index.
func (l *literals) may(h *textmatch.Hits, i int) bool {
	return h == nil || h.Has(l.ids[i])
}

// mayAny reports whether any of l's needles may occur.
func (l *literals) mayAny(h *textmatch.Hits) bool {
	return h == nil || h.AnyIn(&l.set)
}

// mayAnyWord reports whether any of l's needles may occur as a word (see
// textmatch.Hits.Word): always without an index.
func (l *literals) mayAnyWord(h *textmatch.Hits) bool {
	return h == nil || h.AnyWordIn(&l.set)
}
