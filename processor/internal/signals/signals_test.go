package signals

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// msg is a GenAI semconv message for building input conversations.
type msg struct {
	Role  string `json:"role"`
	Parts []part `json:"parts"`
}

type part struct {
	Type      string `json:"type"`
	Content   string `json:"content,omitempty"`
	ID        string `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	Arguments any    `json:"arguments,omitempty"`
	Response  any    `json:"response,omitempty"`
	Result    any    `json:"result,omitempty"`
}

func user(text string) msg      { return msg{"user", []part{{Type: "text", Content: text}}} }
func assistant(text string) msg { return msg{"assistant", []part{{Type: "text", Content: text}}} }
func toolCall(name string, args any) msg {
	return msg{"assistant", []part{{Type: "tool_call", ID: "c", Name: name, Arguments: args}}}
}
func resultMsg(resp any) msg {
	return msg{"tool", []part{{Type: "tool_call_response", ID: "c", Response: resp}}}
}

// spanRef is a span with the resource and scope a view needs.
type spanRef struct {
	rs ptrace.ResourceSpans
	ss ptrace.ScopeSpans
	sp ptrace.Span
}

func chatSpan(t testing.TB, in []msg, out []msg) spanRef {
	t.Helper()
	return rawChatSpan(t, "", js(t, in...), out)
}

func detect(t testing.TB, d *Detector, s spanRef) map[string][]string {
	t.Helper()
	v := &spanmodel.View{}
	v.Reset(s.rs, s.ss, s.sp)
	var f Found
	d.Detect(v, &f)
	out := map[string][]string{}
	for c := Category(0); c < NumCategories; c++ {
		if f.Count(c) > 0 {
			kinds := append([]string(nil), f.Kinds(c)...)
			sort.Strings(kinds)
			out[c.String()] = kinds
		}
	}
	return out
}

func newDetector(t testing.TB, cfg Config) *Detector {
	t.Helper()
	require.NoError(t, cfg.validate())
	d, err := New(cfg)
	require.NoError(t, err)
	return d
}

func TestInteractionSignals(t *testing.T) {
	d := newDetector(t, Config{})
	cases := []struct {
		name string
		in   []msg
		out  []msg
		want map[string][]string
	}{
		{"correction", []msg{user("Book Paris"), assistant("Booked Rome."), user("No, I meant Paris, France")}, nil,
			map[string][]string{"misalignment": {"correction"}}},
		{"rephrase", []msg{user("x"), user("Let me rephrase: I need a refund")}, nil, map[string][]string{"misalignment": {"rephrase"}}},
		{"clarification", []msg{user("What do you mean by fare class?")}, nil, map[string][]string{"misalignment": {"clarification"}}},
		{"near duplicate of previous user message", []msg{user("I want to cancel my booking today"), assistant("Which?"), user("i want to cancel my booking, today!")}, nil,
			map[string][]string{"misalignment": {"near_duplicate"}}},
		{"escalation", []msg{user("Let me talk to a human please")}, nil, map[string][]string{"disengagement": {"escalation"}}},
		{"quit and complaint", []msg{user("Forget it, this is useless")}, nil, map[string][]string{"disengagement": {"complaint", "quit"}}},
		{"shouting", []msg{user("WHERE IS MY REFUND ALREADY")}, nil, map[string][]string{"disengagement": {"shouting"}}},
		{"punctuation", []msg{user("Why is this taking so long???")}, nil, map[string][]string{"disengagement": {"punctuation"}}},
		{"profanity", []msg{user("wtf is going on")}, nil, map[string][]string{"disengagement": {"profanity"}}},
		{"gratitude", []msg{user("Thanks, that works!")}, nil, map[string][]string{"satisfaction": {"confirmation", "gratitude"}}},
		{"success", []msg{user("It worked")}, nil, map[string][]string{"satisfaction": {"success"}}},
		{"too many turns", func() []msg {
			var m []msg
			for i := 0; i < 9; i++ {
				m = append(m, user(fmt.Sprintf("step %d of my request about seats", i)), assistant("ok"))
			}
			return m
		}(), nil, map[string][]string{"stagnation": {"too_many_turns"}}},
		{"repeated response", []msg{user("a"), assistant("Please provide your booking reference so I can help."), user("b")},
			[]msg{assistant("Please provide your booking reference so I can help.")}, map[string][]string{"stagnation": {"repeated_response"}}},
		// Near misses: nothing fires.
		{"no problem", []msg{user("No problem, book the 9am flight")}, nil, map[string][]string{}},
		{"okay", []msg{user("okay")}, nil, map[string][]string{}},
		{"keyword inside words", []msg{user("Thanksgiving trip; I know nothing about humanities; greatness")}, nil, map[string][]string{}},
		{"only the last user message counts", []msg{user("this is useless"), assistant("Sorry!"), user("Book seat 3A")}, nil, map[string][]string{}},
		{"one word in capitals", []msg{user("Book it ASAP please")}, nil, map[string][]string{}},
		{"a question mark", []msg{user("Really?!")}, nil, map[string][]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, detect(t, d, chatSpan(t, tc.in, tc.out)))
		})
	}
}

func TestExecutionSignals(t *testing.T) {
	d := newDetector(t, Config{})
	cases := []struct {
		name string
		in   []msg
		out  []msg
		want map[string][]string
	}{
		{"invalid arguments", []msg{user("x"), toolCall("f", map[string]any{}), resultMsg(map[string]any{"error": "Invalid argument: missing required field id"})}, nil,
			map[string][]string{"failure": {"invalid_arguments"}}},
		{"unknown tool", []msg{toolCall("g", map[string]any{}), resultMsg("Tool not found: g")}, nil, map[string][]string{"failure": {"unknown_tool"}}},
		{"auth", []msg{toolCall("g", map[string]any{}), resultMsg("403 Forbidden")}, nil, map[string][]string{"failure": {"auth"}}},
		// The GenAI schema's examples also spell the response `result`.
		{"auth, result spelling", []msg{toolCall("g", map[string]any{}), {"tool", []part{{Type: "tool_call_response", ID: "c", Result: "403 Forbidden"}}}}, nil,
			map[string][]string{"failure": {"auth"}}},
		{"state conflict", []msg{toolCall("book", map[string]any{}), resultMsg("reservation already cancelled")}, nil, map[string][]string{"failure": {"state_conflict"}}},
		{"bad query", []msg{toolCall("sql", map[string]any{}), resultMsg("ERROR: syntax error at or near FROM")}, nil, map[string][]string{"failure": {"bad_query", "error_result"}}},
		{"agents sdk tool error", []msg{toolCall("get_weather", map[string]any{}), resultMsg("An error occurred while running the tool. Please try again.")}, nil, map[string][]string{"failure": {"error_result"}}},
		{"rate limit", []msg{toolCall("search", map[string]any{}), resultMsg("429 Too Many Requests")}, nil, map[string][]string{"exhaustion": {"rate_limit"}}},
		{"timeout and 5xx", []msg{toolCall("search", map[string]any{}), resultMsg("upstream timed out (status 504)")}, nil, map[string][]string{"exhaustion": {"server_error", "timeout"}}},
		{"context overflow", []msg{toolCall("read", map[string]any{}), resultMsg("This model's maximum context length is 128000 tokens")}, nil, map[string][]string{"exhaustion": {"context_overflow"}}},
		{"old results are not recounted", []msg{toolCall("f", map[string]any{}), resultMsg("Error: invalid argument"), assistant("Let me retry."), user("ok")}, nil, map[string][]string{}},
		{"healthy result", []msg{toolCall("f", map[string]any{}), resultMsg(map[string]any{"status": "confirmed"})}, nil, map[string][]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, detect(t, d, chatSpan(t, tc.in, tc.out)))
		})
	}
}

func TestLoops(t *testing.T) {
	d := newDetector(t, Config{})
	// seq is a conversation of calls, each answered "ok" unless its third
	// element is the result.
	seq := func(calls ...[]string) []msg {
		var m []msg
		for _, c := range calls {
			result := "ok"
			if len(c) > 2 {
				result = c[2]
			}
			m = append(m, toolCall(c[0], json.RawMessage(c[1])), resultMsg(result))
		}
		return m
	}
	failing := func(c []string) []string { return []string{c[0], c[1], "Error: reservation not found"} }
	a, a2, a3 := []string{"search", `{"q":"a"}`}, []string{"search", `{"q":"b"}`}, []string{"search", `{"q":"c"}`}
	b, c := []string{"book", `{}`}, []string{"pay", `{}`}
	order := func(id string) []string {
		return []string{"get_reservation_details", `{"reservation_id":"` + id + `"}`, `{"reservation_id":"` + id + `","status":"confirmed"}`}
	}
	cases := []struct {
		name string
		in   []msg
		want map[string][]string
	}{
		{"same call 3 times", seq(b, a, a, a), map[string][]string{"loop": {"same_call"}}},
		{"same call 3 times, good results", seq(a, a, a), map[string][]string{"loop": {"same_call"}}},
		{"same call, whitespace differs", seq(a, []string{"search", `{ "q" : "a" }`}, a), map[string][]string{"loop": {"same_call"}}},
		{"arguments changed after failures", seq(failing(a), failing(a2), a3), map[string][]string{"loop": {"drifting_args"}}},
		{"arguments changed after one failure", seq(failing(a), a2, a3), map[string][]string{}},
		{"several orders looked up", seq(order("ZFA04Y"), order("8JX2WO"), order("1RLTWQ"), order("M2P7QX")), map[string][]string{}},
		{"distinct searches with good results", seq(a, a2, a3), map[string][]string{}},
		{"oscillation of two", seq(a, b, a, b, a, b), map[string][]string{"loop": {"oscillation"}}},
		{"oscillation of three", seq(a, b, c, a, b, c, a, b, c), map[string][]string{"loop": {"oscillation"}}},
		{"a cycle over new arguments is work", seq(a, b, c, a2, b, c, a3, b, c), map[string][]string{}},
		{"twice is not a loop", seq(a, a), map[string][]string{}},
		{"loop that ended earlier", seq(a, a, a, b, c), map[string][]string{}},
		{"varied work", seq(a, b, c, b, a), map[string][]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, detect(t, d, chatSpan(t, tc.in, nil)))
		})
	}
}

// TestLoopKinds drives the loop rules directly over calls and their
// results, as the tool-span path remembers them.
func TestLoopKinds(t *testing.T) {
	mk := func(name, args uint64, failed bool) call { return call{name: name, args: args, failed: failed} }
	cases := []struct {
		name  string
		calls []call
		want  []string
	}{
		{"same call, failing", []call{mk(1, 1, true), mk(1, 1, true), mk(1, 1, true)}, []string{"same_call"}},
		{"same call, succeeding", []call{mk(1, 1, false), mk(1, 1, false), mk(1, 1, false)}, []string{"same_call"}},
		{"new arguments after two failures", []call{mk(1, 1, true), mk(1, 2, true), mk(1, 3, false)}, []string{"drifting_args"}},
		{"new arguments after successes", []call{mk(1, 1, false), mk(1, 2, false), mk(1, 3, false)}, nil},
		{"new arguments, one failure", []call{mk(1, 1, false), mk(1, 2, true), mk(1, 3, false)}, nil},
		{"cycle of identical calls", []call{mk(1, 1, false), mk(2, 1, false), mk(1, 1, false), mk(2, 1, false), mk(1, 1, false), mk(2, 1, false)}, []string{"oscillation"}},
		{"cycle over new arguments", []call{mk(1, 1, false), mk(2, 1, false), mk(1, 2, false), mk(2, 2, false), mk(1, 3, false), mk(2, 3, false)}, nil},
		{"too short", []call{mk(1, 1, true), mk(1, 1, true)}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var f Found
			loopKinds(tc.calls, DefaultLoopRepeats, &f)
			if tc.want == nil {
				assert.Empty(t, f.Kinds(Loop))
				return
			}
			assert.Equal(t, tc.want, f.Kinds(Loop))
		})
	}
}

func toolSpan(t testing.TB, conv string, trace byte, name, args string, at time.Time, errMsg string) spanRef {
	t.Helper()
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	ss := rs.ScopeSpans().AppendEmpty()
	sp := ss.Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{trace})
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(at))
	a := sp.Attributes()
	a.PutStr("gen_ai.operation.name", "execute_tool")
	a.PutStr("gen_ai.tool.name", name)
	a.PutStr("gen_ai.tool.call.arguments", args)
	if conv != "" {
		a.PutStr("gen_ai.conversation.id", conv)
	}
	if errMsg != "" {
		sp.Status().SetCode(ptrace.StatusCodeError)
		sp.Status().SetMessage(errMsg)
	}
	return spanRef{rs, ss, sp}
}

func TestLoopsAcrossSpansAndTraces(t *testing.T) {
	d := newDetector(t, Config{ConversationWindow: time.Hour})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// One failing call repeated in three different traces of a conversation.
	var got []map[string][]string
	for i := 0; i < 3; i++ {
		got = append(got, detect(t, d, toolSpan(t, "conv-1", byte(i), "lookup", `{"id":7}`, t0.Add(time.Duration(i)*time.Minute), "503 Service Unavailable")))
	}
	assert.Equal(t, map[string][]string{"failure": {"tool_error"}, "exhaustion": {"server_error"}}, got[0])
	assert.Equal(t, map[string][]string{"failure": {"tool_error"}, "exhaustion": {"server_error"}, "loop": {"same_call"}}, got[2])

	// Outside the window the earlier calls are forgotten.
	d = newDetector(t, Config{ConversationWindow: time.Minute})
	for i := 0; i < 3; i++ {
		got[i] = detect(t, d, toolSpan(t, "conv-2", 9, "lookup", `{"id":7}`, t0.Add(time.Duration(i)*time.Hour), ""))
	}
	assert.Empty(t, got[2])

	// Without a conversation ID, spans of one trace are grouped.
	d = newDetector(t, Config{})
	for i := 0; i < 3; i++ {
		got[i] = detect(t, d, toolSpan(t, "", 5, "lookup", `{"id":7}`, t0, ""))
	}
	assert.Equal(t, map[string][]string{"loop": {"same_call"}}, got[2])

	// Lookups of different orders across tool spans are work; new
	// arguments after failing calls are a loop.
	d = newDetector(t, Config{})
	for i, id := range []string{"ZFA04Y", "8JX2WO", "1RLTWQ"} {
		got[i] = detect(t, d, toolSpan(t, "conv-3", 1, "get_reservation_details", `{"reservation_id":"`+id+`"}`, t0, ""))
	}
	assert.Empty(t, got[2])
	for i, id := range []string{"ZFA04Y", "ZFA04X", "ZFA04Z"} {
		errMsg := ""
		if i < 2 {
			errMsg = "Error: reservation not found"
		}
		got[i] = detect(t, d, toolSpan(t, "conv-4", 1, "get_reservation_details", `{"reservation_id":"`+id+`"}`, t0, errMsg))
	}
	assert.Equal(t, map[string][]string{"loop": {"drifting_args"}}, got[2])
}

func TestConversationStateIsBounded(t *testing.T) {
	d := newDetector(t, Config{MaxConversations: 2})
	t0 := time.Now()
	for i := 0; i < 5; i++ {
		detect(t, d, toolSpan(t, fmt.Sprintf("conv-%d", i), 1, "f", `{}`, t0, ""))
	}
	assert.Equal(t, int64(3), d.Evictions())
	assert.Equal(t, 2, d.state.lru.len())
}

func TestFeedback(t *testing.T) {
	d := newDetector(t, Config{FeedbackAttribute: "app.feedback"})
	for val, want := range map[string]bool{"thumbs_down": true, "Negative": true, "-1": true, "thumbs_up": false, "1": false} {
		ref := chatSpan(t, []msg{user("hi")}, nil)
		ref.sp.Attributes().PutStr("app.feedback", val)
		got := detect(t, d, ref)
		assert.Equal(t, want, len(got["feedback"]) > 0, val)
	}
}

func TestConfiguredPhrases(t *testing.T) {
	d := newDetector(t, Config{
		Phrases:        map[string][]string{"disengagement.escalation": {"get me a manager"}},
		ReplacePhrases: []string{"satisfaction.gratitude"},
	})
	assert.Equal(t, map[string][]string{"disengagement": {"escalation"}}, detect(t, d, chatSpan(t, []msg{user("Get me a MANAGER")}, nil)))
	assert.Empty(t, detect(t, d, chatSpan(t, []msg{user("thank you")}, nil)))
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{NearDuplicate: 2}, "near_duplicate_similarity: 2 is outside [0, 1]"},
		{Config{LoopRepeats: 1}, "loop_repeats: must be at least 2"},
		{Config{Phrases: map[string][]string{"mood.happy": {"yay"}}}, "phrases[mood.happy]: want category.kind"},
		{Config{Phrases: map[string][]string{"loop.x": {"yay"}}}, "phrases[loop.x]: category loop has no phrase lists"},
		{Config{Phrases: map[string][]string{"satisfaction.x": {"!!"}}}, "phrases: satisfaction: ["},
		{Config{ReplacePhrases: []string{"nope"}}, "replace_phrases[0]: want category.kind"},
		{Config{MaxConversations: -1}, "max_conversations: must be positive"},
	}
	for _, tc := range cases {
		assert.ErrorContains(t, tc.cfg.validate(), tc.want)
	}
}

func TestSeverity(t *testing.T) {
	for count, want := range map[int]int{0: 0, 1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 100: 3} {
		assert.Equal(t, want, Severity(count), count)
	}
}

func FuzzDetect(f *testing.F) {
	f.Add(`[{"role":"user","parts":[{"type":"text","content":"no, I meant THIS!!!"}]}]`, "thanks")
	f.Add(`[{"role":"assistant","parts":[{"type":"tool_call","name":"a","arguments":{}}]}]`, "")
	f.Add(`not json`, "\xff\xfe")
	d, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in, out string) {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		ss := rs.ScopeSpans().AppendEmpty()
		sp := ss.Spans().AppendEmpty()
		sp.Attributes().PutStr("gen_ai.operation.name", "chat")
		sp.Attributes().PutStr("gen_ai.input.messages", in)
		sp.Attributes().PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":`+quote(out)+`}]}]`)
		v := &spanmodel.View{}
		v.Reset(rs, ss, sp)
		var found Found
		d.Detect(v, &found)
		for c := Category(0); c < NumCategories; c++ {
			if found.Count(c) < 0 || (found.Count(c) > 0) != (len(found.Kinds(c)) > 0) {
				t.Fatalf("%s: count %d with kinds %v", c, found.Count(c), found.Kinds(c))
			}
		}
	})
}

func quote(s string) string {
	b, _ := json.Marshal(strings.ToValidUTF8(s, ""))
	return string(b)
}

// BenchmarkDetect30Turns runs every detector on a chat span whose input
// holds a 30-turn conversation with tool calls and results.
func BenchmarkDetect30Turns(b *testing.B) {
	var in []msg
	for i := 0; i < 30; i++ {
		in = append(in,
			user(fmt.Sprintf("Please change my booking %d to the later flight, the one after lunch if possible.", i)),
			toolCall("search_flights", map[string]any{"from": "SFO", "to": "JFK", "day": i}),
			resultMsg(map[string]any{"flights": []string{"UA123", "DL456"}, "status": "ok"}),
			assistant("I found two later flights. Which one do you prefer, UA123 or DL456?"))
	}
	ref := chatSpan(b, in, []msg{assistant("Your booking is changed to UA123.")})
	d, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	v := &spanmodel.View{}
	var f Found
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v.Reset(ref.rs, ref.ss, ref.sp) // decoding the conversation is part of the cost
		d.Detect(v, &f)
	}
}
