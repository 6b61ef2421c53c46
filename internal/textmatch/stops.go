package textmatch

import (
	"math/bits"
	"unicode/utf8"
)

// Stops is a set of bytes a reader stops at, found eight bytes at a time:
// up to six ASCII bytes, and all non-ASCII bytes or none. Readers that look
// at a few bytes and pass over the rest (quotation marks, sentence ends)
// jump from one to the next. Stops is immutable and safe for concurrent
// use.
type Stops struct {
	// spread holds each byte of the set in all eight bytes of a word,
	// the first repeated in the slots left over (testing a byte twice
	// changes nothing).
	spread   [6]uint64
	nonASCII bool
	table    [256]bool
}

// NewStops returns the stops at the bytes of set (ASCII) and, with
// nonASCII, at every byte of 0x80 or more.
func NewStops(set string, nonASCII bool) *Stops {
	if len(set) == 0 || len(set) > len(Stops{}.spread) {
		panic("textmatch.NewStops: one to six bytes") // ours: callers pass constants
	}
	st := &Stops{nonASCII: nonASCII}
	for k := range st.spread {
		c := set[min(k, len(set)-1)]
		if c >= utf8.RuneSelf {
			panic("textmatch.NewStops: non-ASCII byte in the set")
		}
		st.spread[k] = uint64(c) * Ones
		st.table[c] = true
	}
	if nonASCII {
		for c := utf8.RuneSelf; c < 256; c++ {
			st.table[c] = true
		}
	}
	return st
}

// Has reports whether c is a stop.
func (st *Stops) Has(c byte) bool { return st.table[c] }

// Next returns the offset of the first stop in s from i on, or len(s).
// With the high bits cleared first, a byte's test cannot carry into the
// next one (TestStops and FuzzStops compare it with Has byte by byte).
func (st *Stops) Next(s string, i int) int {
	high := uint64(0)
	if st.nonASCII {
		high = Highs
	}
	for ; i+8 <= len(s); i += 8 {
		w := Word(s[i : i+8])
		x := w &^ Highs
		sp := &st.spread
		// The high bit of this is clear in a byte equal to one of the set.
		other := ((x ^ sp[0]) + 0x7f*Ones) & ((x ^ sp[1]) + 0x7f*Ones) & ((x ^ sp[2]) + 0x7f*Ones) &
			((x ^ sp[3]) + 0x7f*Ones) & ((x ^ sp[4]) + 0x7f*Ones) & ((x ^ sp[5]) + 0x7f*Ones)
		if m := (w&high | ^other&^w) & Highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(s) && !st.table[s[i]] {
		i++
	}
	return i
}
