package spanmodel

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Reading only what is new in a long input history. Agents resend their
// whole conversation on every model call, so a reader that needs only the
// latest turn (the signals, the tool results a model reacts to) must not pay
// for decoding every earlier turn again. scanMessages makes one structural
// pass over a GenAI messages JSON string: it validates it, finds where each
// top-level message starts and ends and reads its role, without decoding any
// content. The tail readers then decode only the messages they need.
//
// The scan is at least as strict as the full decode (encoding/json into
// []gMsg): whatever it accepts, the full decode accepts with the same
// messages. Where it is unsure (a key with escapes or non-ASCII bytes, deep
// nesting, a role with escapes, more messages or parts than the limits keep)
// it says so, and the reader falls back to the full decode, which then
// reports the same error or result it always did.

// msgSpan is one top-level element of a messages array.
type msgSpan struct {
	start, end int    // byte range of the element in the attribute
	role       string // the role as the full decode reads it ("" if none)
	// parts and calls are the scan's counts before the element (for a
	// mark there).
	parts, calls int
}

// scanMaxDepth bounds the nesting the scan follows; deeper content falls
// back to the full decode (encoding/json's own limit is 10000).
const scanMaxDepth = 128

type msgScanner struct {
	jsonCursor
	parts int // part elements seen, all messages
	calls int // tool_call and server_tool_call parts, all messages
	bad   bool
	deep  bool // bad because a value nests deeper than scanMaxDepth
}

// scanFrom scans s from mark on, appending one msgSpan per message to
// dst; ok is false when the full decode must be used instead. It goes on
// as the scan of the whole of s goes on from there: the zero mark is the start of s; any other is the start of
// an element, with the counts of what came before (the elements, parts and
// calls the limits count). dst gets the elements from the mark on; calls
// counts those before the mark too.
func scanFrom(s string, mark InputMark, dst []msgSpan) (elems []msgSpan, calls int, ok bool) {
	if len(s) > MaxContentBytes {
		return dst, 0, false
	}
	sc := msgScanner{jsonCursor: jsonCursor{s: s}, parts: mark.Parts, calls: mark.Calls}
	if mark.Offset == 0 {
		sc.ws()
		if !sc.eat('[') {
			return dst, 0, false
		}
		sc.ws()
		if sc.eat(']') {
			sc.ws()
			return dst, sc.calls, sc.i == len(s)
		}
	} else if mark.Offset >= len(s) || mark.Elem < 0 {
		return dst, 0, false
	} else {
		sc.i = mark.Offset
	}
	for !sc.bad {
		sc.ws()
		start := sc.i
		parts, calls := sc.parts, sc.calls
		role := ""
		switch sc.peek() {
		case 'n':
			sc.literal("null")
		case '{':
			role = sc.message()
		default:
			return dst, 0, false
		}
		if sc.bad {
			return dst, 0, false
		}
		dst = append(dst, msgSpan{start: start, end: sc.i, role: role, parts: parts, calls: calls})
		if mark.Elem+len(dst) > MaxMessages || sc.parts > MaxToolCalls {
			return dst, 0, false
		}
		sc.ws()
		if sc.eat(']') {
			sc.ws()
			return dst, sc.calls, sc.i == len(s)
		}
		if !sc.eat(',') {
			return dst, 0, false
		}
	}
	return dst, 0, false
}

