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

// Hits is the set of needles a scan found, and of those found as words.
type Hits struct {
	bits  []uint64
	words []uint64 // needles found with a word edge on both sides
	drops []uint64 // scratch: offsets of the scan form where apostrophes were dropped
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

// Word reports whether needle id occurs with a word edge on both sides
// (Always always does). An edge is where the scan form of the text ends,
// or where one of the two bytes it stands between is not an ASCII letter
// or digit, or where folding dropped an apostrophe (' ` ’ ‘ ʼ). So a word
// of the text equal to the needle is a word hit, however the text is
// split into words, as long as the reader splits it at least at every
// character that is not a letter or digit (unicode.IsLetter, IsDigit) nor
// an apostrophe, may also split it at apostrophes, and lower-cases like
// Fold: the needle "prefer" is a word hit in "I'd prefer not", or in
// "prefer`x`" read as prose around code, never in "preference"
// (FuzzLiteralsWords).
func (h *Hits) Word(id int) bool {
	if id < 0 {
		return true
	}
	return id>>6 < len(h.words) && h.words[id>>6]&(1<<(id&63)) != 0
}

// AnyWordIn is AnyIn for word hits (see Word).
func (h *Hits) AnyWordIn(s *IDSet) bool { return s.meets(h.words) }

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
func (h *Hits) AnyIn(s *IDSet) bool { return s.meets(h.bits) }

// meets reports whether s holds Always or an ID set in bits.
func (s *IDSet) meets(bits []uint64) bool {
	if s.always {
		return true
	}
	for i, w := range s.bits {
		if i < len(bits) && bits[i]&w != 0 {
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
	h.bits, h.words = resize(h.bits, words), resize(h.words, words)
	if l.ac == nil {
		return buf
	}
	h.drops = h.drops[:0]
	buf = normalize(buf[:0], text, true, &h.drops)
	for _, m := range l.ac.FindAllOverlapping(buf) {
		w, bit := m.PatternID>>6, uint64(1)<<(m.PatternID&63)
		h.bits[w] |= bit
		if h.words[w]&bit == 0 && h.edge(buf, m.Start) && h.edge(buf, m.End) {
			h.words[w] |= bit
		}
	}
	return buf
}

// resize returns b with n zero words, reusing its memory.
func resize(b []uint64, n int) []uint64 {
	if cap(b) < n {
		return make([]uint64, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// edge reports whether offset k of the scan form buf is a word edge (see
// Word). Bytes of non-ASCII characters count as non-letters: an edge
// too many only makes a word hit more likely.
func (h *Hits) edge(buf []byte, k int) bool {
	if k == 0 || k == len(buf) || !asciiAlnum(buf[k-1]) || !asciiAlnum(buf[k]) {
		return true
	}
	return k>>6 < len(h.drops) && h.drops[k>>6]&(1<<(k&63)) != 0
}

// asciiAlnum reports whether b is an ASCII letter or digit.
func asciiAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || 'A' <= b && b <= 'Z'
}
