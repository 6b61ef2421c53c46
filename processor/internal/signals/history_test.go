package signals

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/memtest"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// call is one span of a scenario: a chat span of a conversation.
type histSpan struct {
	conv string
	in   string // gen_ai.input.messages
	out  []msg
}

func rawChatSpan(t testing.TB, conv, in string, out []msg) spanRef {
	t.Helper()
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	ss := rs.ScopeSpans().AppendEmpty()
	sp := ss.Spans().AppendEmpty()
	sp.Attributes().PutStr("gen_ai.operation.name", "chat")
	if conv != "" {
		sp.Attributes().PutStr("gen_ai.conversation.id", conv)
	}
	sp.Attributes().PutStr("gen_ai.input.messages", in)
	if out != nil {
		b, err := json.Marshal(out)
		require.NoError(t, err)
		sp.Attributes().PutStr("gen_ai.output.messages", string(b))
	}
	return spanRef{rs, ss, sp}
}

func js(t testing.TB, msgs ...msg) string {
	t.Helper()
	b, err := json.Marshal(msgs)
	require.NoError(t, err)
	return string(b)
}

// sameAsFullRead runs spans through a detector with the history memory and
// one without, and requires the same signals on every span. It returns
// the detector with the memory.
func sameAsFullRead(t testing.TB, cfg Config, spans []histSpan) *Detector {
	t.Helper()
	return sameAsFullReadFrom(t, cfg, 0, spans)
}

// sameAsFullReadFrom is sameAsFullRead with the memory reading inputs of
// from bytes or more (0: every input; shorter ones are read directly).
func sameAsFullReadFrom(t testing.TB, cfg Config, from int, spans []histSpan) *Detector {
	t.Helper()
	mem, full := newDetector(t, cfg), newDetector(t, cfg)
	mem.historyFrom = from
	full.DisableHistoryMemory()
	full.noPhraseMemo = true
	sameSignals(t, mem, full, spans)
	return mem
}

// sameSignals requires the same signals from mem and full on every span.
func sameSignals(t testing.TB, mem, full *Detector, spans []histSpan) {
	t.Helper()
	for i, s := range spans {
		ref := rawChatSpan(t, s.conv, s.in, s.out)
		var fm, ff Found
		v := &spanmodel.View{}
		v.Reset(ref.rs, ref.ss, ref.sp)
		mem.Detect(v, &fm)
		v.Reset(ref.rs, ref.ss, ref.sp)
		full.Detect(v, &ff)
		if !reflect.DeepEqual(fm, ff) {
			t.Fatalf("span %d (%s): with the memory %+v, full read %+v", i, s.conv, fm, ff)
		}
	}
}

// agentCalls are the inputs of an agent's successive model calls: each
// adds a tool call and its result, or an answer and the next user message.
// The first call has no assistant message yet, so nothing is remembered
// before the second.
func agentCalls(t testing.TB, conv string, turns int, result func(i int) any, vary bool) []histSpan {
	var msgs []msg
	var spans []histSpan
	msgs = append(msgs, user("Where is my order 4521? It still says pending."))
	for i := 0; i < turns; i++ {
		id := 4521
		if vary {
			id += i
		}
		spans = append(spans, histSpan{conv, js(t, msgs...), []msg{toolCall("get_order", map[string]any{"id": id})}})
		msgs = append(msgs, toolCall("get_order", map[string]any{"id": id}), resultMsg(result(i)))
		spans = append(spans, histSpan{conv, js(t, msgs...), []msg{assistant("It is still pending, sorry.")}})
		msgs = append(msgs, assistant("It is still pending, sorry."), user("No, I meant the other order, check again!"))
	}
	return spans
}

