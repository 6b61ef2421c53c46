package spanmodel

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Decoding a GenAI messages attribute with encoding/json reads it twice
// (a validating pass, then reflection over the structs) and was the
// largest cost of the processor on chat spans. fastDec decodes messages
// and parts (gMsg, gPart) in one pass to exactly what encoding/json gives
// for them, and gives up where matching it would take more than the
// common layouts need; the caller then decodes with encoding/json, which
// gives its own result or error.
//
// What it matches: every gMsg and gPart field; keys matched as
// encoding/json matches field names (ASCII case-insensitively), the last
// of a key given twice winning; unknown keys skipped with their values'
// grammar checked; null elements and values; a string-typed field holding
// another JSON value read as absent (jsonStr); jsonText values kept as
// their raw text; strings with escapes decoded as encoding/json decodes
// them (\u surrogate pairs, a lone surrogate or invalid UTF-8 replaced by
// U+FFFD), and strings without escapes kept byte for byte as jsonStr and
// jsonText keep them. What it gives up on: invalid JSON of any kind, a key
// with escapes or non-ASCII bytes (Unicode folding could match a field),
// "parts" given twice in a message (encoding/json merges the two arrays),
// parts or a message of another JSON type (a type error), nesting deeper
// than scanMaxDepth. FuzzFastGMsgs checks the decodes against
// encoding/json.
//
// The decoded strings are substrings of the text decoded, the span's
// attribute itself (or their own copy when they had escapes): no
// allocation per string, and none per attribute. A substring keeps the
// whole attribute alive while it is referenced, so decoded strings are
// per-span values: the view holds them until its next Reset, and what
// outlives a span (the signals' memory) keeps hashes and offsets, never
// decoded text. Go strings are immutable and pdata never aliases a
// string to a reused buffer, so the attribute cannot change under them.

// fastDec is the one-pass reader. It reuses the history scanner's grammar
// checks (msgScanner.value) to skip and validate values it does not keep.
type fastDec struct {
	msgScanner
	// parts holds the parts of every message read, in order; a message's
	// Parts is its run of it.
	parts []gPart
	// nonPlain counts role and part-type strings read with escapes or
	// non-ASCII bytes, which the history scanner does not decide
	// (scanDecode gives them up as it does).
	nonPlain int
}

func newFastDec(s string, parts []gPart) fastDec {
	return fastDec{msgScanner: msgScanner{jsonCursor: jsonCursor{s: s}}, parts: parts}
}

// partsScratchCap bounds the parts a reused parts buffer keeps between
// spans (a gPart is about 200 bytes).
const partsScratchCap = 1024

// reuseParts is reuse for a parts buffer, dropping it when it grew past
// partsScratchCap.
func reuseParts(p []gPart, dirty *int) []gPart { return reuseUpTo(p, dirty, partsScratchCap) }

// fastGMsgs appends the messages of the JSON array s to msgs, and their
// parts to parts. ok is false when s is not decoded here; then msgs and
// parts are returned with their new elements zeroed and their lengths
// unchanged.
func fastGMsgs(s string, msgs []gMsg, parts []gPart) (outMsgs []gMsg, outParts []gPart, ok bool) {
	d := newFastDec(s, parts)
	n, np := len(msgs), len(parts)
	d.ws()
	ok = d.eat('[')
	for first := true; ok && d.more(']', first); first = false {
		msgs = append(msgs, gMsg{})
		ok = d.message(&msgs[len(msgs)-1])
	}
	ok = ok && d.end()
	if !ok {
		clear(msgs[n:])
		clear(d.parts[np:])
		return msgs[:n], d.parts[:np], false
	}
	if len(msgs) == n && msgs == nil {
		msgs = []gMsg{} // encoding/json makes an empty array a non-nil slice
	}
	return msgs, d.parts, true
}

// fastGMsg decodes the one message s into m, which is zero, appending its
// parts to parts. ok is false when s is not decoded here; then m is zero
// and parts is returned with its new elements zeroed and its length
// unchanged.
func fastGMsg(s string, m *gMsg, parts []gPart) ([]gPart, bool) {
	d := newFastDec(s, parts)
	n := len(parts)
	d.ws()
	if d.message(m) && d.end() {
		return d.parts, true
	}
	clear(d.parts[n:])
	*m = gMsg{}
	return d.parts[:n], false
}

// fastGParts appends the parts of the JSON array s (system instructions)
// to parts; on false parts is returned with its new elements zeroed and
// its length unchanged.
func fastGParts(s string, parts []gPart) ([]gPart, bool) {
	d := newFastDec(s, parts)
	n := len(parts)
	d.ws()
	ok := d.eat('[')
	for first := true; ok && d.more(']', first); first = false {
		d.parts = append(d.parts, gPart{})
		ok = d.part(&d.parts[len(d.parts)-1])
	}
	if !ok || !d.end() {
		clear(d.parts[n:])
		return d.parts[:n], false
	}
	if len(d.parts) == 0 && d.parts == nil {
		d.parts = []gPart{}
	}
	return d.parts, true
}

