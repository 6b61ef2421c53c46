package signals

import (
	"fmt"
	"strings"
	"testing"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// BenchmarkDetectNextCall is the signals' cost of an agent's next model
// call after turns turns, with the conversation's memory as the call
// before left it (restored untimed each iteration, so only the next call
// is timed): the per-span work the history memory leaves.
func BenchmarkDetectNextCall(b *testing.B) {
	for _, turns := range []int{5, 20, 80, 320} {
		b.Run(fmt.Sprintf("turns=%d", turns), func(b *testing.B) {
			var msgs []msg
			for i := 0; i < turns; i++ {
				id := fmt.Sprintf("call_%d", i)
				msgs = append(msgs,
					user(fmt.Sprintf("Where is my order %d? I placed it last week and the tracking page still says pending.", 4000+i)),
					msg{"assistant", []part{{Type: "tool_call", ID: id, Name: "get_order", Arguments: map[string]any{"order_id": 4000 + i}}}},
					msg{"tool", []part{{Type: "tool_call_response", ID: id, Response: map[string]any{"status": "shipped", "warehouse": "Berlin", "eta": "2026-12-01"}}}})
				if i < turns-1 {
					msgs = append(msgs, assistant(fmt.Sprintf("Your order %d left our Berlin warehouse and is in transit. %s", 4000+i, strings.Repeat("Tracking updates follow by email. ", 20))))
				}
			}
			prev := rawChatSpan(b, "conv", js(b, msgs...), []msg{assistant("Your order left our Berlin warehouse. " + strings.Repeat("Tracking updates follow by email. ", 20))})
			msgs = append(msgs, assistant(fmt.Sprintf("Your order %d left our Berlin warehouse and is in transit. %s", 4000+turns-1, strings.Repeat("Tracking updates follow by email. ", 20))),
				user("Thanks. Can you also check order 9123?"))
			cur := rawChatSpan(b, "conv", js(b, msgs...), []msg{assistant("Order 9123 shipped yesterday from Berlin.")})
			d := newDetector(b, Config{})
			detect(b, d, prev)
			saved := d.history.keep(d.history.take(conversationKey(viewOf(prev))))
			v := &spanmodel.View{}
			var f Found
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				e := d.history.take(saved.key)
				if e == nil {
					e = d.history.keep(saved)
				} else {
					*e = *d.history.keep(saved)
				}
				d.history.put(e)
				v.Reset(cur.rs, cur.ss, cur.sp)
				b.StartTimer()
				d.Detect(v, &f)
			}
		})
	}
}

func viewOf(s spanRef) *spanmodel.View {
	v := &spanmodel.View{}
	v.Reset(s.rs, s.ss, s.sp)
	return v
}