func TestHistoryMemory(t *testing.T) {
	failing := func(int) any { return map[string]any{"error": "timeout: upstream failed"} }
	fine := func(i int) any { return map[string]any{"status": "pending", "n": i} }
	a, b := agentCalls(t, "a", 6, failing, false), agentCalls(t, "b", 6, fine, true)
	var interleaved []histSpan
	for i := range a {
		interleaved = append(interleaved, a[i], b[i])
	}
	// edited: the third call's input rewrites the first user message.
	edited := append([]histSpan(nil), a[:6]...)
	edited[2].in = strings.Replace(edited[2].in, "4521?", "4522?", 1)
	// truncated: the client drops the last call and result.
	truncated := append(append([]histSpan(nil), a[:5]...), a[2])
	// compacted: the history is replaced by a summary and the last message.
	compacted := append(append([]histSpan(nil), a[:5]...),
		histSpan{"a", js(t, msg{"system", []part{{Type: "text", Content: "Summary: order 4521 lookups failed."}}}, user("Any news?")), []msg{assistant("No.")}})
	tests := []struct {
		name         string
		cfg          Config
		spans        []histSpan
		hits, misses int64
		evictions    int64
		wantLastLoop bool // the last span shows a loop (so the check reads the history)
		remembered   int
	}{
		{"agent appends", Config{}, a, 10, 2, 0, true, 1},
		{"good results: no loop", Config{}, b, 10, 2, 0, false, 1},
		{"two conversations interleaved", Config{}, interleaved, 20, 4, 0, false, 2},
		// the edited span and the one after it (unedited again) read whole
		{"edited history", Config{}, edited, 2, 4, 0, true, 1},
		{"truncated history", Config{}, truncated, 3, 3, 0, false, 1},
		{"compacted history", Config{}, compacted, 3, 3, 0, false, 0},
		{"eviction: one conversation remembered", Config{MaxConversations: 1}, interleaved, 0, 24, 21, false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := sameAsFullRead(t, tc.cfg, tc.spans)
			assert.Equal(t, tc.hits, d.history.hits.Load(), "hits")
			assert.Equal(t, tc.misses, d.history.misses.Load(), "misses")
			assert.Equal(t, tc.evictions, d.HistoryEvictions(), "evictions")
			assert.Equal(t, tc.remembered, d.history.len())
			last := tc.spans[len(tc.spans)-1]
			got := detect(t, newDetector(t, tc.cfg), rawChatSpan(t, last.conv, last.in, last.out))
			assert.Equal(t, tc.wantLastLoop, got["loop"] != nil, "loop on the last span: %v", got)
		})
	}
}

// TestHistoryMemoryLinksResultsLikeTheFullRead covers the loop check's
// linking across the mark: results by ID to the latest open call, results
// without an ID to the oldest open call (also one older than the window),
// calls that never get a result, and an ID the full read treats specially.
func TestHistoryMemoryLinksResultsLikeTheFullRead(t *testing.T) {
	call := func(id, name string, args any) msg {
		return msg{"assistant", []part{{Type: "tool_call", ID: id, Name: name, Arguments: args}}}
	}
	res := func(id string, resp any) msg {
		return msg{"tool", []part{{Type: "tool_call_response", ID: id, Response: resp}}}
	}
	bare := func(text string) msg { return msg{"tool", []part{{Type: "text", Content: text}}} }
	grow := func(conv string, steps ...[]msg) []histSpan {
		var msgs []msg
		var spans []histSpan
		for _, s := range steps {
			msgs = append(msgs, s...)
			spans = append(spans, histSpan{conv, js(t, msgs...), []msg{assistant("ok")}})
		}
		return spans
	}
	var open [][]msg // 100 calls never answered, then results without IDs
	for i := 0; i < 100; i++ {
		open = append(open, []msg{call("", "probe", map[string]any{"i": i % 3})})
	}
	for i := 0; i < 5; i++ {
		open = append(open, []msg{bare("error: failed"), assistant("retrying")})
	}
	var manyIDs [][]msg // 90 calls, answered by ID in reverse, some failing
	for i := 0; i < 90; i++ {
		manyIDs = append(manyIDs, []msg{call(fmt.Sprintf("id%d", i), "fetch", map[string]any{"page": i % 2})})
	}
	for i := 89; i >= 0; i -= 7 {
		manyIDs = append(manyIDs, []msg{res(fmt.Sprintf("id%d", i), "timeout: failed"), assistant("next")})
	}
	tests := []struct {
		name  string
		spans []histSpan
	}{
		{"results by ID, latest open call", grow("c",
			[]msg{user("go")}, []msg{call("x", "f", 1), call("x", "f", 2)}, []msg{res("x", "failed")}, []msg{assistant("a")},
			[]msg{res("x", "error")}, []msg{assistant("b"), call("y", "f", 3)}, []msg{res("y", "failed"), assistant("c")})},
		{"results without ID, oldest open call", grow("c",
			[]msg{user("go")}, []msg{call("", "g", 1), call("", "g", 1)}, []msg{bare("failed")}, []msg{assistant("a")},
			[]msg{bare("failed"), bare("extra")}, []msg{assistant("b")})},
		{"open calls older than the window", grow("c", open...)},
		{"many IDs answered out of order", grow("c", manyIDs...)},
		{"an ID equal to the full read's marker", grow("c",
			[]msg{user("go")}, []msg{call("\x00", "f", 1)}, []msg{res("\x00", "failed"), assistant("a")}, []msg{user("again")})},
		{"user messages carrying results", grow("c",
			[]msg{user("go")}, []msg{call("k", "f", 1)}, []msg{{"user", []part{{Type: "tool_call_response", ID: "k", Response: "failed"}}}}, []msg{assistant("a")})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sameAsFullRead(t, Config{}, tc.spans)
		})
	}
}

