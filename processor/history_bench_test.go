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

// historyTraces is a batch of chat spans, one per conversation, all
// carrying in as their input.
func historyTraces(in string) ptrace.Traces {
	td, ss := newScope()
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
// of the input history it carries: the default checks and signals against
// a no-op baseline, in one run. Each iteration is an agent's next model
// call in 100 conversations: the call before it (the same history up to
// the last tool result, untimed) then the timed call, whose input adds the
// answer and the next user message. The cases differ in where the input's
// bytes are when the processor reads them (historyInput): shared by the
// batch, or a copy per span as a receiver decodes it. first_call is the
// same span in a conversation never seen before (a new conversation ID
// each iteration).
// added-ns/span is the difference to the baseline in the same run (see
// BENCHMARKS.md).
func BenchmarkHistoryLength(b *testing.B) {
	for _, turns := range []int{5, 20, 80, 320} {
		next, last := agentHistory(turns, true), agentHistory(turns, false)
		batches := func(mode historyInput) [2]batchSource {
			return [2]batchSource{historyBatches(b, next, mode), historyBatches(b, last, mode)}
		}
		shared := batches(sharedInput)
		kb := len(next) / 1024
		var base float64
		for _, c := range []struct {
			name    string
			cfg     *Config
			first   bool
			batches [2]batchSource // the timed call's, the call's before it
		}{
			{"baseline_noop", nil, false, shared},
			{"default_set", testConfig(nil), false, shared},
			{"default_set_received", testConfig(nil), false, batches(receivedInput)},
			{"default_set_first_call", testConfig(nil), true, shared},
		} {
			b.Run(fmt.Sprintf("turns=%d/%dKB/%s", turns, kb, c.name), func(b *testing.B) {
				ns := benchNextCalls(b, benchProcessor(b, c.cfg), c.batches[1], c.batches[0], c.first)
				if c.cfg == nil {
					base = ns
				} else if base > 0 {
					b.ReportMetric(ns-base, "added-ns/span")
				}
			})
		}
	}
}

// historyInput is where a benchmark span's input bytes are when the
// processor reads them.
type historyInput int

const (
	// sharedInput: one string for the whole batch, so after the first
	// span the edit guard reads it from the cache.
	sharedInput historyInput = iota
	// receivedInput: each span its own copy, decoded from OTLP protobuf
	// just before its request is consumed, as a receiver hands the
	// processor its spans; a request holds at most maxRequestBytes. The
	// edit guard then reads the input at close to memory speed, not from
	// the cache the first span of a shared batch filled (BENCHMARKS.md).
	receivedInput
)

// maxRequestBytes is the OTLP gRPC receiver's default request limit
// (max_recv_msg_size_mib: 4).
const maxRequestBytes = 4 << 20

// batchSource yields one iteration's batches of benchmark spans, each
// made just before it is yielded.
type batchSource func(yield func(ptrace.Traces) bool)

// historyBatches is the source of a batch of chat spans, one per
// conversation, each carrying in as its input as mode places it.
func historyBatches(b *testing.B, in string, mode historyInput) batchSource {
	tmpl := historyTraces(in)
	if mode != receivedInput {
		td := ptrace.NewTraces()
		return func(yield func(ptrace.Traces) bool) {
			tmpl.CopyTo(td)
			yield(td)
		}
	}
	// The batch as requests of at most maxRequestBytes, marshalled once.
	var requests [][]byte
	spans := tmpl.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	perRequest := max(1, maxRequestBytes/(len(in)+1024))
	m := ptrace.ProtoMarshaler{}
	for from := 0; from < spans.Len(); from += perRequest {
		req, ss := newScope()
		for j := from; j < min(from+perRequest, spans.Len()); j++ {
			spans.At(j).CopyTo(ss.Spans().AppendEmpty())
		}
		buf, err := m.MarshalTraces(req)
		if err != nil {
			b.Fatal(err)
		}
		requests = append(requests, buf)
	}
	u := ptrace.ProtoUnmarshaler{}
	return func(yield func(ptrace.Traces) bool) {
		for _, buf := range requests {
			td, err := u.UnmarshalTraces(buf)
			if err != nil {
				b.Fatal(err)
			}
			if !yield(td) {
				return
			}
		}
	}
}

var timedLabel = pprof.Labels("call", "timed")

// benchNextCalls feeds p prev's batches (untimed) then cur's (timed) per
// iteration, and reports ns/span, cpu-ns/span (the process's CPU time:
// steadier than wall time on a shared machine) and allocs/span of the
// timed batches; it returns ns/span. With first, each iteration's spans
// get new conversation IDs and prev is not sent.
func benchNextCalls(b *testing.B, p consumer.Traces, prev, cur batchSource, first bool) float64 {
	ctx := context.Background()
	var before, after runtime.MemStats
	var mallocs uint64
	var cpu time.Duration
	spans := 0
	consume := func(td ptrace.Traces) bool {
		if err := p.ConsumeTraces(ctx, td); err != nil {
			b.Fatal(err)
		}
		return true
	}
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		if !first {
			prev(consume)
		}
		cur(func(td ptrace.Traces) bool {
			if first {
				batch := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
				for j := 0; j < batch.Len(); j++ {
					batch.At(j).Attributes().PutStr("gen_ai.conversation.id", fmt.Sprintf("conv-%d-%d-%d", i, spans, j))
				}
			}
			spans += td.SpanCount()
			runtime.ReadMemStats(&before)
			cpu0 := processCPU()
			b.StartTimer()
			// Labelled, so a profile can show the timed calls alone
			// (pprof -tagfocus call=timed).
			pprof.Do(ctx, timedLabel, func(ctx context.Context) { consume(td) })
			b.StopTimer()
			cpu += processCPU() - cpu0
			runtime.ReadMemStats(&after)
			mallocs += after.Mallocs - before.Mallocs
			return true
		})
	}
	ns := float64(b.Elapsed().Nanoseconds()) / float64(spans)
	b.ReportMetric(ns, "ns/span")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(spans), "cpu-ns/span")
	}
	b.ReportMetric(float64(mallocs)/float64(spans), "allocs/span")
	return ns
}
