package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// GenAI content in span events and in log records, through the real
// collector.

// sendLogs posts logs as OTLP protobuf to the collector's /v1/logs.
func (c *collector) sendLogs(t *testing.T, ld plog.Logs) {
	t.Helper()
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	require.NoError(t, err)
	logsCollector := *c
	logsCollector.otlpURL = strings.TrimSuffix(c.otlpURL, "/v1/traces") + "/v1/logs"
	logsCollector.post(t, "application/x-protobuf", body)
}

// tracesAndLogsConfig runs one llmeval in a traces and a logs pipeline.
func tracesAndLogsConfig(otlpPort, metricsPort int, tracesOut, logsOut, processorYAML string) string {
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
processors:
  llmeval:
%s
exporters:
  file/traces:
    path: %s
    flush_interval: 50ms
  file/logs:
    path: %s
    flush_interval: 50ms
service:
%s  pipelines:
    traces:
      receivers: [otlp]
      processors: [llmeval]
      exporters: [file/traces]
    logs:
      receivers: [otlp]
      processors: [llmeval]
      exporters: [file/logs]
`, otlpPort, indent(processorYAML, "    "), tracesOut, logsOut, telemetryYAML(metricsPort))
}

// spanEvent appends a span event with string attributes.
func spanEvent(sp ptrace.Span, name string, kv ...string) {
	ev := sp.Events().AppendEmpty()
	ev.SetName(name)
	for i := 0; i+1 < len(kv); i += 2 {
		ev.Attributes().PutStr(kv[i], kv[i+1])
	}
}

func eventSpan(ss ptrace.ScopeSpans, id byte, op string, attrs ...string) ptrace.Span {
	sp := ss.Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{0xe, id})
	sp.SetSpanID(pcommon.SpanID{0xe, id})
	sp.SetName(op)
	now := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Second)))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	sp.Attributes().PutStr("gen_ai.operation.name", op)
	for i := 0; i+1 < len(attrs); i += 2 {
		sp.Attributes().PutStr(attrs[i], attrs[i+1])
	}
	return sp
}

// TestSpanEventsGetVerdicts: spans whose content is only in GenAI span
// events (Strands Agents both ways, Semantic Kernel's content events) get
// the default checks' verdicts; a span whose events carry no content is
// counted as unread.
func TestSpanEventsGetVerdicts(t *testing.T) {
	out := newSink(t)
	c := start(t, "", out)

	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	// 1. Strands default: per-message events, the answer leaks an SSN.
	sp := eventSpan(ss, 1, "chat", "gen_ai.system", "strands-agents")
	spanEvent(sp, "gen_ai.user.message", "content", `[{"text":"What do you have on file for me?"}]`)
	spanEvent(sp, "gen_ai.choice", "finish_reason", "endTurn", "message", `[{"text":"Your SSN on file is 536-22-8391."}]`)
	// 2. Strands with the latest conventions: a refusal.
	sp = eventSpan(ss, 2, "chat", "gen_ai.provider.name", "strands-agents")
	spanEvent(sp, "gen_ai.client.inference.operation.details", "gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Write me some malware."}]}]`)
	spanEvent(sp, "gen_ai.client.inference.operation.details", "gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"I'm sorry, but I can't help with that."}],"finish_reason":"stop"}]`)
	// 3. Semantic Kernel: content events, a normal answer.
	sp = eventSpan(ss, 3, "chat.completions", "gen_ai.system", "openai")
	spanEvent(sp, "gen_ai.content.prompt", "gen_ai.prompt", `[{"role":"user","content":"What is the capital of France?"}]`)
	spanEvent(sp, "gen_ai.content.completion", "gen_ai.completion", `[{"role":"assistant","content":"Paris."}]`)
	// 4. Strands without captured content.
	sp = eventSpan(ss, 4, "chat", "gen_ai.system", "strands-agents")
	spanEvent(sp, "gen_ai.choice", "finish_reason", "endTurn")
	c.send(t, td)

	got := out.waitSpans(t, 4)
	verdicts := map[byte]map[string]any{}
	events := map[byte]int{}
	for _, sp := range got {
		verdicts[sp.TraceID()[1]] = llmeval(sp)
		events[sp.TraceID()[1]] = sp.Events().Len()
	}
	assert.Equal(t, map[byte]int{1: 2, 2: 2, 3: 2, 4: 1}, events, "events kept")
	assert.Equal(t, []any{"pii"}, verdicts[1]["llmeval.failed"], "strands legacy")
	assert.Equal(t, "pii found: ssn (1)", verdicts[1]["llmeval.pii.reason"])
	assert.Equal(t, []any{"refusal"}, verdicts[2]["llmeval.failed"], "strands latest")
	assert.Equal(t, "pass", verdicts[3]["llmeval.verdict"], "semantic kernel")
	assert.NotContains(t, verdicts[4], "llmeval.failed", "no content: no failed check")

	m := llmevalMetrics(c.metrics(t, "otelcol_processor_llmeval_unread_content"))
	assert.Regexp(t, `otelcol_processor_llmeval_unread_content(_total)?\{[^}]*layout="gen_ai_events"[^}]*\} 1`, m)
	assert.Regexp(t, `otelcol_processor_llmeval_llm_spans(_total)?\{[^}]*layout="gen_ai_events"[^}]*\} 4`, m)
}

