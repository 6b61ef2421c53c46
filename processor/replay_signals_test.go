package llmevalprocessor

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/taubench"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"
)

// TestReplayTauBenchSignals measures the signals on the 200 tau-bench
// airline trajectories: which categories flag how many trajectories, split
// by reward (0 = task failed), and how many failed tasks a judge would see
// if it took the 20% of trajectories the signals rank highest, against the
// dataset's base rate. The table goes to the test log and BENCHMARKS.md.
func TestReplayTauBenchSignals(t *testing.T) {
	path := taubench.DefaultPath()
	if path == "" {
		t.Skip("tau-bench airline dataset not found")
	}
	recs, err := taubench.Load(path)
	require.NoError(t, err)

	cfg := createDefaultConfig().(*Config)
	sink := new(consumertest.TracesSink)
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tt), cfg, sink)
	require.NoError(t, err)
	recordOf := map[pcommon.TraceID]int{}
	for i, r := range recs {
		recordOf[r.TraceID()] = i
		require.NoError(t, p.ConsumeTraces(context.Background(), r.Traces()))
	}
	require.NoError(t, p.Shutdown(context.Background()))

	// Per trajectory: the highest severity per category, and a rank score.
	type traj struct {
		failed bool
		sev    [signals.NumCategories]int64
		score  int64
		hash   uint32
	}
	trajs := make([]traj, len(recs))
	failedTasks := 0
	for i, r := range recs {
		trajs[i].failed = r.Reward == 0
		h := fnv.New32a()
		id := r.TraceID()
		h.Write(id[:])
		trajs[i].hash = h.Sum32()
		if trajs[i].failed {
			failedTasks++
		}
	}
	for _, td := range sink.AllTraces() {
		forEachSpan(td, func(span ptrace.Span) {
			tr := &trajs[recordOf[span.TraceID()]]
			for c := signals.Category(0); c < signals.NumCategories; c++ {
				if v, ok := span.Attributes().Get("llmeval.signal." + c.String() + ".severity"); ok && v.Int() > tr.sev[c] {
					tr.sev[c] = v.Int()
				}
			}
		})
	}
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "category\tflagged reward 0\tflagged reward 1\tfailed share of flagged\n")
	anyFlag := 0
	for c := signals.Category(0); c < signals.NumCategories; c++ {
		var n [2]int
		for _, tr := range trajs {
			if tr.sev[c] > 0 {
				if tr.failed {
					n[0]++
				} else {
					n[1]++
				}
			}
		}
		share := "-"
		if n[0]+n[1] > 0 {
			share = fmt.Sprintf("%.0f%%", 100*float64(n[0])/float64(n[0]+n[1]))
		}
		fmt.Fprintf(w, "%s\t%d/%d\t%d/%d\t%s\n", c, n[0], failedTasks, n[1], len(recs)-failedTasks, share)
	}
	require.NoError(t, w.Flush())

	// Rank by the negative signals (satisfaction lowers the score) and take
	// the top 20%, ties broken by trace-ID hash as a sampler would.
	for i := range trajs {
		tr := &trajs[i]
		for c := signals.Category(0); c < signals.NumCategories; c++ {
			if c == signals.Satisfaction {
				tr.score -= tr.sev[c]
			} else {
				tr.score += tr.sev[c]
			}
		}
		if tr.score > 0 {
			anyFlag++
		}
	}
	order := make([]int, len(trajs))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		ta, tb := trajs[order[a]], trajs[order[b]]
		if ta.score != tb.score {
			return ta.score > tb.score
		}
		return ta.hash < tb.hash
	})
	budget := len(trajs) / 5
	sampledFailed := 0
	for _, i := range order[:budget] {
		if trajs[i].failed {
			sampledFailed++
		}
	}
	base := float64(failedTasks) / float64(len(trajs))
	share := float64(sampledFailed) / float64(budget)
	t.Logf("\n%d trajectories, %d failed (base rate %.0f%%); %d with a negative signal score > 0\n\n%s\n"+
		"20%% budget (%d trajectories) by signal rank: %d failed = %.0f%% (random sampling expects %.0f%%)",
		len(recs), failedTasks, 100*base, anyFlag, b.String(), budget, sampledFailed, 100*share, 100*base)
	require.Greater(t, anyFlag, 0, "signals must flag some trajectories in real agent data")
}
