package signals

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/memtest"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// costSpan is a chat or tool span of a trace and conversation, with usage.
func costSpan(t testing.TB, trace byte, conv string, tool bool, in, out int64) spanRef {
	t.Helper()
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	ss := rs.ScopeSpans().AppendEmpty()
	sp := ss.Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{trace})
	a := sp.Attributes()
	if tool {
		a.PutStr("gen_ai.operation.name", "execute_tool")
		a.PutStr("gen_ai.tool.name", "lookup")
		a.PutStr("gen_ai.tool.call.arguments", `{"id":7}`)
	} else {
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutInt("gen_ai.usage.input_tokens", in)
		a.PutInt("gen_ai.usage.output_tokens", out)
	}
	if conv != "" {
		a.PutStr("gen_ai.conversation.id", conv)
	}
	return spanRef{rs, ss, sp}
}

func runawayKinds(t testing.TB, d *Detector, s spanRef) ([]string, Measures) {
	t.Helper()
	var v spanmodel.View
	v.Reset(s.rs, s.ss, s.sp)
	var f Found
	d.Detect(&v, &f)
	return append([]string(nil), f.Kinds(Runaway)...), f.Cost
}

func TestRunawayPerTrace(t *testing.T) {
	d := newDetector(t, Config{Runaway: RunawayConfig{Trace: Bounds{MaxSteps: 3, MaxModelCalls: -1, MaxToolCalls: -1, MaxTokens: 2500}}})
	var got [][]string
	for i := 0; i < 5; i++ {
		k, _ := runawayKinds(t, d, costSpan(t, 1, "", false, 500, 100))
		got = append(got, k)
	}
	assert.Equal(t, [][]string{nil, nil, nil, {"trace_steps"}, {"trace_steps", "trace_tokens"}}, got,
		"from the span that crosses a bound on, while the trace stays above it")
	k, m := runawayKinds(t, d, costSpan(t, 2, "", false, 500, 100))
	assert.Empty(t, k, "another trace has its own sums")
	assert.Equal(t, Measures{Steps: 1, ModelCalls: 1, Tokens: 600, CostUSD: 500*2.5/1e6 + 100*10/1e6}, m, "gpt-4o at its default price")
}

func TestRunawayPerConversationWindow(t *testing.T) {
	d := newDetector(t, Config{Runaway: RunawayConfig{Window: time.Hour, Conversation: Bounds{MaxToolCalls: 4}}})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d.convCost.now = func() time.Time { return now }
	// A failing call repeated across traces of one conversation, one a minute.
	var got [][]string
	for i := 0; i < 6; i++ {
		k, _ := runawayKinds(t, d, costSpan(t, byte(10+i), "conv-1", true, 0, 0))
		got = append(got, k)
		now = now.Add(time.Minute)
	}
	assert.Equal(t, [][]string{nil, nil, nil, nil, {"conversation_tool_calls"}, {"conversation_tool_calls"}}, got)
	k, _ := runawayKinds(t, d, costSpan(t, 20, "conv-2", true, 0, 0))
	assert.Empty(t, k, "another conversation")
	now = now.Add(2 * time.Hour)
	k, _ = runawayKinds(t, d, costSpan(t, 21, "conv-1", true, 0, 0))
	assert.Empty(t, k, "the window slid past the earlier calls")
}

func TestRunawayStateIsBounded(t *testing.T) {
	d := newDetector(t, Config{MaxConversations: 2, Runaway: RunawayConfig{MaxTraces: 2}})
	for i := 0; i < 5; i++ {
		runawayKinds(t, d, costSpan(t, byte(i), "conv-"+string(rune('a'+i)), false, 1, 1))
	}
	traces, convs := d.RunawayEvictions()
	assert.Equal(t, int64(3), traces)
	assert.Equal(t, int64(3), convs)
	assert.Equal(t, 2, d.traceCost.lru.len())
	assert.Equal(t, 2, d.convCost.lru.len())
}

// TestRunawayStateIsBoundedInBytes: a remembered trace costs at most
// traceCostBytes, a conversation convCostBytes.
func TestRunawayStateIsBoundedInBytes(t *testing.T) {
	const n = 20000
	before := memtest.LiveHeap()
	traces := newTraceCosts(n)
	for i := 0; i < n; i++ {
		traces.add(uint64(i)*0x9e3779b97f4a7c15, Measures{Steps: 1})
	}
	mid := memtest.LiveHeap()
	convs := newConvCosts(n, time.Hour)
	for i := 0; i < n; i++ {
		convs.addWindowed(uint64(i)*0x9e3779b97f4a7c15, Measures{Steps: 1})
	}
	after := memtest.LiveHeap()
	assert.Equal(t, n, traces.lru.len())
	assert.Equal(t, n, convs.lru.len())
	assert.LessOrEqual(t, mid-before, int64(n*traceCostBytes), "%d B a trace", (mid-before)/n)
	assert.LessOrEqual(t, after-mid, int64(n*convCostBytes), "%d B a conversation", (after-mid)/n)
	t.Logf("%d B a trace, %d B a conversation", (mid-before)/n, (after-mid)/n)
	runtime.KeepAlive(traces)
	runtime.KeepAlive(convs)
}

