package spanmodel_test

import (
	"testing"
	"time"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/loadshape"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// BenchmarkLoadtestShared times what the checks and the signals share on
// the load test's spans (internal/loadshape), without either: the view's
// reset, the output's decode, the input read from the start or from the
// last assistant message as the signals' history memory reads it
// (InputFrom), the tool results a model reacts to and the unread-content
// check. ns/span is per span of the mix (HTTP and tool spans included).
func BenchmarkLoadtestShared(b *testing.B) {
	var seq uint64
	td := loadshape.Mix{Failures: 0.1, Loops: 0.05}.Batch(&seq, 1000, time.Now())
	rs := td.ResourceSpans().At(0)
	ss := rs.ScopeSpans().At(0)
	spans := ss.Spans()
	toolResult := spanmodel.Target{Kind: spanmodel.TargetToolResult}
	var v spanmodel.View
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := 0; k < spans.Len(); k++ {
			v.Reset(rs, ss, spans.At(k))
			if !v.IsGenAI() {
				continue
			}
			_, _ = v.OutputMessages()
			_, _, _, _, _ = v.InputFrom()
			_, _, _ = v.Text(toolResult)
			_ = v.ContentUnread()
		}
	}
	v.Release()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spans.Len()), "ns/span")
}
