package spanmodel

import "strings"

// Decoding a GenAI messages attribute with encoding/json reads it twice
// (a validating pass, then reflection over the structs) and was half of
// the processor's time on chat spans with 2 KB answers. Most attributes
// have one plain shape: an array of messages holding role, parts and
// finish_reason, parts holding type and content, every value a string
// without escapes. fastGMsgs decodes exactly that shape in one pass and
// gives up on anything else (escapes, other keys or value types, keys
// spelt in other cases, a key twice, invalid JSON), which then goes to
// encoding/json as before. Where it succeeds the result is the one
// encoding/json gives (FuzzFastGMsgs).

// fastGMsgs appends the messages of s to msgs. ok is false when s is not
// of the plain shape; then msgs is returned with its new elements zeroed
// and its length unchanged.
func fastGMsgs(s string, msgs []gMsg) (out []gMsg, ok bool) {
	d := fastDec{s: s}
	n := len(msgs)
	out = msgs
	d.ws()
	ok = d.eat('[') && d.list(']', func() bool {
		var m gMsg
		if !d.message(&m) {
			return false
		}
		out = append(out, m)
		return true
	})
	d.ws()
	if !ok || d.i != len(s) {
		clear(out[n:])
		return out[:n], false
	}
	return out, true
}

type fastDec struct {
	s string
	i int
}

func (d *fastDec) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *fastDec) eat(c byte) bool {
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

// str reads a string without escapes or control characters and returns a
// copy of its bytes, as jsonStr and jsonText keep such a string.
func (d *fastDec) str() (string, bool) {
	if !d.eat('"') {
		return "", false
	}
	start := d.i
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			v := strings.Clone(d.s[start:d.i])
			d.i++
			return v, true
		case c == '\\' || c < 0x20:
			return "", false
		}
		d.i++
	}
	return "", false
}

// list reads the items of an array or object whose opening bracket was
// read, separated by commas, up to close; item reports false to give up.
func (d *fastDec) list(close byte, item func() bool) bool {
	d.ws()
	if d.eat(close) {
		return true
	}
	for {
		if !item() {
			return false
		}
		d.ws()
		if d.eat(close) {
			return true
		}
		if !d.eat(',') {
			return false
		}
		d.ws()
	}
}

// object reads {"key": value, ...}, calling member at each value; member
// reports false to give up (an unknown key, a key twice).
func (d *fastDec) object(member func(key string) bool) bool {
	return d.eat('{') && d.list('}', func() bool {
		key, ok := d.str()
		if !ok {
			return false
		}
		d.ws()
		if !d.eat(':') {
			return false
		}
		d.ws()
		return member(key)
	})
}

// once reports whether key (one of keys) is seen for the first time in
// an object, recording it in seen.
func once(seen *uint8, key string, keys ...string) bool {
	for i, k := range keys {
		if k == key {
			if *seen&(1<<i) != 0 {
				return false
			}
			*seen |= 1 << i
			return true
		}
	}
	return false
}

func (d *fastDec) message(m *gMsg) bool {
	var seen uint8
	return d.object(func(key string) bool {
		if !once(&seen, key, "role", "finish_reason", "parts") {
			return false
		}
		var ok bool
		switch key {
		case "role":
			m.Role.s, ok = d.str()
		case "finish_reason":
			m.FinishReason.s, ok = d.str()
		case "parts":
			ok = d.parts(m)
		}
		return ok
	})
}

func (d *fastDec) parts(m *gMsg) bool {
	if !d.eat('[') {
		return false
	}
	m.Parts = []gPart{} // encoding/json makes an empty array a non-nil slice
	return d.list(']', func() bool {
		var p gPart
		var seen uint8
		ok := d.object(func(key string) bool {
			if !once(&seen, key, "type", "content", "id", "name") {
				return false
			}
			var ok bool
			switch key {
			case "type":
				p.Type.s, ok = d.str()
			case "content":
				p.Content.s, ok = d.str()
				p.Content.set = true
			case "id":
				p.ID.s, ok = d.str()
			case "name":
				p.Name.s, ok = d.str()
			}
			return ok
		})
		if ok {
			m.Parts = append(m.Parts, p)
		}
		return ok
	})
}