// TestHistoryMemoryReadsOnlyWhatIsNew: on an agent's next call the memory
// resumes at the last answer, so the full decode never runs.
func TestHistoryMemoryReadsOnlyWhatIsNew(t *testing.T) {
	spans := agentCalls(t, "a", 40, func(int) any { return map[string]any{"status": "pending"} }, true)
	d := newDetector(t, Config{})
	d.historyFrom = 0 // the first calls' inputs are short
	// A history too many open calls to keep first grows the span's
	// scratch buffers; later histories must still be kept.
	open := []msg{user("go")}
	for i := 0; i < 3*maxLoopCalls; i++ {
		open = append(open, msg{"assistant", []part{{Type: "tool_call", Name: "probe", Arguments: i}}})
	}
	detect(t, d, rawChatSpan(t, "noise", js(t, append(open, assistant("done"))...), nil))
	for i, s := range spans {
		ref := rawChatSpan(t, s.conv, s.in, s.out)
		v := &spanmodel.View{}
		v.Reset(ref.rs, ref.ss, ref.sp)
		var f Found
		d.Detect(v, &f)
		_, _, base, _, ok := v.InputFrom()
		require.True(t, ok)
		if i > 1 {
			require.NotZero(t, base.Offset, "span %d read from the start", i)
			require.Less(t, len(s.in)-base.Offset, 400, "span %d read %d of %d bytes", i, len(s.in)-base.Offset, len(s.in))
		}
	}
}

// TestHistoryMemoryIsBoundedInBytes: many conversations with long
// histories and many calls keep at most max_conversations entries of at
// most historyBytes each (measured against the same detector without the
// memory, which keeps the other per-conversation state); so do
// conversations whose last user messages and answers hold more distinct
// words than are compared (full word sets).
func TestHistoryMemoryIsBoundedInBytes(t *testing.T) {
	const conversations = 1000
	var msgs []msg
	msgs = append(msgs, user(strings.Repeat("long question ", 200)))
	for i := 0; i < 180; i++ {
		id := fmt.Sprintf("id%d", i)
		msgs = append(msgs, msg{"assistant", []part{{Type: "tool_call", ID: id, Name: strings.Repeat("n", 100), Arguments: i}}})
		if i >= maxOldOpenCalls { // the first ones stay open
			msgs = append(msgs, msg{"tool", []part{{Type: "tool_call_response", ID: id, Response: "ok"}}})
		}
	}
	msgs = append(msgs, assistant("done"))
	in := js(t, msgs...)
	distinct := func(conv, k int) string {
		var b strings.Builder
		for w := 0; w < 2*maxSimilarityWords; w++ {
			fmt.Fprintf(&b, "w%dx%dx%d ", conv, k, w)
		}
		return b.String()
	}
	tests := []struct {
		name     string
		span     func(i int) spanRef
		wordSets int // words in each remembered word set
	}{
		{"many calls", func(i int) spanRef { return rawChatSpan(t, fmt.Sprintf("conv-%d", i), in, nil) }, 0},
		{"full word sets", func(i int) spanRef {
			in := js(t, user(distinct(i, 0)), assistant(distinct(i, 1)), user(distinct(i, 2)))
			return rawChatSpan(t, fmt.Sprintf("conv-%d", i), in, []msg{assistant(distinct(i, 3))})
		}, maxSimilarityWords},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			grow := func(memory bool) (int64, *Detector) {
				d := newDetector(t, Config{MaxConversations: conversations})
				if !memory {
					d.DisableHistoryMemory()
				}
				before := memtest.LiveHeap()
				for i := 0; i < 2*conversations; i++ {
					detect(t, d, tc.span(i))
				}
				grew := memtest.LiveHeap() - before
				runtime.KeepAlive(d)
				return grew, d
			}
			without, _ := grow(false)
			with, d := grow(true)
			bound := int64(conversations * historyBytes)
			assert.Equal(t, conversations, d.history.len())
			assert.Equal(t, int64(conversations), d.HistoryEvictions())
			d.history.recent.each(func(e **histEntry) {
				require.Len(t, (*e).lastUser.ws.set, tc.wordSets, "the last user message's words")
				require.Len(t, (*e).answer.ws.set, tc.wordSets, "the answer's words")
			})
			assert.LessOrEqual(t, with-without, bound+(256<<10), "the memory grew %d bytes; bound %d (+256 KiB slack); the histories alone are %d", with-without, bound, conversations*len(in))
			t.Logf("the memory grew %d bytes for %d histories (bound %d)", with-without, conversations, bound)
		})
	}
}

