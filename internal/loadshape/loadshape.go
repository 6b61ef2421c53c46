// Package loadshape builds the agent traces of the load test: an
// invoke_agent root, three chat spans whose gen_ai.input.messages carry the
// growing conversation, three tool spans and three HTTP spans per trace
// (10 spans), some leaking an e-mail address or refusing, some looping on
// one tool call. tools/loadgen sends them to the built collector; the
// processor's benchmarks feed them to the pipeline in process, so that a
// CPU profile shows what the load test pays for.
package loadshape

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// SentKey is the span attribute holding when the generator sent the span
// (Unix nanoseconds), for end-to-end latency.
const SentKey = "loadgen.sent_unix_nano"

// Mix is the share of traces with a leaking or refusing answer
// (Failures) and with a tool loop (Loops).
type Mix struct{ Failures, Loops float64 }

// The words a trace's texts are made of: each trace draws its own, so
// that no two traces carry the same conversation (a cache keyed by text
// gains here only what it would on real traffic: within a trace).
var (
	cities = [...]string{"Boston", "Denver", "Seattle", "Chicago", "Austin", "Miami", "Atlanta", "Phoenix", "Portland", "Dallas", "Houston", "Detroit", "Nashville", "Orlando", "Tampa", "Raleigh", "Newark", "Oakland", "San Diego", "Salt Lake City"}
	days   = [...]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	parts  = [...]string{"morning", "afternoon", "evening"}
	seats  = [...]string{"window", "aisle", "exit row"}
)

// Trace appends trace number n (its ID and whether it fails or loops
// follow from n) to ss, its spans ending at now, and returns how many
// spans it added.
func (m Mix) Trace(ss ptrace.ScopeSpans, n uint64, now time.Time) int {
	r := rand.New(rand.NewPCG(n, 7))
	id := pcommon.TraceID{}
	for i := range id {
		id[i] = byte(r.Uint32())
	}
	fail, loop := r.Float64() < m.Failures, r.Float64() < m.Loops
	city, day := cities[r.IntN(len(cities))], days[r.IntN(len(days))]
	part, seat := parts[r.IntN(len(parts))], seats[r.IntN(len(seats))]
	userTurn := "Hi, I need to change my flight to " + city + " next " + day + ", the " + part + " one if it is still available, and keep my " + seat + " seat preference."
	answer := fmt.Sprintf("I found two %s flights to %s next %s: %d:%02d and %d:%02d. Your %s seat preference is kept. Which one would you like me to book?",
		part, city, day, 6+r.IntN(5), r.IntN(60), 11+r.IntN(5), r.IntN(60), seat)
	result := fmt.Sprintf(`{"flights":["B6 %d","DL %d"]}`, 100+r.IntN(900), 100+r.IntN(900))
	where := fmt.Sprintf(`"city":%q,"day":%q`, city, strings.ToLower(day))
	span := func(name string, parent pcommon.SpanID, k int) ptrace.Span {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(id)
		sp.SetSpanID(pcommon.SpanID{byte(k), byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24), byte(n >> 32), 1, 2})
		sp.SetParentSpanID(parent)
		sp.SetName(name)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-2 * time.Second)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
		sp.Attributes().PutInt(SentKey, now.UnixNano())
		return sp
	}
	root := span("invoke_agent travel", pcommon.SpanID{}, 1)
	root.Attributes().PutStr("gen_ai.operation.name", "invoke_agent")
	root.Attributes().PutStr("gen_ai.conversation.id", fmt.Sprintf("conv-%d", n%500))
	count := 1
	history := `{"role":"user","parts":[{"type":"text","content":"` + userTurn + `"}]}`
	for turn := 0; turn < 3; turn++ {
		chat := span("chat gpt-4o-mini", root.SpanID(), 2+turn*3)
		a := chat.Attributes()
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.request.model", "gpt-4o-mini")
		a.PutInt("gen_ai.usage.input_tokens", int64(300+turn*200))
		a.PutInt("gen_ai.usage.output_tokens", 60)
		a.PutStr("gen_ai.input.messages", "["+history+"]")
		out := answer
		if fail && turn == 2 {
			out = "Sure, the booking holder is jane.roe@fastmail.com. I'm sorry, but I can't change the seat."
		}
		// A healthy agent calls a different tool each turn; a looping one
		// repeats the same call.
		tool := [...]string{"search_flights", "get_seat_map", "book_flight"}[turn]
		args := fmt.Sprintf(`{%s,"step":%d}`, where, turn)
		if loop {
			tool, args = "search_flights", "{"+where+"}"
		}
		a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"`+out+`"},{"type":"tool_call","id":"c`+strconv.Itoa(turn)+`","name":"`+tool+`","arguments":`+args+`}],"finish_reason":"tool_call"}]`)
		history += `,{"role":"assistant","parts":[{"type":"tool_call","id":"c` + strconv.Itoa(turn) + `","name":"` + tool + `","arguments":` + args + `}]},{"role":"tool","parts":[{"type":"tool_call_response","id":"c` + strconv.Itoa(turn) + `","response":` + result + `}]}`
		ts := span("execute_tool "+tool, chat.SpanID(), 3+turn*3)
		ts.Attributes().PutStr("gen_ai.operation.name", "execute_tool")
		ts.Attributes().PutStr("gen_ai.tool.name", tool)
		ts.Attributes().PutStr("gen_ai.tool.call.arguments", args)
		ts.Attributes().PutStr("gen_ai.tool.call.result", result)
		web := span("GET /flights", ts.SpanID(), 4+turn*3)
		web.Attributes().PutStr("http.request.method", "GET")
		web.Attributes().PutInt("http.response.status_code", 200)
		count += 3
	}
	return count
}

// Batch is one request's worth of traces (at least spans spans) from
// trace number *seq on, under one resource and scope; *seq advances.
func (m Mix) Batch(seq *uint64, spans int, now time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "loadgen-agent")
	ss := rs.ScopeSpans().AppendEmpty()
	for n := 0; n < spans; {
		*seq++
		n += m.Trace(ss, *seq, now)
	}
	return td
}
