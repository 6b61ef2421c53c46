package sampling

import (
	"context"
	"encoding/binary"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"
)

// traceN is a chunk of trace n (any number) with a root span and the
// given loop.same_call span count (score = 1.5 × severity).
func traceN(t testing.TB, n uint32, spans int) Chunk {
	t.Helper()
	var id pcommon.TraceID
	binary.BigEndian.PutUint32(id[:], n)
	binary.BigEndian.PutUint32(id[8:], n*2654435761)
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(id)
	data, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	c := Chunk{TraceID: id, Data: data, Spans: 1, LLM: true, Root: true}
	if spans > 0 {
		c.Features = trouble.Counts{"loop.same_call": spans}
	}
	return c
}

func sentByReason(sink *consumertest.TracesSink) map[pcommon.TraceID]string {
	out := map[pcommon.TraceID]string{}
	for _, td := range sink.AllTraces() {
		eachSpan(td, func(sp ptrace.Span) {
			r, _ := sp.Attributes().Get("llmeval.judge.reason")
			out[sp.TraceID()] = r.Str()
		})
	}
	return out
}

// TestTargetRatioHoldsItsShare: over 2,000 traces whose scores tie
// heavily (four levels), target_ratio sends its share within a point or
// two, at start-up too, and prefers the highest scores.
func TestTargetRatioHoldsItsShare(t *testing.T) {
	for _, ratio := range []float64{0.05, 0.2, 0.4} {
		cfg := NewDefaultConfig()
		cfg.TargetRatio = ratio
		cfg.TargetWindow = 500
		h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)
		ctx := context.Background()
		const n = 2000
		spansOf := func(i uint32) int { return int(i*7919%4) * 2 } // 0, 2, 4, 6 spans: scores 0, 1.5, 3, 4.5
		firstPart := 0
		for i := uint32(0); i < n; i++ {
			h.s.add(ctx, traceN(t, i, spansOf(i)))
			h.clock.advance(time.Minute)
			h.s.decideDue(ctx)
			if i == 199 {
				firstPart = len(sentByReason(h.judge))
			}
		}
		sent := sentByReason(h.judge)
		assert.InDelta(t, ratio, float64(len(sent))/n, 0.02, "ratio %g", ratio)
		assert.InDelta(t, ratio, float64(firstPart)/200, 0.05, "ratio %g, first 200 traces", ratio)
		for id, r := range sent {
			assert.Equal(t, "target", r)
			// Only the top level (4.5, a quarter of traces) is sent while
			// the share is below a quarter.
			if ratio < 0.25 {
				i := binary.BigEndian.Uint32(id[:])
				assert.Equal(t, 6, spansOf(i), "trace %d", i)
			}
		}
	}
}

func TestTargetSendsOnlyTroubledTraces(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.TargetRatio = 0.5
	h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)
	ctx := context.Background()
	for i := uint32(0); i < 100; i++ {
		h.s.add(ctx, traceN(t, i, 0))
	}
	h.clock.advance(time.Hour)
	h.s.decideDue(ctx)
	assert.Empty(t, sentByReason(h.judge), "a score of 0 is no trouble")
}

// TestBudgetRefusesLowerScoresFirst: traces arrive at 10/s for a budget
// of 2/s; the budget sends the higher-scored ones, whatever their order.
func TestBudgetRefusesLowerScoresFirst(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.TargetRatio = 1
	cfg.Budget = BudgetConfig{MaxTracesPerSecond: 2, Burst: 10}
	h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)
	ctx := context.Background()
	spansOf := func(i uint32) int { return 1 + int(i*7919%6) } // 1-6 spans: severities 1, 1, 2, 2, 3, 3
	const n = 2000
	for i := uint32(0); i < n; i++ {
		h.s.add(ctx, traceN(t, i, spansOf(i)))
		h.clock.advance(100 * time.Millisecond)
		h.s.decideDue(ctx)
	}
	h.clock.advance(time.Hour)
	h.s.decideDue(ctx)
	sent := sentByReason(h.judge)
	bySeverity := map[float64][2]int{} // severity -> sent, total
	for i := uint32(0); i < n; i++ {
		c := traceN(t, i, spansOf(i))
		sev := trouble.Severity(spansOf(i))
		v := bySeverity[sev]
		if _, ok := sent[c.TraceID]; ok {
			v[0]++
		}
		v[1]++
		bySeverity[sev] = v
	}
	share := func(sev float64) float64 { return float64(bySeverity[sev][0]) / float64(bySeverity[sev][1]) }
	t.Logf("sent %d of %d; share sent by severity: 1 %.2f, 2 %.2f, 3 %.2f", len(sent), n, share(1), share(2), share(3))
	assert.InDelta(t, 0.2, float64(len(sent))/n, 0.03, "the budget caps at its rate")
	assert.Greater(t, share(3), 0.5, "the highest scores get most of the budget")
	assert.Less(t, share(1), 0.05, "the lowest are refused first")
	assert.Greater(t, share(3), share(2))
	assert.Greater(t, share(2), share(1))
}

