package signals

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// genHistories are n conversations' chat spans, interleaved, grown at
// random from texts that repeat, nearly repeat, hold phrases, are short
// or long: user messages, answers, tool calls with and without IDs (a few
// names and arguments, so loops happen) and their results (failing or
// not, linked by ID or not), and now and then an edited earlier message, a
// truncated history or one compacted to a summary. Each span's input is
// the history so far; inputs cross 1 KiB at different steps.
func genHistories(t testing.TB, seed uint64, n, steps int) []histSpan {
	r := rand.New(rand.NewPCG(seed, 15))
	texts := []string{
		"Where is my order 4521? It still says pending.",
		"where is my order 4521, it still says pending",
		"No, I meant the other order, check again!",
		"THIS IS USELESS, I WANT A HUMAN AGENT???",
		"thanks, that works", "ok", "",
		"Thanks, thank you, perfect, great, awesome, excellent, sounds good, that works!", // more phrases than the memo keeps
		"Order 4521 is pending at our Berlin warehouse. " + strings.Repeat("Tracking updates follow by email. ", 12),
		"Order 4522 is pending at our Berlin warehouse. " + strings.Repeat("Tracking updates follow by email. ", 12),
	}
	results := []any{
		map[string]any{"status": "pending"}, "error: timeout, upstream failed", "permission denied",
		map[string]any{"flights": []string{"B6 705", "DL 940"}}, "rate limit exceeded, status 429",
	}
	type conv struct {
		name string
		msgs []msg
		ids  int
	}
	convs := make([]*conv, n)
	for i := range convs {
		convs[i] = &conv{name: fmt.Sprintf("g%d-%d", seed, i), msgs: []msg{user(texts[r.IntN(4)])}}
	}
	var spans []histSpan
	for s := 0; s < steps; s++ {
		c := convs[r.IntN(n)]
		call := func() msg {
			id := ""
			if r.IntN(4) > 0 {
				c.ids++
				id = fmt.Sprintf("call_%d", c.ids)
			}
			return msg{"assistant", []part{{Type: "tool_call", ID: id, Name: []string{"get_order", "search", "refund"}[r.IntN(3)], Arguments: map[string]any{"id": 4521 + r.IntN(2)}}}}
		}
		switch op := r.IntN(20); {
		case op < 5:
			c.msgs = append(c.msgs, call())
		case op < 9:
			id := ""
			if c.ids > 0 && r.IntN(4) > 0 {
				id = fmt.Sprintf("call_%d", 1+r.IntN(c.ids))
			}
			c.msgs = append(c.msgs, msg{"tool", []part{{Type: "tool_call_response", ID: id, Response: results[r.IntN(len(results))]}}})
		case op < 12:
			c.msgs = append(c.msgs, assistant(texts[r.IntN(len(texts))]))
		case op < 15:
			c.msgs = append(c.msgs, user(texts[r.IntN(len(texts))]))
		case op < 17: // an earlier message edited
			i := r.IntN(len(c.msgs))
			c.msgs = append(append([]msg(nil), c.msgs[:i]...), c.msgs[i:]...)
			c.msgs[i] = user(texts[r.IntN(len(texts))] + " (edited)")
		case op < 19: // truncated
			c.msgs = c.msgs[:1+r.IntN(len(c.msgs))]
		default: // compacted
			c.msgs = []msg{{"system", []part{{Type: "text", Content: "Summary: order lookups."}}}, user(texts[r.IntN(len(texts))])}
		}
		var out []msg
		switch r.IntN(3) {
		case 0:
			out = []msg{assistant(texts[r.IntN(len(texts))])}
		case 1:
			out = []msg{call()}
		}
		spans = append(spans, histSpan{c.name, js(t, c.msgs...), out})
	}
	return spans
}

// TestShortHistoriesReadDirectly: an input under historyFrom bytes is read
// directly, a longer one with the history memory, and a conversation that
// crosses the bound either way (growing, edited, truncated, compacted, its
// memory evicted) gets the signals of a full read on every span, for
// bounds below, within and above its inputs' sizes.
func TestShortHistoriesReadDirectly(t *testing.T) {
	failing := func(int) any { return map[string]any{"error": "timeout: upstream failed"} }
	a := agentCalls(t, "a", 8, failing, false)
	edited := append([]histSpan(nil), a...)
	edited[5].in = strings.Replace(edited[5].in, "4521?", "4522?", 1)
	truncated := append(append([]histSpan(nil), a...), a[3], a[9])
	scenarios := []struct {
		name  string
		cfg   Config
		spans []histSpan
	}{
		{"agent appends", Config{}, a},
		{"edited", Config{}, edited},
		{"truncated then grown", Config{}, truncated},
		{"generated", Config{}, genHistories(t, 1, 6, 400)},
		{"generated, more conversations", Config{}, genHistories(t, 2, 30, 600)},
		{"generated, one remembered", Config{MaxConversations: 1}, genHistories(t, 3, 4, 300)},
	}
	for _, sc := range scenarios {
		sizes := map[bool]int{}
		for _, s := range sc.spans {
			sizes[len(s.in) < historyFromBytes]++
		}
		require.NotZero(t, sizes[true], "%s: no input under %d bytes", sc.name, historyFromBytes)
		require.NotZero(t, sizes[false], "%s: no input of %d bytes or more", sc.name, historyFromBytes)
		for _, from := range []int{0, 300, 700, historyFromBytes, 1500, 1 << 30} {
			t.Run(fmt.Sprintf("%s/from=%d", sc.name, from), func(t *testing.T) {
				d := sameAsFullReadFrom(t, sc.cfg, from, sc.spans)
				hits, whole := d.HistoryReads()
				assert.Equal(t, int64(len(sc.spans)), hits+whole, "every span's input read, remembered or whole")
				if from == historyFromBytes && sc.cfg.MaxConversations == 0 {
					assert.NotZero(t, hits, "the longer inputs read from the memory")
				}
				if from == 1<<30 {
					assert.Zero(t, hits)
					assert.Zero(t, d.history.len(), "nothing remembered")
				}
			})
		}
	}
}

// FuzzShortHistories: generated conversations (seed) read with the
// memory from a bound (from) get the signals of a full read.
func FuzzShortHistories(f *testing.F) {
	f.Add(uint64(4), uint16(1024))
	f.Add(uint64(5), uint16(0))
	f.Add(uint64(6), uint16(450))
	f.Fuzz(func(t *testing.T, seed uint64, from uint16) {
		sameAsFullReadFrom(t, Config{}, int(from), genHistories(t, seed, 3, 60))
	})
}
