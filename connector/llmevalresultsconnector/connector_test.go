package llmevalresultsconnector

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-llmeval/otelcol-llmeval/connector/llmevalresultsconnector/internal/metadata"
	"github.com/otelcol-llmeval/otelcol-llmeval/connector/llmevalresultsconnector/internal/metadatatest"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	for name, want := range map[string]string{"": "llmeval", "custom": "acme.eval", "bad_prefix": "attribute_prefix: must not start or end with '.'"} {
		sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
		require.NoError(t, err)
		cfg := NewFactory().CreateDefaultConfig().(*Config)
		require.NoError(t, sub.Unmarshal(cfg))
		if err := confmap.Validate(cfg); err != nil {
			assert.Contains(t, err.Error(), want, name)
			continue
		}
		assert.Equal(t, want, cfg.AttributePrefix, name)
	}
}

// span adds a span with attrs, ending at second end.
func span(ss ptrace.ScopeSpans, trace, id byte, end int64, attrs map[string]any) {
	sp := ss.Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{trace})
	sp.SetSpanID(pcommon.SpanID{trace, id})
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(time.Unix(end, 0)))
	_ = sp.Attributes().FromRaw(attrs)
}

func TestVerdictsBecomeRecords(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	sink := &consumertest.LogsSink{}
	conn, err := NewFactory().CreateTracesToLogs(context.Background(), metadatatest.NewSettings(tel), createDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, conn.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, conn.Shutdown(context.Background())) }()

	td := ptrace.NewTraces()
	shop := td.ResourceSpans().AppendEmpty()
	shop.Resource().Attributes().PutStr("service.name", "shop")
	ss := shop.ScopeSpans().AppendEmpty()
	span(ss, 1, 1, 100, map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.response.id": "chatcmpl-1",
		"llmeval.verdict": "fail", "llmeval.failed": []any{"pii"},
		"llmeval.pii.verdict": "fail", "llmeval.pii.reason": "pii found: email (1)",
		"llmeval.latency.verdict": "pass", "llmeval.latency.score": 1.5,
		"llmeval.signal.loop.count": int64(3),
	})
	span(ss, 1, 2, 101, map[string]any{"http.request.method": "GET"})
	quiet := td.ResourceSpans().AppendEmpty()
	quiet.Resource().Attributes().PutStr("service.name", "quiet")
	span(quiet.ScopeSpans().AppendEmpty(), 2, 1, 102, map[string]any{"gen_ai.operation.name": "chat", "llmeval.verdict": "pass"})
	billing := td.ResourceSpans().AppendEmpty()
	billing.Resource().Attributes().PutStr("service.name", "billing")
	span(billing.ScopeSpans().AppendEmpty(), 3, 1, 103, map[string]any{
		"llmeval.verdict": "pass", "llmeval.schema.verdict": "error", "llmeval.schema.reason": "gen_ai.output.messages: not JSON",
	})
	require.NoError(t, conn.ConsumeTraces(context.Background(), td))

	require.Len(t, sink.AllLogs(), 1, "one batch in, one batch out")
	ld := sink.AllLogs()[0]
	require.Equal(t, 2, ld.ResourceLogs().Len(), "a resource without verdicts gets no records")
	type rec struct {
		service string
		trace   pcommon.TraceID
		span    pcommon.SpanID
		ts      int64
		attrs   map[string]any
	}
	var got []rec
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		sl := rl.ScopeLogs().At(0)
		assert.Equal(t, metadata.ScopeName, sl.Scope().Name())
		for k := 0; k < sl.LogRecords().Len(); k++ {
			lr := sl.LogRecords().At(k)
			assert.Equal(t, "gen_ai.evaluation.result", lr.EventName())
			assert.NotZero(t, lr.ObservedTimestamp())
			got = append(got, rec{rl.Resource().Attributes().AsRaw()["service.name"].(string), lr.TraceID(), lr.SpanID(),
				lr.Timestamp().AsTime().Unix(), lr.Attributes().AsRaw()})
		}
	}
	if got[0].attrs["gen_ai.evaluation.name"] != "pii" {
		got[0], got[1] = got[1], got[0] // attribute order is not guaranteed
	}
	assert.Equal(t, []rec{
		{"shop", pcommon.TraceID{1}, pcommon.SpanID{1, 1}, 100, map[string]any{
			"gen_ai.evaluation.name": "pii", "gen_ai.evaluation.score.label": "fail", "gen_ai.evaluation.explanation": "pii found: email (1)",
			"gen_ai.response.id": "chatcmpl-1", "llmeval.evaluation.source": "check"}},
		{"shop", pcommon.TraceID{1}, pcommon.SpanID{1, 1}, 100, map[string]any{
			"gen_ai.evaluation.name": "latency", "gen_ai.evaluation.score.label": "pass", "gen_ai.evaluation.score.value": 1.5,
			"gen_ai.response.id": "chatcmpl-1", "llmeval.evaluation.source": "check"}},
		{"billing", pcommon.TraceID{3}, pcommon.SpanID{3, 1}, 103, map[string]any{
			"gen_ai.evaluation.name": "schema", "gen_ai.evaluation.score.label": "error", "error.type": "llmeval.evaluator_error",
			"gen_ai.evaluation.explanation": "gen_ai.output.messages: not JSON", "llmeval.evaluation.source": "check"}},
	}, got)

	metadatatest.AssertEqualConnectorLlmevalResultsRecords(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(attribute.String("label", "pass")), Value: 1},
		{Attributes: attribute.NewSet(attribute.String("label", "fail")), Value: 1},
		{Attributes: attribute.NewSet(attribute.String("label", "error")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
}

func TestNothingToSay(t *testing.T) {
	sink := &consumertest.LogsSink{}
	conn, err := NewFactory().CreateTracesToLogs(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), createDefaultConfig(), sink)
	require.NoError(t, err)
	td := ptrace.NewTraces()
	span(td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty(), 1, 1, 1, map[string]any{"acme.eval.pii.verdict": "fail"})
	require.NoError(t, conn.ConsumeTraces(context.Background(), td))
	assert.Empty(t, sink.AllLogs(), "another prefix's verdicts are not ours; an empty batch is not sent")
}

func TestDownstreamErrorReturned(t *testing.T) {
	conn, err := NewFactory().CreateTracesToLogs(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()),
		&Config{AttributePrefix: "acme.eval"}, consumertest.NewErr(assert.AnError))
	require.NoError(t, err)
	td := ptrace.NewTraces()
	span(td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty(), 1, 1, 1, map[string]any{"acme.eval.pii.verdict": "fail"})
	assert.ErrorIs(t, conn.ConsumeTraces(context.Background(), td), assert.AnError)
}