func TestDefaultSending(t *testing.T) {
	cases := []struct {
		name      string
		cfg       func(*Config)
		evals     []string
		wantRules []RuleConfig
		target    float64
		baseline  float64
	}{
		{"no block: safety checks, target, baseline", nil, []string{"refusal", "pii", "sql_safety"},
			[]RuleConfig{{Name: SafetyRule, VerdictFailed: []string{"pii", "sql_safety"}}}, 0.1, 0.01},
		{"no safety checks configured", nil, []string{"refusal"}, nil, 0.1, 0.01},
		{"a block that sends is kept", func(c *Config) { c.BaselineRatio = 0.05 }, []string{"pii"}, nil, 0, 0.05},
		{"target only is kept", func(c *Config) { c.TargetRatio = 0.3 }, []string{"pii"}, nil, 0.3, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := NewDefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			got := cfg.WithDefaultSending(tc.evals)
			assert.Equal(t, tc.wantRules, got.Rules)
			assert.Equal(t, tc.target, got.TargetRatio)
			assert.Equal(t, tc.baseline, got.BaselineRatio)
			assert.NoError(t, got.Validate(tc.evals))
		})
	}
}

func TestScoreWindowIsBounded(t *testing.T) {
	w := newScoreWindow(3)
	for _, s := range []float64{5, 1, 1, 2, 2} {
		w.add(s)
	}
	assert.Len(t, w.scores, 3)
	assert.ElementsMatch(t, []float64{1, 2, 2}, w.scores)
	// Over the window and the trace itself: above, plus u of the ties.
	assert.InDelta(t, 0.5/4, w.rank(9, 0.5), 1e-9)
	assert.InDelta(t, (3+0.5)/4, w.rank(0, 0.5), 1e-9)
	assert.InDelta(t, (2+0.5*2)/4, w.rank(1, 0.5), 1e-9)
}

// TestBudgetUnderABurstServesTheWorstFirst: 100 traces due at once, from
// start-up, against a burst of 10: the 10 sent are the highest-scored,
// wherever they were in the order of arrival.
func TestBudgetUnderABurstServesTheWorstFirst(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.TargetRatio = 1
	cfg.Budget = BudgetConfig{MaxTracesPerSecond: 1, Burst: 10}
	h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)
	ctx := context.Background()
	for i := uint32(0); i < 100; i++ {
		spans := 1
		if i%10 == 7 { // ten traces, spread over the burst, score highest
			spans = 5
		}
		h.s.add(ctx, traceN(t, i, spans))
	}
	h.clock.advance(cfg.DecisionWait)
	h.s.decideDue(ctx)
	sent := sentByReason(h.judge)
	require.Len(t, sent, 10)
	for id := range sent {
		assert.Equal(t, uint32(7), be32(id)%10, "trace %d", be32(id))
	}
}

// TestBudgetUnderABurstIgnoresArrivalOrder: 200 equally troubled traces
// due at once against a burst of 10: the ten sent are chosen by trace-ID
// hash, so the second half of the burst gets its share instead of the
// first ten arrivals taking every token.
func TestBudgetUnderABurstIgnoresArrivalOrder(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.TargetRatio = 1
	cfg.Budget = BudgetConfig{MaxTracesPerSecond: 1, Burst: 10}
	h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)
	ctx := context.Background()
	const n = 200
	ids := make([]pcommon.TraceID, 0, n)
	for i := uint32(0); i < n; i++ {
		c := traceN(t, i, 3)
		ids = append(ids, c.TraceID)
		h.s.add(ctx, c)
	}
	h.clock.advance(cfg.DecisionWait)
	h.s.decideDue(ctx)
	sent := sentByReason(h.judge)
	require.Len(t, sent, 10)
	sort.Slice(ids, func(i, j int) bool { return uniform(ids[i]) < uniform(ids[j]) })
	late := 0
	for _, id := range ids[:10] {
		assert.Contains(t, sent, id, "the ten lowest hashes are sent")
		if be32(id) >= n/2 {
			late++
		}
	}
	assert.Positive(t, late, "the burst's second half is served too")
}

func be32(id pcommon.TraceID) uint32 { return binary.BigEndian.Uint32(id[:]) }

// TestStratifiedBaseline: a segment with 5% of the traffic gets as many
// baseline traces as the one with 95%; without strata it gets its 5%.
func TestStratifiedBaseline(t *testing.T) {
	for _, stratified := range []bool{false, true} {
		cfg := NewDefaultConfig()
		cfg.BaselineRatio = 0.1
		if stratified {
			cfg.BaselineStrata = []string{"app.segment"}
		}
		h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)
		ctx := context.Background()
		const n = 4000
		rare := map[pcommon.TraceID]bool{}
		for i := uint32(0); i < n; i++ {
			c := traceN(t, i, 0)
			c.Stratum = 2
			if i%20 == 0 {
				c.Stratum = 3
				rare[c.TraceID] = true
			}
			h.s.add(ctx, c)
			h.clock.advance(time.Minute)
			h.s.decideDue(ctx)
		}
		sent := sentByReason(h.judge)
		nRare := 0
		for id, r := range sent {
			assert.Equal(t, "baseline", r)
			if rare[id] {
				nRare++
			}
		}
		share := float64(nRare) / float64(len(sent))
		t.Logf("stratified %v: %d sent (%.1f%%), %.0f%% of them from the 5%% segment", stratified, len(sent), 100*float64(len(sent))/n, 100*share)
		if stratified {
			assert.InDelta(t, 0.5, share, 0.1, "equal shares")
			assert.InDelta(t, 0.1, float64(len(sent))/n, 0.03)
		} else {
			assert.InDelta(t, 0.05, share, 0.04)
		}
	}
}

func TestStrataWindowIsBounded(t *testing.T) {
	s := newStrataIf(true)
	for i := 0; i < strataWindow+500; i++ {
		s.add(uint64(i%3 + 1))
	}
	assert.Len(t, s.ring, strataWindow)
	total := 0
	for _, c := range s.counts {
		total += c
	}
	assert.Equal(t, strataWindow, total)
	assert.Nil(t, newStrataIf(false))
}
