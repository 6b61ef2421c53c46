package llmevalprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadata"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// genAIRecord appends a log record as @opentelemetry/instrumentation-openai
// emits it: the event.name attribute, gen_ai.system, a body.
func genAIRecord(t testing.TB, sl plog.ScopeLogs, trace byte, event string, body map[string]any) plog.LogRecord {
	t.Helper()
	lr := sl.LogRecords().AppendEmpty()
	lr.SetTraceID(pcommon.TraceID{trace})
	lr.SetSpanID(pcommon.SpanID{trace, 1})
	lr.SetTimestamp(1_767_225_600_000_000_000)
	lr.SetSeverityNumber(plog.SeverityNumberInfo)
	lr.Attributes().PutStr("event.name", event)
	lr.Attributes().PutStr("gen_ai.system", "openai")
	require.NoError(t, lr.Body().FromRaw(body))
	return lr
}

func newLogScope() (plog.Logs, plog.ScopeLogs) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "support-bot")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("@opentelemetry/instrumentation-openai")
	return ld, sl
}

func ours(m pcommon.Map) map[string]any {
	out := map[string]any{}
	for k, v := range m.All() {
		if len(k) > 8 && k[:8] == "llmeval." {
			out[k] = v.AsRaw()
		}
	}
	return out
}

func others(m pcommon.Map) map[string]any {
	out := m.AsRaw()
	for k := range ours(m) {
		delete(out, k)
	}
	return out
}

