package sampling

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadata"
)

// ruleCounts reads a counter with a rule attribute from the test telemetry;
// a counter never added to reads as empty.
func ruleCounts(t *testing.T, tel *componenttest.Telemetry, name string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	m, err := tel.GetMetric(name)
	if err != nil {
		return out
	}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		rule, _ := dp.Attributes.Value("rule")
		out[rule.AsString()] = dp.Value
	}
	return out
}

// judgeReasons maps each trace the judge received (by its first ID byte)
// to the reasons on its spans.
func judgeReasons(sink *consumertest.TracesSink) map[byte][]string {
	out := map[byte][]string{}
	for _, td := range sink.AllTraces() {
		eachSpan(td, func(sp ptrace.Span) {
			r, _ := sp.Attributes().Get("llmeval.judge.reason")
			out[sp.TraceID()[0]] = append(out[sp.TraceID()[0]], r.Str())
		})
	}
	return out
}

// TestLateMatches: a rule that matches only after its trace was decided not
// sampled is counted once per trace and rule; with late_matches: send the
// spans from there on reach the judge, marked late, within the budget.
func TestLateMatches(t *testing.T) {
	zero := 0.0
	rules := []RuleConfig{
		{Name: "leaks", VerdictFailed: []string{"pii"}},
		{Name: "never", VerdictFailed: []string{"refusal"}, Ratio: &zero},
	}
	const leaks, never = 1, 2 // rule masks
	cases := []struct {
		name   string
		mode   string
		budget BudgetConfig
		// before runs before the late chunks of trace 1; the trace is then
		// decided (not sampled) by the quiet period.
		before      []Chunk
		late        []Chunk
		wantMatches map[string]int64
		wantJudge   map[byte][]string
		wantBudget  map[string]int64
	}{
		{
			name:        "follow: counted once, nothing sent",
			mode:        LateFollow,
			late:        []Chunk{chunk(t, 1, 1, leaks, true, false), chunk(t, 1, 2, leaks, true, false)},
			wantMatches: map[string]int64{"leaks": 1},
			wantJudge:   map[byte][]string{},
		},
		{
			name:        "send: the matching chunk and later ones go, marked late",
			mode:        LateSend,
			late:        []Chunk{chunk(t, 1, 1, 0, true, false), chunk(t, 1, 2, leaks, true, false), chunk(t, 1, 1, 0, false, false)},
			wantMatches: map[string]int64{"leaks": 1},
			wantJudge:   map[byte][]string{1: {"late:leaks", "late:leaks", "late:leaks"}},
		},
		{
			name:      "a rule whose ratio would not keep the trace is no loss",
			mode:      LateSend,
			late:      []Chunk{chunk(t, 1, 1, never, true, false)},
			wantJudge: map[byte][]string{},
		},
		{
			name:   "a rule that had matched before the decision is not late",
			mode:   LateSend,
			budget: BudgetConfig{MaxTracesPerSecond: 0.001, Burst: 1},
			// Trace 2 takes the only token, so trace 1's leak is refused
			// by the budget at its decision.
			before:     []Chunk{chunk(t, 2, 1, leaks, true, true), chunk(t, 1, 1, leaks, true, false)},
			late:       []Chunk{chunk(t, 1, 1, leaks, true, false)},
			wantJudge:  map[byte][]string{2: {"leaks"}},
			wantBudget: map[string]int64{"leaks": 1},
		},
		{
			name:        "send within the budget: a late match the budget refuses is counted, not sent",
			mode:        LateSend,
			budget:      BudgetConfig{MaxTracesPerSecond: 0.001, Burst: 1},
			before:      []Chunk{chunk(t, 2, 1, leaks, true, true)},
			late:        []Chunk{chunk(t, 1, 1, leaks, true, false)},
			wantMatches: map[string]int64{"leaks": 1},
			wantJudge:   map[byte][]string{2: {"leaks"}},
			wantBudget:  map[string]int64{"leaks": 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			cfg := NewDefaultConfig()
			cfg.Rules, cfg.LateMatches, cfg.Budget = rules, tc.mode, tc.budget
			require.NoError(t, cfg.Validate([]string{"pii", "refusal"}))
			built, err := BuildRules(rules, componenttest.NewNopTelemetrySettings())
			require.NoError(t, err)
			tel := componenttest.NewTelemetry()
			defer func() { require.NoError(t, tel.Shutdown(ctx)) }()
			tb, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
			require.NoError(t, err)
			clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			judge := new(consumertest.TracesSink)
			s, err := New(cfg, Settings{Rules: built, Judge: judge, Telemetry: tb, Logger: zap.NewNop(), Prefix: "llmeval", Now: clock.now})
			require.NoError(t, err)

			for _, c := range tc.before {
				s.add(ctx, c)
			}
			s.add(ctx, chunk(t, 1, 2, 0, true, true)) // the root: trace 1 is complete
			clock.advance(cfg.DecisionWait)
			s.decideDue(ctx)
			require.NotContains(t, judgeReasons(judge), byte(1), "trace 1 was decided not sampled")
			for _, c := range tc.late {
				s.add(ctx, c)
			}

			want := tc.wantMatches
			if want == nil {
				want = map[string]int64{}
			}
			assert.Equal(t, want, ruleCounts(t, tel, "otelcol_processor_llmeval_judge_late_matches"))
			assert.Equal(t, tc.wantJudge, judgeReasons(judge))
			wantBudget := tc.wantBudget
			if wantBudget == nil {
				wantBudget = map[string]int64{}
			}
			assert.Equal(t, wantBudget, ruleCounts(t, tel, "otelcol_processor_llmeval_judge_budget_drops"))
			n, _ := s.Buffered()
			assert.Zero(t, n, "late spans are never buffered")
		})
	}
}

func TestLateMatchesConfig(t *testing.T) {
	cfg := NewDefaultConfig()
	assert.Equal(t, LateFollow, cfg.LateMatches, "default: late spans follow the decision")
	cfg.LateMatches = "resend"
	assert.ErrorContains(t, cfg.Validate(nil), `late_matches: "resend" is not follow or send`)
	cfg.LateMatches = LateSend
	assert.NoError(t, cfg.Validate(nil))
}
