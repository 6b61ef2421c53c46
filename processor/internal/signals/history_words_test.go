package signals

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wordsStep is one span of a word-set memory scenario and what reading it
// should cost: whether it resumed at the mark, how many messages from
// before the mark it decoded, and how many word sets it built.
type wordsStep struct {
	span          histSpan
	resumed       bool
	pre, built    int
	misalignedDup bool // near_duplicate on the span
	repeated      bool // repeated_response on the span
}

// readRemembered reads one span through the history memory as Detect does
// and reports what it cost.
func readRemembered(t *testing.T, d *Detector, s histSpan) (resumed bool, pre, built int) {
	t.Helper()
	v := viewOf(rawChatSpan(t, s.conv, s.in, s.out))
	out, err := v.OutputMessages()
	require.NoError(t, err)
	hits := d.history.hits.Load()
	c, ok := d.rememberedConversation(v, out, joinText(out))
	require.True(t, ok)
	defer c.release()
	msgs, _, _, _, ok := v.InputFrom()
	require.True(t, ok)
	return d.history.hits.Load() > hits, len(c.in) - len(msgs), c.scratch.near.built
}

// agentTurns is an agent's successive calls in one conversation, each
// step's input the last one's plus what came since, with what each step
// should cost when the memory follows the conversation.
func agentTurns(t *testing.T, conv string) []wordsStep {
	u1 := user("Where is my order 4521? The tracking page still says pending.")
	u2 := user("Can you check the delivery address on it as well?")
	u3 := user("No, I meant the other order, number 4522, check again please!")
	u4 := user("no I meant the other order number 4522 - check again please")
	tc := func(i int) msg {
		return msg{"assistant", []part{{Type: "tool_call", ID: fmt.Sprint("call_", i), Name: "get_order", Arguments: map[string]any{"id": 4520 + i}}}}
	}
	res := func(i int) msg {
		return msg{"tool", []part{{Type: "tool_call_response", ID: fmt.Sprint("call_", i), Response: map[string]any{"status": "pending"}}}}
	}
	a1 := assistant("Order 4521 is pending at our Berlin warehouse. " + strings.Repeat("Tracking updates follow by email. ", 10))
	a2 := assistant("The delivery address is Hauptstrasse 5, Berlin.")
	a3 := assistant("Order 4522 left our Berlin warehouse yesterday and is in transit.")
	var in []msg
	step := func(out msg, resumed bool, pre, built int, dup, repeated bool, add ...msg) wordsStep {
		in = append(in, add...)
		return wordsStep{histSpan{conv, js(t, in...), []msg{out}}, resumed, pre, built, dup, repeated}
	}
	return []wordsStep{
		// The first call: nothing to compare, nothing remembered (no
		// assistant message to resume at).
		step(tc(1), false, 0, 0, false, false, u1),
		// Still one user message and no answer before: nothing compared.
		step(a1, false, 0, 0, false, false, tc(1), res(1)),
		// A new user message: compared with the first, which is read
		// from before the mark (nothing was compared yet): two sets.
		step(tc(2), true, 1, 2, false, false, a1, u2),
		// The same two user messages: the comparison is remembered, the
		// first is not decoded; the answer is compared with a1 (in the
		// segment): two sets, a2's and a1's.
		step(a2, true, 0, 2, false, false, tc(2), res(2)),
		// The agent appended a2: the last user message compared (u2) and
		// the last answer (a2) are remembered; only u3 is new.
		step(tc(3), true, 0, 1, false, false, a2, u3),
		// Agent steps: the comparison of u3 with u2 is remembered.
		step(tc(4), true, 0, 0, false, false, tc(3), res(3)),
		// Both user messages and the last answer are before the mark: u3
		// is decoded for the phrases, u2 and a2 are not; a3 is new.
		step(a3, true, 1, 1, false, false, tc(4), res(4)),
		// u4 says u3 again; the agent repeats a3: both sides remembered
		// but u4.
		step(a3, true, 0, 1, true, true, a3, u4),
	}
}

