// Package textmatch finds phrases from a fixed list in free text, the way a
// person reads them: case-, whitespace- and quote-insensitive, and only as
// whole words ("no" never matches inside "know"). Text is normalised in one
// pass; matching then costs one map lookup per word.
package textmatch

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Normalize appends the normal form of s to dst: lower case; apostrophes
// (' ’ ‘ ʼ `) removed so "can't", "can’t" and "cant" read alike; curly
// double quotes made straight; runs of whitespace collapsed to one space and
// trimmed. Invalid UTF-8 bytes become spaces.
func Normalize(dst []byte, s string) []byte { return normalize(dst, s, false, nil) }

// Fold appends the scan form of s to dst, the text a Literals automaton
// reads: the normal form (see Normalize) without trimming, with the long s
// ſ read as s and U+FFFD as a space like invalid bytes. Every reading a
// literal check uses (Normalize, the refusal grammar's words,
// strings.ToLower, RE2's (?i) folding, the text as it is) maps into it,
// and it keeps substrings: when one of those readings of a text contains
// the same reading of a needle, Fold(text) contains Fold(needle). So a
// needle absent from the scan form is absent from the text in every
// reading.
func Fold(dst []byte, s string) []byte { return normalize(dst, s, true, nil) }

// normalize appends the normal or the scan form of s to dst. With drops,
// it also marks in *drops (a bitmap, reset by the caller) every offset of
// dst at which an apostrophe was dropped: there a word of s may end or
// begin although the bytes on either side are letters (see Hits.Word).
func normalize(dst []byte, s string, scan bool, drops *[]uint64) []byte {
	dst = slices.Grow(dst, len(s))
	space := !scan // drops leading whitespace and collapses runs
	for i := 0; i < len(s); {
		c := s[i]
		if plainStart[c] {
			// Eight bytes at a time while they need nothing but
			// lower-casing; the first byte that needs more is read below.
			from := i
			if dst, i, space = foldPlain(dst, s, i, space); i == len(s) {
				break
			}
			if r := len(s) - i; r < 8 && i-from >= 8-r {
				if dst, i, space = foldTail(dst, s, i, space); i == len(s) {
					break
				}
			}
			c = s[i]
		}
		if c < utf8.RuneSelf {
			i++
			switch m := asciiNormal[c]; m {
			case asciiDrop:
				if drops != nil {
					*drops = markBit(*drops, len(dst))
				}
			case ' ':
				if !space {
					dst = append(dst, ' ')
					space = true
				}
			default:
				dst = append(dst, m)
				space = false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && (size == 1 || scan):
			r = ' '
		case r == '’' || r == '‘' || r == 'ʼ':
			if drops != nil {
				*drops = markBit(*drops, len(dst))
			}
			continue
		case r == '“' || r == '”' || r == '„':
			r = '"'
		case r == 'ſ' && scan:
			r = 's'
		}
		if unicode.IsSpace(r) {
			if !space {
				dst = append(dst, ' ')
				space = true
			}
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		space = false
	}
	if n := len(dst); !scan && n > 0 && dst[n-1] == ' ' {
		dst = dst[:n-1]
	}
	return dst
}

// Word-at-a-time constants, for readers of eight bytes at a time (see
// Word): a one in every byte, the high bit of every byte.
const (
	Ones  = 0x0101010101010101
	Highs = 0x8080808080808080
)

// Word reads the first eight bytes of s as one little-endian word (the
// first byte lowest), for tests on eight bytes at a time.
func Word(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// foldPlain appends to dst the bytes of s from i on, eight at a time, up
// to the first byte normalize must read on its own: a non-ASCII byte, a
// control character (tabs and newlines among them), an apostrophe, a
// space after a space, or a space first when space says the last byte
// written is a space (or nothing may lead). Every byte before it is ASCII
// and either a capital, a single space or a byte asciiNormal keeps, so it
// is written as asciiNormal writes it: capitals lowered, the rest as it
// is (TestNormalizeWords and FuzzNormalizeWords compare normalize with a
// reading rune by rune). It returns dst, where it stopped, and whether
// the last byte it wrote is a space (space when it wrote none).
func foldPlain(dst []byte, s string, i int, space bool) ([]byte, int, bool) {
	n := len(dst)
	d := dst[:cap(dst)]
	// lead has the high bit of the first byte set when the byte before
	// the word is a space (or nothing may lead).
	lead := uint64(0)
	if space {
		lead = 0x80
	}
	for ; i+8 <= len(s) && n+8 <= len(d); i, n = i+8, n+8 {
		w := Word(s[i : i+8])
		// The high bit of each byte of these sums is clear where the
		// byte is below 0x20, an apostrophe, a backtick, a space. Only a
		// non-ASCII byte (flagged by w&Highs) can carry into the byte
		// above it: the bytes below the first one flagged are read
		// exactly, and they are the only ones returned.
		ctl := w + 0x60*Ones
		apos := (w ^ '\''*Ones) + 0x7f*Ones
		tick := (w ^ '`'*Ones) + 0x7f*Ones
		sp := ^((w ^ ' '*Ones) + 0x7f*Ones) & Highs
		special := (w|^(ctl&apos&tick))&Highs | sp&(sp<<8|lead)
		upper := (w + (0x80-'A')*Ones) &^ (w + (0x80-'Z'-1)*Ones) & Highs // 'A' to 'Z'
		lower := w | upper>>2
		if special != 0 {
			// The whole word is written, the bytes from the first
			// special one on past the end returned.
			k := bits.TrailingZeros64(special) >> 3
			binary.LittleEndian.PutUint64(d[n:n+8], lower)
			if k > 0 {
				lead = sp >> (8*k - 8) & 0x80
			}
			return d[:n+k], i + k, lead != 0
		}
		binary.LittleEndian.PutUint64(d[n:n+8], lower)
		lead = sp >> 56
	}
	return d[:n], i, lead != 0
}

// foldTail is foldPlain for the last bytes of s from i, fewer than eight,
// read as the end of the word that ends s, when foldPlain wrote the bytes
// before them in it (at least 8-(len(s)-i) bytes just before i, one for
// one, at the end of dst). Those are plain ASCII (no carry into the bytes
// left), are written again as they were, and give the space before the
// first byte left (sp<<8); only the bytes left may stop the reading. Kept
// apart from foldPlain, it leaves that loop's registers alone.
func foldTail(dst []byte, s string, i int, space bool) ([]byte, int, bool) {
	r, o, n := len(s)-i, 8-(len(s)-i), len(dst)
	if r <= 0 || r >= 8 || n+r > cap(dst) {
		return dst, i, space
	}
	d := dst[:n+r]
	w := Word(s[i-o:])
	ctl := w + 0x60*Ones
	apos := (w ^ '\''*Ones) + 0x7f*Ones
	tick := (w ^ '`'*Ones) + 0x7f*Ones
	sp := ^((w ^ ' '*Ones) + 0x7f*Ones) & Highs
	special := ((w|^(ctl&apos&tick))&Highs | sp&(sp<<8)) >> (8 * o) << (8 * o)
	upper := (w + (0x80-'A')*Ones) &^ (w + (0x80-'Z'-1)*Ones) & Highs // 'A' to 'Z'
	binary.LittleEndian.PutUint64(d[n-o:n+r], w|upper>>2)
	k := r
	if special != 0 {
		k = bits.TrailingZeros64(special)>>3 - o
	}
	if k > 0 {
		space = sp>>(8*(o+k)-8)&0x80 != 0
	}
	return d[:n+k], i + k, space
}

// markBit sets bit k of the bitmap b, growing it with zero words.
func markBit(b []uint64, k int) []uint64 {
	for k>>6 >= len(b) {
		b = append(b, 0)
	}
	b[k>>6] |= 1 << (k & 63)
	return b
}

// asciiDrop marks the ASCII bytes normalising drops (apostrophes).
const asciiDrop = 0xff

// asciiNormal is the normal form of each ASCII byte: lower case, ' ' for
// whitespace (collapsed), asciiDrop for apostrophes.
var asciiNormal = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		b := byte(c)
		switch {
		case b == '\'' || b == '`':
			b = asciiDrop
		case b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v':
			b = ' '
		case 'A' <= b && b <= 'Z':
			b += 'a' - 'A'
		}
		t[c] = b
	}
	return t
}()

// plainStart marks the bytes normalize hands to foldPlain: ASCII other
// than control characters, spaces and apostrophes. At the others (a run of
// spaces, a text in another script) it would stop at once.
var plainStart = func() (t [256]bool) {
	for c := '!'; c < utf8.RuneSelf; c++ {
		t[c] = asciiNormal[c] != asciiDrop
	}
	return t
}()

// IsWord reports whether b belongs to a word: ASCII letters and digits, and
// every byte of a non-ASCII rune (letters in most scripts).
func IsWord(b byte) bool {
	return b >= utf8.RuneSelf || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || 'A' <= b && b <= 'Z'
}

// WordEnd is where the word of b that goes on at i ends (i when b[i] is
// not a word byte).
func WordEnd(b []byte, i int) int {
	for i < len(b) && IsWord(b[i]) {
		i++
	}
	return i
}

// LowerASCII lower-cases an ASCII capital; other bytes are kept.
func LowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// HasPrefixLowerASCII reports whether s, its ASCII capitals lower-cased,
// starts with w.
func HasPrefixLowerASCII(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if LowerASCII(s[i]) != w[i] {
			return false
		}
	}
	return true
}
