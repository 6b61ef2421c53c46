package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// otlpSink is an OTLP/HTTP endpoint inside the test. It reads requests as
// protobuf, which, unlike the file exporter's JSON, handles values nested a
// million deep; hang makes it never answer (a hanging judge).
type otlpSink struct {
	url   string
	spans atomic.Int64
	reqs  atomic.Int64

	mu    sync.Mutex
	names map[string]int

	hang    bool
	release chan struct{}
}

func newOTLPSink(t *testing.T, hang bool) *otlpSink {
	t.Helper()
	s := &otlpSink{names: map[string]int{}, hang: hang, release: make(chan struct{})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() {
		close(s.release)
		_ = srv.Close()
	})
	s.url = "http://" + l.Addr().String()
	return s
}

func (s *otlpSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.reqs.Add(1)
	if s.hang {
		select {
		case <-s.release:
		case <-r.Context().Done():
		}
		return
	}
	body, _ := io.ReadAll(r.Body)
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err == nil {
		td := req.Traces()
		s.spans.Add(int64(td.SpanCount()))
		s.mu.Lock()
		forEachSpan(td, func(sp ptrace.Span) { s.names[sp.Name()]++ })
		s.mu.Unlock()
	}
	resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

func (s *otlpSink) waitSpans(t *testing.T, n int64, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for s.spans.Load() < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	require.Equal(t, n, s.spans.Load(), "spans that reached the exporter's endpoint")
}

// startWithSinks runs the collector with processors (YAML under
// `processors:`, %s standing for the judge's URL) in the traces pipeline
// (pipeline lists them), exporting over OTLP/HTTP to a main sink, with a
// judge sink that never answers when hangingJudge.
func startWithSinks(t *testing.T, processors, pipeline string, hangingJudge bool) (c *collector, main, judge *otlpSink) {
	t.Helper()
	main, judge = newOTLPSink(t, false), newOTLPSink(t, hangingJudge)
	otlpPort, metricsPort := freePort(t), freePort(t)
	cfg := fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
processors:
%s
exporters:
  otlp_http:
    endpoint: %s
    compression: none
service:
%s  pipelines:
    traces:
      receivers: [otlp]
      processors: [%s]
      exporters: [otlp_http]
`, otlpPort, indent(fmt.Sprintf(processors, judge.url), "  "), main.url, telemetryYAML(metricsPort), pipeline)
	return startConfig(t, cfg, otlpPort, metricsPort), main, judge
}

// TestForgedVerdictsDoNotSurvive: a client sends llmeval.* attributes on a
// non-LLM span and on a passing LLM span; none of them comes out, the
// processor's own verdict does, and the removals are counted.
func TestForgedVerdictsDoNotSurvive(t *testing.T) {
	s := newSink(t)
	c := start(t, "", s) // the default evaluator set
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	forge := func(sp ptrace.Span) {
		a := sp.Attributes()
		f := a.PutEmptySlice("llmeval.failed")
		f.AppendEmpty().SetStr("pii")
		f.AppendEmpty().SetStr("destructive_action")
		a.PutStr("llmeval.verdict", "fail")
		a.PutStr("llmeval.destructive_action.verdict", "fail")
		a.PutStr("llmeval.pii.verdict", "fail")
		a.PutStr("llmeval.pii.reason", "pii found: email (1)")
		a.PutInt("llmeval.signal.loop.severity", 3)
		a.PutBool("llmeval.judge.sampled", true)
	}
	health := ss.Spans().AppendEmpty()
	health.SetName("GET /health")
	health.SetTraceID(pcommon.TraceID{0xf, 1})
	health.SetSpanID(pcommon.SpanID{0xf, 1})
	health.Attributes().PutStr("http.request.method", "GET")
	forge(health)
	chat := ss.Spans().AppendEmpty()
	chat.SetName("chat")
	chat.SetTraceID(pcommon.TraceID{0xf, 2})
	chat.SetSpanID(pcommon.SpanID{0xf, 2})
	chat.SetStartTimestamp(1)
	chat.SetEndTimestamp(2)
	chat.Attributes().PutStr("gen_ai.operation.name", "chat")
	chat.Attributes().PutStr("gen_ai.request.model", "gpt-4o")
	chat.Attributes().PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Paris is the capital of France."}],"finish_reason":"stop"}]`)
	forge(chat)
	c.send(t, td)

	got := s.waitSpans(t, 2)
	assert.Equal(t, map[string]any{}, llmeval(got[health.SpanID().String()]), "nothing under the prefix on a non-LLM span")
	assert.Equal(t, "GET", attrs(got[health.SpanID().String()])["http.request.method"])
	assert.Equal(t, map[string]any{"llmeval.verdict": "pass"}, llmeval(got[chat.SpanID().String()]), "only the processor's own verdict")
	assert.Regexp(t, `otelcol_processor_llmeval_incoming_attributes_removed(_total)?(\{[^}]*\})? 14`,
		llmevalMetrics(c.metrics(t, "otelcol_processor_llmeval_incoming_attributes_removed")))
}

