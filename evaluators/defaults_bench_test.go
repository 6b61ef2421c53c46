//go:build unix

package evaluators

import (
	"context"
	"strings"
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
	run := func(b *testing.B, cs []*Check) { runChecks(ctx, b, views, cs, td.SpanCount()) }
	b.Run("all", func(b *testing.B) { run(b, checks) })
	// The span kinds of the processor's BenchmarkLoadtestSpanKinds, the
	// checks' own share of each (their content decoded beforehand).
	for _, kind := range []string{"chat", "execute_tool", "invoke_agent"} {
		var some []*spanmodel.View
		for _, v := range views {
			if strings.HasPrefix(v.Span().Name(), kind) {
				some = append(some, v)
			}
		}
		b.Run(kind+"/all", func(b *testing.B) { runChecks(ctx, b, some, checks, len(some)) })
		for _, c := range checks {
			b.Run(kind+"/"+c.Name, func(b *testing.B) { runChecks(ctx, b, some, []*Check{c}, len(some)) })
		}
	}
	for _, c := range checks {
		b.Run(c.Name, func(b *testing.B) { run(b, []*Check{c}) })
	}
}

// runChecks runs cs on every view b.N times, each view's literal scan
// and argument walks forgotten first, and reports the cost per span of
// the spans views were taken from.
func runChecks(ctx context.Context, b *testing.B, views []*spanmodel.View, cs []*Check, spans int) {
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
	n := float64(b.N * spans)
	b.ReportMetric(float64(processCPU()-cpu)/n, "cpu-ns/span")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/span")
	b.ReportMetric(0, "ns/op")
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