// scanDecode is scanFrom that also decodes every element it passes with
// the one-pass reader, in the same pass, appending the messages to msgs
// and their parts to parts: InputFrom needs both, and a scan followed by a
// decode of each element reads every byte twice. It gives the same
// elements and calls as scanFrom, or gives up (done false, the slices
// returned with their lengths unchanged) and scanFrom must answer: where
// the reader gives up on an element (it then would in decodeElem too),
// where the scan would not decide (a role or part type with escapes or
// non-ASCII bytes: fastDec.nonPlain), on anything scanFrom refuses, and
// past maxElems elements. Each message is what fastGMsg gives for the
// element alone (the same reader on the same bytes). FuzzScanDecode checks
// it against scanFrom and fastGMsg.
func scanDecode(s string, mark InputMark, maxElems int, dst []msgSpan, msgs []gMsg, parts []gPart) (elems []msgSpan, calls int, outMsgs []gMsg, outParts []gPart, done bool) {
	n, nm, np := len(dst), len(msgs), len(parts)
	d := newFastDec(s, parts)
	giveUp := func() ([]msgSpan, int, []gMsg, []gPart, bool) {
		clear(msgs[nm:])
		clear(d.parts[np:])
		return dst[:n], 0, msgs[:nm], d.parts[:np], false
	}
	if len(s) > MaxContentBytes {
		return giveUp()
	}
	nParts, nCalls := mark.Parts, mark.Calls
	// closed answers once the array is closed: only whitespace may follow.
	closed := func() ([]msgSpan, int, []gMsg, []gPart, bool) {
		if !d.end() {
			return giveUp()
		}
		return dst, nCalls, msgs, d.parts, true
	}
	if mark.Offset == 0 {
		d.ws()
		if !d.eat('[') {
			return giveUp()
		}
		d.ws()
		if d.eat(']') {
			return closed()
		}
	} else if mark.Offset >= len(s) || mark.Elem < 0 {
		return giveUp()
	} else {
		d.i = mark.Offset
	}
	for {
		d.ws()
		start := d.i
		if c := d.peek(); c != '{' && c != 'n' {
			return giveUp()
		}
		msgs = append(msgs, gMsg{})
		m := &msgs[len(msgs)-1]
		if !d.message(m) || d.bad || d.nonPlain > 0 {
			return giveUp()
		}
		dst = append(dst, msgSpan{start: start, end: d.i, role: m.Role.s, parts: nParts, calls: nCalls})
		nParts += len(m.Parts)
		for i := range m.Parts {
			switch m.Parts[i].Type.s {
			case "tool_call", "server_tool_call":
				nCalls++
			}
		}
		if len(dst)-n > maxElems || mark.Elem+len(dst)-n > MaxMessages || nParts > MaxToolCalls {
			return giveUp()
		}
		d.ws()
		if d.eat(']') {
			return closed()
		}
		if !d.eat(',') {
			return giveUp()
		}
	}
}

// ValidJSON reports whether s is one JSON value by encoding/json's
// grammar, as json.Valid does, in one pass of the history scanner's
// checks. decided is false when s nests deeper than scanMaxDepth, which
// json.Valid allows; json.Valid must then answer.
func ValidJSON(s string) (valid, decided bool) {
	sc := msgScanner{jsonCursor: jsonCursor{s: s}}
	sc.ws()
	sc.value(0)
	sc.ws()
	if sc.deep {
		return false, false
	}
	return !sc.bad && sc.i == len(s), true
}

func (sc *msgScanner) expect(c byte) {
	if !sc.eat(c) {
		sc.bad = true
	}
}

func (sc *msgScanner) literal(lit string) {
	if len(sc.s)-sc.i >= len(lit) && sc.s[sc.i:sc.i+len(lit)] == lit {
		sc.i += len(lit)
		return
	}
	sc.bad = true
}

// message scans one message object and returns its role: the last "role"
// key's value when it is a string, as jsonStr reads it. Keys are matched as
// encoding/json matches field names, case-insensitively; a key with escapes
// or non-ASCII bytes (which Unicode folding could match) is not decided here.
func (sc *msgScanner) message() (role string) {
	sc.i++ // '{'
	sc.ws()
	if sc.eat('}') {
		return ""
	}
	for !sc.bad {
		sc.ws()
		key, plain := sc.str()
		if sc.bad {
			return ""
		}
		if !plain {
			sc.bad = true
			return ""
		}
		sc.ws()
		sc.expect(':')
		sc.ws()
		switch {
		case asciiEqualFold(key, "role"):
			if sc.peek() == '"' {
				r, plain := sc.str()
				if !plain {
					sc.bad = true
					return ""
				}
				role = r
			} else {
				role = ""
				sc.value(2)
			}
		case asciiEqualFold(key, "parts"):
			sc.partsValue()
		default:
			sc.value(2)
		}
		sc.ws()
		if sc.eat('}') {
			return role
		}
		sc.expect(',')
	}
	return ""
}

// partsValue scans a message's parts: null or an array of objects (or
// nulls), the shapes []gPart decodes.
func (sc *msgScanner) partsValue() {
	switch sc.peek() {
	case 'n':
		sc.literal("null")
		return
	case '[':
	default:
		sc.bad = true
		return
	}
	sc.list(']', func() {
		switch sc.peek() {
		case 'n':
			sc.literal("null")
		case '{':
			switch sc.part() {
			case "tool_call", "server_tool_call":
				sc.calls++
			}
		default:
			sc.bad = true
		}
		sc.parts++
	})
}