func TestLogRecordVerdicts(t *testing.T) {
	ld, sl := newLogScope()
	genAIRecord(t, sl, 1, "gen_ai.system.message", map[string]any{"content": "You are a support agent."})
	genAIRecord(t, sl, 1, "gen_ai.user.message", map[string]any{"content": "What is my account email?"})
	genAIRecord(t, sl, 1, "gen_ai.choice", map[string]any{"finish_reason": "stop", "index": 0,
		"message": map[string]any{"content": "It is dana.reyes@gmail.com, and your SSN on file is 536-22-8391."}})
	genAIRecord(t, sl, 2, "gen_ai.choice", map[string]any{"finish_reason": "stop", "index": 0,
		"message": map[string]any{"content": "I'm sorry, but I can't help with that."}})
	genAIRecord(t, sl, 3, "gen_ai.choice", map[string]any{"finish_reason": "stop", "index": 0,
		"message": map[string]any{"content": "Your order ships on Monday."}})
	forged := genAIRecord(t, sl, 3, "gen_ai.choice", map[string]any{"finish_reason": "stop", "index": 0, "message": map[string]any{}})
	forged.Attributes().PutStr("llmeval.verdict", "pass")
	plain := sl.LogRecords().AppendEmpty()
	plain.Body().SetStr("GET /health 200")
	plain.Attributes().PutStr("llmeval.pii.verdict", "pass")
	before := plog.NewLogs()
	ld.CopyTo(before)

	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	sink := new(consumertest.LogsSink)
	cfg := createDefaultConfig().(*Config)
	p, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(tt), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	require.NoError(t, p.Shutdown(context.Background()))

	require.Len(t, sink.AllLogs(), 1)
	out := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, 7, out.Len(), "nothing dropped")
	want := []map[string]any{
		{}, // system message: no check targets it
		{}, // user message: the default checks read the output
		{"llmeval.verdict": "fail", "llmeval.failed": []any{"pii"}, "llmeval.pii.verdict": "fail", "llmeval.pii.reason": "pii found: email (1), ssn (1)"},
		{"llmeval.verdict": "fail", "llmeval.failed": []any{"refusal"}, "llmeval.refusal.verdict": "fail", "llmeval.refusal.reason": out.At(3).Attributes().AsRaw()["llmeval.refusal.reason"]},
		{"llmeval.verdict": "pass"},
		{}, // content not captured: the forged verdict is gone, nothing read
		{}, // not a GenAI event: forged attribute removed, nothing added
	}
	for i := range want {
		lr, was := out.At(i), before.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(i)
		assert.Equal(t, want[i], ours(lr.Attributes()), "record %d", i)
		assert.Equal(t, was.TraceID(), lr.TraceID(), "record %d", i)
		assert.Equal(t, was.SpanID(), lr.SpanID(), "record %d", i)
		assert.Equal(t, was.Body().AsRaw(), lr.Body().AsRaw(), "record %d body", i)
		assert.Equal(t, others(was.Attributes()), others(lr.Attributes()), "record %d keeps its other attributes", i)
	}
	assert.NotEmpty(t, want[3]["llmeval.refusal.reason"])

	metadatatest.AssertEqualProcessorLlmevalLlmSpans(t, tt, []metricdata.DataPoint[int64]{
		{Value: 6, Attributes: attribute.NewSet(attribute.String("layout", "gen_ai_events"))},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorLlmevalUnreadContent(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("layout", "gen_ai_events"))},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorLlmevalIncomingAttributesRemoved(t, tt, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
}

// One component ID in a traces and a logs pipeline is one instance; the
// last pipeline to shut down shuts it down, and a new configuration under
// the same ID gets its own.
func TestSharedAcrossSignals(t *testing.T) {
	ctx := context.Background()
	set := metadatatest.NewSettings(componenttest.NewTelemetry())
	set.ID = component.MustNewIDWithName(metadata.Type.String(), "shared")
	cfg := createDefaultConfig().(*Config)
	f := NewFactory()
	tp, err := f.CreateTraces(ctx, set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	lp, err := f.CreateLogs(ctx, set, cfg, consumertest.NewNop())
	require.NoError(t, err)

	shared.mu.Lock()
	sp := shared.byID[set.ID]
	require.NotNil(t, sp)
	assert.Equal(t, 2, sp.refs)
	shared.mu.Unlock()

	require.NoError(t, tp.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, lp.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, tp.Shutdown(ctx))
	require.NoError(t, tp.Shutdown(ctx), "a second shutdown of one pipeline counts once")
	shared.mu.Lock()
	assert.Same(t, sp, shared.byID[set.ID], "still held by the logs pipeline")
	shared.mu.Unlock()
	assert.False(t, sp.stopped)
	require.NoError(t, lp.Shutdown(ctx))
	assert.True(t, sp.stopped)
	shared.mu.Lock()
	_, held := shared.byID[set.ID]
	shared.mu.Unlock()
	assert.False(t, held)

	// Another config under the same ID is another instance.
	a, err := f.CreateLogs(ctx, set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	b, err := f.CreateLogs(ctx, set, createDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, a.Shutdown(ctx))
	require.NoError(t, b.Shutdown(ctx))
}

// A failed check on a log record makes its trace sampled by a verdict rule:
// the spans come through the traces path of the same instance.
func TestLogVerdictSamplesItsTrace(t *testing.T) {
	ctx := context.Background()
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"sampling": map[string]any{"rules": []any{map[string]any{"name": "leaks", "verdict_failed": []any{"pii"}}}},
		// The judge the processor would build; the test's sink replaces it.
		"judge": map[string]any{"otlp_http": map[string]any{"endpoint": "http://127.0.0.1:1"}},
	}).Unmarshal(cfg))
	require.NoError(t, cfg.Validate())
	judge := new(consumertest.TracesSink)
	p, err := newLLMEvalProcessor(ctx, metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, judge)
	require.NoError(t, err)
	require.NoError(t, p.start(ctx, componenttest.NewNopHost()))

	// Trace 1: the leak is only in its log record. Trace 2: clean.
	ld, sl := newLogScope()
	genAIRecord(t, sl, 1, "gen_ai.choice", map[string]any{"finish_reason": "stop", "index": 0,
		"message": map[string]any{"content": "Sure: her SSN is 536-22-8391."}})
	genAIRecord(t, sl, 2, "gen_ai.choice", map[string]any{"finish_reason": "stop", "index": 0,
		"message": map[string]any{"content": "Happy to help."}})
	_, err = p.processLogs(ctx, ld)
	require.NoError(t, err)

	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for _, id := range []byte{1, 2} {
		s := ss.Spans().AppendEmpty()
		s.SetName("chat gpt-4o-mini")
		s.SetTraceID(pcommon.TraceID{id})
		s.SetSpanID(pcommon.SpanID{id, 1})
		s.Attributes().PutStr("gen_ai.operation.name", "chat")
		s.Attributes().PutStr("gen_ai.system", "openai")
	}
	_, err = p.processTraces(ctx, td)
	require.NoError(t, err)
	require.NoError(t, p.shutdown(ctx))

	sampled := map[byte]string{}
	for _, got := range judge.AllTraces() {
		sp := got.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		r, _ := sp.Attributes().Get("llmeval.judge.reason")
		sampled[sp.TraceID()[0]] = r.Str()
	}
	assert.Equal(t, map[byte]string{1: "leaks"}, sampled)
}

// BenchmarkProcessLogs: batches of 100 log records, the OTel OpenAI
// instrumentation's user message and ~2 KB answer per call, or records
// that are not GenAI events, through llmeval with the default set.
func BenchmarkProcessLogs(b *testing.B) {
	for _, kind := range []string{"genai", "other"} {
		b.Run(kind+"/default_set", func(b *testing.B) {
			ld, sl := newLogScope()
			for i := 0; i < benchBatch/2; i++ {
				if kind == "other" {
					sl.LogRecords().AppendEmpty().Body().SetStr("GET /v1/orders 200 in 12ms")
					sl.LogRecords().AppendEmpty().Body().SetStr("cache miss for order 4521")
					continue
				}
				genAIRecord(b, sl, byte(i), "gen_ai.user.message", map[string]any{"content": "When does my order ship?"})
				genAIRecord(b, sl, byte(i), "gen_ai.choice", map[string]any{"finish_reason": "stop", "index": 0,
					"message": map[string]any{"content": output2KB}})
			}
			p, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), testConfig(nil), consumertest.NewNop())
			require.NoError(b, err)
			in := plog.NewLogs()
			b.ReportAllocs()
			for b.Loop() {
				ld.CopyTo(in)
				if err := p.ConsumeLogs(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/record")
			require.NoError(b, p.Shutdown(context.Background()))
		})
	}
}
