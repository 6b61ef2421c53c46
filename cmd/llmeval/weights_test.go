package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/taubench"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"
)

// tauBenchRecords loads the airline trajectories, or skips.
func tauBenchRecords(t *testing.T) []taubench.Record {
	t.Helper()
	path := taubench.DefaultPath()
	if path == "" {
		t.Skip("tau-bench airline dataset not found")
	}
	recs, err := taubench.Load(path)
	require.NoError(t, err)
	return recs
}

// replayRecords replays records with the default processor config and
// returns what replay saw per trace.
func replayRecords(t *testing.T, recs []taubench.Record) *traceTally {
	t.Helper()
	tt := newTraceTally("llmeval", outcomeSpec{attr: "tau_bench.reward", failBelow: 1})
	cfg, _, err := loadConfig(writeFile(t, "c.yaml", "processors:\n  llmeval:\n"), "")
	require.NoError(t, err)
	require.NoError(t, replayInto(cfg, func(sp ptrace.Span) { tt.span(sp) }, func(emit func(ptrace.Traces) error) error {
		for _, r := range recs {
			if err := emit(r.Traces()); err != nil {
				return err
			}
		}
		return nil
	}))
	return tt
}

// airlineFacts is the airline replay, made once per test binary: several
// tests read it, and one replay takes over a minute under -race.
var airlineFacts struct {
	once sync.Once
	tt   *traceTally
}

// tauBenchFacts replays the airline trajectories with the default
// processor config and returns what replay saw per trace (shared; read
// only).
func tauBenchFacts(t *testing.T) *traceTally {
	t.Helper()
	recs := tauBenchRecords(t)
	airlineFacts.once.Do(func() { airlineFacts.tt = replayRecords(t, recs) })
	require.NotNil(t, airlineFacts.tt, "the airline replay failed in an earlier test")
	return airlineFacts.tt
}

// labelledTrainDev is the airline traces the shipped weights are fitted
// on: train and dev, sorted by ID (test is kept for the report).
func labelledTrainDev(tt *traceTally) ([]*traceFacts, []bool) {
	train, trainFailed := tt.labelled("train")
	dev, devFailed := tt.labelled("dev")
	all := append(append([]*traceFacts(nil), train...), dev...)
	failed := append(append([]bool(nil), trainFailed...), devFailed...)
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return all[idx[a]].id < all[idx[b]].id })
	ts, fs := make([]*traceFacts, len(all)), make([]bool, len(all))
	for i, j := range idx {
		ts[i], fs[i] = all[j], failed[j]
	}
	return ts, fs
}

// TestDefaultWeightsFromAirline recomputes the shipped weights: the
// priors fitted on the airline train and dev splits within a factor 2,
// the pull chosen by cross-validation.
func TestDefaultWeightsFromAirline(t *testing.T) {
	tt := tauBenchFacts(t)
	traces, failed := labelledTrainDev(tt)
	got, l2 := defaultWeightsFrom(counts(traces), failed)
	t.Logf("pull towards the prior chosen by %d-fold CV: %g", cvFolds, l2)
	want := trouble.Defaults()
	var lines []string
	for _, k := range sortedKeys(got) {
		lines = append(lines, fmt.Sprintf("{%q, %g, %g},", k, trouble.Priors().Of(k), got[k]))
	}
	t.Logf("\n%s", strings.Join(lines, "\n"))
	for k, v := range got {
		assert.InDelta(t, v, want.Of(k), 0.005, k)
		p := trouble.Priors().Of(k)
		assert.True(t, v >= p/defaultsBand-0.005 && v <= p*defaultsBand+0.005, "%s: %g within a factor %d of its prior %g", k, v, defaultsBand, p)
	}
}