// list scans the comma-separated items of an object or array at sc.i (its
// opening bracket) up to its closing byte; item scans one.
func (sc *msgScanner) list(closing byte, item func()) {
	for more := sc.open(closing); more; more = sc.next(closing) {
		sc.ws()
		item()
	}
}

// open steps into the object or array at sc.i (its opening bracket): false
// when it closes at once or the scan has failed.
func (sc *msgScanner) open(closing byte) bool {
	sc.i++
	sc.ws()
	return !sc.eat(closing) && !sc.bad
}

// next steps past the comma after an item: false at the closing byte or
// when the scan has failed.
func (sc *msgScanner) next(closing byte) bool {
	sc.ws()
	if sc.eat(closing) {
		return false
	}
	sc.expect(',')
	return !sc.bad
}

// part scans one part object and returns its type as gPart reads it: the
// last "type" key's value when it is a string.
func (sc *msgScanner) part() (typ string) {
	sc.list('}', func() {
		key, plain := sc.str()
		if sc.bad || !plain {
			sc.bad = true
			return
		}
		sc.ws()
		sc.expect(':')
		sc.ws()
		if !asciiEqualFold(key, "type") {
			sc.value(4)
			return
		}
		typ = ""
		if sc.peek() != '"' {
			sc.value(4)
			return
		}
		t, plain := sc.str()
		if !plain {
			sc.bad = true
		}
		typ = t
	})
	return typ
}

// value skips any JSON value, checking its grammar. skipValue does it on
// a local index; where it fails (invalid or too deeply nested JSON, rare)
// scanValue does it again, giving the state (the position, bad, deep) it
// always gave.
func (sc *msgScanner) value(depth int) {
	if j, ok := skipValue(sc.s, sc.i, depth); ok {
		sc.i = j
		return
	}
	sc.scanValue(depth)
}

// scanValue is value step by step on the cursor.
func (sc *msgScanner) scanValue(depth int) {
	if depth > scanMaxDepth {
		sc.bad, sc.deep = true, true
		return
	}
	switch c := sc.peek(); {
	case c == '"':
		sc.str()
	case c == '{':
		sc.container(depth, '}')
	case c == '[':
		sc.container(depth, ']')
	case c == 't':
		sc.literal("true")
	case c == 'f':
		sc.literal("false")
	case c == 'n':
		sc.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		sc.number()
	default:
		sc.bad = true
	}
}

// container skips the object or array at sc.i (its opening bracket) up
// to its closing byte, checking its grammar: list with the item written
// out, since arguments and responses are mostly objects and a call
// through a closure per member showed in profiles.
func (sc *msgScanner) container(depth int, closing byte) {
	for more := sc.open(closing); more; more = sc.next(closing) {
		sc.ws()
		if closing == '}' { // a member: its key and colon first
			if sc.peek() != '"' {
				sc.bad = true
				return
			}
			sc.str()
			sc.ws()
			sc.expect(':')
			sc.ws()
		}
		sc.scanValue(depth + 1)
	}
}

func (sc *msgScanner) digits() int {
	n := 0
	for sc.i < len(sc.s) && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9' {
		sc.i++
		n++
	}
	return n
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (sc *msgScanner) number() {
	sc.eat('-')
	switch {
	case sc.eat('0'):
	case sc.peek() >= '1' && sc.peek() <= '9':
		sc.digits()
	default:
		sc.bad = true
		return
	}
	if sc.eat('.') && sc.digits() == 0 {
		sc.bad = true
		return
	}
	if sc.eat('e') || sc.eat('E') {
		if !sc.eat('+') {
			sc.eat('-')
		}
		if sc.digits() == 0 {
			sc.bad = true
		}
	}
}

// str scans a string at sc.i and returns its raw content. plain is false
// when it has escapes or non-ASCII bytes (then content is not its value).
func (sc *msgScanner) str() (content string, plain bool) {
	if s, ok := sc.quickStr(); ok {
		return s, true
	}
	start := sc.i + 1
	esc, ascii, ok := sc.skipStr()
	if !ok {
		sc.bad = true
		return "", false
	}
	return sc.s[start : sc.i-1], !esc && ascii
}

