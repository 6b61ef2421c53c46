package signals

import (
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/ptrace"

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
		var n int
		views, n = loadViews(views, mix, &seq, batch, "")
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

// BenchmarkDetectLoadtestKinds is BenchmarkDetectLoadtestMix by kind of
// span (the load test's agent root, chat and tool spans): Detect's
// ns per span of that kind.
func BenchmarkDetectLoadtestKinds(b *testing.B) {
	for _, kind := range []string{"invoke_agent", "chat", "execute_tool"} { // HTTP spans are not GenAI: no Detect
		b.Run(kind, func(b *testing.B) {
			runtime.LockOSThread() // threadCPU is this goroutine's
			defer runtime.UnlockOSThread()
			d := newDetector(b, Config{})
			mix := loadshape.Mix{Failures: 0.1, Loops: 0.05}
			var views []spanmodel.View
			var seq uint64
			var f Found
			spans := 0
			var cpu time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				var n int
				views, n = loadViews(views, mix, &seq, 400, kind)
				spans += n
				c0 := threadCPU()
				b.StartTimer()
				for j := 0; j < n; j++ {
					if views[j].Layout() != spanmodel.LayoutNone { // as the processor
						d.Detect(&views[j], &f)
					}
				}
				b.StopTimer()
				cpu += threadCPU() - c0
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(spans), "ns/span")
			b.ReportMetric(float64(cpu)/float64(spans), "thread-cpu-ns/span")
		})
	}
}

// loadViews resets views (grown as needed) to the spans of a batch of the
// load test's traces (at least spans spans; only those whose name starts
// with kind) and returns them with how many there are.
func loadViews(views []spanmodel.View, mix loadshape.Mix, seq *uint64, spans int, kind string) ([]spanmodel.View, int) {
	td := mix.Batch(seq, spans, time.Now())
	rs := td.ResourceSpans().At(0)
	ss := rs.ScopeSpans().At(0)
	ss.Spans().RemoveIf(func(s ptrace.Span) bool { return !strings.HasPrefix(s.Name(), kind) })
	n := ss.Spans().Len()
	if n > len(views) {
		views = append(views, make([]spanmodel.View, n-len(views))...)
	}
	for j := 0; j < n; j++ {
		views[j].Reset(rs, ss, ss.Spans().At(j))
	}
	return views, n
}

// threadCPU is the calling thread's CPU time: unlike wall time, it does
// not count the time the benchmark waits for a core on a busy host, nor
// the garbage collector's background work on other threads (its assists
// in Detect's allocations count).
func threadCPU() time.Duration {
	const threadCPUClock = 3 // CLOCK_THREAD_CPUTIME_ID (Linux)
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, threadCPUClock, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}
