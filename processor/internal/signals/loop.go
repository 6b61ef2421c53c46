package signals

import (
	"hash/maphash"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// call is one tool call as loop detection compares it: hashes of the
// tool's name and of its arguments with whitespace removed, and whether its
// result reported a failure. Only equality matters, and hashes keep the
// remembered calls small whatever a client sends.
type call struct {
	name   uint64
	args   uint64
	failed bool
}

// callBytes is the size of a call (two hashes and a flag, padded).
const callBytes = 24

// same reports whether two calls are the same call: same tool, same
// arguments, whatever their results.
func (c call) same(o call) bool { return c.name == o.name && c.args == o.args }

var argsSeed = maphash.MakeSeed()

func callOf(c spanmodel.ToolCall) call {
	return call{name: maphash.String(argsSeed, c.Name), args: argsHash(c.Arguments)}
}

// argsHash is the hash of arguments with whitespace removed
// (strings.Fields joined). Arguments without whitespace, as models and
// SDKs write JSON, are hashed as they are; others (Python's json.dumps
// puts a space after every comma and colon) run by run, as a maphash.Hash
// hashes what is written to it as one string: no copy either way.
func argsHash(args string) uint64 {
	// Eight bytes at a time up to the first word that may hold whitespace
	// or a byte that is not ASCII, then byte by byte. (w-0x21)|w has a top
	// bit set when a byte is below '!' (its subtraction borrows) or from
	// 0x80, and otherwise none: its other words are all '!'..0x7f.
	const lo = 0x21 * textmatch.Ones
	i := 0
	for rest := args; len(rest) >= 8; rest, i = rest[8:], i+8 {
		if w := textmatch.Word(rest); ((w-lo)|w)&textmatch.Highs != 0 {
			break
		}
	}
	for ; i < len(args); i++ {
		if c := args[i]; c >= utf8.RuneSelf || asciiSpace[c] {
			return argsHashFields(args, i)
		}
	}
	return maphash.String(argsSeed, args)
}

// argsHashFields is argsHash of args whose first from bytes hold no
// whitespace: the runs between whitespace (ASCII by table, other runes
// by unicode.IsSpace, as strings.Fields splits; an invalid byte is not
// whitespace) written to one hash.
func argsHashFields(args string, from int) uint64 {
	var h maphash.Hash
	h.SetSeed(argsSeed)
	start := 0 // of the current run; -1: in whitespace
	for i := from; i < len(args); {
		c := args[i]
		size, space := 1, false
		if c < utf8.RuneSelf {
			space = asciiSpace[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(args[i:])
			space = unicode.IsSpace(r)
		}
		switch {
		case space && start >= 0:
			_, _ = h.WriteString(args[start:i]) // never fails
			start = -1
		case !space && start < 0:
			start = i
		}
		i += size
	}
	if start >= 0 {
		_, _ = h.WriteString(args[start:])
	}
	return h.Sum64()
}

// asciiSpace are the ASCII bytes strings.Fields splits at (others are
// not ASCII).
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// maxLoopCalls bounds the calls a loop check reads: the most recent ones.
const maxLoopCalls = 64

// loop: the calls a chat span's conversation shows, in order: the
// assistant's earlier calls, each marked failed when its result (matched
// by call ID, else the oldest call still without one) reports a failure,
// and the ones it requests now.
func (d *Detector) loop(c *conversation, f *Found) {
	calls := c.inCalls
	if !c.inCallsSet {
		calls = d.inputCalls(c.in)
	}
	for _, m := range c.out {
		for _, tc := range m.ToolCalls {
			calls = append(calls, callOf(tc))
		}
	}
	if c.scratch != nil && c.inCallsSet {
		c.scratch.calls = calls // keeps the room grown, for the next span
	}
	if len(calls) > maxLoopCalls {
		calls = calls[len(calls)-maxLoopCalls:]
	}
	loopKinds(calls, d.cfg.LoopRepeats, f)
}

// inputCalls are the calls of the input messages in, each marked failed
// when its result reports a failure.
func (d *Detector) inputCalls(in []spanmodel.Message) []call {
	calls, _ := d.appendInputCalls(nil, nil, in)
	return calls
}

// appendInputCalls is inputCalls appending to calls, with ids as the
// calls' IDs (markResult's); it returns both grown.
func (d *Detector) appendInputCalls(calls []call, ids []string, in []spanmodel.Message) ([]call, []string) {
	for _, m := range in {
		for _, tc := range m.ToolCalls {
			calls = append(calls, callOf(tc))
			ids = append(ids, tc.ID)
		}
		for _, r := range m.ToolResults {
			d.markResult(calls, ids, r.ID, r.Content)
		}
		if m.Role == "tool" && len(m.ToolResults) == 0 {
			d.markResult(calls, ids, "", m.Text)
		}
	}
	return calls, ids
}

// markResult marks the call a result answers as failed when the result
// reports a failure. ids[i] is set to "\x00" once call i has its result.
func (d *Detector) markResult(calls []call, ids []string, id, content string) {
	at := -1
	if id != "" {
		for i := len(ids) - 1; i >= 0; i-- {
			if ids[i] == id {
				at = i
				break
			}
		}
	}
	if at < 0 {
		for i := range ids {
			if ids[i] != answered {
				at = i
				break
			}
		}
	}
	if at < 0 {
		return
	}
	ids[at] = answered
	calls[at].failed = d.reportsFailure(content)
}

// answered marks a call whose result was seen.
const answered = "\x00"

// toolSpanLoop remembers the call a tool span executed in its
// conversation (or trace), with whether it failed (error status or a
// failure in its result: failed says what the failure check found), and
// checks the recent calls for a loop, so an agent repeating one call
// across spans and traces is caught.
func (d *Detector) toolSpanLoop(v *spanmodel.View, f *Found, failed bool) {
	calls, err := v.ToolCalls()
	if err != nil || len(calls) == 0 {
		return
	}
	key := conversationKey(v)
	at := v.Span().EndTimestamp().AsTime()
	if v.Span().EndTimestamp() == 0 {
		at = time.Now()
	}
	cl := callOf(calls[0])
	cl.failed = failed
	var buf [maxRememberedCalls + 1]call
	recent := d.state.record(key, cl, at, buf[:0])
	loopKinds(recent, d.cfg.LoopRepeats, f)
}

// loopKinds adds the loop that ends with the newest call, if any. A loop is
// repetition without progress, not a series of lookups:
//   - same_call: the same call (tool and arguments) repeats times or more
//     in a row;
//   - drifting_args: the same tool repeats times or more in a row with
//     changing arguments, after results that failed (at least repeats-1 of
//     the earlier calls of the run): the agent guesses. The same tool with
//     different arguments and good results (several orders looked up) is
//     work;
//   - oscillation: a cycle of 2 to 5 distinct calls repeated repeats times
//     (A B A B A B, with the same arguments each time round).
func loopKinds(calls []call, repeats int, f *Found) {
	n := len(calls)
	if n < repeats {
		return
	}
	last := calls[n-1]
	same, sameName, failedBefore := 1, 1, 0
	for i := n - 2; i >= 0 && calls[i].name == last.name; i-- {
		sameName++
		if calls[i].same(last) && same == sameName-1 {
			same++
		}
		if calls[i].failed {
			failedBefore++
		}
	}
	switch {
	case same >= repeats:
		f.Add(Loop, "same_call", 1)
		return
	case sameName >= repeats && failedBefore >= repeats-1:
		f.Add(Loop, "drifting_args", 1)
		return
	}
	for period := 2; period <= 5; period++ {
		if n < period*repeats {
			break
		}
		window := calls[n-period*repeats:]
		periodic := true
		for i := period; i < len(window) && periodic; i++ {
			periodic = window[i].same(window[i-period])
		}
		if periodic && distinctNames(window[:period]) > 1 {
			f.Add(Loop, "oscillation", 1)
			return
		}
	}
}

func distinctNames(cs []call) int {
	n := 0
	for i := range cs {
		dup := false
		for j := 0; j < i; j++ {
			if cs[j].name == cs[i].name {
				dup = true
				break
			}
		}
		if !dup {
			n++
		}
	}
	return n
}
