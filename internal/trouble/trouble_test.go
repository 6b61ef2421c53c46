package trouble

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestScore(t *testing.T) {
	w := Weights{"loop.same_call": 1.5, "loop.*": 1, "failed.pii": 2, "failed.*": 1, "satisfaction.*": 0}
	cases := []struct {
		name string
		c    Counts
		want float64
	}{
		{"nothing", Counts{}, 0},
		{"own weight, one span", Counts{"loop.same_call": 1}, 1.5},
		{"severity 2 at 3 spans", Counts{"loop.same_call": 3}, 3},
		{"severity caps at 3", Counts{"loop.same_call": 50}, 4.5},
		{"family fallback", Counts{"loop.custom": 1}, 1},
		{"failed check fallback", Counts{"failed.my_check": 2, "failed.pii": 1}, 3},
		{"unknown family is 0", Counts{"custom.kind": 5}, 0},
		{"zero weight", Counts{"satisfaction.gratitude": 4}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, w.Score(tc.c), 1e-9)
		})
	}
	assert.Equal(t, []Contribution{{"failed.pii", 2}, {"loop.same_call", 1.5}},
		w.Explain(Counts{"loop.same_call": 1, "failed.pii": 1, "satisfaction.gratitude": 1}, 5))
	assert.Len(t, w.Explain(Counts{"loop.same_call": 1, "failed.pii": 1}, 1), 1)
}

func TestAddSpan(t *testing.T) {
	a := pcommon.NewMap()
	k := a.PutEmptySlice("llmeval.signal.loop.kinds")
	k.AppendEmpty().SetStr("same_call")
	f := a.PutEmptySlice("llmeval.failed")
	f.AppendEmpty().SetStr("pii")
	f.AppendEmpty().SetStr("refusal")
	a.PutInt("llmeval.signal.loop.count", 1)
	a.PutStr("other.signal.loop.kinds", "x")
	c := Counts{}
	AddSpan(c, a, "llmeval")
	AddSpan(c, a, "llmeval")
	assert.Equal(t, Counts{"loop.same_call": 2, "failed.pii": 2, "failed.refusal": 2}, c)
}

func TestFit(t *testing.T) {
	// "loop.same_call" fires on failed traces only, "disengagement.escalation"
	// on as many solved as failed ones, "exhaustion.timeout" never.
	var traces []Counts
	var failed []bool
	for i := 0; i < 60; i++ {
		c := Counts{}
		f := i%2 == 0
		if f && i%4 == 0 {
			c["loop.same_call"] = 1
		}
		if i%3 == 0 {
			c["disengagement.escalation"] = 1
		}
		traces, failed = append(traces, c), append(failed, f)
	}
	prior := Weights{"loop.same_call": 1, "disengagement.escalation": 1, "exhaustion.timeout": 0.7, "failed.*": 1}
	w := Fit(traces, failed, DefaultFitConfig(prior))
	assert.Greater(t, w["loop.same_call"], 1.1, "a perfect predictor rises above its prior")
	assert.Greater(t, w["loop.same_call"], 3*w["disengagement.escalation"], "and far above an uninformative one")
	assert.Less(t, w["disengagement.escalation"], 0.5, "an uninformative kind falls towards 0")
	assert.Equal(t, 0.7, w["exhaustion.timeout"], "unseen: the prior")
	assert.Equal(t, 1.0, w["failed.*"], "wildcards are kept")
	// A stronger prior pulls less far.
	strong := DefaultFitConfig(prior)
	strong.L2 = 50
	assert.Greater(t, Fit(traces, failed, strong)["disengagement.escalation"], w["disengagement.escalation"])
	// Deterministic.
	assert.Equal(t, w, Fit(traces, failed, DefaultFitConfig(prior)))
	// No data: the prior.
	assert.Equal(t, prior, Fit(nil, nil, DefaultFitConfig(prior)))
}

func TestDefaultsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range defaultTable {
		assert.False(t, seen[r.feature], "listed once: %s", r.feature)
		seen[r.feature] = true
		assert.GreaterOrEqual(t, r.weight, 0.0, r.feature)
	}
	assert.Equal(t, 2.0, Defaults().Of("failed.pii"))
	assert.Equal(t, 1.0, Defaults().Of("failed.my_own_check"))
}

// weakSignals: "a" fires on 60% failed traces, "b" on 55% (base 50%):
// both weak, "a" a little stronger.
func weakSignals() ([]Counts, []bool) {
	var traces []Counts
	var failed []bool
	for i := 0; i < 200; i++ {
		c := Counts{}
		f := i%2 == 0
		if (f && i%10 < 6) || (!f && i%10 < 4) {
			c["a"] = 1
		}
		if (f && i%20 < 10) || (!f && i%20 < 9) {
			c["b"] = 1
		}
		traces, failed = append(traces, c), append(failed, f)
	}
	return traces, failed
}

func TestFitScaleKeepsProportions(t *testing.T) {
	// Every signal is weak: without a free scale a logistic fit shrinks
	// every weight to match the small log-odds; with it, the weights keep
	// their size and only their proportions move.
	traces, failed := weakSignals()
	prior := Weights{"a": 1, "b": 1}
	w := Fit(traces, failed, DefaultFitConfig(prior))
	assert.Greater(t, w["a"], w["b"], "the stronger signal weighs more")
	assert.Greater(t, w["a"]+w["b"], 1.5, "weak signals are not all shrunk towards 0")
}

func TestFitBand(t *testing.T) {
	// "loop.same_call" fires on failed traces only, "disengagement.escalation"
	// on solved ones only: unbounded, the fit inverts the second; with a
	// band of 2 it stays within [prior/2, prior*2].
	var traces []Counts
	var failed []bool
	for i := 0; i < 80; i++ {
		f := i%2 == 0
		c := Counts{}
		if f && i%4 == 0 {
			c["loop.same_call"] = 1
		}
		if !f && i%3 == 0 {
			c["disengagement.escalation"] = 1
		}
		traces, failed = append(traces, c), append(failed, f)
	}
	prior := Weights{"loop.same_call": 1, "disengagement.escalation": 1, "satisfaction.*": 0, "satisfaction.gratitude": 0}
	free := Fit(traces, failed, DefaultFitConfig(prior))
	assert.Less(t, free["disengagement.escalation"], 0.0, "unbounded: inverted")
	cfg := DefaultFitConfig(prior)
	cfg.Band = 2
	banded := Fit(traces, failed, cfg)
	assert.InDelta(t, 0.5, banded["disengagement.escalation"], 0.005, "at its floor")
	assert.LessOrEqual(t, banded["loop.same_call"], 2.0)
	assert.Greater(t, banded["loop.same_call"], 1.0)
}

func TestChooseL2(t *testing.T) {
	traces, failed := weakSignals()
	prior := Weights{"a": 1, "b": 1}
	grid := []float64{0.3, 1, 3, 10, 30, 100}
	l2, losses := ChooseL2(traces, failed, DefaultFitConfig(prior), grid, 5)
	require.Len(t, losses, len(grid))
	best := losses[0]
	for _, l := range losses {
		best = math.Min(best, l)
		assert.Greater(t, l, 0.0)
	}
	assert.Contains(t, grid, l2)
	for g := range grid {
		if grid[g] == l2 {
			assert.Equal(t, best, losses[g], "the choice has the lowest held-out loss")
		}
	}
	// Deterministic.
	again, _ := ChooseL2(traces, failed, DefaultFitConfig(prior), grid, 5)
	assert.Equal(t, l2, again)
	// Too few traces or no grid: the config's own pull.
	cfg := DefaultFitConfig(prior)
	got, none := ChooseL2(traces[:3], failed[:3], cfg, grid, 5)
	assert.Equal(t, cfg.L2, got)
	assert.Nil(t, none)
}
