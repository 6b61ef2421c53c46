package llmevalprocessor

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/memtest"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/taubench"
)

// The same seven checks, once as llmeval evaluators and once as the
// transform processor's OTTL statements, as close as OTTL allows: OTTL
// reads the raw gen_ai.output.messages JSON where llmeval reads the decoded
// answer text.
var sameChecks = []config.Evaluator{
	{Name: "no_key", Type: "regex", Settings: map[string]any{"must_not_match": `sk-[A-Za-z0-9]{20,}`}},
	{Name: "no_competitor", Type: "regex", Settings: map[string]any{"must_not_match": `(?i)\b(acme|globex)\b`}},
	{Name: "cites_order", Type: "regex", Settings: map[string]any{"must_match": `#\d{4}`}},
	{Name: "no_apology", Type: "contains", Settings: map[string]any{"none": []any{"i apologize", "as an ai"}}},
	{Name: "slow", Type: "latency", Settings: map[string]any{"max": "30s"}},
	{Name: "tokens", Type: "tokens", Settings: map[string]any{"max_output": 4096}},
	{Name: "too_long", Type: "ottl", Settings: map[string]any{"fail_when": `span.attributes["gen_ai.usage.output_tokens"] > 4000`}},
}

const out = `span.attributes["gen_ai.output.messages"]`

var sameStatements = []any{
	`set(span.attributes["llmeval.no_key.verdict"], "fail") where IsMatch(` + out + `, "sk-[A-Za-z0-9]{20,}")`,
	`set(span.attributes["llmeval.no_competitor.verdict"], "fail") where IsMatch(` + out + `, "(?i)\\b(acme|globex)\\b")`,
	`set(span.attributes["llmeval.cites_order.verdict"], "fail") where not IsMatch(` + out + `, "#\\d{4}")`,
	`set(span.attributes["llmeval.no_apology.verdict"], "fail") where IsMatch(ToLowerCase(` + out + `), "i apologize|as an ai")`,
	`set(span.attributes["llmeval.slow.verdict"], "fail") where span.end_time_unix_nano - span.start_time_unix_nano > 30000000000`,
	`set(span.attributes["llmeval.tokens.verdict"], "fail") where span.attributes["gen_ai.usage.output_tokens"] > 4096`,
	`set(span.attributes["llmeval.too_long.verdict"], "fail") where span.attributes["gen_ai.usage.output_tokens"] > 4000`,
}

func transformProcessor(b *testing.B) consumer.Traces {
	f := transformprocessor.NewFactory()
	cfg := f.CreateDefaultConfig()
	must(b, confmap.NewFromStringMap(map[string]any{
		"error_mode":       "ignore",
		"trace_statements": sameStatements,
	}).Unmarshal(cfg))
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, consumertest.NewNop())
	must(b, err)
	must(b, p.Start(context.Background(), componenttest.NewNopHost()))
	b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

func must(b testing.TB, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkVsTransform runs the same checks over the same batches of chat
// spans (2 KB answers) through llmeval and through the transform processor.
// Compare the ns/span of the two against the no-op baseline of the run.
func BenchmarkVsTransform(b *testing.B) {
	llm := testConfig(func(c *Config) {
		off := false
		c.DefaultEvaluators = &off
		c.Signals.Enabled = &off
	}, sameChecks...)
	cases := []struct {
		name string
		p    func(b *testing.B) consumer.Traces
	}{
		{"baseline_noop", func(b *testing.B) consumer.Traces { return benchProcessor(b, nil) }},
		{"llmeval", func(b *testing.B) consumer.Traces { return benchProcessor(b, llm) }},
		{"transform_ottl", transformProcessor},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			runBatches(b, c.p(b), benchTraces("chat"))
		})
	}
}

// runBatches copies a fresh batch per iteration and reports ns/span.
func runBatches(b *testing.B, p consumer.Traces, tmpl ptrace.Traces) {
	td := ptrace.NewTraces()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tmpl.CopyTo(td)
		if err := p.ConsumeTraces(ctx, td); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tmpl.SpanCount()), "ns/span")
}

