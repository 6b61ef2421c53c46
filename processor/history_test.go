package llmevalprocessor

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// agentTrace is one agent task as an SDK emits it: per step a chat span
// whose input resends the whole conversation so far, then a tool span
// running the call the model asked for. The tool fails with a timeout
// several times in a row (loop, failure, exhaustion on later steps), one
// result carries an email address and a card number (the default PII
// check reads the results a chat span's model reacts to), and the user
// corrects the agent in capitals. The system prompt makes every input
// long enough (over 1 KiB) for the signals' history memory, which leaves
// shorter inputs to a direct read.
func agentTrace(steps int) ptrace.Traces {
	td, ss := newScope()
	msgs := []string{`{"role":"system","parts":[{"type":"text","content":"` + billingPrompt + `"}]}`,
		`{"role":"user","parts":[{"type":"text","content":"Refund my last invoice please."}]}`}
	for i := 0; i < steps; i++ {
		result := `{\"error\":\"timeout: billing service failed to answer\"}`
		switch {
		case i == 4:
			result = `{\"customer\":\"jonas.berger@posteo.de\",\"card\":\"4929 1783 5521 0937\"}`
		case i > 5:
			result = fmt.Sprintf(`{\"invoice\":%d,\"status\":\"refunded\"}`, 9000+i)
		}
		call := fmt.Sprintf(`{"role":"assistant","parts":[{"type":"tool_call","id":"call_%d","name":"refund","arguments":{"invoice":%d}}]}`, i, 9000+i/3)
		out := fmt.Sprintf(`[{"role":"assistant","parts":[{"type":"tool_call","id":"call_%d","name":"refund","arguments":{"invoice":%d}}]}]`, i, 9000+i/3)
		s := chatSpan(ss, "chat gpt-4o", "", time.Second)
		s.SetSpanID(pcommon.SpanID{byte(2 * i), 1})
		s.Attributes().PutStr("gen_ai.input.messages", "["+strings.Join(msgs, ",")+"]")
		s.Attributes().PutStr("gen_ai.output.messages", out)
		tool := ss.Spans().AppendEmpty()
		tool.SetName("execute_tool refund")
		tool.SetTraceID(pcommon.TraceID{1})
		tool.SetSpanID(pcommon.SpanID{byte(2*i + 1), 1})
		tool.SetEndTimestamp(pcommon.NewTimestampFromTime(time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)))
		a := tool.Attributes()
		a.PutStr("gen_ai.operation.name", "execute_tool")
		a.PutStr("gen_ai.tool.name", "refund")
		a.PutStr("gen_ai.tool.call.arguments", fmt.Sprintf(`{"invoice":%d}`, 9000+i/3))
		a.PutStr("gen_ai.tool.call.result", strings.ReplaceAll(result, `\"`, `"`))
		msgs = append(msgs, call, fmt.Sprintf(`{"role":"tool","parts":[{"type":"tool_call_response","id":"call_%d","response":"%s"}]}`, i, result))
		if i%2 == 1 {
			msgs = append(msgs, `{"role":"assistant","parts":[{"type":"text","content":"The refund is still pending."}]}`,
				`{"role":"user","parts":[{"type":"text","content":"NO, THAT IS WRONG. I said the LAST invoice!!"}]}`)
		}
	}
	return td
}

