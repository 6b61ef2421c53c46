package spanmodel

import (
	"encoding/binary"
	"math/bits"
)

// jsonCursor is a position in JSON text: the byte-level steps shared by
// the input-history scanner (msgScanner) and the one-pass message reader
// (fastDec).
type jsonCursor struct {
	s string
	i int
}

// peek returns the byte at the cursor, or 0 at the end.
func (c *jsonCursor) peek() byte {
	if c.i < len(c.s) {
		return c.s[c.i]
	}
	return 0
}

// eat steps over b if it is next.
func (c *jsonCursor) eat(b byte) bool {
	if c.i < len(c.s) && c.s[c.i] == b {
		c.i++
		return true
	}
	return false
}

// ws steps over JSON whitespace.
func (c *jsonCursor) ws() { c.i = skipWS(c.s, c.i) }

// skipWS is the index of the first byte of s from i on that is not JSON
// whitespace, or len(s). The hot loops work on a local index with it: a
// store to the cursor followed at once by a load of it showed in profiles.
func skipWS(s string, i int) int {
	// Every JSON whitespace byte is at most ' ': one compare passes over
	// any other byte, the common case between tokens.
	for i < len(s) && s[i] <= ' ' && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipStr steps over the JSON string at the cursor (at its opening quote),
// checking its grammar as encoding/json does: ok is false when it is not a
// valid string. It reports whether the string has escapes and whether all
// its bytes are ASCII. Any byte other than the quote, the backslash and
// the control characters is string content, invalid UTF-8 included (which
// encoding/json replaces rather than rejects).
func (c *jsonCursor) skipStr() (esc, ascii, ok bool) {
	s := c.s
	b := viewBytes(s)
	if c.i >= len(s) || s[c.i] != '"' {
		return false, false, false
	}
	i := c.i + 1
	ascii = true
	for {
		// Eight bytes at a time while none ends the run: the bulk of a
		// history is text. The byte loop then stops within eight bytes.
		if ascii {
			i = asciiStop(s, i)
		} else {
			for i+8 <= len(b) && !wordStopsUTF8(binary.LittleEndian.Uint64(b[i:])) {
				i += 8
			}
			for i < len(s) && !strStop[s[i]] {
				i++
			}
		}
		if i >= len(s) {
			c.i = i
			return esc, ascii, false
		}
		switch s[i] {
		case '"':
			c.i = i + 1
			return esc, ascii, true
		case '\\':
			esc = true
			if i+1 >= len(s) {
				c.i = i
				return esc, ascii, false
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) || !isHex(s[i+5]) {
					c.i = i
					return esc, ascii, false
				}
				i += 6
			default:
				c.i = i
				return esc, ascii, false
			}
		default:
			if s[i] < 0x20 { // JSON forbids control characters in strings
				c.i = i
				return esc, ascii, false
			}
			ascii = false // the byte loop stopped at a byte from 0x80 up
			i++
		}
	}
}

// asciiStop is the index of the first byte of s from i on that is '"',
// '\\', below 0x20 or from 0x80 up, or len(s). Eight bytes at a time: in
// a word that has one, the lowest byte flagged is the first such byte (the
// SWAR tests flag false bytes only above a true one).
func asciiStop(s string, i int) int {
	b := viewBytes(s)
	// Two words a step through long text (the loop's own cost halved),
	// then one.
	for i+16 <= len(b) {
		m0 := wordStopMask(binary.LittleEndian.Uint64(b[i:]))
		m1 := wordStopMask(binary.LittleEndian.Uint64(b[i+8:]))
		if m0|m1 != 0 {
			if m0 != 0 {
				return i + bits.TrailingZeros64(m0)>>3
			}
			return i + 8 + bits.TrailingZeros64(m1)>>3
		}
		i += 16
	}
	for i+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i:])
		if m := wordStopMask(w); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(s) && !asciiStopByte[s[i]] {
		i++
	}
	return i
}

// asciiStopByte marks the bytes asciiStop stops at.
var asciiStopByte = func() (t [256]bool) {
	for c := range t {
		t[c] = strStop[c] || c >= 0x80
	}
	return t
}()

// quickStr steps over the string at the cursor when it is plain ASCII
// without escapes, most strings of a message, and returns its content. It
// is skipStr's answer (no escapes, ASCII, valid) for such a string, where
// the first byte asciiStop stops at is the closing quote; for any other
// value ok is false and the cursor is where it was: skipStr decides.
func (c *jsonCursor) quickStr() (content string, ok bool) {
	s := c.s
	if c.i >= len(s) || s[c.i] != '"' {
		return "", false
	}
	j := asciiStop(s, c.i+1)
	if j >= len(s) || s[j] != '"' {
		return "", false
	}
	content = s[c.i+1 : j]
	c.i = j + 1
	return content, true
}

// strStop marks the bytes that end a run through a string: the quote, the
// backslash and the control characters JSON forbids there.
var strStop = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// wordStops reports whether any byte of w is '"', '\\', below 0x20 or
// from 0x80 up (the classic SWAR zero-byte and less-than tests).
func wordStops(w uint64) bool {
	return wordStopMask(w) != 0
}

