package spanmodel

import "strings"

// convo is one decoded side of a conversation (input or output), reused
// across spans. Tool calls and results of all messages live in one buffer
// each; a message's ToolCalls and ToolResults are sub-slices of those.
type convo struct {
	done    bool  // decoded (or found absent) for this span
	present bool  // a source attribute exists
	err     error // decoding failed; names the attribute

	msgs    []Message
	meta    []msgMeta
	calls   []ToolCall
	results []ToolResult

	textDone bool
	text     string
	textOK   bool

	acc    textAcc // the text of the message being decoded
	reason textAcc // the reasoning of the message being decoded

	// dirty is how far msgs, meta, calls and results were filled since
	// the last scrub (see reuse).
	dirty [4]int
}

// textAcc joins the text parts of one message with "\n" in linear time: a
// message of a hundred thousand small parts must not be copied once per
// part. One part is kept as it is, without a copy.
type textAcc struct {
	first string
	b     strings.Builder
	n     int
}

func (a *textAcc) add(s string) {
	switch a.n {
	case 0:
		a.first = s
	case 1:
		a.b.WriteString(a.first)
		fallthrough
	default:
		a.b.WriteByte('\n')
		a.b.WriteString(s)
	}
	a.n++
}

// take returns the joined text and starts over.
func (a *textAcc) take() string {
	var s string
	switch a.n {
	case 0:
	case 1:
		s = a.first
	default:
		s = a.b.String()
	}
	a.first, a.n = "", 0
	a.b = strings.Builder{}
	return s
}

type msgMeta struct {
	c0, r0  int // first tool call / result of the message
	nOther  int // parts that are not text: calls, results, reasoning, media, unknown types
	nReason int // reasoning parts seen, including empty ones
}

// scratchCap bounds the capacity a reused buffer keeps between spans, so one
// huge span does not pin its memory in a pooled View.
const scratchCap = 4096

func (c *convo) reset() {
	if !c.done {
		return
	}
	c.msgs = reuse(c.msgs, &c.dirty[0])
	c.meta = reuse(c.meta, &c.dirty[1])
	c.calls = reuse(c.calls, &c.dirty[2])
	c.results = reuse(c.results, &c.dirty[3])
	c.done, c.present, c.err = false, false, nil
	c.textDone, c.text, c.textOK = false, "", false
	c.acc.take()
	c.reason.take()
}

// restart empties c for the next message decoded alone (inputTail.keep),
// without dropping its buffers: every message, meta, call and result is
// appended whole, so nothing stale is read, and what the message decoded
// is copied out of c before the next one.
func (c *convo) restart() {
	c.msgs, c.meta = reuse(c.msgs, &c.dirty[0]), reuse(c.meta, &c.dirty[1])
	c.calls, c.results = reuse(c.calls, &c.dirty[2]), reuse(c.results, &c.dirty[3])
	c.done, c.present, c.err = true, false, nil
	c.textDone, c.text, c.textOK = false, "", false
	c.acc.take()
	c.reason.take()
}

// scrub drops the references c's buffers keep past their length to the
// content of earlier spans (see reuse).
func (c *convo) scrub() {
	scrub(c.msgs, &c.dirty[0])
	scrub(c.meta, &c.dirty[1])
	scrub(c.calls, &c.dirty[2])
	scrub(c.results, &c.dirty[3])
}

// resetBuf truncates s, dropping references to the previous span's content
// (and the buffer itself when it grew very large).
func resetBuf[T any](s []T) []T {
	if cap(s) > scratchCap {
		return nil
	}
	clear(s)
	return s[:0]
}

// reuse truncates s for the next span without clearing it, noting in
// *dirty how far it was filled (the buffer itself is dropped when it grew
// very large). It is for buffers only ever appended whole elements: what
// is past the length is never read, so clearing it per span, a cost every
// LLM span paid (with a write barrier per pointer while the GC marks),
// only served to drop the references it keeps to earlier spans' content.
// scrub does that once a batch (View.Release) for everything the batch's
// spans filled. encoding/json, which decodes into the elements past a
// slice's length without zeroing them, may decode into such a buffer
// only once they are cleared (the fallbacks of genAIMessages and
// systemInstructions do).
func reuse[T any](s []T, dirty *int) []T { return reuseUpTo(s, dirty, scratchCap) }

// reuseUpTo is reuse dropping a buffer whose capacity exceeds limit.
func reuseUpTo[T any](s []T, dirty *int, limit int) []T {
	if cap(s) > limit {
		*dirty = 0
		return nil
	}
	*dirty = max(*dirty, len(s))
	return s[:0]
}

// scrub clears what s held past its length since the last scrub. *dirty
// never exceeds s's capacity: it notes lengths of the same backing array,
// which only grows (a grown copy holds zeros past the copied length) or
// is dropped with *dirty.
func scrub[T any](s []T, dirty *int) {
	if *dirty > len(s) {
		clear(s[len(s):*dirty])
	}
	*dirty = 0
}

