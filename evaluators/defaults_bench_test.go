//go:build unix

package evaluators

import (
	"context"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/loadshape"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// BenchmarkDefaultChecks runs the default set, as the processor selects
// it, over the load test's traces (internal/loadshape: an agent root,
// chat spans with tool calls and one-line answers, tool and HTTP spans),
// alone and all together. The spans' content is decoded before the clock
// starts, so ns/span is the checks' own cost averaged over every span of
// the mix (the literal scan included: it is cleared for every span).
func BenchmarkDefaultChecks(b *testing.B) {
	checks, err := Build(config.Entries{Defaults: DefaultSet()}, componenttest.NewNopTelemetrySettings())
	if err != nil {
		b.Fatal(err)
	}
	var seq uint64
	td := loadshape.Mix{Failures: 0.1, Loops: 0.05}.Batch(&seq, 400, time.Now())
	views := loadViews(b, td, checks)
	ctx := context.Background()
	run := func(b *testing.B, cs []*Check) {
		b.ReportAllocs()
		b.ResetTimer()
		cpu := processCPU()
		for i := 0; i < b.N; i++ {
			for _, v := range views {
				if s, ok := (*v.CheckScratch()).(*checkScratch); ok {
					s.forget()
				}
				for _, c := range cs {
					if ok, _ := c.Selects(ctx, v); ok {
						c.Evaluate(ctx, v)
					}
				}
			}
		}
		spans := float64(b.N * td.SpanCount())
		b.ReportMetric(float64(processCPU()-cpu)/spans, "cpu-ns/span")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/spans, "ns/span")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("all", func(b *testing.B) { run(b, checks) })
	for _, c := range checks {
		b.Run(c.Name, func(b *testing.B) { run(b, []*Check{c}) })
	}
}

// processCPU is the process's CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadViews returns a view per LLM span of td with every check already
// run once, so what the checks read is decoded.
func loadViews(b *testing.B, td ptrace.Traces, checks []*Check) []*spanmodel.View {
	var views []*spanmodel.View
	rs := td.ResourceSpans().At(0)
	ss := rs.ScopeSpans().At(0)
	for i := 0; i < ss.Spans().Len(); i++ {
		v := &spanmodel.View{}
		v.Reset(rs, ss, ss.Spans().At(i))
		if v.Layout() == spanmodel.LayoutNone {
			continue
		}
		for _, c := range checks {
			if ok, _ := c.Selects(context.Background(), v); ok {
				c.Evaluate(context.Background(), v)
			}
		}
		views = append(views, v)
	}
	if len(views) == 0 {
		b.Fatal("no LLM spans in the mix")
	}
	return views
}