// end reports whether only whitespace is left.
func (d *fastDec) end() bool {
	d.ws()
	return !d.bad && d.i == len(d.s)
}

// more steps into the next item of the array or object being read (whose
// opening bracket was read), up to its closing byte: false at the close
// or on a grammar error (then d.bad).
func (d *fastDec) more(close byte, first bool) bool {
	if d.bad {
		return false
	}
	s := d.s
	i := skipWS(s, d.i)
	if i < len(s) && s[i] == close {
		d.i = i + 1
		return false
	}
	if !first {
		if i >= len(s) || s[i] != ',' {
			d.i, d.bad = i, true
			return false
		}
		i = skipWS(s, i+1)
	}
	d.i = i
	return true
}

// key reads an object key and the colon after it. It gives up on a key
// with escapes or non-ASCII bytes: encoding/json matches keys to fields
// after unquoting them and folding Unicode case (the Kelvin sign matches
// k), which only plain ASCII keys make simple.
func (d *fastDec) key() (string, bool) {
	// The key ends at the first byte asciiStop stops at: where skipStr
	// would give a key up (an escape, a control character, a byte from
	// 0x80 up: either not a string or not a plain ASCII key) unless it is
	// the closing quote. So it gives up the same keys, and accepts the
	// same keys with the same text, without skipStr's other cases.
	s := d.s
	if d.i >= len(s) || s[d.i] != '"' {
		d.bad = true
		return "", false
	}
	start := d.i + 1
	j := asciiStop(s, start)
	if j >= len(s) || s[j] != '"' {
		d.bad = true
		return "", false
	}
	k := s[start:j]
	d.i = j + 1
	d.ws()
	if !d.eat(':') {
		d.bad = true
		return "", false
	}
	d.ws()
	return k, true
}

// fieldNames are the JSON names of a struct's fields, lower case and
// distinct under ASCII case folding, with the names each first byte
// starts (a bit per index; at most 16 names).
type fieldNames struct {
	names   []string
	byFirst [256]uint16
	// head is each name's first eight bytes as a word, the closing quote
	// after the name included when it is shorter (head under mask, the
	// bytes it has): a key's first word matches it where the key starts
	// with them, in one compare rather than a call to compare strings.
	head, mask [16]uint64
}

func newFieldNames(names ...string) *fieldNames {
	f := &fieldNames{names: names}
	for i, n := range names {
		f.byFirst[n[0]] |= 1 << i
		q := n + `"`
		for b := 0; b < len(q) && b < 8; b++ {
			f.head[i] |= uint64(q[b]) << (8 * b)
			f.mask[i] |= 0xff << (8 * b)
		}
	}
	return f
}

// member steps to the next member of the object being read (whose '{'
// was read) and reads its key and colon: more('}', first), then key and
// field, in one step on a local index (each is a call, and each stored the
// cursor that the next one loaded at once). idx is the index in f of the
// field the key names, -1 for none; in is false at the closing brace or on
// an error (then d.bad). A key spelt exactly as a field name, as producers
// write them, is matched in place: the bytes after the opening quote are
// the name and a quote, which is the key asciiStop would end there, and
// field gives it that name's index since no other name folds to it
// (compared as words where the text has eight bytes: fieldNames.head).
// Any other key is read by key and matched by field.
func (d *fastDec) member(f *fieldNames, first bool) (idx int, in bool) {
	if d.bad {
		return -1, false
	}
	s := d.s
	i := skipWS(s, d.i)
	if i < len(s) && s[i] == '}' {
		d.i = i + 1
		return -1, false
	}
	if !first {
		if i >= len(s) || s[i] != ',' {
			d.i, d.bad = i, true
			return -1, false
		}
		i = skipWS(s, i+1)
	}
	if start := i + 1; start < len(s) && s[i] == '"' {
		// The key's first eight bytes as a word, where the text has them.
		var w uint64
		words := start+8 <= len(s)
		if words {
			w = binary.LittleEndian.Uint64(viewBytes(s[start : start+8]))
		}
		for m := f.byFirst[s[start]]; m != 0; m &= m - 1 {
			k := bits.TrailingZeros16(m)
			n := f.names[k]
			end := start + len(n)
			switch {
			case !words:
				if end >= len(s) || s[end] != '"' || s[start:end] != n {
					continue
				}
			case w&f.mask[k] != f.head[k]:
				continue
			case len(n) >= 8: // the word held the name's first eight bytes
				if end >= len(s) || s[end] != '"' || s[start+8:end] != n[8:] {
					continue
				}
			}
			j := skipWS(s, end+1)
			if j >= len(s) || s[j] != ':' {
				d.i, d.bad = j, true
				return -1, false
			}
			d.i = skipWS(s, j+1)
			return k, true
		}
	}
	d.i = i
	key, ok := d.key()
	if !ok {
		return -1, false
	}
	return field(key, f.names), true
}

