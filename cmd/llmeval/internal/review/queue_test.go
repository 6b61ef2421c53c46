package review

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// traceID is the i-th generated trace's ID.
func traceID(i int) pcommon.TraceID {
	var id pcommon.TraceID
	binary.BigEndian.PutUint64(id[:8], 0xabc0000000000000)
	binary.BigEndian.PutUint64(id[8:], uint64(i)+1)
	return id
}

func spanID(i, j int) pcommon.SpanID {
	var id pcommon.SpanID
	binary.BigEndian.PutUint32(id[:4], uint32(i)+1)
	binary.BigEndian.PutUint32(id[4:], uint32(j)+1)
	return id
}

// genTrace is a replayed agent run: an agent span, a chat span with a
// GenAI conversation, and a tool span; what failed depends on i.
//
//   - i%3 == 0: pii fails on the chat span (the output leaks an address)
//   - i%5 == 0: the tool span errors, with a failure signal
//   - services alternate between two; models between two
func genTrace(td ptrace.Traces, i int, pad int) {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", fmt.Sprintf("svc-%d", i%2))
	ss := rs.ScopeSpans().AppendEmpty()
	t0 := pcommon.Timestamp(1767225600_000000000 + int64(i)*1e9)
	root := ss.Spans().AppendEmpty()
	root.SetTraceID(traceID(i))
	root.SetSpanID(spanID(i, 0))
	root.SetName(fmt.Sprintf("invoke_agent support-%d", i))
	root.SetStartTimestamp(t0)
	root.SetEndTimestamp(t0 + 3e9)
	root.Attributes().PutStr("gen_ai.operation.name", "invoke_agent")
	root.Attributes().PutStr("llmeval.verdict", "pass")

	chat := ss.Spans().AppendEmpty()
	chat.SetTraceID(traceID(i))
	chat.SetSpanID(spanID(i, 1))
	chat.SetParentSpanID(root.SpanID())
	chat.SetName("chat")
	chat.SetStartTimestamp(t0 + 1e8)
	chat.SetEndTimestamp(t0 + 9e8)
	a := chat.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.request.model", fmt.Sprintf("model-%d", i%2))
	a.PutStr("gen_ai.system_instructions", `[{"type":"text","content":"You are the support agent of Fernhill Bikes."}]`)
	a.PutStr("gen_ai.input.messages", fmt.Sprintf(`[{"role":"user","parts":[{"type":"text","content":"Where is my order %d? %s"}]}]`, i, pad2(pad)))
	out := "Your order ships tomorrow."
	if i%3 == 0 {
		out = "Your order went to marta.lindqvist@fernhill-mail.se yesterday."
	}
	a.PutStr("gen_ai.output.messages", fmt.Sprintf(`[{"role":"assistant","parts":[{"type":"text","content":%q},{"type":"tool_call","id":"c1","name":"track","arguments":{"order":%d}}],"finish_reason":"tool_call"}]`, out, i))
	a.PutStr("llmeval.pii.verdict", map[bool]string{true: "fail", false: "pass"}[i%3 == 0])
	if i%3 == 0 {
		a.PutStr("llmeval.pii.reason", "pii found: email")
		a.PutStr("llmeval.verdict", "fail")
	} else {
		a.PutStr("llmeval.verdict", "pass")
	}
	a.PutStr("llmeval.refusal.verdict", "pass")

	tool := ss.Spans().AppendEmpty()
	tool.SetTraceID(traceID(i))
	tool.SetSpanID(spanID(i, 2))
	tool.SetParentSpanID(root.SpanID())
	tool.SetName("execute_tool track")
	tool.SetStartTimestamp(t0 + 1e9)
	tool.SetEndTimestamp(t0 + 2e9)
	ta := tool.Attributes()
	ta.PutStr("gen_ai.operation.name", "execute_tool")
	ta.PutStr("gen_ai.tool.name", "track")
	ta.PutStr("gen_ai.tool.call.arguments", fmt.Sprintf(`{"order":%d}`, i))
	ta.PutStr("gen_ai.tool.call.result", `{"status":"in transit"}`)
	if i%5 == 0 {
		tool.Status().SetCode(ptrace.StatusCodeError)
		tool.Status().SetMessage("tracking service timeout")
		ta.PutInt("llmeval.signal.failure.count", 1)
		ta.PutInt("llmeval.signal.failure.severity", 2)
		ta.PutEmptySlice("llmeval.signal.failure.kinds").AppendEmpty().SetStr("tool_error")
	}
}

func pad2(n int) string { return string(bytes.Repeat([]byte("x"), n)) }

// writeQueue writes n generated traces as a file exporter would, a few
// traces a line, every 7th trace split over two lines; gzip when the name
// ends in .gz. pad adds that many bytes to each user message.
func writeQueue(t testing.TB, path string, n, pad int) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	var w *bufio.Writer
	var gz *gzip.Writer
	if filepath.Ext(path) == ".gz" {
		gz = gzip.NewWriter(f)
		w = bufio.NewWriter(gz)
	} else {
		w = bufio.NewWriter(f)
	}
	var m ptrace.JSONMarshaler
	line := func(td ptrace.Traces) {
		b, err := m.MarshalTraces(td)
		require.NoError(t, err)
		_, _ = w.Write(b)
		_ = w.WriteByte('\n')
	}
	td := ptrace.NewTraces()
	for i := range n {
		genTrace(td, i, pad)
		if i%7 == 0 {
			// Split: the tool span goes out in a later line.
			last := td.ResourceSpans().At(td.ResourceSpans().Len() - 1)
			later := ptrace.NewTraces()
			rs := later.ResourceSpans().AppendEmpty()
			last.Resource().CopyTo(rs.Resource())
			spans := last.ScopeSpans().At(0).Spans()
			spans.At(2).CopyTo(rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty())
			spans.RemoveIf(func(sp ptrace.Span) bool { return sp.SpanID() == spanID(i, 2) })
			line(td)
			line(later)
			td = ptrace.NewTraces()
			continue
		}
		if td.ResourceSpans().Len() == 3 {
			line(td)
			td = ptrace.NewTraces()
		}
	}
	if td.ResourceSpans().Len() > 0 {
		line(td)
	}
	require.NoError(t, w.Flush())
	if gz != nil {
		require.NoError(t, gz.Close())
	}
	require.NoError(t, f.Close())
}