// nested sets v to a slice nested depth deep, built without recursion.
func nested(v pcommon.Value, depth int) {
	s := v.SetEmptySlice()
	for i := 1; i < depth; i++ {
		s = s.AppendEmpty().SetEmptySlice()
	}
}

// TestMillionDeepValuesDoNotCrash sends one ~19 MB OTLP/HTTP protobuf
// request whose tool-call arguments and conversation ID are arrays nested
// 1,000,000 deep, beside ordinary spans, through llmeval with the default
// evaluators, the signals and a judge sampling every trace. The process
// lives, every span comes out, and the tool span carries error verdicts
// naming the attribute.
func TestMillionDeepValuesDoNotCrash(t *testing.T) {
	c, main, judge := startWithSinks(t, `llmeval:
  sampling:
    baseline_ratio: 1
    decision_wait: 1s
  judge:
    otlp_http: { endpoint: %q, compression: none }
`, "llmeval", false)

	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	add := func(name, op string) ptrace.Span {
		sp := ss.Spans().AppendEmpty()
		sp.SetName(name)
		sp.SetTraceID(pcommon.TraceID{0xd, byte(ss.Spans().Len())})
		sp.SetSpanID(pcommon.SpanID{0xd, byte(ss.Spans().Len())})
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		if op != "" {
			sp.Attributes().PutStr("gen_ai.operation.name", op)
			sp.Attributes().PutStr("gen_ai.tool.name", "lookup")
		}
		return sp
	}
	deepArgs := add("deep arguments", "execute_tool")
	nested(deepArgs.Attributes().PutEmpty("gen_ai.tool.call.arguments"), 1_000_000)
	deepConv := add("deep conversation id", "execute_tool")
	deepConv.Attributes().PutStr("gen_ai.tool.call.arguments", `{"id":7}`)
	nested(deepConv.Attributes().PutEmpty("gen_ai.conversation.id"), 1_000_000)
	add("ordinary tool", "execute_tool").Attributes().PutStr("gen_ai.tool.call.arguments", `{"id":8}`)
	add("GET /health", "")
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	t.Logf("request: %d bytes", len(body))
	c.postTimeout(t, "application/x-protobuf", body, 3*time.Minute)

	main.waitSpans(t, 4, 3*time.Minute)
	select {
	case <-c.exited:
		t.Fatalf("the collector exited:\n%s", c.stderr.String())
	default:
	}
	main.mu.Lock()
	assert.Equal(t, map[string]int{"deep arguments": 1, "deep conversation id": 1, "ordinary tool": 1, "GET /health": 1}, main.names)
	main.mu.Unlock()
	m := llmevalMetrics(c.metrics(t, `evaluator="destructive_action"`))
	assert.Regexp(t, `otelcol_processor_llmeval_evaluator_errors(_total)?\{[^}]*evaluator="destructive_action"[^}]*\} 1`, m,
		"the deep arguments are an error verdict")
	judge.waitSpans(t, 3, 3*time.Minute) // the three LLM traces, sampled by the baseline
}

// TestShutdownDeadlineWithAHangingJudge: 10,050 undecided traces, a judge
// that never answers and a batch processor after llmeval that holds every
// span until shutdown. On SIGTERM the process exits within the judge's
// shutdown_timeout plus the batch flush, and every main-stream span came
// out.
func TestShutdownDeadlineWithAHangingJudge(t *testing.T) {
	c, main, judge := startWithSinks(t, `llmeval:
  sampling:
    baseline_ratio: 1
    decision_wait: 1h
    max_trace_duration: 1h
  judge:
    otlp_http: { endpoint: %q, compression: none }
    shutdown_timeout: 2s
batch:
  timeout: 1h
  send_batch_size: 1000000
  send_batch_max_size: 0
`, "llmeval, batch", true)

	const traces = 10_050
	sent := 0
	for sent < traces {
		td := ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		for i := 0; i < 1005 && sent < traces; i, sent = i+1, sent+1 {
			sp := ss.Spans().AppendEmpty()
			sp.SetName("chat")
			sp.SetTraceID(pcommon.TraceID{0x5, byte(sent >> 16), byte(sent >> 8), byte(sent)})
			sp.SetSpanID(pcommon.SpanID{0x5, byte(sent >> 16), byte(sent >> 8), byte(sent)})
			sp.Attributes().PutStr("gen_ai.operation.name", "chat")
			sp.Attributes().PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"fine"}]}]`)
		}
		c.send(t, td)
	}
	// Nothing is decided yet (decision_wait 1h), and the batch processor
	// holds the main stream until shutdown.
	c.metrics(t, fmt.Sprintf("otelcol_processor_llmeval_judge_buffered_traces %d", traces))
	require.Zero(t, main.spans.Load(), "the batch processor holds the main stream until shutdown")

	began := time.Now()
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the collector did not exit within 30s of SIGTERM with a hanging judge")
	}
	took := time.Since(began)
	t.Logf("exited %s after SIGTERM", took)
	assert.Less(t, took, 10*time.Second, "judge.shutdown_timeout (2s) plus the batch flush")
	assert.Equal(t, int64(traces), main.spans.Load(), "every main-stream span came out")
	assert.Positive(t, judge.reqs.Load(), "the decided traces were offered to the judge, which never answered")
}