// agentTraces builds n realistic agent traces of 10 spans: an agent root,
// four chat spans with 2 KB answers, four tool spans and an HTTP span.
func agentTraces(n int) []ptrace.Traces {
	out := make([]ptrace.Traces, n)
	for i := range out {
		td, ss := newScope()
		id := pcommon.TraceID{byte(i), byte(i >> 8), byte(i >> 16), 9}
		root := ss.Spans().AppendEmpty()
		root.SetName("invoke_agent")
		root.Attributes().PutStr("gen_ai.operation.name", "invoke_agent")
		for k := 0; k < 4; k++ {
			chatSpan(ss, "chat", output2KB, time.Second)
			tool := ss.Spans().AppendEmpty()
			tool.SetName("execute_tool get_order")
			tool.Attributes().PutStr("gen_ai.operation.name", "execute_tool")
			tool.Attributes().PutStr("gen_ai.tool.name", "get_order")
			tool.Attributes().PutStr("gen_ai.tool.call.arguments", `{"order_id":"4521"}`)
			tool.Attributes().PutStr("gen_ai.tool.call.result", `{"status":"shipped","warehouse":"Berlin"}`)
		}
		httpSpan(ss)
		for k := 0; k < ss.Spans().Len(); k++ {
			sp := ss.Spans().At(k)
			sp.SetTraceID(id)
			sp.SetSpanID(pcommon.SpanID{byte(k + 1), byte(i), byte(i >> 8)})
			if k > 0 {
				sp.SetParentSpanID(pcommon.SpanID{1, byte(i), byte(i >> 8)})
			}
		}
		out[i] = td
	}
	return out
}

// benchAgentTraces are real agent traces when the tau-bench dataset is at
// hand (real conversation text compresses as real text does), else
// agentTraces; n traces either way, cycling through the dataset with fresh
// trace IDs.
func benchAgentTraces(n int) []ptrace.Traces {
	path := taubench.DefaultPath()
	if path == "" {
		return agentTraces(n)
	}
	recs, err := taubench.Load(path)
	if err != nil || len(recs) == 0 {
		return agentTraces(n)
	}
	out := make([]ptrace.Traces, n)
	for i := range out {
		td := recs[i%len(recs)].Traces()
		id := pcommon.TraceID{byte(i), byte(i >> 8), byte(i >> 16), 7}
		forEachSpan(td, func(sp ptrace.Span) { sp.SetTraceID(id) })
		out[i] = td
	}
	return out
}

// BenchmarkBufferedTraceMemory measures the heap a buffered, undecided
// agent trace costs (tau-bench trajectories, 19 spans on average, when the
// dataset is at hand; else synthetic 10-span traces): llmeval's sampler (protobuf copies) against
// tail_sampling (pdata), both waiting an hour to decide. It also reports
// the CPU per span of each sampling path.
func BenchmarkBufferedTraceMemory(b *testing.B) {
	const traces = 2000
	cases := []struct {
		name string
		new  func(b *testing.B) (consumer.Traces, func() int)
	}{
		{"llmeval", func(b *testing.B) (consumer.Traces, func() int) {
			off := false
			p := startBenchProcessor(b, func(c *Config) {
				c.DefaultEvaluators, c.Signals.Enabled = &off, &off
				holdEveryTrace(c, traces*2)
			}, consumertest.NewNop())
			next, _ := consumer.NewTraces(func(ctx context.Context, td ptrace.Traces) error {
				_, err := p.processTraces(ctx, td)
				return err
			})
			return next, func() int { n, _ := p.sampler.Buffered(); return n }
		}},
		{"tail_sampling", func(b *testing.B) (consumer.Traces, func() int) {
			return startTailSampling(b, traces*2), nil
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var perTrace, perSpan float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				p, buffered := c.new(b)
				before := memtest.LiveHeap() // before the input exists: what stays after is what the processor keeps
				in := benchAgentTraces(traces)
				spansIn := 0
				for _, td := range in {
					spansIn += td.SpanCount()
				}
				b.StartTimer()
				began := time.Now()
				for _, td := range in {
					if err := p.ConsumeTraces(context.Background(), td); err != nil {
						b.Fatal(err)
					}
				}
				if buffered != nil {
					for deadline := time.Now().Add(30 * time.Second); buffered() < traces && time.Now().Before(deadline); {
						time.Sleep(time.Millisecond)
					}
				}
				took := time.Since(began)
				b.StopTimer()
				perTrace += float64(memtest.LiveHeap()-before) / traces
				perSpan += float64(took.Nanoseconds()) / float64(spansIn)
				runtime.KeepAlive(p)
			}
			b.ReportMetric(perTrace/float64(b.N), "B/buffered_trace")
			b.ReportMetric(perSpan/float64(b.N), "ns/span")
		})
	}
}

func settingsFor(t component.Type) processor.Settings { return processortest.NewNopSettings(t) }
