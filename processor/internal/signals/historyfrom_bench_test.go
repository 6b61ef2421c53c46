package signals

import (
	"fmt"
	"testing"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// BenchmarkHistoryFrom is the signals' cost per chat span of whole agent
// conversations (calls model calls each, the input growing by a tool call
// and its result per call, as in the load test) read with the history
// memory (memory) and directly (direct): where the memory's bookkeeping
// costs more than the decoding it saves. in= is the last call's input size.
func BenchmarkHistoryFrom(b *testing.B) {
	for _, calls := range []int{2, 3, 4, 6, 8, 12} {
		const convs = 256
		spans := make([][]spanRef, convs)
		last := 0
		for c := range spans {
			msgs := []msg{user("Hi, I need to change my flight to Boston next Tuesday, the morning one if it is still available, and keep my seat preference.")}
			for i := 0; i < calls; i++ {
				call := msg{"assistant", []part{{Type: "tool_call", ID: fmt.Sprintf("c%d", i), Name: "search_flights", Arguments: map[string]any{"city": "Boston", "step": i}}}}
				in := js(b, msgs...)
				last = len(in)
				spans[c] = append(spans[c], rawChatSpan(b, fmt.Sprintf("conv-%d", c), in, []msg{call}))
				msgs = append(msgs, call, msg{"tool", []part{{Type: "tool_call_response", ID: fmt.Sprintf("c%d", i), Response: map[string]any{"flights": []string{"B6 705", "DL 940"}}}}})
			}
		}
		for _, mode := range []string{"memory", "direct"} {
			b.Run(fmt.Sprintf("in=%d/%s", last, mode), func(b *testing.B) {
				d := newDetector(b, Config{})
				d.historyFrom = 0
				if mode == "direct" {
					d.historyFrom = 1 << 30
				}
				v := &spanmodel.View{}
				var f Found
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					for _, s := range spans[i%convs] {
						v.Reset(s.rs, s.ss, s.sp)
						d.Detect(v, &f)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*calls), "ns/span")
			})
		}
	}
}
