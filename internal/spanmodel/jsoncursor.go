package spanmodel

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
func (c *jsonCursor) ws() {
	for c.i < len(c.s) {
		switch c.s[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}
