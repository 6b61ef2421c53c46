package llmevalprocessor

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	return transformProcessorWith(b, sameStatements, consumertest.NewNop())
}

// transformProcessorWith is contrib's transform processor running statements.
func transformProcessorWith(b testing.TB, statements []any, next consumer.Traces) consumer.Traces {
	f := transformprocessor.NewFactory()
	cfg := f.CreateDefaultConfig()
	must(b, confmap.NewFromStringMap(map[string]any{
		"error_mode":       "ignore",
		"trace_statements": statements,
	}).Unmarshal(cfg))
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, next)
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
	benchSpans(b, p, tmpl)
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

// The short-span mix: what a production collector sees, 70 % chat spans
// with 2 KB answers, 10 % tool spans, 20 % HTTP spans, with one chat
// answer in ten refusing, one leaking an e-mail address and one tool call
// in ten deleting a directory, so that both processors have verdicts to
// give. Five literal-heavy checks, written once as llmeval evaluators and
// once as transform statements giving the same verdicts on these spans
// (TestMixSameVerdicts).
var mixChecks = []config.Evaluator{
	{Name: "refusal", Type: "refusal"},
	{Name: "pii", Type: "pii", Target: "output"},
	{Name: "no_key", Type: "regex", Settings: map[string]any{"must_not_match": `sk-[A-Za-z0-9]{20,}`}},
	{Name: "no_competitor", Type: "contains", Settings: map[string]any{"none": []any{"acme corp", "globex"}}},
	{Name: "destructive", Type: "destructive_action"},
}

const (
	mixOut  = `span.attributes["gen_ai.output.messages"]`
	mixArgs = `span.attributes["gen_ai.tool.call.arguments"]`
	mixChat = `span.attributes["gen_ai.operation.name"] == "chat"`
)

var mixStatements = []any{
	`set(span.attributes["llmeval.refusal.verdict"], "fail") where ` + mixChat + ` and IsMatch(ToLowerCase(` + mixOut + `), "(i('| a)?m sorry|sorry)[^.]*(i can('|no)?t|i am unable|i('| a)?m not able) (help|assist)")`,
	`set(span.attributes["llmeval.pii.verdict"], "fail") where ` + mixChat + ` and IsMatch(` + mixOut + `, "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}|\\b[0-9]{3}-[0-9]{2}-[0-9]{4}\\b|(sk|pk|rk)-[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}")`,
	`set(span.attributes["llmeval.no_key.verdict"], "fail") where ` + mixChat + ` and IsMatch(` + mixOut + `, "sk-[A-Za-z0-9]{20,}")`,
	`set(span.attributes["llmeval.no_competitor.verdict"], "fail") where ` + mixChat + ` and IsMatch(ToLowerCase(` + mixOut + `), "acme corp|globex")`,
	`set(span.attributes["llmeval.destructive.verdict"], "fail") where span.attributes["gen_ai.operation.name"] == "execute_tool" and (IsMatch(span.attributes["gen_ai.tool.name"], "(^|[^a-zA-Z])(delete|drop|destroy|truncate|wipe|purge)") or IsMatch(` + mixArgs + `, "\\brm\\s+-[a-zA-Z]*[rf]|(?i)\\b(drop|truncate)\\s+table\\b"))`,
}

// mixRefusal and mixLeak are the failing answers of the mix.
const (
	mixRefusal = "I'm sorry, but I can't help with that request. Account changes need the account holder to sign in first."
	mixLeak    = "Your order #4521 ships from the Berlin warehouse on Monday; the courier will write to marta.kowalczyk@fastmail.com with tracking."
)