// field returns the index of the name in names that key matches as
// encoding/json matches an ASCII key to a field name, -1 for none.
func field(key string, names []string) int {
	for i, n := range names {
		if asciiEqualFold(key, n) {
			return i
		}
	}
	return -1
}

// strValue reads the string at the cursor as encoding/json gives it.
func (d *fastDec) strValue() (string, bool) {
	if s, ok := d.quickStr(); ok {
		return s, true // no escapes: kept as it is, as below
	}
	start := d.i + 1
	esc, _, ok := d.skipStr()
	if !ok {
		d.bad = true
		return "", false
	}
	raw := d.s[start : d.i-1]
	if !esc {
		// jsonStr and jsonText keep a string without escapes as it is,
		// invalid UTF-8 included.
		return raw, true
	}
	return unquote(raw), true
}

// jsonStr reads the value of a field typed jsonStr: a string, or any
// other value read as absent.
func (d *fastDec) jsonStr(depth int) (jsonStr, bool) {
	if s, ok := d.quickStr(); ok {
		return jsonStr{s}, true // strValue's answer for a plain string
	}
	if d.peek() == '"' {
		s, ok := d.strValue()
		return jsonStr{s}, ok
	}
	d.value(depth)
	return jsonStr{}, !d.bad
}

// plainStr is jsonStr for a role or a part type: a string with escapes or
// non-ASCII bytes is counted in nonPlain.
func (d *fastDec) plainStr(depth int) (jsonStr, bool) {
	if d.peek() != '"' {
		d.value(depth)
		return jsonStr{}, !d.bad
	}
	if s, ok := d.quickStr(); ok {
		return jsonStr{s}, true // plain: not counted, as below
	}
	start := d.i + 1
	esc, ascii, ok := d.skipStr()
	if !ok {
		d.bad = true
		return jsonStr{}, false
	}
	raw := d.s[start : d.i-1]
	if !esc && ascii {
		return jsonStr{raw}, true
	}
	d.nonPlain++
	if !esc {
		return jsonStr{raw}, true
	}
	return jsonStr{unquote(raw)}, true
}

// jsonText reads the value of a field typed jsonText: a string unquoted,
// null as unset, any other value as its raw text.
func (d *fastDec) jsonText(depth int) (jsonText, bool) {
	if s, ok := d.quickStr(); ok {
		return jsonText{s: s, set: true}, true // strValue's answer for a plain string
	}
	switch d.peek() {
	case '"':
		s, ok := d.strValue()
		return jsonText{s: s, set: true}, ok
	case 'n':
		d.literal("null")
		return jsonText{}, !d.bad
	}
	start := d.i
	d.value(depth)
	return jsonText{s: d.s[start:d.i], set: true}, !d.bad
}

var messageKeys = newFieldNames("role", "parts", "finish_reason")

// partField is a gPart field by its JSON name: a jsonStr (str) or a
// jsonText (text) one.
type partField struct {
	name string
	str  func(*gPart) *jsonStr
	text func(*gPart) *jsonText
}

// partFields are gPart's fields (TestPartFields checks them against its
// json tags); partKeys their names.
var (
	partFields = [...]partField{
		{name: "type", str: func(p *gPart) *jsonStr { return &p.Type }},
		{name: "content", text: func(p *gPart) *jsonText { return &p.Content }},
		{name: "id", str: func(p *gPart) *jsonStr { return &p.ID }},
		{name: "name", str: func(p *gPart) *jsonStr { return &p.Name }},
		{name: "arguments", text: func(p *gPart) *jsonText { return &p.Arguments }},
		{name: "response", text: func(p *gPart) *jsonText { return &p.Response }},
		{name: "result", text: func(p *gPart) *jsonText { return &p.Result }},
		{name: "transcript", str: func(p *gPart) *jsonStr { return &p.Transcript }},
		{name: "server_tool_call", text: func(p *gPart) *jsonText { return &p.ServerCall }},
		{name: "server_tool_call_response", text: func(p *gPart) *jsonText { return &p.ServerResp }},
	}
	partKeys = func() *fieldNames {
		var names []string
		for _, f := range partFields {
			names = append(names, f.name)
		}
		return newFieldNames(names...)
	}()
)

