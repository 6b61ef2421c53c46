package sampling

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadata"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// chunk builds a chunk of n spans of trace id with a content attribute.
func chunk(t testing.TB, id byte, n int, mask uint64, llm, root bool) Chunk {
	t.Helper()
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for i := 0; i < n; i++ {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{id})
		sp.SetSpanID(pcommon.SpanID{id, byte(i + 1)})
		sp.Attributes().PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"secret answer"}]}]`)
		sp.Attributes().PutStr("gen_ai.request.model", "gpt-4o")
	}
	data, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	return Chunk{TraceID: pcommon.TraceID{id}, Data: data, Spans: n, Mask: mask, LLM: llm, Root: root}
}

type harness struct {
	s     *Sampler
	clock *fakeClock
	judge *consumertest.TracesSink
	tel   *componenttest.Telemetry
}

func newHarness(t *testing.T, cfg Config, rules []RuleConfig, judge *consumertest.TracesSink, mod func(*Settings)) *harness {
	t.Helper()
	cfg.Rules = rules
	require.NoError(t, cfg.Validate([]string{"pii", "refusal"}))
	built, err := BuildRules(rules, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	tb, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
	require.NoError(t, err)
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	set := Settings{Rules: built, Judge: judge, Telemetry: tb, Logger: zap.NewNop(), Prefix: "llmeval", Now: clock.now}
	if mod != nil {
		mod(&set)
	}
	s, err := New(cfg, set)
	require.NoError(t, err)
	return &harness{s: s, clock: clock, judge: judge, tel: tel}
}

// droppedSpans reads processor_llmeval_judge_spans_dropped for one cause.
func droppedSpans(t *testing.T, tel *componenttest.Telemetry, cause string) int64 {
	t.Helper()
	m, err := tel.GetMetric("otelcol_processor_llmeval_judge_spans_dropped")
	if err != nil {
		return 0
	}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if v, _ := dp.Attributes.Value("cause"); v.AsString() == cause {
			return dp.Value
		}
	}
	return 0
}

func sampledIDs(sink *consumertest.TracesSink) map[byte]int {
	out := map[byte]int{}
	for _, td := range sink.AllTraces() {
		eachSpan(td, func(sp ptrace.Span) { out[sp.TraceID()[0]]++ })
	}
	return out
}

var failedPII = []RuleConfig{{Name: "failed", VerdictFailed: []string{"pii"}}}

func TestDecisionTiming(t *testing.T) {
	ctx := context.Background()
	cfg := NewDefaultConfig()
	cfg.BaselineRatio = 1 // every LLM trace, so the test sees when it is decided
	h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)

	h.s.add(ctx, chunk(t, 1, 2, 0, true, false)) // root not seen yet
	h.clock.advance(time.Minute)
	h.s.decideDue(ctx)
	assert.Empty(t, sampledIDs(h.judge), "undecided while the root is missing")

	h.s.add(ctx, chunk(t, 1, 1, 0, true, true)) // root ends
	h.clock.advance(cfg.DecisionWait - time.Second)
	h.s.decideDue(ctx)
	assert.Empty(t, sampledIDs(h.judge), "undecided within the quiet period")

	h.clock.advance(time.Second)
	h.s.decideDue(ctx)
	assert.Equal(t, map[byte]int{1: 3}, sampledIDs(h.judge), "decided, whole, after the quiet period")

	// A trace whose root never comes is decided at max_trace_duration.
	h.s.add(ctx, chunk(t, 2, 1, 0, true, false))
	h.clock.advance(cfg.MaxTraceDuration)
	h.s.decideDue(ctx)
	assert.Equal(t, map[byte]int{1: 3, 2: 1}, sampledIDs(h.judge))
	n, b := h.s.Buffered()
	assert.Zero(t, n)
	assert.Zero(t, b)
}

func TestRulesDecide(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, NewDefaultConfig(), failedPII, new(consumertest.TracesSink), nil)
	h.s.add(ctx, chunk(t, 1, 1, 1, true, false)) // matched: decided at once
	h.s.add(ctx, chunk(t, 2, 1, 0, true, true))  // no rule, no baseline
	h.s.add(ctx, chunk(t, 3, 1, 0, false, true)) // not an LLM trace
	assert.Equal(t, map[byte]int{1: 1}, sampledIDs(h.judge), "a ratio-1 rule decides early")
	h.clock.advance(time.Hour)
	h.s.decideDue(ctx)
	assert.Equal(t, map[byte]int{1: 1}, sampledIDs(h.judge))

	// Every copy is marked with why it was sampled.
	td := h.judge.AllTraces()[0]
	sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, true, sp.Attributes().AsRaw()["llmeval.judge.sampled"])
	assert.Equal(t, "failed", sp.Attributes().AsRaw()["llmeval.judge.reason"])
}

func TestLateSpansFollowTheDecision(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, NewDefaultConfig(), failedPII, new(consumertest.TracesSink), nil)
	h.s.add(ctx, chunk(t, 1, 2, 1, true, false)) // sampled early
	h.s.add(ctx, chunk(t, 2, 1, 0, true, true))
	h.clock.advance(time.Hour)
	h.s.decideDue(ctx) // trace 2 not sampled
	h.s.add(ctx, chunk(t, 1, 3, 0, true, true))
	h.s.add(ctx, chunk(t, 2, 5, 0, true, false))
	assert.Equal(t, map[byte]int{1: 5}, sampledIDs(h.judge), "late spans of a sampled trace go to the judge, others do not")
	n, _ := h.s.Buffered()
	assert.Zero(t, n, "late spans are not buffered")
}

func TestEvictionAtBothLimits(t *testing.T) {
	ctx := context.Background()
	t.Run("max_traces", func(t *testing.T) {
		cfg := NewDefaultConfig()
		cfg.MaxTraces, cfg.BaselineRatio = 3, 1
		h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)
		for id := byte(1); id <= 5; id++ {
			h.s.add(ctx, chunk(t, id, 1, 0, true, false))
		}
		n, _ := h.s.Buffered()
		assert.Equal(t, 3, n)
		assert.Equal(t, map[byte]int{1: 1, 2: 1}, sampledIDs(h.judge), "the oldest are decided with what is known, not lost")
	})
	t.Run("max_bytes", func(t *testing.T) {
		cfg := NewDefaultConfig()
		c := chunk(t, 1, 1, 0, true, false)
		// The judge's share (a quarter) holds one raw copy; the buffer
		// (seven eighths, less the judge's use) then holds a few
		// compressed ones.
		cfg.MaxBytes, cfg.BaselineRatio = int64(len(c.Data))*4, 1
		fit := int((cfg.MaxBytes - cfg.MaxBytes/8) / int64(len(s2.Encode(nil, c.Data))))
		h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)
		for id := byte(1); id <= byte(fit+2); id++ {
			h.s.add(ctx, chunk(t, id, 1, 0, true, false))
		}
		n, b := h.s.Buffered()
		assert.Equal(t, fit, n)
		assert.LessOrEqual(t, b, cfg.MaxBytes-cfg.MaxBytes/8)
		assert.Equal(t, map[byte]int{1: 1, 2: 1}, sampledIDs(h.judge), "the oldest are decided and sent, not lost")
	})
}

func TestConsistentHashing(t *testing.T) {
	// The same trace gets the same decision on every replica.
	ratio := 0.3
	in := 0
	for i := 0; i < 10000; i++ {
		id := pcommon.TraceID{byte(i), byte(i >> 8), 7}
		a, b := inBaseline(id, ratio), inBaseline(id, ratio)
		require.Equal(t, a, b)
		if a {
			in++
		}
	}
	assert.InDelta(t, 3000, in, 200, "baseline keeps about ratio of traces")
	assert.True(t, inBaseline(pcommon.TraceID{1}, 1))
	assert.False(t, inBaseline(pcommon.TraceID{1}, 0))
	// The documented hash: FNV-1a 64 over the 16 trace-ID bytes (value
	// computed independently from the FNV spec).
	assert.Equal(t, uint64(0x88201fb960ff6465), traceHash(pcommon.TraceID{}))
}

func TestRuleRatio(t *testing.T) {
	half := 0.5
	rules, err := BuildRules([]RuleConfig{{Name: "r", VerdictFailed: []string{"any"}, Ratio: &half}}, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	kept := 0
	for i := 0; i < 4000; i++ {
		if rules.InRatio(0, pcommon.TraceID{byte(i), byte(i >> 8)}) {
			kept++
		}
	}
	assert.InDelta(t, 2000, kept, 150)
}

func TestBudgetAndShares(t *testing.T) {
	ctx := context.Background()
	cfg := NewDefaultConfig()
	cfg.Budget = BudgetConfig{MaxTracesPerSecond: 2, Burst: 2, RuleShares: map[string]float64{"noisy": 0.5}}
	rules := []RuleConfig{{Name: "noisy", VerdictFailed: []string{"refusal"}}, {Name: "rare", VerdictFailed: []string{"pii"}}}
	h := newHarness(t, cfg, rules, new(consumertest.TracesSink), nil)
	for id := byte(1); id <= 10; id++ { // a flood on the noisy rule
		h.s.add(ctx, chunk(t, id, 1, 1, true, false))
	}
	h.s.add(ctx, chunk(t, 50, 1, 2, true, false)) // the rare rule still gets through
	got := sampledIDs(h.judge)
	assert.Equal(t, 1, got[1], "the noisy rule's own share (1 of burst 2)")
	assert.Len(t, got, 2, "noisy rule capped at its share; rare rule not starved: %v", got)
	assert.Equal(t, 1, got[50])
	h.clock.advance(time.Second) // the noisy bucket refills at 1/s
	h.s.add(ctx, chunk(t, 60, 1, 1, true, false))
	assert.Equal(t, 1, sampledIDs(h.judge)[60])
}

func TestRedaction(t *testing.T) {
	for _, mode := range []string{"drop", "mask"} {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t, NewDefaultConfig(), failedPII, new(consumertest.TracesSink), func(s *Settings) { s.Redact = RedactConfig{Mode: mode} })
			h.s.add(context.Background(), chunk(t, 1, 1, 1, true, false))
			sp := h.judge.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			a := sp.Attributes().AsRaw()
			if mode == "drop" {
				assert.NotContains(t, a, "gen_ai.output.messages")
			} else {
				assert.Equal(t, "[redacted]", a["gen_ai.output.messages"])
			}
			assert.Equal(t, "gpt-4o", a["gen_ai.request.model"], "non-content attributes stay")
			assert.NotContains(t, fmt.Sprint(a), "secret answer")
		})
	}
}

func TestJudgeDownDropsCopiesOnly(t *testing.T) {
	cfg := NewDefaultConfig()
	require.NoError(t, cfg.Validate(nil))
	built, err := BuildRules(failedPII, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	tb, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
	require.NoError(t, err)
	s, err := New(cfg, Settings{Rules: built, Judge: consumertest.NewErr(errors.New("sending queue is full")), Telemetry: tb, Logger: zap.NewNop(), Prefix: "llmeval"})
	require.NoError(t, err)
	s.add(context.Background(), chunk(t, 1, 4, 1, true, false))
	n, _ := s.Buffered()
	assert.Zero(t, n, "a refused copy is not kept")
}

func TestHandoffIsBoundedAndNeverBlocks(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.HandoffQueue = 2
	h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)
	// The loop is not running: the queue fills and further offers return
	// at once.
	done := make(chan []bool)
	go func() {
		var got []bool
		for id := byte(1); id <= 5; id++ {
			got = append(got, h.s.Offer(context.Background(), chunk(t, id, 1, 0, true, false)))
		}
		done <- got
	}()
	select {
	case got := <-done:
		assert.Equal(t, []bool{true, true, false, false, false}, got)
	case <-time.After(5 * time.Second):
		t.Fatal("Offer blocked")
	}
}

func TestShutdownDecidesAndFlushes(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.BaselineRatio = 1
	h := newHarness(t, cfg, nil, new(consumertest.TracesSink), func(s *Settings) { s.Now = time.Now })
	h.s.Start()
	require.True(t, h.s.Offer(context.Background(), chunk(t, 1, 2, 0, true, false)))
	require.True(t, h.s.Offer(context.Background(), chunk(t, 2, 1, 0, false, false)))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, h.s.Shutdown(ctx))
	assert.Equal(t, map[byte]int{1: 2}, sampledIDs(h.judge), "undecided LLM traces are decided and sent at shutdown")
}

func TestConfigValidate(t *testing.T) {
	two := 2.0
	cases := []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.BaselineRatio = 1.5 }, "baseline_ratio: 1.5 is outside [0, 1]"},
		{func(c *Config) { c.DecisionWait = 0 }, "decision_wait: must be positive"},
		{func(c *Config) { c.MaxBytes = 0 }, "max_bytes: must be positive"},
		{func(c *Config) { c.Rules = []RuleConfig{{Name: "x"}} }, `rules[0] "x": exactly one of verdict_failed, signals, condition`},
		{func(c *Config) { c.Rules = []RuleConfig{{Name: "x", VerdictFailed: []string{"nope"}}} }, `rules[0] "x": verdict_failed[0]: "nope" is not a configured evaluator`},
		{func(c *Config) { c.Rules = []RuleConfig{{Name: "x", Signals: []string{"mood"}}} }, `rules[0] "x": signals[0]: "mood": unknown signal category`},
		{func(c *Config) { c.Rules = []RuleConfig{{Name: "x", Signals: []string{"loop"}, MinSeverity: 4}} }, `min_severity: 4 is outside 0-3`},
		{func(c *Config) { c.Rules = []RuleConfig{{Name: "x", VerdictFailed: []string{"any"}, Ratio: &two}} }, `rules[0] "x": ratio: 2 is outside [0, 1]`},
		{func(c *Config) {
			c.Rules = []RuleConfig{{Name: "x", VerdictFailed: []string{"any"}}, {Name: "x", VerdictFailed: []string{"any"}}}
		}, `rules[1] "x": name: duplicate`},
		{func(c *Config) { c.Budget = BudgetConfig{RuleShares: map[string]float64{"y": 0.5}} }, `budget: rule_shares: "y" is not a rule`},
		{func(c *Config) { c.Rules = []RuleConfig{{Name: "x", MinScore: &two, Signals: []string{"loop"}}} }, `rules[0] "x": exactly one of verdict_failed, signals, condition, min_score`},
		{func(c *Config) { c.ScoreWeights = map[string]float64{"mood.bad": 1} }, `score_weights[mood.bad]: "mood" is not a signal category`},
		{func(c *Config) { c.ScoreWeights = map[string]float64{"failed.nope": 1} }, `score_weights[failed.nope]: "nope" is not a configured evaluator`},
		{func(c *Config) { c.ScoreWeights = map[string]float64{"loop": 1} }, `score_weights[loop]: want category.kind`},
		{func(c *Config) { c.BaselineStrata = []string{"service.name"} }, `baseline_strata: needs baseline_ratio`},
		{func(c *Config) { c.BaselineRatio = 0.1; c.BaselineStrata = []string{" "} }, `baseline_strata[0]: empty attribute name`},
	}
	for _, tc := range cases {
		cfg := NewDefaultConfig()
		tc.mod(&cfg)
		assert.ErrorContains(t, cfg.Validate([]string{"pii"}), tc.want)
	}
	bad := []RuleConfig{{Name: "c", Condition: `span.attributes["x"] ==`}}
	_, err := BuildRules(bad, componenttest.NewNopTelemetrySettings())
	assert.ErrorContains(t, err, `rules[0] "c": condition:`)
}

// TestEnormousTraceDoesNotStarveOthers sends one trace of 100,000 spans
// among small ones with a byte bound far below its size: it is decided
// (evicted, counted) when it outgrows the bound, and the small traces are
// still sampled, whole.
func TestEnormousTraceDoesNotStarveOthers(t *testing.T) {
	ctx := context.Background()
	cfg := NewDefaultConfig()
	cfg.BaselineRatio = 1
	cfg.MaxBytes = 256 << 10
	h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)
	big := chunk(t, 99, 1000, 0, true, false)
	for i := 0; i < 100; i++ {
		h.s.add(ctx, big)
		if i%25 == 0 {
			id := byte(i/25 + 1)
			h.s.add(ctx, chunk(t, id, 3, 0, true, true))
		}
		_, b := h.s.Buffered()
		require.LessOrEqual(t, b, cfg.MaxBytes, "the buffer never exceeds max_bytes")
	}
	h.clock.advance(time.Hour)
	h.s.decideDue(ctx)
	got := sampledIDs(h.judge)
	for id := byte(1); id <= 4; id++ {
		assert.Equal(t, 3, got[id], "small trace %d sampled whole", id)
	}
	// Each time it outgrew the buffer it was decided; a decided trace's
	// later spans follow the decision. Too big for the judge's share of
	// max_bytes, its copies are dropped and counted, not held.
	assert.Zero(t, got[99])
	assert.Positive(t, droppedSpans(t, h.tel, "memory"), "the enormous trace's copies are counted as dropped")
}

// A copy that cannot be read back is counted, and the trace's other copies
// still reach the judge.
func TestUnreadableCopyCounted(t *testing.T) {
	ctx := context.Background()
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(ctx)) }()
	tb, err := metadata.NewTelemetryBuilder(tt.NewTelemetrySettings())
	require.NoError(t, err)
	h := newHarness(t, NewDefaultConfig(), failedPII, new(consumertest.TracesSink), func(s *Settings) { s.Telemetry = tb })
	h.s.add(ctx, Chunk{TraceID: pcommon.TraceID{1}, Data: []byte{0xff, 0xff, 0xff}, Spans: 1, LLM: true})
	h.s.add(ctx, chunk(t, 1, 2, 1, true, true))
	assert.Equal(t, map[byte]int{1: 2}, sampledIDs(h.judge))
	metadatatest.AssertEqualProcessorLlmevalJudgeCopyErrors(t, tt, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
}

// scored is a chunk whose spans carried the given features.
func scored(t testing.TB, id byte, root bool, features trouble.Counts) Chunk {
	c := chunk(t, id, 1, 0, true, root)
	c.Features = features
	return c
}

func TestScoreRulesAndScoreOnCopies(t *testing.T) {
	ctx := context.Background()
	three := 3.0
	cfg := NewDefaultConfig()
	cfg.ScoreWeights = map[string]float64{"loop.same_call": 2}
	rules := []RuleConfig{{Name: "troubled", MinScore: &three}}
	h := newHarness(t, cfg, rules, new(consumertest.TracesSink), func(s *Settings) { s.Weights = cfg.Weights() })
	cases := []struct {
		id       byte
		features []trouble.Counts // one per chunk
		sampled  bool
		score    float64
	}{
		{1, []trouble.Counts{{"loop.same_call": 1}}, false, 2},
		// Chunks add up: 3 spans are severity 2.
		{2, []trouble.Counts{{"loop.same_call": 2}, {"loop.same_call": 1}}, true, 4},
		{3, []trouble.Counts{{"loop.same_call": 1}, {"failed.pii": 1}}, true, 4},
		{4, []trouble.Counts{{"satisfaction.gratitude": 9}}, false, 0},
		{5, []trouble.Counts{nil}, false, 0},
	}
	for _, tc := range cases {
		for i, f := range tc.features {
			h.s.add(ctx, scored(t, tc.id, i == len(tc.features)-1, f))
		}
	}
	h.clock.advance(time.Hour)
	h.s.decideDue(ctx)
	got := map[byte]float64{}
	for _, td := range h.judge.AllTraces() {
		eachSpan(td, func(sp ptrace.Span) {
			v, ok := sp.Attributes().Get("llmeval.judge.score")
			require.True(t, ok)
			got[sp.TraceID()[0]] = v.Double()
			r, _ := sp.Attributes().Get("llmeval.judge.reason")
			assert.Equal(t, "troubled", r.Str())
		})
	}
	for _, tc := range cases {
		if tc.sampled {
			assert.Equal(t, tc.score, got[tc.id], "trace %d", tc.id)
		} else {
			assert.NotContains(t, got, tc.id, "trace %d", tc.id)
		}
	}
}

// TestSampledTracesQueuedTogetherShareAnExport: the traces one decision
// tick samples reach the judge in one export each of at most
// maxExportTraces traces, every span marked with its own trace's reason;
// a refused export drops and counts all its spans, and every copy's bytes
// leave the judge's share either way.
func TestSampledTracesQueuedTogetherShareAnExport(t *testing.T) {
	for _, c := range []struct {
		name        string
		refuse      bool
		traces      int
		wantExports int
	}{
		{"one export", false, 3, 1},
		{"split at maxExportTraces", false, maxExportTraces + 6, 2},
		{"refused", true, 3, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := NewDefaultConfig()
			cfg.BaselineRatio = 1
			sink := new(consumertest.TracesSink)
			h := newHarness(t, cfg, failedPII, sink, func(s *Settings) {
				if c.refuse {
					s.Judge = consumertest.NewErr(errors.New("judge down"))
				}
			})
			h.s.started = true // decisions queue for the senders
			ctx := context.Background()
			for id := 1; id <= c.traces; id++ {
				h.s.add(ctx, chunk(t, byte(id), 2, uint64(id%2), true, true)) // odd traces fail pii
			}
			h.clock.advance(cfg.DecisionWait)
			h.s.decideDue(ctx)
			h.s.out.close()
			h.s.senders.Add(1)
			h.s.send() // returns once the outbox is empty
			_, _, judge := h.s.Held()
			assert.Zero(t, judge, "every copy's bytes returned")
			if c.refuse {
				assert.Empty(t, sink.AllTraces())
				assert.Equal(t, int64(2*c.traces), droppedSpans(t, h.tel, "refused"))
				return
			}
			assert.Len(t, sink.AllTraces(), c.wantExports)
			reasons := map[byte]string{}
			spans := 0
			for _, td := range sink.AllTraces() {
				eachSpan(td, func(sp ptrace.Span) {
					spans++
					r, _ := sp.Attributes().Get("llmeval.judge.reason")
					reasons[sp.TraceID()[0]] = r.Str()
				})
			}
			assert.Equal(t, 2*c.traces, spans)
			for id := 1; id <= c.traces; id++ {
				want := "baseline"
				if id%2 == 1 {
					want = "failed"
				}
				assert.Equal(t, want, reasons[byte(id)], "trace %d", id)
			}
		})
	}
}