// TestDefaultWeightsRankAirline: the shipped weights, ranking the dev and
// test splits, against the base rate (BENCHMARKS.md, "Trouble score").
func TestDefaultWeightsRankAirline(t *testing.T) {
	tt := tauBenchFacts(t)
	for _, split := range []string{"dev", "test"} {
		traces, failed := tt.labelled(split)
		rows := sharesTable(traces, failed, trouble.Defaults())
		var lines []string
		for _, r := range rows {
			lines = append(lines, fmt.Sprintf("%s %.0f%%: %d sampled, %d failed, precision %.3f, lift %.2fx, recall %.3f",
				split, 100*r.share, r.sampled, r.failed, r.precision, r.lift, r.recall))
		}
		t.Logf("\n%s", strings.Join(lines, "\n"))
		// At 10% the top-scored traces fail more often than the base rate.
		assert.Greater(t, rows[0].lift, 1.0, split)
	}
}

// cvShares is pooled cross-validated ranking: each fold's traces are
// scored by weights made from the other folds (fold of trace i: i mod
// cvFolds), then all are ranked together by score.
func cvShares(traces []*traceFacts, failed []bool, weightsFor func([]trouble.Counts, []bool) trouble.Weights) []atShare {
	scored := make([]*traceFacts, len(traces))
	for k := 0; k < cvFolds; k++ {
		var tc []trouble.Counts
		var tf []bool
		for i := range traces {
			if i%cvFolds != k {
				tc, tf = append(tc, traces[i].features), append(tf, failed[i])
			}
		}
		w := weightsFor(tc, tf)
		for i := k; i < len(traces); i += cvFolds {
			// The held-out score, kept in outcome for sharesByValue.
			scored[i] = &traceFacts{id: traces[i].id, outcome: w.Score(traces[i].features)}
		}
	}
	return sharesByValue(scored, failed)
}

// sharesByValue is sharesTable over precomputed scores (in outcome).
func sharesByValue(traces []*traceFacts, failed []bool) []atShare {
	order := make([]int, len(traces))
	scores := make([]float64, len(traces))
	for i, tf := range traces {
		order[i], scores[i] = i, tf.outcome
	}
	sortByScore(order, scores, traces)
	return sharesOf(order, failed)
}

// withoutKind is traces with one feature removed.
func withoutKind(traces []*traceFacts, kind string) []*traceFacts {
	out := make([]*traceFacts, len(traces))
	for i, tf := range traces {
		c := trouble.Counts{}
		for k, n := range tf.features {
			if k != kind {
				c[k] = n
			}
		}
		out[i] = &traceFacts{id: tf.id, features: c}
	}
	return out
}

// TestDefaultWeightsCrossValidated: how the way the shipped weights are
// made ranks traces it was not fitted on (5-fold CV over airline train
// and dev), against the priors alone and against an unbounded fit, and
// how much it leans on any one kind (each dropped in turn).
func TestDefaultWeightsCrossValidated(t *testing.T) {
	tt := tauBenchFacts(t)
	traces, failed := labelledTrainDev(tt)
	methods := []struct {
		name string
		make func([]trouble.Counts, []bool) trouble.Weights
	}{
		{"priors", func([]trouble.Counts, []bool) trouble.Weights { return trouble.Priors() }},
		{"shipped method", func(c []trouble.Counts, f []bool) trouble.Weights { w, _ := defaultWeightsFrom(c, f); return w }},
		{"unbounded fit", func(c []trouble.Counts, f []bool) trouble.Weights {
			fc := trouble.DefaultFitConfig(trouble.Priors())
			fc.L2, _ = trouble.ChooseL2(c, f, fc, l2Grid, cvFolds)
			return trouble.Fit(c, f, fc)
		}},
	}
	line := func(name string, rows []atShare) string {
		s := fmt.Sprintf("%-40s", name)
		for _, r := range rows {
			s += fmt.Sprintf("  %.0f%%: %.2fx", 100*r.share, r.lift)
		}
		return s
	}
	var lines []string
	byName := map[string][]atShare{}
	for _, m := range methods {
		rows := cvShares(traces, failed, m.make)
		byName[m.name] = rows
		lines = append(lines, line(m.name, rows))
	}
	// Dropping kinds: the fit with the pull chosen on all the traces (a
	// nested choice per kind would cost minutes and moves little).
	_, l2 := defaultWeightsFrom(counts(traces), failed)
	fixed := func(c []trouble.Counts, f []bool) trouble.Weights {
		fc := trouble.DefaultFitConfig(trouble.Priors())
		fc.Band, fc.L2 = defaultsBand, l2
		return trouble.Fit(c, f, fc)
	}
	kinds, _, _ := kindTable(traces, failed)
	for _, k := range kinds {
		if k.fired < minFiredForDrop || trouble.Priors().Of(k.name) == 0 {
			continue
		}
		lines = append(lines, line("shipped method without "+k.name, cvShares(withoutKind(traces, k.name), failed, fixed)))
	}
	t.Logf("cross-validated lift on airline train+dev (%d traces):\n%s", len(traces), strings.Join(lines, "\n"))
	// Out of sample, the shipped method's top 10% fail more often than the
	// base rate. (Beyond it airline's signals say little: BENCHMARKS.md.)
	assert.Greater(t, byName["shipped method"][0].lift, 1.0)
}

