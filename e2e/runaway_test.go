package e2e

import (
	be "encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The incident runaway accounting is for: an agent repeating the same
// failing tool call ~4,800 times an hour, for 63 hours, about $4,200, with
// nobody noticing. Each repetition is a trace of its own in one
// conversation: a gpt-4o call (5,000 input and 140 output tokens, $0.0139
// at the built-in price: 4,800 an hour for 63 hours is $4,203) asking for
// the tool, and the tool call, which fails.
//
// The conversation's window is wall-clock time (signals.runaway.window),
// not span time, so the test compresses time through configuration: the
// window is 30s instead of 1h (1/120) and the agent is 120 times faster
// (160 repetitions a second instead of 4,800 an hour). A window then holds
// what an hour held, so the bounds keep the values processor/README.md
// gives (600 model calls, 600 tool calls and $5 per window) and cross at
// the same calls: the $5 bound at call 360 (4.5 minutes into the incident,
// ~2.3s here), the call bounds at call 601 (7.5 minutes, ~3.8s here).
const (
	runawayWindow     = 30 * time.Second
	runawayScale      = int64(time.Hour / runawayWindow) // 120
	runawayCalls      = 640                              // past every bound
	runawayPerBatch   = 16                               // every 100ms: 160 a second
	runawayCostCall   = 360                              // 360 × $0.0139 > $5 > 359 × $0.0139
	runawayLimitCall  = 601                              // the first above 600
	runawayMaxTraces  = 100
	runawayMaxConvs   = 10
	runawayOtherConvs = 20 // one-call conversations after the incident
)

const runawayProcessor = `signals:
  max_conversations: %d
  runaway:
    window: %s
    max_traces: %d
    conversation: { max_model_calls: 600, max_tool_calls: 600, max_cost_usd: 5 }
sampling:
  rules:
    - { name: runaway, signals: [runaway] }
judge:
  otlp_http:
    endpoint: http://127.0.0.1:%d
    compression: none
    retry_on_failure: { enabled: false }
`

// runawayTrace appends repetition n of conversation conv: the model asks
// for the tool again, the tool fails again.
func runawayTrace(ss ptrace.ScopeSpans, n int, conv string, end time.Time) {
	var trace pcommon.TraceID
	be.BigEndian.PutUint32(trace[:], 0x7a000000)
	be.BigEndian.PutUint32(trace[12:], uint32(n))
	chat := ss.Spans().AppendEmpty()
	chat.SetTraceID(trace)
	chat.SetSpanID(runawaySpanID(1, n))
	chat.SetName("chat gpt-4o")
	chat.SetStartTimestamp(pcommon.NewTimestampFromTime(end.Add(-400 * time.Millisecond)))
	chat.SetEndTimestamp(pcommon.NewTimestampFromTime(end.Add(-100 * time.Millisecond)))
	a := chat.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.provider.name", "openai")
	a.PutStr("gen_ai.request.model", "gpt-4o")
	a.PutInt("gen_ai.usage.input_tokens", 5000)
	a.PutInt("gen_ai.usage.output_tokens", 140)
	a.PutStr("gen_ai.conversation.id", conv)
	a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"refund_order","arguments":{"order_id":"1042"}}],"finish_reason":"tool_call"}]`)
	tool := ss.Spans().AppendEmpty()
	tool.SetTraceID(trace)
	tool.SetSpanID(runawaySpanID(2, n))
	tool.SetParentSpanID(chat.SpanID())
	tool.SetName("execute_tool refund_order")
	tool.SetStartTimestamp(pcommon.NewTimestampFromTime(end.Add(-100 * time.Millisecond)))
	tool.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
	tool.Status().SetCode(ptrace.StatusCodeError)
	a = tool.Attributes()
	a.PutStr("gen_ai.operation.name", "execute_tool")
	a.PutStr("gen_ai.tool.name", "refund_order")
	a.PutStr("gen_ai.tool.call.id", "call_1")
	a.PutStr("gen_ai.tool.call.arguments", `{"order_id":"1042"}`)
	a.PutStr("gen_ai.tool.call.result", "Error: payment service unavailable")
	a.PutStr("gen_ai.conversation.id", conv)
}

func runawaySpanID(kind byte, n int) pcommon.SpanID {
	return pcommon.SpanID{kind, 0, 0, 0, 0, 0, byte(n >> 8), byte(n)}
}

// runawayKindsOf are a span's runaway kinds.
func runawayKindsOf(sp ptrace.Span) []string {
	v, ok := sp.Attributes().Get("llmeval.signal.runaway.kinds")
	if !ok {
		return nil
	}
	var out []string
	for i := 0; i < v.Slice().Len(); i++ {
		out = append(out, v.Slice().At(i).Str())
	}
	return out
}

// TestRunawayIncident replays the incident in compressed time (see above):
// the runaway kind is written on the span that crosses each bound, within
// the window; the state stays within its bounds, the rest forgotten and
// counted; and the judge copy of the trace that crossed the cost bound
// carries what the trace and what the whole conversation cost.
func TestRunawayIncident(t *testing.T) {
	judgeOut, judgePort := startJudge(t)
	out := newSink(t)
	c := start(t, fmt.Sprintf(runawayProcessor, runawayMaxConvs, runawayWindow, runawayMaxTraces, judgePort), out)

	begin := time.Now()
	var crossed time.Duration // when the cost bound's call was sent
	for n := 1; n <= runawayCalls; {
		td := ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		for i := 0; i < runawayPerBatch && n <= runawayCalls; i, n = i+1, n+1 {
			runawayTrace(ss, n, "conv-refund-1042", time.Now())
			if n == runawayCostCall {
				crossed = time.Since(begin)
			}
		}
		c.send(t, td)
		time.Sleep(time.Until(begin.Add(time.Duration(n-1) * time.Second / (10 * runawayPerBatch))))
	}
	elapsed := time.Since(begin)
	t.Logf("%d repetitions in %v (an incident's %v); the cost bound crossed after %v (%v)",
		runawayCalls, elapsed.Round(time.Millisecond), time.Duration(runawayScale)*elapsed.Round(time.Second),
		crossed.Round(time.Millisecond), (time.Duration(runawayScale) * crossed).Round(time.Second))
	require.Less(t, elapsed, runawayWindow, "the incident must fit in one window for its sums to be the window's")
	// Then a few other conversations, one call each.
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for i := 1; i <= runawayOtherConvs; i++ {
		runawayTrace(ss, runawayCalls+i, fmt.Sprintf("conv-%d", i), time.Now())
	}
	c.send(t, td)

	// The kinds, on the spans that cross each bound and every later one.
	spans := out.waitSpans(t, 2*(runawayCalls+runawayOtherConvs))
	kinds := func(kind byte, n int) []string {
		sp, ok := spans[runawaySpanID(kind, n).String()]
		require.True(t, ok, "span %d of repetition %d", kind, n)
		return runawayKindsOf(sp)
	}
	cases := []struct {
		name       string
		kind       byte // 1 the model call, 2 the tool call
		n          int
		want       []string
		andAfterIt bool
	}{
		{"first call", 1, 1, nil, false},
		{"the last call under $5", 1, runawayCostCall - 1, nil, false},
		{"its tool call", 2, runawayCostCall - 1, nil, false},
		{"the call that takes the conversation over $5", 1, runawayCostCall, []string{"conversation_cost"}, false},
		{"the 600th model call", 1, runawayLimitCall - 1, []string{"conversation_cost"}, false},
		{"the 600th tool call", 2, runawayLimitCall - 1, []string{"conversation_cost"}, false},
		{"the 601st model call", 1, runawayLimitCall, []string{"conversation_model_calls", "conversation_cost"}, true},
		// its model call came first: both call bounds are crossed now
		{"the 601st tool call", 2, runawayLimitCall, []string{"conversation_model_calls", "conversation_tool_calls", "conversation_cost"}, true},
		{"another conversation", 1, runawayCalls + 1, nil, false},
	}
	for _, tc := range cases {
		assert.ElementsMatch(t, tc.want, kinds(tc.kind, tc.n), tc.name)
		for n := tc.n + 1; tc.andAfterIt && n <= runawayCalls; n++ {
			require.Subset(t, kinds(tc.kind, n), tc.want, "%s, and repetition %d after it", tc.name, n)
		}
	}
	for n := runawayCostCall; n <= runawayCalls; n++ {
		require.Contains(t, kinds(2, n), "conversation_cost", "repetition %d's tool call: the conversation stays over $5", n)
	}

	// State: at most max_traces traces and max_conversations
	// conversations; every other one forgotten and counted.
	evictions := regexp.MustCompile(`(?m)^otelcol_processor_llmeval_runaway_state_evictions(?:_total)?\{[^}]*scope="(trace|conversation)"[^}]*\} (\S+)$`)
	want := map[string]int64{
		"trace":        runawayCalls + runawayOtherConvs - runawayMaxTraces,
		"conversation": 1 + runawayOtherConvs - runawayMaxConvs,
	}
	var got map[string]int64
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got = map[string]int64{}
		for _, m := range evictions.FindAllStringSubmatch(c.metrics(t, "runaway_state_evictions"), -1) {
			v, err := strconv.ParseFloat(m[2], 64)
			require.NoError(t, err)
			got[m[1]] = int64(v)
		}
		if assert.ObjectsAreEqual(want, got) || time.Now().After(deadline) {
			break
		}
	}
	assert.Equal(t, want, got, "runaway state evictions")

	// The judge copy of the trace that crossed the cost bound: what it cost
	// and what the conversation had cost by then, its tool call included.
	var copied ptrace.Span
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if sp, ok := judgeOut.waitSpans(t, 0)[runawaySpanID(2, runawayCostCall).String()]; ok {
			copied = sp
			break
		}
	}
	require.NotEqual(t, ptrace.Span{}, copied, "the judge got no copy of repetition %d", runawayCostCall)
	a := copied.Attributes().AsRaw()
	assert.Equal(t, "runaway", a["llmeval.judge.reason"])
	for _, m := range []struct {
		key        string
		trace, max float64 // the trace's, the conversation's
	}{
		{"steps", 2, 2 * runawayCostCall},
		{"model_calls", 1, runawayCostCall},
		{"tool_calls", 1, runawayCostCall},
		{"tokens", 5140, 5140 * runawayCostCall},
		{"cost_usd", 0.0139, 0.0139 * runawayCostCall},
	} {
		assert.InDelta(t, m.trace, toFloat(a["llmeval.judge."+m.key]), 1e-6, "llmeval.judge.%s", m.key)
		assert.InDelta(t, m.max, toFloat(a["llmeval.judge.conversation."+m.key]), 1e-6, "llmeval.judge.conversation.%s", m.key)
	}
}

func toFloat(v any) float64 {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return -1
}
