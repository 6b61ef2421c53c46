package trouble

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
	assert.Greater(t, w["loop.same_call"], 1.5, "a perfect predictor rises above its prior")
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