// begin starts a message; false once MaxMessages is reached.
func (c *convo) begin(role string) bool {
	c.endText()
	if len(c.msgs) >= MaxMessages {
		return false
	}
	c.msgs = append(c.msgs, Message{Role: role})
	c.meta = append(c.meta, msgMeta{c0: len(c.calls), r0: len(c.results)})
	return true
}

// addText adds a text part to the current message. Empty parts add
// nothing to Message.Text.
func (c *convo) addText(s string) {
	if s == "" {
		return
	}
	c.acc.add(s)
}

// addReasoning adds a reasoning part to the current message.
func (c *convo) addReasoning(s string) {
	c.meta[len(c.msgs)-1].nReason++
	if s != "" {
		c.reason.add(s)
	}
}

// addOther counts a part of the current message that is not text.
func (c *convo) addOther() { c.meta[len(c.msgs)-1].nOther++ }

// endText sets the current message's Text and Reasoning from its parts.
func (c *convo) endText() {
	if c.acc.n > 0 {
		c.msgs[len(c.msgs)-1].Text = c.acc.take()
	}
	if c.reason.n > 0 {
		c.msgs[len(c.msgs)-1].Reasoning = c.reason.take()
	}
}

// addCall adds a tool call. IDs are trimmed: producers pad them, and a
// call is linked to its result by ID.
func (c *convo) addCall(tc ToolCall) {
	if len(c.calls) < MaxToolCalls {
		tc.ID = strings.TrimSpace(tc.ID)
		c.calls = append(c.calls, tc)
	}
}

func (c *convo) addResult(r ToolResult) {
	if len(c.results) < MaxToolCalls {
		r.ID = strings.TrimSpace(r.ID)
		c.results = append(c.results, r)
	}
}

func (c *convo) setFinish(s string) { c.msgs[len(c.msgs)-1].FinishReason = s }

// seal points each message at its tool calls and results once the buffers
// stopped growing. Messages without any keep nil slices.
func (c *convo) seal() {
	c.endText()
	for i := range c.msgs {
		c1, r1 := len(c.calls), len(c.results)
		if i+1 < len(c.meta) {
			c1, r1 = c.meta[i+1].c0, c.meta[i+1].r0
		}
		m, meta := &c.msgs[i], c.meta[i]
		if c1 > meta.c0 {
			m.ToolCalls = c.calls[meta.c0:c1:c1]
		}
		if r1 > meta.r0 {
			m.ToolResults = c.results[meta.r0:r1:r1]
		}
	}
}

// isSystemRole reports roles whose text is system text.
func isSystemRole(role string) bool { return role == "system" || role == "developer" }

// Text selections of a conversation.
const (
	selAll    = iota // every message (output)
	selUser          // input text: not system, developer or tool messages
	selSystem        // system and developer messages
)

// joinText joins the non-empty Text of the selected messages with "\n".
// nOther counts what the selection left out or what is not text (tool
// calls, tool results, reasoning, media and unknown parts, excluded
// messages).
func (c *convo) joinText(sel int) (text string, nOther int) {
	var first string
	n, size := 0, 0
	for i := range c.msgs {
		m := &c.msgs[i]
		if !selects(sel, m.Role) {
			nOther++
			continue
		}
		nOther += len(m.ToolCalls) + len(m.ToolResults) + c.meta[i].nOther
		if m.Text == "" {
			continue
		}
		if n == 0 {
			first = m.Text
		}
		n++
		size += len(m.Text) + 1
	}
	if n <= 1 {
		return first, nOther
	}
	var b strings.Builder
	b.Grow(size)
	for i := range c.msgs {
		m := &c.msgs[i]
		if m.Text == "" || !selects(sel, m.Role) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(m.Text)
	}
	return b.String(), nOther
}

func selects(sel int, role string) bool {
	switch sel {
	case selUser:
		return !isSystemRole(role) && role != "tool"
	case selSystem:
		return isSystemRole(role)
	}
	return true
}

// reasoning joins the non-empty reasoning of every message with "\n"; ok
// when some message has a reasoning part.
func (c *convo) reasoning() (text string, ok bool) {
	parts := 0
	for i := range c.meta {
		parts += c.meta[i].nReason
	}
	if parts == 0 {
		return "", false
	}
	var b strings.Builder
	for i := range c.msgs {
		if r := c.msgs[i].Reasoning; r != "" {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(r)
		}
	}
	return b.String(), true
}

// trailingResults calls fn with the tool results of msgs after the last
// assistant message: what the model reacts to in this call. Each result is new in
// exactly one call of a conversation, so a check of them reports it once,
// not on every later call that resends the history. A tool message without
// result parts counts with its text.
func trailingResults(msgs []Message, fn func(text string)) {
	start := 0
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "assistant" {
			start = i + 1
			break
		}
	}
	for i := start; i < len(msgs); i++ {
		m := &msgs[i]
		for _, r := range m.ToolResults {
			fn(r.Content)
		}
		if m.Role == "tool" && len(m.ToolResults) == 0 {
			fn(m.Text)
		}
	}
}
