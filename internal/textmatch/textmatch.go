// Package textmatch finds phrases from a fixed list in free text, the way a
// person reads them: case-, whitespace- and quote-insensitive, and only as
// whole words ("no" never matches inside "know"). Text is normalised in one
// pass; matching then costs one map lookup per word.
package textmatch

import (
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
		if asciiPlain[c] {
			// A run of bytes kept as they are, single spaces included,
			// is copied at once.
			j := i + 1
			for j < len(s) && (asciiPlain[s[j]] || s[j] == ' ' && s[j-1] != ' ') {
				j++
			}
			dst = append(dst, s[i:j]...)
			space = s[j-1] == ' '
			i = j
			continue
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

// asciiPlain marks the bytes normalising keeps as they are: ASCII other
// than upper case, whitespace and apostrophes.
var asciiPlain = func() (t [256]bool) {
	for c := range utf8.RuneSelf {
		t[c] = asciiNormal[c] == byte(c) && c != ' '
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