// TestHistoryMemoryKeepsVerdicts: the spans of a multi-step agent trace
// get the same verdicts and signals with the history memory as with it
// forced off, fed span by span (as they arrive) and in one batch.
func TestHistoryMemoryKeepsVerdicts(t *testing.T) {
	tmpl := agentTrace(12)
	process := func(t *testing.T, fast, oneBatch bool) ptrace.Traces {
		p, err := newLLMEvalProcessor(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), testConfig(nil), nil)
		require.NoError(t, err)
		if !fast {
			p.detector.DisableHistoryMemory()
		}
		out := ptrace.NewTraces()
		tmpl.CopyTo(out)
		spans := out.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		if oneBatch {
			_, err := p.processTraces(context.Background(), out)
			require.NoError(t, err)
		} else {
			for i := 0; i < spans.Len(); i++ {
				td, ss := newScope()
				spans.At(i).CopyTo(ss.Spans().AppendEmpty())
				td, err := p.processTraces(context.Background(), td)
				require.NoError(t, err)
				td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).CopyTo(spans.At(i))
			}
		}
		if fast {
			remembered, _ := p.detector.HistoryReads()
			assert.Greater(t, remembered, int64(spans.Len()/2-3), "chat spans read from a remembered mark")
		}
		return out
	}
	for _, oneBatch := range []bool{false, true} {
		t.Run(fmt.Sprintf("one_batch=%v", oneBatch), func(t *testing.T) {
			fast, full := process(t, true, oneBatch), process(t, false, oneBatch)
			n := tmpl.SpanCount()
			seen := map[string]bool{}
			for i := 0; i < n; i++ {
				got, want := llmevalAttrs(t, fast, i), llmevalAttrs(t, full, i)
				require.Equal(t, want, got, "span %d", i)
				for k := range got {
					seen[k] = true
				}
			}
			// The trace exercises what the memory feeds.
			for _, k := range []string{"llmeval.signal.loop.kinds", "llmeval.signal.failure.count", "llmeval.signal.misalignment.count", "llmeval.pii.verdict"} {
				assert.True(t, seen[k], "no span has %s", k)
			}
		})
	}
}

// billingPrompt is agentTrace's system prompt, as long as real ones are.
const billingPrompt = "You are the billing desk of an online shop. You help customers with invoices, refunds, " +
	"payment methods and charges they do not recognise. Always look up the invoice with the tools before you " +
	"answer, never guess an amount or a date, and never promise a refund the refund tool has not confirmed. " +
	"A refund can take up to ten business days to reach the customer's account; say so when you confirm one. " +
	"If the refund tool fails, retry once with the same invoice, then tell the customer that the refund is " +
	"pending and that the billing team will follow up by email. Do not ask for full card numbers or passwords, " +
	"and do not repeat personal data from the tool results back to the customer. Keep answers short and " +
	"polite, in the customer's language. If the customer asks for something outside billing (orders, " +
	"deliveries, returns), tell them which desk handles it instead of answering yourself."

func llmevalAttrs(t *testing.T, td ptrace.Traces, i int) map[string]any {
	got := map[string]any{}
	for k, v := range attrs(t, td, i) {
		if strings.HasPrefix(k, "llmeval.") {
			got[k] = v
		}
	}
	return got
}

// TestHistoryMetrics: the reads (remembered or whole) and the evictions of
// the history memory are counted.
func TestHistoryMetrics(t *testing.T) {
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	cfg := testConfig(func(c *Config) { c.Signals.MaxConversations = 1 })
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tt), cfg, consumertest.NewNop())
	require.NoError(t, err)
	// Six steps of one trace: the first two chat spans are read whole (the
	// first input has no assistant message to resume at), the next four
	// from where the last one stopped.
	require.NoError(t, p.ConsumeTraces(context.Background(), agentTrace(6)))
	// A second trace's agent pushes the first one's history out.
	other := agentTrace(2)
	spans := other.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := 0; i < spans.Len(); i++ {
		spans.At(i).SetTraceID(pcommon.TraceID{2})
	}
	require.NoError(t, p.ConsumeTraces(context.Background(), other))
	metadatatest.AssertEqualProcessorLlmevalSignalHistoryReads(t, tt, []metricdata.DataPoint[int64]{
		{Value: 4, Attributes: attribute.NewSet(attribute.String("read", "remembered"))},
		{Value: 4, Attributes: attribute.NewSet(attribute.String("read", "whole"))},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorLlmevalSignalHistoryEvictions(t, tt, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.Shutdown(context.Background()))
}
