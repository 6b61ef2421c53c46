package llmevalprocessor

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

const benchBatch = 100 // spans per ConsumeTraces call, as after a batch processor

// output2KB is a realistic ~2 KB assistant answer.
var output2KB = strings.Repeat("The order #4521 ships from the Berlin warehouse on Monday; tracking follows by email. ", 24)

func benchTraces(kind string) ptrace.Traces {
	td, ss := newScope()
	for i := 0; i < benchBatch; i++ {
		switch kind {
		case "non_llm":
			httpSpan(ss)
		case "chat":
			s := chatSpan(ss, "chat gpt-4o", output2KB, 1200*time.Millisecond)
			s.Attributes().PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Where is my order 4521?"}]}]`)
			s.Attributes().PutInt("gen_ai.usage.input_tokens", 812)
			s.Attributes().PutInt("gen_ai.usage.output_tokens", 430)
		case "tool":
			s := ss.Spans().AppendEmpty()
			s.SetName("execute_tool get_order")
			a := s.Attributes()
			a.PutStr("gen_ai.operation.name", "execute_tool")
			a.PutStr("gen_ai.tool.name", "get_order")
			a.PutStr("gen_ai.tool.call.arguments", `{"order_id":"4521"}`)
			a.PutStr("gen_ai.tool.call.result", `{"status":"shipped","warehouse":"Berlin"}`)
		}
	}
	return td
}

var fiveEvaluators = []config.Evaluator{
	{Name: "is_json", Type: "json"},
	{Name: "no_key", Type: "regex", Settings: map[string]any{"must_not_match": `sk-[A-Za-z0-9]{20,}`}},
	{Name: "no_competitor", Type: "contains", Settings: map[string]any{"none": []any{"acme corp", "globex"}}},
	{Name: "slow", Type: "latency", Settings: map[string]any{"max": "30s"}},
	{Name: "too_long", Type: "ottl", Settings: map[string]any{"fail_when": `span.attributes["gen_ai.usage.output_tokens"] > 4000`}},
}

// tenEvaluators is a realistic production set: the mix of schema,
// patterns, personal data, cost and the user's own OTTL rule.
var tenEvaluators = []config.Evaluator{
	{Name: "answer_schema", Type: "json_schema", Settings: map[string]any{"schema": map[string]any{"type": "object", "required": []any{"answer"}}}},
	{Name: "no_key", Type: "regex", Settings: map[string]any{"must_not_match": `sk-[A-Za-z0-9]{20,}`}},
	{Name: "no_competitor", Type: "regex", Settings: map[string]any{"must_not_match": `(?i)\b(acme|globex)\b`}},
	{Name: "cites_order", Type: "regex", Settings: map[string]any{"must_match": `#\d{4}`}},
	{Name: "no_apology", Type: "contains", Settings: map[string]any{"none": []any{"i apologize", "as an ai"}}},
	{Name: "pii", Type: "pii"},
	{Name: "cost", Type: "cost", Settings: map[string]any{"max_usd": 0.05}},
	{Name: "tokens", Type: "tokens", Settings: map[string]any{"max_output": 4096}},
	{Name: "finish_reason", Type: "finish_reason"},
	{Name: "too_long", Type: "ottl", Settings: map[string]any{"fail_when": `span.attributes["gen_ai.usage.output_tokens"] > 4000`}},
}

// BenchmarkProcessTraces reports ns/span and allocs/span. Each iteration
// copies a fresh batch (the spans must not carry last iteration's verdicts),
// so every case includes the copy; the "baseline" case is a no-op processor
// over the same copy, and the cost llmeval adds is the difference.
func BenchmarkProcessTraces(b *testing.B) {
	cases := []struct {
		name, spans string
		cfg         *Config // nil: no-op baseline
	}{
		{"non_llm/baseline_noop", "non_llm", nil},
		{"non_llm/default_set", "non_llm", testConfig(nil)},
		{"chat_2KB/baseline_noop", "chat", nil},
		{"chat_2KB/default_set", "chat", testConfig(nil)},
		{"chat_2KB/5_evaluators", "chat", testConfig(nil, fiveEvaluators...)},
		{"chat_2KB/10_evaluators", "chat", testConfig(nil, tenEvaluators...)},
		{"tool/baseline_noop", "tool", nil},
		{"tool/default_set", "tool", testConfig(nil)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			benchSpans(b, benchProcessor(b, c.cfg), benchTraces(c.spans))
		})
	}
}

// benchSpans copies tmpl and feeds it to p once per iteration, and reports
// ns/span and allocs/span; it returns ns/span.
func benchSpans(b *testing.B, p consumer.Traces, tmpl ptrace.Traces) float64 {
	td := ptrace.NewTraces()
	ctx := context.Background()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tmpl.CopyTo(td)
		if err := p.ConsumeTraces(ctx, td); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	spans := float64(b.N * tmpl.SpanCount())
	ns := float64(b.Elapsed().Nanoseconds()) / spans
	b.ReportMetric(ns, "ns/span")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/spans, "allocs/span")
	return ns
}

func benchProcessor(b *testing.B, cfg *Config) consumer.Traces {
	set := metadatatest.NewSettings(componenttest.NewTelemetry())
	if cfg == nil {
		p, err := processorhelper.NewTraces(context.Background(), set, cfg, consumertest.NewNop(),
			func(_ context.Context, td ptrace.Traces) (ptrace.Traces, error) { return td, nil })
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	p, err := NewFactory().CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	return p
}
