package textmatch

import (
	"unicode/utf8"

	"github.com/coregx/ahocorasick"
)

// Literals is one multi-pattern automaton (Aho-Corasick) over the scan
// form of a text (see Fold): one pass finds which of many needles occur,
// however many checks asked for them. A hit is a necessary condition, not
// a match: a check confirms it in its own reading (whole words, case, the
// regex itself), and a needle that was not hit rules the check's literal
// out. Literals is immutable and safe for concurrent use.
type Literals struct {
	ac *ahocorasick.Automaton // nil when every needle folds to nothing
	n  int
}

// LiteralsBuilder collects needles, each once however many checks add it.
type LiteralsBuilder struct {
	needles []string
	ids     map[string]int
}

// Always is the ID of a needle every text may hold: one whose scan form
// is empty ("'"), or that is not valid UTF-8 (a fragment of a character,
// which folding does not keep).
const Always = -1

// Add folds needle and returns its ID in the automaton Build makes: the
// same ID for needles with the same scan form.
func (b *LiteralsBuilder) Add(needle string) int {
	if !utf8.ValidString(needle) {
		return Always
	}
	f := string(Fold(nil, needle))
	if f == "" {
		return Always
	}
	if id, ok := b.ids[f]; ok {
		return id
	}
	if b.ids == nil {
		b.ids = map[string]int{}
	}
	id := len(b.needles)
	b.ids[f] = id
	b.needles = append(b.needles, f)
	return id
}

// Len is the number of distinct needles added.
func (b *LiteralsBuilder) Len() int { return len(b.needles) }

// Build compiles the needles added so far.
func (b *LiteralsBuilder) Build() (*Literals, error) {
	l := &Literals{n: len(b.needles)}
	if l.n == 0 {
		return l, nil
	}
	ac, err := ahocorasick.NewBuilder().AddStrings(b.needles).Build()
	if err != nil {
		return nil, err
	}
	l.ac = ac
	return l, nil
}

// Len is the number of distinct needles.
func (l *Literals) Len() int { return l.n }

// Hits is the set of needles a scan found.
type Hits struct {
	bits []uint64
}

// Has reports whether needle id (from LiteralsBuilder.Add) occurs; Always
// always does.
func (h *Hits) Has(id int) bool {
	if id < 0 {
		return true
	}
	return id>>6 < len(h.bits) && h.bits[id>>6]&(1<<(id&63)) != 0
}

// Any reports whether any of ids occurs.
func (h *Hits) Any(ids []int) bool {
	for _, id := range ids {
		if h.Has(id) {
			return true
		}
	}
	return false
}

// IDSet is a set of needle IDs, for asking at once whether a scan hit any.
type IDSet struct {
	bits   []uint64
	always bool // holds Always
}

// NewIDSet returns the set of ids.
func NewIDSet(ids []int) IDSet {
	var s IDSet
	for _, id := range ids {
		if id < 0 {
			s.always = true
			continue
		}
		for id>>6 >= len(s.bits) {
			s.bits = append(s.bits, 0)
		}
		s.bits[id>>6] |= 1 << (id & 63)
	}
	return s
}

// AnyIn is Any over the IDs of s, a word at a time.
func (h *Hits) AnyIn(s *IDSet) bool {
	if s.always {
		return true
	}
	for i, w := range s.bits {
		if i < len(h.bits) && h.bits[i]&w != 0 {
			return true
		}
	}
	return false
}

// Scan sets h to the needles text holds, reading text once to fold it into
// buf (scratch, returned for reuse) and once with the automaton. It
// allocates nothing when no needle occurs.
func (l *Literals) Scan(h *Hits, buf []byte, text string) []byte {
	words := (l.n + 63) >> 6
	if cap(h.bits) < words {
		h.bits = make([]uint64, words)
	}
	h.bits = h.bits[:words]
	clear(h.bits)
	if l.ac == nil {
		return buf
	}
	buf = Fold(buf[:0], text)
	for _, m := range l.ac.FindAllOverlapping(buf) {
		h.bits[m.PatternID>>6] |= 1 << (m.PatternID & 63)
	}
	return buf
}
