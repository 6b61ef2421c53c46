package sampling

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// scoreWindow is the trouble scores of the last LLM traces decided, a
// ring of fixed size: what target_ratio's threshold and the budget's
// priorities are measured against. Memory is 8 bytes a slot whatever the
// traffic; each decision reads the whole ring (target_window comparisons,
// about a microsecond at the default 1,000).
type scoreWindow struct {
	scores []float64
	next   int
}

// minRankWindow: below this many recent decisions a rank says too little
// to refuse a trace at the budget; until then the budget serves traces as
// they come (start-up).
const minRankWindow = 20

func newScoreWindow(size int) *scoreWindow { return &scoreWindow{scores: make([]float64, 0, size)} }

// add remembers a decided trace's score, forgetting the oldest when full.
func (w *scoreWindow) add(s float64) {
	if len(w.scores) < cap(w.scores) {
		w.scores = append(w.scores, s)
		return
	}
	w.scores[w.next] = s
	w.next = (w.next + 1) % len(w.scores)
}

// rank is the share (0..1) of the window plus this trace that ranks above
// it: the traces with a higher score, and a share of those with the same
// score set by u, a uniform number from the trace ID, so that ties (many
// traces score 0) are broken alike on every replica and the share holds.
func (w *scoreWindow) rank(score, u float64) float64 {
	above, same := 0, 1 // the trace itself
	for _, s := range w.scores {
		switch {
		case s > score:
			above++
		case s == score:
			same++
		}
	}
	return (float64(above) + u*float64(same)) / float64(len(w.scores)+1)
}

// uniform maps a trace ID to [0, 1) by its baseline hash.
func uniform(id pcommon.TraceID) float64 {
	return float64(traceHash(id)>>11) / float64(uint64(1)<<53)
}

// inTarget reports whether a trace ranked at rank is within the target
// share; only troubled traces (score > 0) count.
func inTarget(score, rank, ratio float64) bool {
	return ratio > 0 && score > 0 && rank < ratio && !math.IsNaN(score)
}