// minFiredForDrop: kinds fired on fewer traces change too little to drop.
const minFiredForDrop = 3

// agentCorpusFacts replays testdata/agentcorpus (hand-written, other
// domains, never tuned on) with the default processor config.
func agentCorpusFacts(t *testing.T) *traceTally {
	t.Helper()
	recs, err := taubench.Load("../../testdata/agentcorpus/trajectories.json")
	require.NoError(t, err)
	return replayRecords(t, recs)
}

// TestDefaultWeightsOtherDomains: the shipped weights on the hand-written
// corpus of other domains (BENCHMARKS.md, "Other domains"): every share,
// and what the default sampling sends.
func TestDefaultWeightsOtherDomains(t *testing.T) {
	tt := agentCorpusFacts(t)
	traces, failed := tt.labelled("")
	require.Len(t, traces, 36)
	var lines []string
	for _, w := range []struct {
		name string
		w    trouble.Weights
	}{{"shipped", trouble.Defaults()}, {"priors", trouble.Priors()}} {
		for _, r := range sharesTable(traces, failed, w.w) {
			lines = append(lines, fmt.Sprintf("%s %.0f%%: %d sampled, %d failed, precision %.3f, lift %.2fx, recall %.3f",
				w.name, 100*r.share, r.sampled, r.failed, r.precision, r.lift, r.recall))
		}
		d := sentShare(defaultSampled(traces, w.w), failed)
		lines = append(lines, fmt.Sprintf("%s default sampling: %d sampled (%.1f%%), %d failed, precision %.3f, lift %.2fx, recall %.3f",
			w.name, d.sampled, 100*d.share, d.failed, d.precision, d.lift, d.recall))
		if w.name == "shipped" {
			// The goal for domains never tuned on: 1.5x at 40% sampled or
			// less, with the default sampling.
			assert.LessOrEqual(t, d.share, 0.4)
			assert.GreaterOrEqual(t, d.lift, 1.5)
		}
	}
	t.Logf("\n%s", strings.Join(lines, "\n"))
}

