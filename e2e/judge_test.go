package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// judgeConfig is a second collector acting as the judge: OTLP in, file out.
func judgeConfig(otlpPort, metricsPort int, outPath string) string {
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
exporters:
  file:
    path: %s
    flush_interval: 50ms
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [file]
`, otlpPort, outPath, metricsPort)
}

// startJudge runs a judge collector (judgeConfig) and returns its output
// and its OTLP/HTTP port.
func startJudge(t *testing.T) (*sink, int) {
	t.Helper()
	out, port := newSink(t), freePort(t)
	startConfig(t, judgeConfig(port, freePort(t), out.path), port, 0)
	return out, port
}

func samplingProcessor(judgePort int) string {
	return fmt.Sprintf(`evaluators:
  - { name: pii, type: pii }
sampling:
  decision_wait: 500ms
  rules:
    - { name: leaks, verdict_failed: [pii] }
    - { name: escalations, signals: [disengagement.escalation] }
judge:
  otlp_http:
    endpoint: http://127.0.0.1:%d
    compression: none
    retry_on_failure: { enabled: false }
    sending_queue: { queue_size: 10 }
`, judgePort)
}

// agentTrace is a root agent span, a chat span and an HTTP child, all of
// one trace; the chat span's user says userText and the model answers answer.
func agentTrace(td ptrace.Traces, id byte, userText, answer string) {
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	trace := pcommon.TraceID{0xa, id}
	root := ss.Spans().AppendEmpty()
	root.SetTraceID(trace)
	root.SetSpanID(pcommon.SpanID{id, 1})
	root.SetName("invoke_agent")
	root.Attributes().PutStr("gen_ai.operation.name", "invoke_agent")
	chat := ss.Spans().AppendEmpty()
	chat.SetTraceID(trace)
	chat.SetSpanID(pcommon.SpanID{id, 2})
	chat.SetParentSpanID(root.SpanID())
	chat.SetName("chat")
	a := chat.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"`+userText+`"}]}]`)
	a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"`+answer+`"}]}]`)
	http := ss.Spans().AppendEmpty()
	http.SetTraceID(trace)
	http.SetSpanID(pcommon.SpanID{id, 3})
	http.SetParentSpanID(chat.SpanID())
	http.SetName("POST /v1/chat/completions")
}

func tracesOf(spans map[string]ptrace.Span) map[byte]int {
	out := map[byte]int{}
	for _, sp := range spans {
		out[sp.TraceID()[1]]++
	}
	return out
}

// TestJudgeReceivesExactlyTheSelectedTraces runs two collectors: the one
// under test and a judge. The judge must get the traces the rules select,
// whole and marked, and the main output every span.
func TestJudgeReceivesExactlyTheSelectedTraces(t *testing.T) {
	judgeOut, judgePort := startJudge(t)

	main := newSink(t)
	c := start(t, samplingProcessor(judgePort), main)
	td := ptrace.NewTraces()
	agentTrace(td, 1, "What is my order status?", "Your order ships today; we emailed jane.roe@fastmail.com.")
	agentTrace(td, 2, "This is useless, let me talk to a human", "One moment.")
	agentTrace(td, 3, "What is my order status?", "Your order ships today.")
	c.send(t, td)

	assert.Equal(t, map[byte]int{1: 3, 2: 3, 3: 3}, tracesOf(main.waitSpans(t, 9)), "the main stream keeps every span")
	judgeOut.waitSpans(t, 6)
	time.Sleep(time.Second) // trace 3 is decided after decision_wait; nothing more may come
	got := judgeOut.waitSpans(t, 6)
	assert.Equal(t, map[byte]int{1: 3, 2: 3}, tracesOf(got), "the judge gets the selected traces, whole")
	for _, sp := range got {
		a := sp.Attributes().AsRaw()
		assert.Equal(t, true, a["llmeval.judge.sampled"])
		want := map[byte]string{1: "leaks", 2: "escalations"}[sp.TraceID()[1]]
		assert.Equal(t, want, a["llmeval.judge.reason"], "span %s", sp.Name())
	}
	m := llmevalMetrics(c.metrics(t, "otelcol_processor_llmeval_judge_traces_sampled"))
	assert.Regexp(t, `otelcol_processor_llmeval_judge_traces_sampled(_total)?\{[^}]*rule="leaks"[^}]*\} 1`, m)
	assert.Regexp(t, `otelcol_processor_llmeval_judge_traces_sampled(_total)?\{[^}]*rule="escalations"[^}]*\} 1`, m)
}

// TestJudgeDownLeavesTheMainStreamAlone kills the judge mid-stream: every
// span of the main stream still comes out, promptly, and the copies the
// judge could not take are counted.
func TestJudgeDownLeavesTheMainStreamAlone(t *testing.T) {
	judgeOut := newSink(t)
	judgePort := freePort(t)
	judge := startConfig(t, judgeConfig(judgePort, freePort(t), judgeOut.path), judgePort, 0)
	main := newSink(t)
	c := start(t, samplingProcessor(judgePort), main)

	leak := func(i byte) ptrace.Traces {
		td := ptrace.NewTraces()
		agentTrace(td, i, "hi", "Mail me at a"+fmt.Sprint(i)+"@fastmail.com")
		return td
	}
	c.send(t, leak(1))
	assert.Equal(t, map[byte]int{1: 3}, tracesOf(judgeOut.waitSpans(t, 3)), "the judge works before it goes down")

	judge.stop()
	began := time.Now()
	for i := byte(2); i <= 21; i++ {
		c.send(t, leak(i))
	}
	spans := main.waitSpans(t, 63)
	require.Len(t, spans, 63, "every span of the main stream comes out")
	assert.Less(t, time.Since(began), 15*time.Second, "a dead judge does not slow the main stream")
	m := c.metrics(t, `exporter="otlp_http/llmeval_judge"`)
	assert.Regexp(t, `otelcol_exporter_send_failed_spans(_total)?\{[^}]*exporter="otlp_http/llmeval_judge"[^}]*\} [1-9]`, m,
		"the judge exporter counts what it could not deliver")
}
