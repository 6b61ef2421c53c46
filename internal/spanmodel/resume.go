package spanmodel

// Reading an input history from where an earlier span of the same
// conversation left it. An agent's next model call resends the history it
// sent last time plus a few new messages; a reader that remembers where it
// stopped (an InputMark, and a hash of the bytes before it to prove they are
// unchanged) scans and decodes only from there. The scan resumed at a mark
// goes on exactly as the scan of the whole input would have gone on from
// there, because everything it carries from before the mark (the counts the
// limits use) is in the mark and the bytes before it are the same.

// InputMark is a place in gen_ai.input.messages where reading can resume:
// the start of element Elem at byte Offset, with the counts of what comes
// before it. The zero mark is the start of the input.
type InputMark struct {
	Offset int // byte offset of the element's first byte; 0: the input's start
	Elem   int // elements before it
	Parts  int // part elements before it
	Calls  int // tool_call and server_tool_call parts before it
	Users  int // messages with role user before it
}

// InputElem is one input message read from a mark on: where it starts,
// with the counts before it, and where it ends (exclusive).
type InputElem struct {
	Mark InputMark
	End  int
}

// ResumeInput tells the view that the bytes of InputJSON before
// mark.Offset are those of an earlier input the mark was taken from (the
// caller proves it, by a hash of them kept with the mark), so that the
// input's scan starts at the mark. It must come before anything reads the
// input; it reports whether it did. The readers' results do not change:
// the scan goes on from the mark exactly as the whole input's scan would
// have gone on from there, and a reader that needs a message before the
// mark (or an input that does not go on with an assistant message at the
// mark) makes the view read the input from its start.
func (v *View) ResumeInput(mark InputMark) bool {
	if v.tail.scanned || mark.Offset <= 0 {
		return false
	}
	v.tail.clean = false
	v.tail.resume = mark
	return true
}

// wholeDecodeFrom is the message count above which InputFrom decodes an
// input read from its start in one piece.
const wholeDecodeFrom = 16

// InputFrom reads the input messages from where the scan started: msgs are
// exactly the full decode's messages from element base.Elem on (base is the
// resume mark, or the zero mark when the input is read from its start),
// (each decoded on its own after a mark); elems say where each is, and total holds the
// whole input's counts (Parts left out). ok is false when InputJSON has no
// input, the scan is unsure or a message does not decode alone: the caller
// reads InputMessages instead, which gives the full decode's answer (an
// error included). The slices are valid until the next Reset, InputTail or
// InputFrom call.
func (v *View) InputFrom() (msgs []Message, elems []InputElem, base, total InputMark, ok bool) {
	t := v.scanInputDecoding(true)
	if !t.ok {
		return nil, nil, InputMark{}, InputMark{}, false
	}
	if t.base.Elem == 0 && len(t.elems) > wholeDecodeFrom {
		// A long input from its start: one decode of the whole array
		// costs less than one per message, and gives the same messages.
		// A short one is decoded per message, which the tail readers
		// (InputTail) then reuse.
		var err error
		if msgs, err = v.InputMessages(); err != nil || len(msgs) != len(t.elems) {
			return nil, nil, InputMark{}, InputMark{}, false
		}
	} else {
		if t.start != 0 {
			if err := v.decodeTail(t, 0); err != nil {
				t.ok = false
				return nil, nil, InputMark{}, InputMark{}, false
			}
		}
		msgs = t.msgs
	}
	t.fromElems = reuse(t.fromElems, &t.dirty[dirtyFromElems])
	users := t.base.Users
	for i, e := range t.elems {
		t.fromElems = append(t.fromElems, InputElem{
			Mark: InputMark{Offset: e.start, Elem: t.base.Elem + i, Parts: e.parts, Calls: e.calls, Users: users},
			End:  e.end,
		})
		if e.role == "user" {
			users++
		}
	}
	total = InputMark{Offset: len(v.vals[kInMsgs].Str()), Elem: t.base.Elem + len(t.elems), Calls: t.calls, Users: t.users}
	return msgs, t.fromElems, t.base, total, true
}

// InputElement decodes the one input message at bytes [start, end) of
// InputJSON, an element an earlier InputFrom of the same bytes reported.
func (v *View) InputElement(start, end int) (Message, bool) {
	s, ok := v.InputJSON()
	if !ok || start < 0 || end > len(s) || start >= end {
		return Message{}, false
	}
	m, err := v.tail.decodeElem(s, start, end)
	return m, err == nil
}
