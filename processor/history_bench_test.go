package llmevalprocessor

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// historyInput is gen_ai.input.messages (GenAI JSON-string layout) holding
// turns turns of an agent conversation, each a user message, an assistant
// tool call, its JSON tool result and an answer, then the newest user
// message: ~1.4 KB per turn, as a coding or support agent resends it on
// every model call.
func historyInput(turns int) string {
	var b strings.Builder
	b.WriteString(`[{"role":"system","parts":[{"type":"text","content":"You are the order desk assistant of a parcel shop. Answer briefly."}]}`)
	for i := 0; i < turns; i++ {
		fmt.Fprintf(&b, `,{"role":"user","parts":[{"type":"text","content":"Where is my order %d? I placed it last week and the tracking page still says \"pending\"."}]}`, 4000+i)
		fmt.Fprintf(&b, `,{"role":"assistant","parts":[{"type":"tool_call","id":"call_%d","name":"get_order","arguments":{"order_id":"%d"}}]}`, i, 4000+i)
		fmt.Fprintf(&b, `,{"role":"tool","parts":[{"type":"tool_call_response","id":"call_%d","response":"{\"status\":\"shipped\",\"warehouse\":\"Berlin\",\"items\":[{\"sku\":\"A-%d\",\"qty\":2,\"price\":19.99},{\"sku\":\"B-17\",\"qty\":1,\"price\":5.5}],\"events\":[\"label created\",\"picked up\",\"in transit\"],\"eta\":\"2026-12-0%d\"}"}]}`, i, i, 1+i%9)
		fmt.Fprintf(&b, `,{"role":"assistant","parts":[{"type":"text","content":"Your order %d left our Berlin warehouse and is in transit; it should arrive on December %d. %s"}],"finish_reason":"stop"}`, 4000+i, 1+i%9, strings.Repeat("Tracking updates follow by email. ", 20))
	}
	b.WriteString(`,{"role":"user","parts":[{"type":"text","content":"Thanks. Can you also check order 9123?"}]}]`)
	return b.String()
}

func historyTraces(turns int) ptrace.Traces {
	td, ss := newScope()
	in := historyInput(turns)
	for i := 0; i < benchBatch; i++ {
		s := chatSpan(ss, "chat gpt-4o", "Order 9123 shipped yesterday from Berlin.", 1200*time.Millisecond)
		a := s.Attributes()
		a.PutStr("gen_ai.input.messages", in)
		a.PutStr("gen_ai.conversation.id", fmt.Sprintf("conv-%d", i))
		a.PutInt("gen_ai.usage.input_tokens", int64(len(in)/4))
		a.PutInt("gen_ai.usage.output_tokens", 12)
	}
	return td
}

// BenchmarkHistoryLength is the per-span cost of a chat span as a function
// of the input history it carries: the default checks and signals against a
// no-op baseline over the same copy, in one run. added-ns/span is the
// difference of the two, measured in the same run (see BENCHMARKS.md).
func BenchmarkHistoryLength(b *testing.B) {
	for _, turns := range []int{5, 20, 80, 320} {
		tmpl := historyTraces(turns)
		kb := len(historyInput(turns)) / 1024
		var base float64
		for _, c := range []struct {
			name string
			cfg  *Config
		}{
			{"baseline_noop", nil},
			{"default_set", testConfig(nil)},
		} {
			b.Run(fmt.Sprintf("turns=%d/%dKB/%s", turns, kb, c.name), func(b *testing.B) {
				ns := benchSpans(b, benchProcessor(b, c.cfg), tmpl)
				if c.cfg == nil {
					base = ns
				} else if base > 0 {
					b.ReportMetric(ns-base, "added-ns/span")
				}
			})
		}
	}
}