// wordStopMask has the high bit set of the bytes wordStops flags: exactly
// the lowest such byte, possibly also bytes above it. It is stopBits with
// w's own high bits, without stopBits' masks: a byte that is not a zero of
// w^'"' or w^'\\' (minus one) and not below 0x20 (minus 0x20) gets the
// high bit from the subtraction only when it is from 0x80 up, flagged by
// w anyway; and no borrow reaches the lowest flagged byte, since a byte
// below it that borrows would be flagged itself.
func wordStopMask(w uint64) uint64 {
	q := w ^ (lsb * '"')
	bs := w ^ (lsb * '\\')
	return ((q - lsb) | (bs - lsb) | (w - lsb*0x20) | w) & msb
}

// wordStopsUTF8 is wordStops for a string already known not to be ASCII:
// bytes from 0x80 up are content.
func wordStopsUTF8(w uint64) bool {
	return stopBits(w)&msb != 0
}

// stopBits has the high bit of a byte set where w has a zero byte after
// xor with '"' or '\\', or a byte below 0x20 (possibly also above such a
// byte, never without one).
func stopBits(w uint64) uint64 {
	q := w ^ (lsb * '"')
	bs := w ^ (lsb * '\\')
	return (q-lsb)&^q | (bs-lsb)&^bs | (w-lsb*0x20)&^w
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// skipValue is the index just past the JSON value at s[i:], which nests
// at most scanMaxDepth-depth levels deeper, with ok false where
// msgScanner.scanValue(depth) would fail. Where that succeeds, it ends
// where skipValue does. It is scanValue's grammar on a local index and
// without a call per token: the arguments and responses of tool calls,
// skipped with their grammar checked, are objects of a few short members
// whose scan was mostly calls and cursor stores. FuzzSkipValue checks it
// against scanValue.
func skipValue(s string, i, depth int) (int, bool) {
	if depth > scanMaxDepth || i >= len(s) {
		return i, false
	}
	switch c := s[i]; {
	case c == '"':
		return skipString(s, i)
	case c == '{' || c == '[':
		return skipContainer(s, i, depth)
	case c == 't':
		return skipLiteral(s, i, "true")
	case c == 'f':
		return skipLiteral(s, i, "false")
	case c == 'n':
		return skipLiteral(s, i, "null")
	case c == '-' || c >= '0' && c <= '9':
		return skipNumber(s, i)
	}
	return i, false
}

// skipString is skipValue for the string at s[i] (its opening quote):
// quickStr's test, then skipStr.
func skipString(s string, i int) (int, bool) {
	if j := asciiStop(s, i+1); j < len(s) && s[j] == '"' {
		return j + 1, true
	}
	c := jsonCursor{s: s, i: i}
	_, _, ok := c.skipStr()
	return c.i, ok
}

// skipContainer is skipValue for the object or array at s[i] (its opening
// bracket): scanValue's container on a local index.
func skipContainer(s string, i, depth int) (int, bool) {
	i, closing, empty := openContainer(s, i)
	if empty {
		return i, true
	}
	for {
		if closing == '}' { // a member: its key and colon first
			if i >= len(s) || s[i] != '"' {
				return i, false
			}
			var ok bool
			if i, ok = skipString(s, i); !ok {
				return i, false
			}
			if i, ok = memberColon(s, skipWS(s, i)); !ok {
				return i, false
			}
		}
		var ok bool
		if i, ok = skipValue(s, i, depth+1); !ok {
			return i, false
		}
		var next int
		if i, next = nextElem(s, skipWS(s, i), closing); next <= 0 {
			return i, next == 0
		}
	}
}

// openContainer steps over the bracket at s[i] and the whitespace after
// it, giving the byte that closes the container ('{' + 2 is '}', '[' + 2
// is ']'); empty when that comes next (it is stepped over too).
func openContainer(s string, i int) (j int, closing byte, empty bool) {
	closing = s[i] + 2
	j = skipWS(s, i+1)
	if j < len(s) && s[j] == closing {
		return j + 1, closing, true
	}
	return j, closing, false
}

// memberColon steps over the colon at s[i], after a member's key and its
// whitespace, and the whitespace after it.
func memberColon(s string, i int) (int, bool) {
	if i < len(s) && s[i] == ':' {
		return skipWS(s, i+1), true
	}
	return i, false
}

// nextElem steps over what follows a member or an element and its
// whitespace at s[i]: a comma and the whitespace after it (next 1, more
// follow) or the container's closing byte (next 0); next is -1 for
// anything else.
func nextElem(s string, i int, closing byte) (j, next int) {
	if i < len(s) {
		switch s[i] {
		case ',':
			return skipWS(s, i+1), 1
		case closing:
			return i + 1, 0
		}
	}
	return i, -1
}

// skipLiteral is skipValue for the literal lit at s[i].
func skipLiteral(s string, i int, lit string) (int, bool) {
	if len(s)-i >= len(lit) && s[i:i+len(lit)] == lit {
		return i + len(lit), true
	}
	return i, false
}

// skipNumber is skipValue for the number at s[i]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(s string, i int) (int, bool) {
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i+1)
	default:
		return i, false
	}
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := skipDigits(s, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

// skipDigits is the index of the first byte of s from i on that is not a
// decimal digit, or len(s).
func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
