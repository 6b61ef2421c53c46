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
	d := fastDec{jsonCursor{s: s}}
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

type fastDec struct{ jsonCursor }

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

// members reads an object whose keys are among keys, each at most once,
// calling read with the key's index at its value.
func (d *fastDec) members(keys []string, read func(i int) bool) bool {
	var seen uint8
	return d.object(func(key string) bool {
		for i, k := range keys {
			if k == key && seen&(1<<i) == 0 {
				seen |= 1 << i
				return read(i)
			}
		}
		return false
	})
}

var (
	messageKeys = []string{"role", "finish_reason", "parts"}
	partKeys    = []string{"type", "content", "id", "name"}
)

func (d *fastDec) message(m *gMsg) bool {
	strs := [...]*string{&m.Role.s, &m.FinishReason.s}
	return d.members(messageKeys, func(i int) bool {
		if i == len(strs) {
			return d.parts(m)
		}
		var ok bool
		*strs[i], ok = d.str()
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
		strs := [...]*string{&p.Type.s, &p.Content.s, &p.ID.s, &p.Name.s}
		ok := d.members(partKeys, func(i int) bool {
			var ok bool
			*strs[i], ok = d.str()
			p.Content.set = p.Content.set || i == 1
			return ok
		})
		if ok {
			m.Parts = append(m.Parts, p)
		}
		return ok
	})
}
