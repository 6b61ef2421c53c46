package llmevalprocessor

import (
	"context"
	"fmt"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// agentHistory is gen_ai.input.messages (GenAI JSON-string layout) holding
// turns turns of an agent conversation, each a user message, an assistant
// tool call, its JSON tool result and an answer: ~1.4 KB per turn, as a
// coding or support agent resends it on every model call. With next, the
// newest user message follows (the call after the last answer); without,
// the last turn stops at its tool result (the call that gave that answer).
func agentHistory(turns int, next bool) string {
	var b strings.Builder
	b.WriteString(`[{"role":"system","parts":[{"type":"text","content":"You are the order desk assistant of a parcel shop. Answer briefly."}]}`)
	for i := 0; i < turns; i++ {
		fmt.Fprintf(&b, `,{"role":"user","parts":[{"type":"text","content":"Where is my order %d? I placed it last week and the tracking page still says \"pending\"."}]}`, 4000+i)
		fmt.Fprintf(&b, `,{"role":"assistant","parts":[{"type":"tool_call","id":"call_%d","name":"get_order","arguments":{"order_id":"%d"}}]}`, i, 4000+i)
		fmt.Fprintf(&b, `,{"role":"tool","parts":[{"type":"tool_call_response","id":"call_%d","response":"{\"status\":\"shipped\",\"warehouse\":\"Berlin\",\"items\":[{\"sku\":\"A-%d\",\"qty\":2,\"price\":19.99},{\"sku\":\"B-17\",\"qty\":1,\"price\":5.5}],\"events\":[\"label created\",\"picked up\",\"in transit\"],\"eta\":\"2026-12-0%d\"}"}]}`, i, i, 1+i%9)
		if i == turns-1 && !next {
			break
		}
		fmt.Fprintf(&b, `,{"role":"assistant","parts":[{"type":"text","content":"Your order %d left our Berlin warehouse and is in transit; it should arrive on December %d. %s"}],"finish_reason":"stop"}`, 4000+i, 1+i%9, strings.Repeat("Tracking updates follow by email. ", 20))
	}
	if next {
		b.WriteString(`,{"role":"user","parts":[{"type":"text","content":"Thanks. Can you also check order 9123?"}]}`)
	}
	b.WriteString(`]`)
	return b.String()
}

// historyTraces is a batch of chat spans, one per conversation, each
// carrying in as its input: the same string, or with own a copy of it per
// span, as a receiver decodes them (the spans then read their inputs from
// memory, not from a cache another span filled).
func historyTraces(in string, own bool) ptrace.Traces {
	td, ss := newScope()
	for i := 0; i < benchBatch; i++ {
		s := chatSpan(ss, "chat gpt-4o", "Order 9123 shipped yesterday from Berlin.", 1200*time.Millisecond)
		a := s.Attributes()
		if own {
			a.PutStr("gen_ai.input.messages", strings.Clone(in))
		} else {
			a.PutStr("gen_ai.input.messages", in)
		}
		a.PutStr("gen_ai.conversation.id", fmt.Sprintf("conv-%d", i))
		a.PutInt("gen_ai.usage.input_tokens", int64(len(in)/4))
		a.PutInt("gen_ai.usage.output_tokens", 12)
	}
	return td
}

// BenchmarkHistoryLength is the per-span cost of a chat span as a function
// of the input history it carries: the default checks and signals against
// a no-op baseline, in one run. Each iteration is an agent's next model
// call in 100 conversations: the call before it (the same history up to
// the last tool result, untimed) then the timed call, whose input adds the
// answer and the next user message. The batch's spans share one input
// string, so after the first span the edit guard reads it from the cache;
// own_copies gives each span its own copy, as a receiver decodes them, so
// that every span reads its input from memory. first_call is the same span
// in a conversation never seen before (a new conversation ID each
// iteration).
// added-ns/span is the difference to the baseline in the same run (see
// BENCHMARKS.md).
func BenchmarkHistoryLength(b *testing.B) {
	for _, turns := range []int{5, 20, 80, 320} {
		next, last := agentHistory(turns, true), agentHistory(turns, false)
		shared := [2]ptrace.Traces{historyTraces(next, false), historyTraces(last, false)}
		own := [2]ptrace.Traces{historyTraces(next, true), historyTraces(last, true)}
		kb := len(next) / 1024
		var base float64
		for _, c := range []struct {
			name   string
			cfg    *Config
			first  bool
			traces [2]ptrace.Traces // the timed call's, the call's before it
		}{
			{"baseline_noop", nil, false, shared},
			{"default_set", testConfig(nil), false, shared},
			{"default_set_own_copies", testConfig(nil), false, own},
			{"default_set_first_call", testConfig(nil), true, shared},
		} {
			b.Run(fmt.Sprintf("turns=%d/%dKB/%s", turns, kb, c.name), func(b *testing.B) {
				ns := benchNextCalls(b, benchProcessor(b, c.cfg), c.traces[1], c.traces[0], c.first)
				if c.cfg == nil {
					base = ns
				} else if base > 0 {
					b.ReportMetric(ns-base, "added-ns/span")
				}
			})
		}
	}
}

var timedLabel = pprof.Labels("call", "timed")

// benchNextCalls feeds p a copy of prev (untimed) then a copy of cur
// (timed) per iteration, and reports ns/span, cpu-ns/span (the process's
// CPU time: steadier than wall time on a shared machine) and allocs/span
// of the timed batches; it returns ns/span. With first, each iteration's spans get new
// conversation IDs and prev is not sent.
func benchNextCalls(b *testing.B, p consumer.Traces, prev, cur ptrace.Traces, first bool) float64 {
	ctx := context.Background()
	td := ptrace.NewTraces()
	var before, after runtime.MemStats
	var mallocs uint64
	var cpu time.Duration
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		if !first {
			prev.CopyTo(td)
			if err := p.ConsumeTraces(ctx, td); err != nil {
				b.Fatal(err)
			}
		}
		cur.CopyTo(td)
		if first {
			spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
			for j := 0; j < spans.Len(); j++ {
				spans.At(j).Attributes().PutStr("gen_ai.conversation.id", fmt.Sprintf("conv-%d-%d", i, j))
			}
		}
		runtime.ReadMemStats(&before)
		cpu0 := processCPU()
		b.StartTimer()
		// Labelled, so a profile can show the timed calls alone
		// (pprof -tagfocus call=timed).
		pprof.Do(ctx, timedLabel, func(ctx context.Context) {
			if err := p.ConsumeTraces(ctx, td); err != nil {
				b.Fatal(err)
			}
		})
		b.StopTimer()
		cpu += processCPU() - cpu0
		runtime.ReadMemStats(&after)
		mallocs += after.Mallocs - before.Mallocs
	}
	spans := float64(b.N * cur.SpanCount())
	ns := float64(b.Elapsed().Nanoseconds()) / spans
	b.ReportMetric(ns, "ns/span")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/spans, "cpu-ns/span")
	}
	b.ReportMetric(float64(mallocs)/spans, "allocs/span")
	return ns
}
