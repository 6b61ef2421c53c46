package signals

import (
	"hash/maphash"
	"strings"
	"time"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// call is one tool call as loop detection compares it: hashes of the
// tool's name and of its arguments with whitespace removed. Only equality
// matters, and hashes keep the remembered calls small whatever a client
// sends.
type call struct {
	name uint64
	args uint64
}

// callBytes is the size of a call.
const callBytes = 16

var argsSeed = maphash.MakeSeed()

func callOf(c spanmodel.ToolCall) call {
	return call{name: maphash.String(argsSeed, c.Name), args: maphash.String(argsSeed, strings.Join(strings.Fields(c.Arguments), ""))}
}

// maxLoopCalls bounds the calls a loop check reads: the most recent ones.
const maxLoopCalls = 64

// loop: the calls a chat span's conversation shows, in order: the
// assistant's earlier calls and the ones it requests now.
func (d *Detector) loop(c conversation, f *Found) {
	var calls []call
	for _, m := range c.in {
		for _, tc := range m.ToolCalls {
			calls = append(calls, callOf(tc))
		}
	}
	for _, m := range c.out {
		for _, tc := range m.ToolCalls {
			calls = append(calls, callOf(tc))
		}
	}
	if w := d.loopWindow(); len(calls) > w {
		calls = calls[len(calls)-w:]
	}
	loopKinds(calls, d.cfg.LoopRepeats, f)
}

// loopWindow is how many of the latest calls decide loopKinds: a run of
// repeats calls, or a cycle of at most 5 tools repeated repeats times, ends
// with the newest call, so earlier calls never change the answer.
func (d *Detector) loopWindow() int {
	return min(maxLoopCalls, 5*d.cfg.LoopRepeats)
}

// toolSpanLoop remembers the call a tool span executed in its
// conversation (or trace) and checks the recent calls for a loop, so an
// agent repeating one call across spans and traces is caught.
func (d *Detector) toolSpanLoop(v *spanmodel.View, f *Found) {
	calls, err := v.ToolCalls()
	if err != nil || len(calls) == 0 {
		return
	}
	key := v.ConversationID()
	if key == "" {
		key = "trace:" + v.Span().TraceID().String()
	}
	at := v.Span().EndTimestamp().AsTime()
	if v.Span().EndTimestamp() == 0 {
		at = time.Now()
	}
	recent := d.state.record(key, callOf(calls[0]), at)
	loopKinds(recent, d.cfg.LoopRepeats, f)
}

// loopKinds adds the loops that end with the newest call: the same call
// repeats times or more in a row (same_call); the same tool with changing
// arguments (drifting_args); or a cycle of 2 to 5 tools repeated (oscillation).
func loopKinds(calls []call, repeats int, f *Found) {
	n := len(calls)
	if n < repeats {
		return
	}
	last := calls[n-1]
	same, sameName := 1, 1
	for i := n - 2; i >= 0 && calls[i].name == last.name; i-- {
		sameName++
		if calls[i] == last && same == sameName-1 {
			same++
		}
	}
	switch {
	case same >= repeats:
		f.Add(Loop, "same_call", 1)
		return
	case sameName >= repeats:
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
			periodic = window[i].name == window[i-period].name
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
