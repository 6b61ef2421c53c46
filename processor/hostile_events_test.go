package llmevalprocessor

import (
	"context"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// hostileValues are what a client may put where GenAI events carry
// content: wrong types, values nested 20,000 deep, broken JSON, huge text.
var hostileValues = map[string]func(pcommon.Value){
	"int":    func(v pcommon.Value) { v.SetInt(-7) },
	"bytes":  func(v pcommon.Value) { v.SetEmptyBytes().FromRaw([]byte{0xff, 0}) },
	"broken": func(v pcommon.Value) { v.SetStr(`[{"text":`) },
	"deep": func(v pcommon.Value) {
		s := v.SetEmptySlice()
		for i := 1; i < 20_000; i++ {
			s = s.AppendEmpty().SetEmptySlice()
		}
	},
	"deep json": func(v pcommon.Value) { v.SetStr(strings.Repeat("[", 100_000)) },
	"huge":      func(v pcommon.Value) { v.SetStr("[" + strings.Repeat(`{"text":"aaaa"},`, 20_000) + `{"text":"b"}]`) },
	"map": func(v pcommon.Value) {
		m := v.SetEmptyMap()
		m.PutStr("content", "x")
		m.PutEmptySlice("tool_calls").AppendEmpty().SetInt(1)
	},
}

// Every GenAI event, as a span event and as a log record, with each
// hostile value in each of its content fields (and as a record's body):
// nothing panics, nothing is lost, reasons stay bounded.
func TestHostileGenAIEvents(t *testing.T) {
	on := true
	cfg := testConfig(func(c *Config) { c.DefaultEvaluators = &on }, everyType...)
	require.NoError(t, cfg.Validate())
	tel := metadatatest.NewSettings(componenttest.NewTelemetry())

	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	for event, keys := range spanmodel.EventContentKeys() {
		for name, set := range hostileValues {
			for _, op := range []string{"chat", "execute_tool"} {
				sp := ss.Spans().AppendEmpty()
				sp.SetName(event + "/" + name + "/" + op)
				sp.Attributes().PutStr("gen_ai.operation.name", op)
				ev := sp.Events().AppendEmpty()
				ev.SetName(event)
				for _, k := range append(keys, "finish_reason", "id") {
					set(ev.Attributes().PutEmpty(k))
				}
			}
			lr := sl.LogRecords().AppendEmpty()
			lr.Attributes().PutStr("event.name", event)
			lr.Attributes().PutStr("app.name", event+"/"+name)
			for _, k := range keys {
				set(lr.Attributes().PutEmpty(k))
			}
			set(lr.Body())
			body := sl.LogRecords().AppendEmpty()
			body.SetEventName(event)
			body.Attributes().PutStr("app.name", event+"/"+name+"/body map")
			m := body.Body().SetEmptyMap()
			for _, k := range append(keys, "finish_reason", "message") {
				set(m.PutEmpty(k))
			}
		}
	}
	spans, records := td.SpanCount(), ld.LogRecordCount()

	prev := debug.SetMaxStack(4 << 20)
	defer debug.SetMaxStack(prev)
	traces, logs := new(consumertest.TracesSink), new(consumertest.LogsSink)
	tp, err := NewFactory().CreateTraces(context.Background(), tel, cfg, traces)
	require.NoError(t, err)
	lp, err := NewFactory().CreateLogs(context.Background(), tel, cfg, logs)
	require.NoError(t, err)
	require.NoError(t, tp.ConsumeTraces(context.Background(), td))
	require.NoError(t, lp.ConsumeLogs(context.Background(), ld))
	require.NoError(t, tp.Shutdown(context.Background()))
	require.NoError(t, lp.Shutdown(context.Background()))

	require.Equal(t, spans, traces.SpanCount(), "every span comes out")
	require.Equal(t, records, logs.LogRecordCount(), "every record comes out")
	errored := 0
	check := func(what string, m pcommon.Map) {
		for k, v := range m.All() {
			if strings.HasSuffix(k, ".reason") {
				assert.LessOrEqual(t, len(v.Str()), 256, "%s %s", what, k)
				assert.NotContains(t, v.Str(), "aaaa", "%s %s: no content in reasons", what, k)
			}
			if strings.HasSuffix(k, ".verdict") && v.Str() == "error" {
				errored++
			}
		}
	}
	forEachSpan(traces.AllTraces()[0], func(sp ptrace.Span) { check(sp.Name(), sp.Attributes()) })
	out := logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := 0; i < out.Len(); i++ {
		name, _ := out.At(i).Attributes().Get("app.name")
		check(name.Str(), out.At(i).Attributes())
	}
	assert.Positive(t, errored, "undecodable content gives error verdicts")
}