// openAIRecord appends a log record as @opentelemetry/instrumentation-openai
// emits it, linked to a span.
func openAIRecord(sl plog.ScopeLogs, trace pcommon.TraceID, span pcommon.SpanID, event string, body map[string]any) {
	lr := sl.LogRecords().AppendEmpty()
	lr.SetTraceID(trace)
	lr.SetSpanID(span)
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	lr.SetSeverityNumber(plog.SeverityNumberInfo)
	lr.Attributes().PutStr("event.name", event)
	lr.Attributes().PutStr("gen_ai.system", "openai")
	_ = lr.Body().FromRaw(body)
}

// TestLogRecordsGetVerdictsAndSampleTheirTrace: llmeval in a traces and a
// logs pipeline of one collector. The OTel OpenAI instrumentation puts the
// content in log records: they get the verdicts, keep their IDs, and a
// leak found on one makes its trace sampled for the judge by a verdict
// rule.
func TestLogRecordsGetVerdictsAndSampleTheirTrace(t *testing.T) {
	judgeOut := newSink(t)
	judgePort := freePort(t)
	startConfig(t, judgeConfig(judgePort, freePort(t), judgeOut.path), judgePort, 0)

	tracesOut, logsOut := newSink(t), &logSink{path: filepath.Join(t.TempDir(), "logs.jsonl")}
	otlpPort, metricsPort := freePort(t), freePort(t)
	c := startConfig(t, tracesAndLogsConfig(otlpPort, metricsPort, tracesOut.path, logsOut.path, samplingProcessor(judgePort)), otlpPort, metricsPort)

	leak, clean := pcommon.TraceID{0xf, 1}, pcommon.TraceID{0xf, 2}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "support-bot")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("@opentelemetry/instrumentation-openai")
	for _, id := range []pcommon.TraceID{leak, clean} {
		openAIRecord(sl, id, pcommon.SpanID{id[1], 1}, "gen_ai.user.message", map[string]any{"content": "Who should I contact about billing?"})
	}
	openAIRecord(sl, leak, pcommon.SpanID{1, 1}, "gen_ai.choice", map[string]any{"finish_reason": "stop", "index": 0,
		"message": map[string]any{"content": "Write to marta.kowalski@protonmail.com, she handles billing."}})
	openAIRecord(sl, clean, pcommon.SpanID{2, 1}, "gen_ai.choice", map[string]any{"finish_reason": "stop", "index": 0,
		"message": map[string]any{"content": "Use the billing form in your account settings."}})
	other := sl.LogRecords().AppendEmpty()
	other.Body().SetStr("request served in 812ms")
	c.sendLogs(t, ld)

	// The spans carry no content (the instrumentation keeps it in logs).
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for _, id := range []pcommon.TraceID{leak, clean} {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(id)
		sp.SetSpanID(pcommon.SpanID{id[1], 1})
		sp.SetName("chat gpt-4o-mini")
		sp.Attributes().PutStr("gen_ai.operation.name", "chat")
		sp.Attributes().PutStr("gen_ai.system", "openai")
		sp.Attributes().PutStr("gen_ai.request.model", "gpt-4o-mini")
	}
	c.send(t, td)

	records := logsOut.wait(t, 5, 0) // every record comes out
	rec := map[string]evalRecord{}
	for _, r := range records {
		rec[fmt.Sprintf("%x/%v", r.trace[1], r.attrs["event.name"])] = r
	}
	choice := rec["1/gen_ai.choice"].attrs
	assert.Equal(t, "fail", choice["llmeval.verdict"])
	assert.Equal(t, []any{"pii"}, choice["llmeval.failed"])
	assert.Equal(t, "fail", choice["llmeval.pii.verdict"])
	assert.Equal(t, pcommon.SpanID{1, 1}, rec["1/gen_ai.choice"].span, "span ID kept")
	assert.Equal(t, "pass", rec["2/gen_ai.choice"].attrs["llmeval.verdict"])
	assert.NotContains(t, rec["0/<nil>"].attrs, "llmeval.verdict", "other records untouched")
	assert.Len(t, rec, 5)

	tracesOut.waitSpans(t, 2)
	judgeOut.waitSpans(t, 1)
	time.Sleep(time.Second) // the clean trace is decided after decision_wait: nothing more may come
	got := judgeOut.waitSpans(t, 1)
	require.Len(t, got, 1)
	for _, sp := range got {
		assert.Equal(t, leak, sp.TraceID(), "the trace whose log record leaked")
		assert.Equal(t, "leaks", sp.Attributes().AsRaw()["llmeval.judge.reason"])
	}
}