// asciiEqualFold reports whether the ASCII key equals name (lower case)
// ignoring case.
func asciiEqualFold(key, name string) bool {
	if len(key) != len(name) {
		return false
	}
	if key == name {
		return true // the common case, in one compare
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// inputTail is the tail reader's per-span state.
type inputTail struct {
	// clean: nothing changed since the last reset (every method that
	// changes the tail clears it first: scanInputDecoding, ResumeInput,
	// decodeElem). The zero inputTail is not clean: its first reset sets
	// the fields whose reset value is not zero.
	clean bool

	scanned  bool
	ok       bool      // the scan succeeded: the tail can be decoded alone
	resume   InputMark // where the scan is to start (ResumeInput)
	base     InputMark // where it started: elems are those from base on
	elems    []msgSpan // from base on
	users    int       // messages with role user, all messages
	calls    int       // tool calls, all messages
	lastAsst int       // index in elems of the last assistant message, -1 if none

	start int       // first decoded element; -1 before any
	rev   []Message // the decoded tail, newest first
	msgs  []Message // the decoded tail in order: messages from start on
	one   convo     // decodes one element
	msg   gMsg
	parts []gPart // msg's parts when read by fastGMsg
	// keptCalls and keptResults hold the tool calls and results of the messages
	// decoded one by one (decodeElem), appended for the whole span: a
	// message's ToolCalls and ToolResults are full-capacity sub-slices, so
	// growing the buffer never changes a message already handed out.
	keptCalls   []ToolCall
	keptResults []ToolResult

	// pre holds the elements from base on as scanDecode decoded them
	// (InputFrom), preParts their parts; nil when the scan did not decode.
	pre      []gMsg
	preParts []gPart

	fromElems []InputElem // InputFrom's elements

	resultsDone bool // Text(tool_result) of a chat span, joined once
	resultsText string
	resultsOK   bool

	// dirty is how far elems, rev, msgs, fromElems, keptCalls,
	// keptResults, pre, preParts and parts were filled since the last
	// scrub (see reuse). encoding/json never decodes into pre, preParts
	// (scanDecode fills them) or parts (decodeElem decodes into a zero
	// msg, whose parts it then allocates).
	dirty [9]int
}

// The buffers of inputTail.dirty.
const (
	dirtyElems = iota
	dirtyRev
	dirtyMsgs
	dirtyFromElems
	dirtyKeptCalls
	dirtyKeptResults
	dirtyPre
	dirtyPreParts
	dirtyParts
)

// scrub drops the references the tail's buffers keep past their length
// to the content of earlier spans (see reuse).
func (t *inputTail) scrub() {
	scrub(t.elems, &t.dirty[dirtyElems])
	scrub(t.rev, &t.dirty[dirtyRev])
	scrub(t.msgs, &t.dirty[dirtyMsgs])
	scrub(t.fromElems, &t.dirty[dirtyFromElems])
	scrub(t.keptCalls, &t.dirty[dirtyKeptCalls])
	scrub(t.keptResults, &t.dirty[dirtyKeptResults])
	scrub(t.pre, &t.dirty[dirtyPre])
	scrub(t.preParts, &t.dirty[dirtyPreParts])
	scrub(t.parts, &t.dirty[dirtyParts])
	t.one.scrub()
}

func (t *inputTail) reset() {
	// Most spans never read their input's tail (tool, HTTP and agent
	// spans): one whose tail nothing touched since the last reset is in
	// the state reset leaves, and resetting it again changes nothing.
	if t.clean {
		return
	}
	t.clean = true
	t.resume = InputMark{}
	t.rescan()
	t.fromElems = reuse(t.fromElems, &t.dirty[dirtyFromElems])
	t.one.reset()
	t.msg, t.parts = gMsg{}, reuseParts(t.parts, &t.dirty[dirtyParts])
	t.keptCalls = reuse(t.keptCalls, &t.dirty[dirtyKeptCalls])
	t.keptResults = reuse(t.keptResults, &t.dirty[dirtyKeptResults])
	t.resultsDone, t.resultsText, t.resultsOK = false, "", false
}

// InputJSON returns gen_ai.input.messages when it is a JSON string and the
// source the input is decoded from (decodeInput's first choice after a
// custom layout's own input): the one input the scan reads.
func (v *View) InputJSON() (string, bool) {
	if v.layout == LayoutCustom && v.custom.has(v, cInput) {
		return "", false
	}
	if !v.has.has(kInMsgs) || v.vals[kInMsgs].Type() != pcommon.ValueTypeStr {
		return "", false
	}
	return v.vals[kInMsgs].Str(), true
}

// rescan forgets the scan and what was decoded from it (not the resume
// mark).
func (t *inputTail) rescan() {
	t.scanned, t.ok, t.base = false, false, InputMark{}
	t.elems = reuse(t.elems, &t.dirty[dirtyElems])
	t.users, t.calls, t.lastAsst, t.start = 0, 0, -1, -1
	t.rev, t.msgs = reuse(t.rev, &t.dirty[dirtyRev]), reuse(t.msgs, &t.dirty[dirtyMsgs])
	t.pre, t.preParts = reuse(t.pre, &t.dirty[dirtyPre]), reuseParts(t.preParts, &t.dirty[dirtyPreParts])
}

// scanInput scans gen_ai.input.messages once per span, from the resume
// mark when there is one. It succeeds only for the GenAI JSON-string
// layout; every other source is read in full.
func (v *View) scanInput() *inputTail { return v.scanInputDecoding(false) }

// scanInputDecoding is scanInput that, when decode is set, also decodes
// the elements in the same pass where it can (scanDecode): for InputFrom,
// which decodes every element from the mark on.
func (v *View) scanInputDecoding(decode bool) *inputTail {
	t := &v.tail
	t.clean = false
	if t.scanned {
		return t
	}
	t.scanned, t.users, t.lastAsst, t.start = true, 0, -1, -1
	s, ok := v.InputJSON()
	if !ok {
		return t
	}
	t.base = t.resume
	if t.base.Offset > len(s) {
		t.base = InputMark{}
	}
	t.scan(s, decode)
	if t.base.Offset > 0 && (!t.ok || len(t.elems) == 0 || t.elems[0].role != "assistant") {
		// Resumed, the input must go on with an assistant message at
		// the mark (then the results after the last assistant message
		// are all after the mark); else it is read from its start.
		t.base = InputMark{}
		t.scan(s, decode)
	}
	if !t.ok {
		return t
	}
	t.users = t.base.Users
	for i := range t.elems {
		switch t.elems[i].role {
		case "user":
			t.users++
		case "assistant":
			t.lastAsst = i
		}
	}
	return t
}

// scanDecodeFromStart bounds the inputs read from their start that the
// scan decodes: a longer one likely has more than wholeDecodeFrom elements
// (InputFrom then decodes it in one piece), and the elements scanDecode
// decoded before giving up would be decoded twice.
const scanDecodeFromStart = 8 << 10

// scan scans s from t.base, decoding the elements too when decode is set
// and scanDecode can; an input read from its start is decoded in the same
// pass only when short, up to wholeDecodeFrom elements (InputFrom decodes
// a longer one in one piece).
func (t *inputTail) scan(s string, decode bool) {
	t.pre, t.preParts = reuse(t.pre, &t.dirty[dirtyPre]), reuseParts(t.preParts, &t.dirty[dirtyPreParts])
	limit := MaxMessages
	if t.base.Elem == 0 {
		limit = wholeDecodeFrom
		decode = decode && len(s) <= scanDecodeFromStart
	}
	if decode {
		var done bool
		t.elems, t.calls, t.pre, t.preParts, done = scanDecode(s, t.base, limit, reuse(t.elems, &t.dirty[dirtyElems]), t.pre, t.preParts)
		if done {
			t.ok = true
			return
		}
	}
	t.elems, t.calls, t.ok = scanFrom(s, t.base, reuse(t.elems, &t.dirty[dirtyElems]))
}

// decodeTail extends the decoded tail back to element start, if it does
// not reach there yet, decoding each element once: a message is decoded on
// its own into t.one, like the full decode does it in the array, and kept
// with its own calls and results.
func (v *View) decodeTail(t *inputTail, start int) error {
	if t.start >= 0 && t.start <= start {
		return nil // decoded already: t.msgs holds it
	}
	s := v.vals[kInMsgs].Str()
	from := len(t.elems)
	if t.start >= 0 {
		from = t.start
	}
	for i := from - 1; i >= start; i-- {
		var m Message
		if len(t.pre) == len(t.elems) {
			m = t.keep(&t.pre[i]) // decoded by the scan
		} else {
			var err error
			if m, err = t.decodeElem(s, t.elems[i].start, t.elems[i].end); err != nil {
				return err
			}
		}
		t.rev = append(t.rev, m)
	}
	t.msgs = reuse(t.msgs, &t.dirty[dirtyMsgs])
	for i := len(t.rev) - 1; i >= 0; i-- {
		t.msgs = append(t.msgs, t.rev[i])
	}
	t.start = start // not counted in v.decodes: each element is decoded once
	return nil
}

// tailFrom is the decoded tail from element start on, which must have been
// decoded (decodeTail): t.msgs holds the messages from t.start on, and
// t.start only moves back (InputFrom decodes from 0 on, and a reader of a
// shorter tail later gets the end of it).
func (t *inputTail) tailFrom(start int) []Message {
	return t.msgs[start-t.start:]
}

// decodeElem decodes the element at s[start:end] on its own, as the full
// decode does it in the array, with its own calls and results.
func (t *inputTail) decodeElem(s string, start, end int) (Message, error) {
	t.clean = false
	t.msg = gMsg{}
	var fast bool
	if t.parts, fast = fastGMsg(s[start:end], &t.msg, reuseParts(t.parts, &t.dirty[dirtyParts])); !fast {
		if err := unmarshalContent(keyDefs[kInMsgs].name, s[start:end], &t.msg); err != nil {
			return Message{}, err
		}
	}
	return t.keep(&t.msg), nil
}

// keep makes the decoded element g a Message of its own, as the full
// decode makes it in the array.
func (t *inputTail) keep(g *gMsg) Message {
	t.one.restart()
	t.one.addGenAIMsg(g)
	t.one.seal()
	m := t.one.msgs[0]
	// t.one's buffers are reused by the next element: keep the message's
	// calls and results in the span's own buffers (one allocation per
	// growth, not one per message). seal leaves nil for none.
	if len(m.ToolCalls) > 0 {
		t.keptCalls, m.ToolCalls = appendKept(t.keptCalls, m.ToolCalls)
	}
	if len(m.ToolResults) > 0 {
		t.keptResults, m.ToolResults = appendKept(t.keptResults, m.ToolResults)
	}
	return m
}

// appendKept appends items to buf and returns buf and the full-capacity
// sub-slice holding them: appending to the sub-slice copies it rather than
// overwriting what buf holds after it.
func appendKept[T any](buf, items []T) (_, kept []T) {
	n := len(buf)
	buf = append(buf, items...)
	return buf, buf[n:len(buf):len(buf)]
}

// InputTail returns a suffix of the input messages (those InputMessages
// returns), as short as enough allows: it reads back from the last
// assistant message, then twice as far each time enough reports the
// suffix it is given insufficient, up to the whole input. The suffix is
// exactly the tail of the full decode, and its error is the full decode's.
// A GenAI JSON-string input is scanned once and only the suffix decoded;
// other layouts are decoded in full. enough may be nil (the messages after
// the last assistant message and that message). The slice is valid until
// the next Reset or InputTail call.
func (v *View) InputTail(enough func(tail []Message) bool) ([]Message, error) {
	t := v.scanInput()
	if !t.ok {
		msgs, err := v.InputMessages()
		if err != nil {
			return nil, err
		}
		return fullTail(msgs, enough), nil
	}
	n := len(t.elems)
	start := max(t.lastAsst, 0)
	for {
		if t.start < 0 || start < t.start {
			if err := v.decodeTail(t, start); err != nil {
				// The scan accepted what the decoder refused: let the
				// full decode give its own answer.
				t.ok = false
				return v.InputTail(enough)
			}
		}
		tail := t.tailFrom(start)
		if enough == nil || enough(tail) {
			return tail, nil
		}
		if start == 0 {
			if t.base.Elem == 0 {
				return tail, nil
			}
			// The tail reaches back before the resume mark: read the
			// input from its start.
			t.resume = InputMark{}
			t.rescan()
			return v.InputTail(enough)
		}
		start = max(n-2*(n-start), 0)
	}
}

// fullTail is InputTail's suffix of fully decoded messages, grown the same way.
func fullTail(msgs []Message, enough func([]Message) bool) []Message {
	n := len(msgs)
	start := 0
	for i := n - 1; i >= 0; i-- {
		if msgs[i].Role == "assistant" {
			start = i
			break
		}
	}
	for start > 0 && enough != nil && !enough(msgs[start:]) {
		start = max(n-2*(n-start), 0)
	}
	return msgs[start:]
}

// InputCounts counts the input messages whose role is user and the tool
// calls of all input messages, as InputMessages has them, reading only
// roles and part types when the input is a GenAI JSON string.
func (v *View) InputCounts() (users, calls int, err error) {
	if t := v.scanInput(); t.ok {
		return t.users, t.calls, nil
	}
	msgs, err := v.InputMessages()
	for i := range msgs {
		if msgs[i].Role == "user" {
			users++
		}
		calls += len(msgs[i].ToolCalls)
	}
	return users, calls, err
}