// TestIdleHistoriesExpire: a history not seen for conversation_window is
// forgotten (not counted as an eviction).
func TestIdleHistoriesExpire(t *testing.T) {
	d := newDetector(t, Config{ConversationWindow: time.Minute})
	d.historyFrom = 0 // the inputs are short
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d.history.now = func() time.Time { return clock }
	spans := agentCalls(t, "a", 2, func(int) any { return "ok" }, true)
	detect(t, d, rawChatSpan(t, "a", spans[1].in, spans[1].out))
	detect(t, d, rawChatSpan(t, "b", spans[1].in, spans[1].out))
	assert.Equal(t, 2, d.history.len())
	clock = clock.Add(2 * time.Minute)
	detect(t, d, rawChatSpan(t, "a", spans[2].in, spans[2].out))
	assert.Equal(t, int64(2), d.history.expired.Load())
	assert.Equal(t, int64(3), d.history.misses.Load(), "a's next call read whole")
	assert.Zero(t, d.history.hits.Load())
	assert.Zero(t, d.HistoryEvictions())
	assert.Equal(t, 1, d.history.len())
}

// FuzzHistoryMemory: a span whose input is an earlier span's input cut
// anywhere and continued with anything gets the signals of a full read.
func FuzzHistoryMemory(f *testing.F) {
	f.Add(`[{"role":"user","parts":[{"type":"text","content":"go"}]},{"role":"assistant","parts":[{"type":"tool_call","id":"a","name":"f","arguments":{}}]}]`,
		`,{"role":"tool","parts":[{"type":"tool_call_response","id":"a","response":"failed"}]}]`, uint16(200))
	f.Add(`[{"role":"assistant","parts":[{"type":"tool_call","name":"f"}]},{"role":"tool","parts":[{"type":"text","content":"error"}]}]`,
		`{"role":"assistant","parts":[{"type":"tool_call","name":"f"}]},{"role":"tool"}]`, uint16(60))
	f.Add(`[{"role":"user"},{"role":"assistant","parts":[{"type":"text","content":"x"}]},{"role":"user"}]`, `]`, uint16(0))
	// One pair of detectors for the run (building one is the slow part
	// under coverage instrumentation); each input has its own conversation.
	mem, full := newDetector(f, Config{}), newDetector(f, Config{})
	mem.historyFrom = 0 // the inputs are short
	full.DisableHistoryMemory()
	full.noPhraseMemo = true
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, prev, next string, cut uint16) {
		cur := prev[:int(cut)%(len(prev)+1)] + next
		c := fmt.Sprint(n.Add(1))
		sameSignals(t, mem, full, []histSpan{{c, prev, []msg{assistant("same")}}, {c, cur, []msg{assistant("same")}}, {c, cur + " ", nil}})
	})
}