// mixTraces is one batch of the short-span mix.
func mixTraces() ptrace.Traces {
	td, ss := newScope()
	for i := 0; i < benchBatch; i++ {
		switch k := i % 10; {
		case k < 7:
			answer := output2KB
			switch i % 30 {
			case 3:
				answer = mixRefusal
			case 15:
				answer = mixLeak + " " + output2KB
			}
			s := chatSpan(ss, "chat gpt-4o", answer, 1200*time.Millisecond)
			s.Attributes().PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Where is my order 4521?"}]}]`)
			s.Attributes().PutInt("gen_ai.usage.input_tokens", 812)
			s.Attributes().PutInt("gen_ai.usage.output_tokens", 430)
		case k == 7:
			s := ss.Spans().AppendEmpty()
			s.SetName("execute_tool run_shell")
			s.SetSpanID(pcommon.SpanID{byte(i + 1)})
			a := s.Attributes()
			a.PutStr("gen_ai.operation.name", "execute_tool")
			a.PutStr("gen_ai.tool.name", "run_shell")
			cmd := "ls -la /var/lib/app"
			if i%20 == 7 {
				cmd = "rm -rf /var/lib/app"
			}
			a.PutStr("gen_ai.tool.call.arguments", `{"command":"`+cmd+`"}`)
			a.PutStr("gen_ai.tool.call.result", `{"exit_code":0,"stdout":"ok"}`)
		default:
			httpSpan(ss)
		}
	}
	return td
}

func mixConfig(signals bool) *Config {
	return testConfig(func(c *Config) {
		off := false
		c.DefaultEvaluators = &off
		if !signals {
			c.Signals.Enabled = &off
		}
	}, mixChecks...)
}

// BenchmarkShortSpanMix runs the short-span mix through a no-op
// processor, llmeval (the five checks; with signals as well) and the
// transform processor (the same verdicts in OTTL) in one run. It reports
// ns/span, the process's CPU time per span (cpu-ns/span: steadier than
// wall time on a shared machine), allocs/span and, per case, the ratio of
// its CPU time to the no-op case's (x_noop; the baseline runs first).
func BenchmarkShortSpanMix(b *testing.B) {
	cases := []struct {
		name string
		p    func(b *testing.B) consumer.Traces
	}{
		{"baseline_noop", func(b *testing.B) consumer.Traces { return benchProcessor(b, nil) }},
		{"llmeval", func(b *testing.B) consumer.Traces { return benchProcessor(b, mixConfig(false)) }},
		{"llmeval_signals", func(b *testing.B) consumer.Traces { return benchProcessor(b, mixConfig(true)) }},
		{"transform_ottl", func(b *testing.B) consumer.Traces {
			return transformProcessorWith(b, mixStatements, consumertest.NewNop())
		}},
	}
	var noop float64
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			perSpan := runBatchesAllocs(b, c.p(b), mixTraces())
			if c.name == "baseline_noop" && b.N > 1 {
				noop = perSpan
			} else if noop > 0 {
				b.ReportMetric(perSpan/noop, "x_noop")
			}
		})
	}
}

// runBatchesAllocs is runBatches reporting allocs/span and cpu-ns/span
// too; it returns cpu-ns/span, or ns/span where CPU time is not measured.
func runBatchesAllocs(b *testing.B, p consumer.Traces, tmpl ptrace.Traces) float64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu := processCPU()
	runBatches(b, p, tmpl)
	cpu = processCPU() - cpu
	runtime.ReadMemStats(&after)
	spans := float64(b.N * tmpl.SpanCount())
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/spans, "allocs/span")
	if cpu <= 0 {
		return float64(b.Elapsed().Nanoseconds()) / spans
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/spans, "cpu-ns/span")
	return float64(cpu.Nanoseconds()) / spans
}

// TestMixSameVerdicts: on the short-span mix the transform statements fail
// exactly the spans the five llmeval checks fail, and those are the spans
// made to fail, so the benchmark compares equal work.
func TestMixSameVerdicts(t *testing.T) {
	fails := func(td ptrace.Traces) map[string][]int {
		out := map[string][]int{}
		i := 0
		forEachSpan(td, func(sp ptrace.Span) {
			for _, c := range mixChecks {
				if v, ok := sp.Attributes().Get("llmeval." + c.Name + ".verdict"); ok && v.Str() == "fail" {
					out[c.Name] = append(out[c.Name], i)
				}
			}
			i++
		})
		return out
	}
	llm := fails(run(t, mixConfig(false), mixTraces()))
	sink := new(consumertest.TracesSink)
	p := transformProcessorWith(t, mixStatements, sink)
	require.NoError(t, p.ConsumeTraces(context.Background(), mixTraces()))
	ottl := fails(sink.AllTraces()[0])
	want := map[string][]int{
		"refusal":     {3, 33, 63, 93},
		"pii":         {15, 45, 75},
		"destructive": {7, 27, 47, 67, 87},
	}
	assert.Equal(t, want, llm)
	assert.Equal(t, want, ottl)
}
