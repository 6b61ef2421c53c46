package evaluators

// A tool call's arguments used to be read twice on every span: once to
// check that they are JSON (json.Valid's answer, which tool_call needs
// and which decides whether the checks read them as JSON at all) and once
// to walk their strings (eachArgString). argParser does both in one pass:
// it follows JSON's grammar as json.Valid does, recording the strings as
// the walk gives them, and a text it rejects is recorded as the walk
// records a text that is not JSON. TestArgParseDifferential and
// FuzzArgParse hold it to json.Valid and to the two passes.

// argParser reads one trimmed text that opens with '{' or '['.
type argParser struct {
	t     string
	i     int
	depth int
	w     *argWalk
	// deep is set when the text nests deeper than maxJSONDepth: the
	// parse stops there, undecided (see argWalk.fill).
	deep bool
}

// parse records t's strings in w and reports whether t is one JSON
// value. When it returns false, w holds a prefix of the strings, to be
// dropped, and p.deep says whether the parse was cut short by depth
// rather than by a byte json.Valid rejects.
func (p *argParser) parse() bool {
	if !p.value("") {
		return false
	}
	p.ws()
	return p.i == len(p.t)
}

func (p *argParser) ws() {
	for p.i < len(p.t) {
		switch p.t[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value reads one value; a string is recorded under key, the key its
// object gives it or, in an array, the key the array sits under.
func (p *argParser) value(key string) bool {
	if p.i >= len(p.t) {
		return false
	}
	switch c := p.t[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array(key)
	case c == '"':
		s, ok := p.str()
		if ok {
			p.w.add(key, s)
		}
		return ok
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	}
	return false
}

// open reads the '{' or '[' at p.i and the whitespace after it; empty
// when the container closes right away (its close byte is read too).
func (p *argParser) open(close byte) (empty, ok bool) {
	p.i++
	if p.depth++; p.depth > maxJSONDepth {
		p.deep = true
		return false, false
	}
	p.ws()
	if p.i < len(p.t) && p.t[p.i] == close {
		p.i++
		p.depth--
		return true, true
	}
	return false, true
}

// next reads what follows a member or an element: a ',' (more follow)
// or the container's close byte.
func (p *argParser) next(close byte) (more, ok bool) {
	p.ws()
	switch {
	case p.i >= len(p.t):
		return false, false
	case p.t[p.i] == ',':
		p.i++
		return true, true
	case p.t[p.i] == close:
		p.i++
		p.depth--
		return false, true
	}
	return false, false
}

func (p *argParser) object() bool {
	empty, ok := p.open('}')
	for more := !empty; ok && more; more, ok = p.next('}') {
		p.ws()
		if p.i >= len(p.t) || p.t[p.i] != '"' {
			return false
		}
		key, isStr := p.str()
		if !isStr {
			return false
		}
		p.ws()
		if p.i >= len(p.t) || p.t[p.i] != ':' {
			return false
		}
		p.i++
		p.ws()
		if !p.value(key) {
			return false
		}
	}
	return ok
}

func (p *argParser) array(key string) bool {
	empty, ok := p.open(']')
	for more := !empty; ok && more; more, ok = p.next(']') {
		p.ws()
		if !p.value(key) {
			return false
		}
	}
	return ok
}

// str reads the string literal at p.i: its value as jsonStringAt gives
// it. Control characters and escapes other than JSON's are rejected;
// other bytes, invalid UTF-8 included, are accepted, as json.Valid does.
func (p *argParser) str() (string, bool) {
	t, start := p.t, p.i
	escaped := false
	for j := start + 1; j < len(t); {
		c := t[j]
		if !jsonStrStop[c] {
			j++
			continue
		}
		switch c {
		case '"':
			p.i = j + 1
			if escaped {
				s, _ := jsonStringAt(t, start)
				return s, true
			}
			return t[start+1 : j], true
		case '\\':
			if j+1 >= len(t) {
				return "", false
			}
			escaped = true
			switch t[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(t) || !isHex(t[j+2]) || !isHex(t[j+3]) || !isHex(t[j+4]) || !isHex(t[j+5]) {
					return "", false
				}
				j += 6
			default:
				return "", false
			}
		default: // a control character
			return "", false
		}
	}
	return "", false
}

// jsonStrStop marks the bytes str stops at: the closing quote, a
// backslash and the control characters JSON strings may not hold.
var jsonStrStop = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

func (p *argParser) literal(lit string) bool {
	if len(p.t)-p.i >= len(lit) && p.t[p.i:p.i+len(lit)] == lit {
		p.i += len(lit)
		return true
	}
	return false
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *argParser) number() bool {
	t := p.t
	if t[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i >= len(t):
		return false
	case t[p.i] == '0':
		p.i++
	case '1' <= t[p.i] && t[p.i] <= '9':
		p.digits()
	default:
		return false
	}
	if p.i < len(t) && t[p.i] == '.' {
		p.i++
		if !p.digits() {
			return false
		}
	}
	if p.i < len(t) && (t[p.i] == 'e' || t[p.i] == 'E') {
		p.i++
		if p.i < len(t) && (t[p.i] == '+' || t[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return false
		}
	}
	return true
}

// digits reads one or more digits and reports whether there was one.
func (p *argParser) digits() bool {
	start := p.i
	for p.i < len(p.t) && '0' <= p.t[p.i] && p.t[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}
