package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/taubench"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"
)

// tauBenchFacts replays the airline trajectories with the default
// processor config and returns what replay saw per trace.
func tauBenchFacts(t *testing.T) *traceTally {
	t.Helper()
	path := taubench.DefaultPath()
	if path == "" {
		t.Skip("tau-bench airline dataset not found")
	}
	recs, err := taubench.Load(path)
	require.NoError(t, err)
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

// TestDefaultWeightsFromAirlineTrain recomputes the shipped weights: the
// priors fitted on the airline train split, then weighted down where a
// feature stays below 1.2x lift on dev.
func TestDefaultWeightsFromAirlineTrain(t *testing.T) {
	tt := tauBenchFacts(t)
	train, trainFailed := tt.labelled("train")
	dev, devFailed := tt.labelled("dev")
	got := defaultWeightsFrom(counts(train), trainFailed, dev, devFailed)
	want := trouble.Defaults()
	var lines []string
	for _, k := range sortedKeys(got) {
		lines = append(lines, fmt.Sprintf("{%q, %g, %g},", k, trouble.Priors().Of(k), got[k]))
	}
	t.Logf("\n%s", strings.Join(lines, "\n"))
	for k, v := range got {
		assert.InDelta(t, v, want.Of(k), 0.005, k)
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