// object steps into the object at the cursor: open at its '{'. A null
// holds nothing (ok unless the literal is broken); any other value is a
// type error (ok false).
func (d *fastDec) object() (open, ok bool) {
	switch d.peek() {
	case 'n':
		d.literal("null")
		return false, !d.bad
	case '{':
		d.i++
		return true, true
	}
	return false, false
}

// message reads one message (or null, which leaves m as it is) into m;
// false on a grammar error (then d.bad), a value of another JSON type, or
// where the reader gives up. The depths passed on are msgScanner's, so
// both give up at the same nesting.
func (d *fastDec) message(m *gMsg) bool {
	if open, ok := d.object(); !open {
		return ok
	}
	partsSeen := false
	for first := true; ; first = false {
		i, in := d.member(messageKeys, first)
		if !in {
			break
		}
		var ok bool
		switch i {
		case 0:
			m.Role, ok = d.plainStr(2)
		case 1:
			if partsSeen {
				return false // encoding/json merges the second array into the first
			}
			partsSeen = true
			ok = d.msgParts(m)
		case 2:
			m.FinishReason, ok = d.jsonStr(2)
		default:
			d.value(2)
			ok = !d.bad
		}
		if !ok {
			return false
		}
	}
	return !d.bad
}

// msgParts reads a message's parts into the run of d.parts it appends.
func (d *fastDec) msgParts(m *gMsg) bool {
	switch d.peek() {
	case 'n':
		d.literal("null")
		m.Parts = nil
		return !d.bad
	case '[':
		d.i++
	default:
		return false // a type error
	}
	start := len(d.parts)
	for first := true; d.more(']', first); first = false {
		d.parts = append(d.parts, gPart{})
		if !d.part(&d.parts[len(d.parts)-1]) {
			return false
		}
	}
	if d.bad {
		return false
	}
	if n := len(d.parts); n > start {
		m.Parts = d.parts[start:n:n]
	} else {
		m.Parts = []gPart{} // encoding/json makes an empty array a non-nil slice
	}
	return true
}

// part reads one part (or null, which leaves p as it is) into p.
func (d *fastDec) part(p *gPart) bool {
	if open, ok := d.object(); !open {
		return ok
	}
	for first := true; ; first = false {
		i, in := d.member(partKeys, first)
		if !in {
			break
		}
		var ok bool
		switch {
		case i < 0:
			d.value(4)
			ok = !d.bad
		case i == 0: // type
			p.Type, ok = d.plainStr(4)
		case partFields[i].str != nil:
			*partFields[i].str(p), ok = d.jsonStr(4)
		default:
			*partFields[i].text(p), ok = d.jsonText(4)
		}
		if !ok {
			return false
		}
	}
	return !d.bad
}

// unquote decodes the content of a JSON string with escapes, whose grammar
// was checked, as encoding/json does (unquoteBytes): escapes decoded, a
// \u surrogate pair joined, a lone surrogate and each byte of invalid
// UTF-8 replaced by U+FFFD.
func unquote(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	bs := viewBytes(raw)
	for i := 0; i < len(raw); {
		// Copy the run of plain ASCII and valid UTF-8 up to the next
		// escape or invalid byte in one piece.
		j := i
		for {
			for j+8 <= len(bs) && (runStops(binary.LittleEndian.Uint64(bs[j:]))) == 0 {
				j += 8
			}
			for j < len(raw) && raw[j] != '\\' && raw[j] < utf8.RuneSelf {
				j++
			}
			if j < len(raw) && raw[j] >= utf8.RuneSelf {
				if r, n := utf8.DecodeRuneInString(raw[j:]); r != utf8.RuneError || n > 1 {
					j += n
					continue
				}
			}
			break
		}
		b.WriteString(raw[i:j])
		i = j
		if i == len(raw) {
			break
		}
		c := raw[i]
		if c != '\\' { // invalid UTF-8: one byte replaced
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		switch e := raw[i+1]; e {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r := hex4(raw[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' && isHex4(raw[i+2:i+6]) {
					if dec := utf16.DecodeRune(r, hex4(raw[i+2:i+6])); dec != unicode.ReplacementChar {
						b.WriteRune(dec)
						i += 6
						continue
					}
				}
				r = unicode.ReplacementChar
			}
			b.WriteRune(r)
			continue
		default: // '"', '\\', '/'
			b.WriteByte(e)
		}
		i += 2
	}
	return b.String()
}

// runStops has a high bit set where a byte of w is '\\' or from 0x80 up.
func runStops(w uint64) uint64 {
	bs := w ^ (lsb * '\\')
	return ((bs-lsb)&^bs | w) & msb
}

func isHex4(s string) bool {
	return isHex(s[0]) && isHex(s[1]) && isHex(s[2]) && isHex(s[3])
}

// hex4 is the value of four hex digits.
func hex4(s string) rune {
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
