package llmevalprocessor

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/tailsamplingprocessor"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/loadshape"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"
)

// BenchmarkSamplerVsTailSampling measures what buffering traces for a
// sampling decision costs per span, in one run and on the same traces
// (tau-bench airline trajectories with their full conversation text when
// the dataset is at hand, else synthetic agent traces): llmeval with its
// checks and signals off, without and with sampling (the difference is the
// sampler path: the copy on the main path, serialising, compressing and
// buffering on the sampler's goroutine), and contrib's tail_sampling.
// Both samplers keep at most 1,000 undecided traces and wait an hour, so
// in steady state every new trace evicts (decides) the oldest one; no
// policy ever samples.
//
// cpu-ns/span is the process's CPU time (user+sys, every goroutine and
// the GC) over the spans consumed, until the sampler has taken every copy;
// consume-ns/span the wall time of the ConsumeTraces calls alone (what the
// main stream waits for); allocs/span every allocation in the process.
func BenchmarkSamplerVsTailSampling(b *testing.B) {
	const bufferedTraces = 1000
	pool := benchAgentTraces(64)
	type subject struct {
		next    consumer.Traces
		drained func() bool // the sampler took every copy offered
	}
	llmeval := func(b *testing.B, sample bool) subject {
		off := false
		p := startBenchProcessor(b, func(c *Config) {
			c.DefaultEvaluators, c.Signals.Enabled = &off, &off
			if sample {
				holdEveryTrace(c, bufferedTraces)
			}
		}, consumertest.NewNop())
		next, _ := consumer.NewTraces(func(ctx context.Context, td ptrace.Traces) error {
			_, err := p.processTraces(ctx, td)
			return err
		})
		s := subject{next: next, drained: func() bool { return true }}
		if sample {
			s.drained = func() bool { h, _, _ := p.sampler.Held(); return h == 0 }
		}
		return s
	}
	cases := []struct {
		name string
		new  func(b *testing.B) subject
	}{
		{"llmeval_no_sampling", func(b *testing.B) subject { return llmeval(b, false) }},
		{"llmeval_sampling", func(b *testing.B) subject { return llmeval(b, true) }},
		{"tail_sampling", func(b *testing.B) subject {
			return subject{next: startTailSampling(b, bufferedTraces), drained: func() bool { return true }}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			s := c.new(b)
			const round = 250
			var m cost
			var consume time.Duration
			seq := 0
			b.ResetTimer()
			for done := 0; done < b.N; done += round {
				b.StopTimer()
				in := make([]ptrace.Traces, min(round, b.N-done))
				spans := 0
				for i := range in {
					in[i] = ptrace.NewTraces()
					pool[seq%len(pool)].CopyTo(in[i])
					seq++
					id := pcommon.TraceID{byte(seq), byte(seq >> 8), byte(seq >> 16), byte(seq >> 24), 5}
					forEachSpan(in[i], func(sp ptrace.Span) { sp.SetTraceID(id) })
					spans += in[i].SpanCount()
				}
				m.measure(b, spans, func() {
					began := time.Now()
					for _, td := range in {
						if err := s.next.ConsumeTraces(context.Background(), td); err != nil {
							b.Fatal(err)
						}
					}
					consume += time.Since(began)
					for deadline := time.Now().Add(30 * time.Second); !s.drained() && time.Now().Before(deadline); {
						time.Sleep(50 * time.Microsecond)
					}
				})
				b.StartTimer()
			}
			m.report(b)
			b.ReportMetric(float64(consume.Nanoseconds())/float64(m.spans), "consume-ns/span")
		})
	}
}

// cost adds up what measured runs cost: the process's CPU time (user+sys,
// every goroutine and the GC) and allocations, per span.
type cost struct {
	cpu           time.Duration
	spans, allocs uint64
}

// measure runs run, timed, with the timer stopped before and after.
func (c *cost) measure(b *testing.B, spans int, run func()) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mallocs := ms.Mallocs
	cpu0 := processCPU()
	b.StartTimer()
	run()
	b.StopTimer()
	c.cpu += processCPU() - cpu0
	runtime.ReadMemStats(&ms)
	c.allocs += ms.Mallocs - mallocs
	c.spans += uint64(spans)
}

func (c *cost) report(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(c.spans), "ns/span")
	b.ReportMetric(float64(c.cpu.Nanoseconds())/float64(c.spans), "cpu-ns/span")
	b.ReportMetric(float64(c.allocs)/float64(c.spans), "allocs/span")
}

// startBenchProcessor builds and starts a processor from the test config
// changed by mod, with judge as its judge when sampling is on.
func startBenchProcessor(b *testing.B, mod func(*Config), judge consumer.Traces) *llmEvalProcessor {
	cfg := testConfig(mod)
	must(b, cfg.Validate())
	p, err := newLLMEvalProcessor(context.Background(), processortest.NewNopSettings(NewFactory().Type()), cfg, judge)
	must(b, err)
	must(b, p.start(context.Background(), componenttest.NewNopHost()))
	b.Cleanup(func() { _ = p.shutdown(context.Background()) })
	return p
}

