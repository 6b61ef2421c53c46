package signals

import (
	"testing"
	"time"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/loadshape"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// BenchmarkDetectLoadtestMix is Detect alone on the load test's traces
// (internal/loadshape, as BenchmarkLoadtestMix in the processor feeds
// them): ns and allocs per span of the batch, every span counted as the
// processor counts them, Detect run on those it evaluates. The views are
// reset untimed, so only Detect is timed (it decodes the output itself
// here; in the processor the checks share that decode).
func BenchmarkDetectLoadtestMix(b *testing.B) {
	d := newDetector(b, Config{})
	mix := loadshape.Mix{Failures: 0.1, Loops: 0.05}
	const batch = 100
	views := make([]spanmodel.View, batch)
	var seq uint64
	var f Found
	spans := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := mix.Batch(&seq, batch, time.Now())
		rs := td.ResourceSpans().At(0)
		ss := rs.ScopeSpans().At(0)
		n := ss.Spans().Len()
		if n > len(views) {
			views = append(views, make([]spanmodel.View, n-len(views))...)
		}
		for j := 0; j < n; j++ {
			views[j].Reset(rs, ss, ss.Spans().At(j))
		}
		spans += n
		b.StartTimer()
		for j := 0; j < n; j++ {
			if views[j].Layout() != spanmodel.LayoutNone {
				d.Detect(&views[j], &f)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(spans), "ns/span")
}