func TestRunawayConfig(t *testing.T) {
	c := Config{}.withDefaults().Runaway
	assert.Equal(t, Bounds{MaxSteps: 200, MaxModelCalls: 100, MaxToolCalls: 100, MaxTokens: -1, MaxCostUSD: -1}, c.Trace)
	assert.Equal(t, Bounds{MaxSteps: -1, MaxModelCalls: 600, MaxToolCalls: 600, MaxTokens: -1, MaxCostUSD: -1}, c.Conversation)
	bad := Config{Runaway: RunawayConfig{Window: -time.Second, MaxTraces: -1}}
	err := bad.validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "runaway: window: must be positive")
	assert.Contains(t, err.Error(), "runaway: max_traces: must be positive")
}

// TestRunawayConversationTotals: each span reports its conversation's sums
// over the window, itself included, for the judge copy; a span without a
// conversation reports none.
func TestRunawayConversationTotals(t *testing.T) {
	d := newDetector(t, Config{Runaway: RunawayConfig{Window: time.Hour}})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d.convCost.now = func() time.Time { return now }
	chat := Measures{Steps: 1, ModelCalls: 1, Tokens: 600, CostUSD: 500*2.5/1e6 + 100*10/1e6} // gpt-4o
	tool := Measures{Steps: 1, ToolCalls: 1}
	sum := func(ms ...Measures) (out Measures) {
		for _, m := range ms {
			out.Add(m)
		}
		return out
	}
	cases := []struct {
		name  string
		span  spanRef
		later time.Duration // before the span
		want  Measures
	}{
		{"first call of conv-1", costSpan(t, 1, "conv-1", false, 500, 100), 0, chat},
		{"its tool call, another trace", costSpan(t, 2, "conv-1", true, 0, 0), time.Minute, sum(chat, tool)},
		{"conv-2 has its own", costSpan(t, 3, "conv-2", true, 0, 0), time.Minute, tool},
		{"no conversation: none", costSpan(t, 4, "", false, 500, 100), 0, Measures{}},
		{"conv-1 again", costSpan(t, 5, "conv-1", false, 500, 100), time.Minute, sum(chat, tool, chat)},
		{"the window slid past conv-1's calls", costSpan(t, 6, "conv-1", true, 0, 0), 2 * time.Hour, tool},
	}
	for _, tc := range cases {
		now = now.Add(tc.later)
		var v spanmodel.View
		v.Reset(tc.span.rs, tc.span.ss, tc.span.sp)
		var f Found
		d.Detect(&v, &f)
		assert.InDelta(t, tc.want.CostUSD, f.Conversation.CostUSD, 1e-12, tc.name)
		tc.want.CostUSD, f.Conversation.CostUSD = 0, 0
		assert.Equal(t, tc.want, f.Conversation, tc.name)
		f.Reset()
		assert.Equal(t, Measures{}, f.Conversation, "Reset clears it")
	}
}

func TestTotalsAdd(t *testing.T) {
	a := Measures{Steps: 1, ModelCalls: 1, Tokens: 10, CostUSD: 0.5}
	b := Measures{Steps: 2, ToolCalls: 2}
	cases := []struct {
		name string
		add  []Totals
		want Totals
	}{
		{"trace sums add up", []Totals{{Trace: a}, {Trace: b}}, Totals{Trace: Measures{Steps: 3, ModelCalls: 1, ToolCalls: 2, Tokens: 10, CostUSD: 0.5}}},
		{"the later conversation sums win", []Totals{{Trace: a, Conversation: a}, {Trace: b, Conversation: b}}, Totals{Trace: Measures{Steps: 3, ModelCalls: 1, ToolCalls: 2, Tokens: 10, CostUSD: 0.5}, Conversation: b}},
		{"spans without a conversation keep the last", []Totals{{Trace: a, Conversation: a}, {Trace: b}}, Totals{Trace: Measures{Steps: 3, ModelCalls: 1, ToolCalls: 2, Tokens: 10, CostUSD: 0.5}, Conversation: a}},
	}
	for _, tc := range cases {
		var got Totals
		for _, o := range tc.add {
			got.Add(o)
		}
		assert.Equal(t, tc.want, got, tc.name)
	}
}