// holdEveryTrace turns sampling on with a rule that never matches and
// traces waiting an hour, at most maxTraces of them: every trace is
// buffered, none sampled.
func holdEveryTrace(c *Config, maxTraces int) {
	withReplayJudge(c) // the judge is replaced by the benchmark's
	c.Sampling.DecisionWait, c.Sampling.MaxTraceDuration = time.Hour, time.Hour
	c.Sampling.MaxTraces = maxTraces
	c.Sampling.Rules = []sampling.RuleConfig{{Name: "never", Condition: `span.name == "never"`}}
}

// startTailSampling starts contrib's tail_sampling with the same: at most
// numTraces traces, an hour's wait, a policy that never matches.
func startTailSampling(b *testing.B, numTraces int) processor.Traces {
	f := tailsamplingprocessor.NewFactory()
	cfg := f.CreateDefaultConfig()
	must(b, confmap.NewFromStringMap(map[string]any{
		"decision_wait": "1h",
		"num_traces":    numTraces,
		"policies": []any{map[string]any{
			"name": "never", "type": "ottl_condition",
			"ottl_condition": map[string]any{"span": []any{`name == "never"`}},
		}},
	}).Unmarshal(cfg))
	p, err := f.CreateTraces(context.Background(), settingsFor(f.Type()), cfg, consumertest.NewNop())
	must(b, err)
	must(b, p.Start(context.Background(), componenttest.NewNopHost()))
	b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

// BenchmarkLoadtestMix feeds the load test's traces (internal/loadshape,
// batches of ~100 spans) to the processor in process, with the load
// test's two llmeval builds: the default checks and signals, and the same
// with its sampling config (two rules, baseline 1%, decision_wait 2s) and
// a judge that serialises what it gets, as an exporter would. The
// plumbing cases turn checks and signals off: what is left is what the
// processor costs around them (the view's reset, removing forged
// attributes, counting, and with sampling the rules, the hand-off and the
// sampler). cpu-ns/span counts every goroutine (the sampler's and the
// senders') and the GC; run it with -cpuprofile to see where the load
// test's CPU goes.
func BenchmarkLoadtestMix(b *testing.B) {
	for _, c := range []struct {
		name             string
		sample, plumbing bool
	}{{"checks", false, false}, {"checks_sampling", true, false}, {"plumbing", false, true}, {"plumbing_sampling", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			judge, _ := consumer.NewTraces(func(_ context.Context, td ptrace.Traces) error {
				_, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
				return err
			})
			p := startBenchProcessor(b, func(cfg *Config) {
				if c.plumbing {
					off := false
					cfg.DefaultEvaluators, cfg.Signals.Enabled = &off, &off
				}
				if c.sample {
					withReplayJudge(cfg)
					cfg.Sampling.DecisionWait = 2 * time.Second
					cfg.Sampling.BaselineRatio = 0.01
					cfg.Sampling.Rules = []sampling.RuleConfig{
						{Name: "leaks", VerdictFailed: []string{"pii", "refusal"}},
						{Name: "loops", Signals: []string{"loop"}},
					}
					if c.plumbing { // a rule on what is there without checks and signals
						cfg.Sampling.Rules = []sampling.RuleConfig{{Name: "leaks", Condition: `span.name == "never"`}}
					}
				}
			}, judge)
			runLoadtestBatches(b, 100, func(ptrace.Traces) {}, func(td ptrace.Traces) {
				_, _ = p.processTraces(context.Background(), td)
				for c.sample {
					if h, _, _ := p.sampler.Held(); h == 0 {
						break
					}
					time.Sleep(10 * time.Microsecond)
				}
			})
		})
	}
}

// BenchmarkLoadtestSpanKinds splits BenchmarkLoadtestMix/checks by the
// kind of span (the load test's agent root, chat, tool and HTTP spans)
// and by what runs on it: the default checks, the signals, or both as in
// the load test. A kind's share of the load test's CPU is its cost here
// times its share of the spans (1, 3, 3 and 3 of every 10).
func BenchmarkLoadtestSpanKinds(b *testing.B) {
	for _, kind := range []string{"invoke_agent", "chat", "execute_tool", "GET"} {
		for _, mode := range []string{"checks", "signals", "both"} {
			b.Run(kind+"/"+mode, func(b *testing.B) {
				p := startBenchProcessor(b, func(cfg *Config) {
					off := false
					switch mode {
					case "checks":
						cfg.Signals.Enabled = &off
					case "signals":
						cfg.DefaultEvaluators = &off
					}
				}, nil)
				runLoadtestBatches(b, 400, func(td ptrace.Traces) {
					td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().RemoveIf(func(s ptrace.Span) bool {
						return !strings.HasPrefix(s.Name(), kind)
					})
				}, func(td ptrace.Traces) { _, _ = p.processTraces(context.Background(), td) })
			})
		}
	}
}

// runLoadtestBatches builds b.N batches of the load test's traces (at
// least spans spans each, changed by shape, untimed) and measures process
// on each: the cost per span it reports covers process alone.
func runLoadtestBatches(b *testing.B, spans int, shape, process func(ptrace.Traces)) {
	mix := loadshape.Mix{Failures: 0.1, Loops: 0.05}
	var seq uint64
	var m cost
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := mix.Batch(&seq, spans, time.Now())
		shape(td)
		m.measure(b, td.SpanCount(), func() { process(td) })
		b.StartTimer()
	}
	m.report(b)
}