// TestAirlineWhatFailedTracesHave: why the signals separate airline's
// failed tasks only weakly (BENCHMARKS.md, "Trouble score"), on train and
// dev: how many failed traces carry no trouble feature at all, and how
// length (tool calls, user turns), which no default kind reads, splits
// them.
func TestAirlineWhatFailedTracesHave(t *testing.T) {
	recs := tauBenchRecords(t)
	tt := tauBenchFacts(t)
	traces, failed := labelledTrainDev(tt)
	byID := map[string]taubench.Record{}
	for _, r := range recs {
		byID[r.TraceID().String()] = r
	}
	nFailed := 0
	for _, f := range failed {
		if f {
			nFailed++
		}
	}
	base := ratio(nFailed, len(traces))
	describe := func(name string, has func(*traceFacts, taubench.Record) bool) string {
		n, nf := 0, 0
		for i, tf := range traces {
			if has(tf, byID[tf.id]) {
				n++
				if failed[i] {
					nf++
				}
			}
		}
		return fmt.Sprintf("%-34s %3d traces, %3d failed (%.0f%% of all failed), lift %.2fx", name, n, nf, 100*ratio(nf, nFailed), ratio(nf, n)/base)
	}
	count := func(r taubench.Record, role string) int {
		n := 0
		for _, m := range r.Traj {
			if m.Role == role {
				n++
			}
		}
		return n
	}
	silent := func(tf *traceFacts, _ taubench.Record) bool { return trouble.Priors().Score(tf.features) == 0 }
	lines := []string{
		fmt.Sprintf("%d traces, %d failed (base rate %.1f%%)", len(traces), nFailed, 100*base),
		describe("no trouble feature (score 0)", silent),
		describe("8 or more tool calls", func(_ *traceFacts, r taubench.Record) bool { return count(r, "tool") >= 8 }),
		describe("12 or more tool calls", func(_ *traceFacts, r taubench.Record) bool { return count(r, "tool") >= 12 }),
		describe("8 or more user turns", func(_ *traceFacts, r taubench.Record) bool { return count(r, "user") >= 8 }),
	}
	t.Logf("\n%s", strings.Join(lines, "\n"))
	n := 0
	for i, tf := range traces {
		if failed[i] && silent(tf, byID[tf.id]) {
			n++
		}
	}
	assert.Positive(t, n, "some failed tasks carry no signal at all")
}

// TestTuneCrossValidatedAirline: tune as a team would run it, fitted on
// four folds of airline train+dev and scored on the fifth, with and
// without learning a tool-call bound (BENCHMARKS.md, "llmeval tune").
func TestTuneCrossValidatedAirline(t *testing.T) {
	tt := tauBenchFacts(t)
	traces, failed := labelledTrainDev(tt)
	var lines []string
	byName := map[string][]atShare{}
	for _, learn := range []bool{false, true} {
		scored := make([]*traceFacts, len(traces))
		for k := 0; k < cvFolds; k++ {
			var tr []*traceFacts
			var tf []bool
			for i := range traces {
				if i%cvFolds != k {
					tr, tf = append(tr, traces[i]), append(tf, failed[i])
				}
			}
			fc := trouble.DefaultFitConfig(trouble.Defaults())
			bound := -1
			if learn {
				bound, fc.L2 = chooseToolBound(tr, tf, fc)
			} else {
				fc.L2, _ = trouble.ChooseL2(counts(tr), tf, fc, l2Grid, cvFolds)
			}
			w := trouble.Fit(counts(withToolBound(tr, bound)), tf, fc)
			for i := k; i < len(traces); i += cvFolds {
				x := withToolBound([]*traceFacts{traces[i]}, bound)[0]
				scored[i] = &traceFacts{id: traces[i].id, outcome: w.Score(x.features)}
			}
		}
		name := map[bool]string{false: "tune, weights only", true: "tune, weights and tool-call bound"}[learn]
		rows := sharesByValue(scored, failed)
		byName[name] = rows
		s := fmt.Sprintf("%-36s", name)
		for _, r := range rows {
			s += fmt.Sprintf("  %.0f%%: %.2fx", 100*r.share, r.lift)
		}
		lines = append(lines, s)
	}
	t.Logf("cross-validated on airline train+dev (%d traces):\n%s", len(traces), strings.Join(lines, "\n"))
	assert.Greater(t, byName["tune, weights and tool-call bound"][0].lift, 1.0)
}