func TestHistoryMemoryWordSets(t *testing.T) {
	a, b := agentTurns(t, "a"), agentTurns(t, "b")
	var interleaved []wordsStep
	for i := range a {
		interleaved = append(interleaved, a[i], b[i])
	}
	// edited: the fifth call's input rewrites the first user message, so
	// it is read whole and compares from its own texts; the next call
	// resumes from there.
	edited := append([]wordsStep(nil), a...)
	edited[4].span.in = strings.Replace(edited[4].span.in, "4521?", "4529?", 1)
	edited[4].resumed, edited[4].built = false, 2 // u3 and u2
	for i := 5; i < len(edited); i++ {
		edited[i].span.in = strings.Replace(edited[i].span.in, "4521?", "4529?", 1)
	}
	// a2's word set was not remembered through the edit: decoded and built.
	edited[6].pre, edited[6].built = 2, 2
	// evicted: two conversations and room for one, so every call reads
	// whole and compares from its own texts.
	evicted := append([]wordsStep(nil), interleaved...)
	for i := range evicted {
		s := &evicted[i]
		s.resumed, s.pre = false, 0
	}
	// first call: the last call's input in a conversation never seen.
	last := a[len(a)-1]
	last.span.conv = "new"
	first := []wordsStep{last}
	first[0].resumed, first[0].pre, first[0].built = false, 0, 3 // u4, u3, a3 (once for both sides)
	fullBuilds := []int{0, 0, 2, 4, 2, 2, 4, 3}                  // read whole: every comparison from its texts
	for i := range evicted {
		evicted[i].built = fullBuilds[i/2]
	}
	tests := []struct {
		name  string
		cfg   Config
		steps []wordsStep
	}{
		{"agent turns", Config{}, a},
		{"two conversations interleaved", Config{}, interleaved},
		{"edited history", Config{}, edited},
		{"evicted conversation", Config{MaxConversations: 1}, evicted},
		{"first call", Config{}, first},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDetector(t, tc.cfg)
			mem, full := newDetector(t, tc.cfg), newDetector(t, tc.cfg)
			d.historyFrom, mem.historyFrom = 0, 0 // every input, short ones too
			full.DisableHistoryMemory()
			full.noPhraseMemo = true
			for i, s := range tc.steps {
				resumed, pre, built := readRemembered(t, d, s.span)
				assert.Equal(t, s.resumed, resumed, "step %d (%s): resumed", i, s.span.conv)
				assert.Equal(t, s.pre, pre, "step %d (%s): messages decoded from before the mark", i, s.span.conv)
				assert.Equal(t, s.built, built, "step %d (%s): word sets built", i, s.span.conv)
				sameSignals(t, mem, full, []histSpan{s.span})
				got := detect(t, newDetector(t, tc.cfg), rawChatSpan(t, s.span.conv, s.span.in, s.span.out))
				assert.Equal(t, s.misalignedDup, contains(got["misalignment"], "near_duplicate"), "step %d: %v", i, got)
				assert.Equal(t, s.repeated, contains(got["stagnation"], "repeated_response"), "step %d: %v", i, got)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// FuzzHistoryMemoryWordSets: a conversation grown, edited and answered as
// ops say, from texts that repeat, nearly repeat, are short or long, gets
// the signals of a full read on every span (the word sets remembered or
// not, the messages decoded or not).
func FuzzHistoryMemoryWordSets(f *testing.F) {
	f.Add([]byte{0, 3, 8, 9, 13, 2, 4, 6, 3, 10, 7, 3})
	f.Add([]byte{0, 1, 6, 3, 12, 19, 3, 5, 4, 0, 3, 9, 15})
	f.Add([]byte{6, 7, 14, 21, 28, 35, 3, 9, 10, 4, 2, 11, 24, 3})
	texts := []string{
		"Where is my order 4521? It still says pending.",
		"where is my order 4521, it still says pending",
		"No, I meant the other order, check again!",
		"no i meant the other order check again",
		"ok", "ok thanks", "thanks ok", "",
		"Order 4521 is pending at our Berlin warehouse. " + strings.Repeat("Tracking updates follow by email. ", 45),
		"Order 4522 is pending at our Berlin warehouse. " + strings.Repeat("Tracking updates follow by email. ", 45),
		"Größe ÄNDERN bitte \u0130stanbul", "größe ändern BITTE istanbul",
	}
	mem, full := newDetector(f, Config{}), newDetector(f, Config{})
	mem.historyFrom = 0 // short inputs too
	full.DisableHistoryMemory()
	full.noPhraseMemo = true
	var n int
	f.Fuzz(func(t *testing.T, ops []byte) {
		n++
		conv := fmt.Sprint("w", n)
		var in []msg
		var spans []histSpan
		for i, b := range ops {
			if i >= 64 {
				break
			}
			text := texts[int(b/6)%len(texts)]
			switch b % 6 {
			case 0:
				in = append(in, user(text))
			case 1:
				in = append(in, assistant(text))
			case 2:
				in = append(in, toolCall("get_order", map[string]any{"id": int(b)}), resultMsg("failed: timeout"))
			case 3:
				spans = append(spans, histSpan{conv, js(t, in...), []msg{assistant(text)}})
			case 4:
				spans = append(spans, histSpan{conv, js(t, in...), []msg{toolCall("get_order", map[string]any{"id": int(b)})}})
			case 5:
				if len(in) > 0 { // edit an earlier message
					k := int(b/6) % len(in)
					in[k] = msg{in[k].Role, []part{{Type: "text", Content: text}}}
				}
			}
		}
		sameSignals(t, mem, full, spans)
	})
}
