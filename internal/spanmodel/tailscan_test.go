package spanmodel

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// tailRules are the enough functions the differential checks try: the
// default (nil), never enough (the whole input), a fixed length, and the
// signals' kind of rule (two user messages and an answer with text).
var tailRules = []struct {
	name   string
	enough func([]Message) bool
}{
	{"nil", nil},
	{"never", func([]Message) bool { return false }},
	{"three", func(m []Message) bool { return len(m) >= 3 }},
	{"users_and_answer", func(m []Message) bool {
		users, answer := 0, false
		for i := range m {
			users += b2i(m[i].Role == "user")
			answer = answer || m[i].Role == "assistant" && m[i].Text != ""
		}
		return users >= 2 && answer
	}},
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func inputView(t testing.TB, in string) *View {
	return viewOf(t, kv{"gen_ai.operation.name", "chat"}, kv{"gen_ai.input.messages", in})
}

// tailAgrees checks every tail reader against the full decode of in:
// InputTail is a suffix of InputMessages, long enough by its rule (or the
// whole), with the same error; InputCounts counts what the full decode has; Text(tool_result) is the trailing results of the full decode. It
// reports whether the scan read the input (rather than falling back).
func tailAgrees(t testing.TB, in string) (scanned bool) {
	return tailAgreesWith(t, in, func() *View { return inputView(t, in) })
}

// tailAgreesWith is tailAgrees on the views view makes of in (e.g. resumed
// at a mark).
func tailAgreesWith(t testing.TB, in string, view func() *View) (scanned bool) {
	t.Helper()
	full, fullErr := inputView(t, in).InputMessages()
	for _, r := range tailRules {
		v := view()
		tail, err := v.InputTail(r.enough)
		scanned = v.tail.ok
		if !tailIsRight(t, r.name, r.enough, tail, err, full, fullErr) {
			continue
		}
		users, calls, err := v.InputCounts()
		if err != nil {
			t.Fatalf("InputCounts: %v after a good decode", err)
		}
		wantCalls := 0
		for i := range full {
			wantCalls += len(full[i].ToolCalls)
		}
		if want := countRole(full, "user"); users != want || calls != wantCalls {
			t.Fatalf("InputCounts %d users, %d calls; full decode %d, %d", users, calls, want, wantCalls)
		}
	}
	// The readers share what the first one decoded: whatever read the
	// input before (InputFrom, a shorter or a longer tail), a tail is
	// right.
	for fi, first := range []func(v *View){
		func(v *View) { v.InputFrom() },
		func(v *View) { _, _ = v.InputTail(nil) },
		func(v *View) { _, _ = v.InputTail(tailRules[1].enough) },
	} {
		for _, r := range tailRules {
			v := view()
			first(v)
			tail, err := v.InputTail(r.enough)
			tailIsRight(t, fmt.Sprintf("%s after reader %d", r.name, fi), r.enough, tail, err, full, fullErr)
		}
	}
	v := view()
	text, ok, err := v.Text(tResult)
	var b []string
	if fullErr == nil {
		trailingResults(full, func(s string) { b = append(b, s) })
	}
	if (err == nil) != (fullErr == nil) || ok != (len(b) > 0 || fullErr != nil) || text != strings.Join(b, "\n") {
		t.Fatalf("Text(tool_result) = %q, %v, %v; full decode gives %q (%v)", text, ok, err, strings.Join(b, "\n"), fullErr)
	}
	return scanned
}

// tailIsRight checks InputTail's answer against the full decode: the same
// error, else a suffix of its messages, long enough by the rule (or the
// whole), from the last assistant message for the nil rule. It reports
// whether there was a tail to check.
func tailIsRight(t testing.TB, name string, enough func([]Message) bool, tail []Message, err error, full []Message, fullErr error) bool {
	t.Helper()
	if (err == nil) != (fullErr == nil) || err != nil && err.Error() != fullErr.Error() {
		t.Fatalf("%s: InputTail error %v, full decode error %v", name, err, fullErr)
	}
	if err != nil {
		return false
	}
	if len(tail) > len(full) || !reflect.DeepEqual(tail, full[len(full)-len(tail):]) {
		t.Fatalf("%s: tail %+v is not the end of %+v", name, tail, full)
	}
	if len(tail) < len(full) && (enough == nil && tail[0].Role != "assistant" || enough != nil && !enough(tail)) {
		t.Fatalf("%s: tail of %d of %d messages stops short", name, len(tail), len(full))
	}
	if enough == nil {
		if want := lastAssistant(full); len(full)-len(tail) != want {
			t.Fatalf("%s: nil rule: tail starts at %d, want %d", name, len(full)-len(tail), want)
		}
	}
	return true
}

func lastAssistant(msgs []Message) int {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "assistant" {
			return i
		}
	}
	return 0
}

func countRole(msgs []Message, role string) int {
	n := 0
	for i := range msgs {
		n += b2i(msgs[i].Role == role)
	}
	return n
}

// turn is one agent turn in the GenAI layout: a user message, a tool call,
// its JSON result and an answer.
func turn(i int) string {
	n := string(rune('0' + i%10))
	return `{"role":"user","parts":[{"type":"text","content":"order ` + n + `?"}]},` +
		`{"role":"assistant","parts":[{"type":"tool_call","id":"c` + n + `","name":"get_order","arguments":{"id":` + n + `,"tags":[["a"],[]]}}]},` +
		`{"role":"tool","parts":[{"type":"tool_call_response","id":"c` + n + `","response":"{\"status\":\"shipped\",\"n\":[1,2.5e3,-0.1]}"}]},` +
		`{"role":"assistant","parts":[{"type":"text","content":"Order ` + n + ` shipped."}],"finish_reason":"stop"}`
}

func history(turns int, tail string) string {
	parts := make([]string, 0, turns+1)
	for i := 0; i < turns; i++ {
		parts = append(parts, turn(i))
	}
	if tail != "" {
		parts = append(parts, tail)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestInputTailMatchesFullDecode(t *testing.T) {
	newUser := `{"role":"user","parts":[{"type":"text","content":"and now?"}]}`
	newResult := `{"role":"tool","parts":[{"type":"tool_call_response","id":"c9","response":{"rows":[[1,"a"],[2,"b"]]}}]}`
	tests := []struct {
		name    string
		in      string
		scanned bool // the fast path reads it (else the full decode does)
	}{
		{"empty", `[]`, true},
		{"one user message", `[` + newUser + `]`, true},
		{"history then user", history(12, newUser), true},
		{"history then tool result", history(12, `{"role":"assistant","parts":[{"type":"tool_call","id":"c9","name":"q","arguments":"{}"}]},`+newResult), true},
		{"no assistant at all", `[` + newUser + `,` + newUser + `]`, true},
		{"edited history: answers removed", `[` + newUser + `,` + newResult + `,` + newUser + `]`, true},
		{"truncated history: starts mid-turn", "[" + strings.Join(strings.Split(history(3, newUser), "},{")[2:], "},{"), false},
		{"whitespace everywhere", " [\n {\"role\" : \"assistant\" , \"parts\" : [ ] } ,\t" + newUser + " ] \r\n", true},
		{"escapes in content", `[{"role":"assistant","parts":[{"type":"text","content":"say \"hi\" \\ \u00e9 \ud83d\ude00 \/ \b\f\n\r\t"}]},` + newUser + `]`, true},
		{"brackets and quotes inside strings", `[{"role":"assistant","parts":[{"type":"text","content":"]},{\"role\":\"user\"}, [ { \\"}]},` + newUser + `]`, true},
		{"upper-case keys", `[{"ROLE":"assistant","Parts":[{"type":"text","content":"A"}]},{"Role":"user","PARTS":null}]`, true},
		{"duplicate role: the last wins", `[{"role":"user","role":"assistant","parts":[]},{"role":"assistant","role":5},` + newUser + `]`, true},
		{"role not a string", `[{"role":{"x":"assistant"}},{"role":["user"]},{"role":null},` + newUser + `]`, true},
		{"null message and null part", `[null,{"role":"assistant","parts":[null,{"type":"text","content":"A"}]},null]`, true},
		{"part types: case, duplicates, non-strings", `[{"role":"assistant","parts":[{"TYPE":"tool_call","id":"a"},{"type":"text","type":"server_tool_call"},{"type":"tool_call","type":7},{"type":["tool_call"]},null]},{"role":"user"}]`, true},
		{"escaped part type", `[{"role":"assistant","parts":[{"type":"tool\u005fcall"}]}]`, false},
		{"structured part values", `[{"role":"assistant","parts":[{"type":"tool_call","arguments":{"a":[1,{"b":null}],"c":true}},{"type":"text","content":{"x":1}}]},{"role":"tool","parts":[{"type":"tool_call_response","result":[1,2]}]}]`, true},
		{"unknown properties", `[{"role":"assistant","meta":{"k":[false,-1e-3]},"parts":[{"type":"compaction","data":"x"}]},` + newUser + `]`, true},
		{"invalid UTF-8 in content", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"\xff\xfe\"}]}," + newUser + "]", true},
		{"non-ASCII key", `[{"role":"assistant","partſ":[1]},` + newUser + `]`, false},
		{"escaped key", `[{"r\u006fle":"assistant"},` + newUser + `]`, false},
		{"escaped role", `[{"role":"assist\u0061nt"},` + newUser + `]`, false},
		{"malformed prefix: bad escape", `[{"role":"user","parts":[{"type":"text","content":"\x"}]},` + turn(1) + `,` + newUser + `]`, false},
		{"malformed prefix: control character", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"a\x01\"}]}," + turn(1) + "]", false},
		{"malformed prefix: number", `[{"role":"user","n":01},` + turn(1) + `]`, false},
		{"malformed prefix: parts a number", `[{"role":"user","parts":5},` + turn(1) + `]`, false},
		{"malformed prefix: part a string", `[{"role":"user","parts":["hi"]},` + turn(1) + `]`, false},
		{"malformed prefix: message an array", `[[1],` + turn(1) + `]`, false},
		{"truncated JSON", history(2, newUser)[:200], false},
		{"trailing garbage", history(2, newUser) + `x`, false},
		{"two values", `[] []`, false},
		{"not an array", `{"role":"user"}`, false},
		{"null", `null`, false},
		{"deep nesting", `[{"role":"assistant","x":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `},` + newUser + `]`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tailAgrees(t, tc.in); got != tc.scanned {
				t.Errorf("scanned = %v, want %v", got, tc.scanned)
			}
		})
	}
}

// TestInputTailDecodesOnlyTheTail proves the point of the tail reader: on a
// long history it decodes only the latest messages.
func TestInputTailDecodesOnlyTheTail(t *testing.T) {
	v := inputView(t, history(300, `{"role":"user","parts":[{"type":"text","content":"next"}]}`))
	tail, err := v.InputTail(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tail) != 2 || tail[0].Text != "Order 9 shipped." || tail[1].Text != "next" {
		t.Fatalf("tail = %+v", tail)
	}
	if v.in.done {
		t.Fatal("InputTail decoded the whole input")
	}
	if users, calls, _ := v.InputCounts(); users != 301 || calls != 300 {
		t.Fatalf("counts = %d users, %d calls, want 301, 300", users, calls)
	}
}

// FuzzInputTail compares the tail readers with the full decode on arbitrary
// input: same messages, same error.
func FuzzInputTail(f *testing.F) {
	f.Add(history(3, `{"role":"user","parts":[{"type":"text","content":"next"}]}`))
	f.Add(`[{"role":"assistant","parts":[{"type":"text","content":"]},{\"role\":\"user\"}"}]},{"role":"user","parts":[]}]`)
	f.Add(`[{"ROLE":"assistant","role":5},null,{"role":"tool","parts":[null,{"type":"tool_call_response","response":{"a":[1]}}]}]`)
	f.Add(`[{"role":"user","parts":5},{"role":"assistant"}]`)
	f.Add(`[{"role":"user","n":-0.5e+3,"b":[true,false,null]},{"role":"assistant"}]`)
	f.Add("[{\"role\":\"\xff\"},{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"\\ud83d\"}]}]")
	f.Fuzz(func(t *testing.T, in string) {
		tailAgrees(t, in)
	})
}

// TestWordStops: every byte value at every position of a word of plain text
// stops the fast string scan exactly when the byte scan would stop or mark
// the string non-ASCII.
func TestWordStops(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			want := strStop[c] || c >= 0x80
			if got := wordStops(uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 | uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56); got != want {
				t.Fatalf("byte %#x at %d: wordStops = %v, want %v", c, pos, got, want)
			}
		}
	}
}

// TestTailMessagesStayValidInTheSpan: the messages the tail readers decode
// one by one keep their tool calls and results in buffers shared for the
// span (decodeElem). Every message handed out must stay what the full
// decode gives while the same span is read further (the tail grown to the
// whole input, single elements decoded again, the buffers reallocated), and
// a caller appending to one message's calls must not change another's.
func TestTailMessagesStayValidInTheSpan(t *testing.T) {
	// Messages with several calls and results each, so the shared buffers
	// grow (and move) while the tail is extended.
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < 40; i++ {
		n := string(rune('a' + i%26))
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"role":"user","parts":[{"type":"text","content":"q` + n + `"}]},`)
		b.WriteString(`{"role":"assistant","parts":[{"type":"tool_call","id":"x` + n + `","name":"f","arguments":{"k":1}},{"type":"tool_call","id":"y` + n + `","name":"g","arguments":"{}"}]},`)
		b.WriteString(`{"role":"tool","parts":[{"type":"tool_call_response","id":"x` + n + `","response":"r1"},{"type":"tool_call_response","id":"y` + n + `","response":{"v":[1]}}]}`)
	}
	b.WriteString("]")
	in := b.String()
	full, err := inputView(t, in).InputMessages()
	if err != nil {
		t.Fatal(err)
	}
	// A view that read a span before: its buffers have spare capacity.
	v := inputView(t, in)
	if _, err := v.InputTail(func([]Message) bool { return false }); err != nil {
		t.Fatal(err)
	}
	v.Reset(newSpan(t, kv{"gen_ai.operation.name", "chat"}, kv{"gen_ai.input.messages", in}))
	first, err := v.InputTail(nil)
	if err != nil {
		t.Fatal(err)
	}
	held := append([]Message(nil), first...) // the Message values, sharing their slices
	whole, err := v.InputTail(func([]Message) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	for i := range held {
		if held[i].ToolCalls != nil {
			held[i].ToolCalls = append(held[i].ToolCalls, ToolCall{ID: "appended"})
		}
	}
	if !reflect.DeepEqual(whole, full) {
		t.Fatalf("whole tail differs from the full decode")
	}
	_, elems, _, _, ok := v.InputFrom()
	if !ok || len(elems) != len(full) {
		t.Fatalf("InputFrom: ok %v, %d elements, want %d", ok, len(elems), len(full))
	}
	var single []Message
	for i, e := range elems {
		m, ok := v.InputElement(e.Mark.Offset, e.End)
		if !ok || !reflect.DeepEqual(m, full[i]) {
			t.Fatalf("InputElement %d = %+v, %v; want %+v", i, m, ok, full[i])
		}
		single = append(single, m)
	}
	for i := range held {
		want := full[len(full)-len(held)+i]
		if held[i].ToolCalls != nil {
			got := held[i].ToolCalls[:len(held[i].ToolCalls)-1]
			if !reflect.DeepEqual(got, want.ToolCalls) {
				t.Fatalf("held message %d's calls changed: %+v, want %+v", i, got, want.ToolCalls)
			}
		}
		if !reflect.DeepEqual(held[i].ToolResults, want.ToolResults) {
			t.Fatalf("held message %d's results changed: %+v, want %+v", i, held[i].ToolResults, want.ToolResults)
		}
	}
	if !reflect.DeepEqual(single, full) || !reflect.DeepEqual(whole, full) {
		t.Fatal("messages decoded earlier in the span changed")
	}
}

// scanDecodeAgrees checks scanDecode against scanFrom and fastGMsg on s
// from mark: when it decodes, the elements and calls are scanFrom's and
// each message is what fastGMsg gives for the element alone. It reports
// whether scanDecode decoded.
func scanDecodeAgrees(t testing.TB, s string, mark InputMark, maxElems int) bool {
	t.Helper()
	elems, calls, msgs, _, done := scanDecode(s, mark, maxElems, nil, nil, nil)
	wantElems, wantCalls, ok := scanFrom(s, mark, nil)
	if !done {
		if len(elems) != 0 || len(msgs) != 0 {
			t.Fatalf("gave up with %d elements, %d messages left", len(elems), len(msgs))
		}
		return false
	}
	if !ok || calls != wantCalls || !reflect.DeepEqual(elems, wantElems) {
		t.Fatalf("scanDecode %+v, %d calls; scanFrom %+v, %d calls, ok %v", elems, calls, wantElems, wantCalls, ok)
	}
	if len(msgs) != len(elems) {
		t.Fatalf("%d messages for %d elements", len(msgs), len(elems))
	}
	for i, e := range elems {
		var want gMsg
		if _, fast := fastGMsg(s[e.start:e.end], &want, nil); !fast {
			t.Fatalf("element %d decoded in the scan, not alone: %q", i, s[e.start:e.end])
		}
		if !reflect.DeepEqual(msgs[i], want) {
			t.Fatalf("element %d: scan decoded %+v, alone %+v", i, msgs[i], want)
		}
	}
	return true
}

// scanDecodeMarks runs scanDecodeAgrees on s from its start and from each
// element scanFrom finds, with and without an element limit.
func scanDecodeMarks(t testing.TB, s string) (decoded bool) {
	decoded = scanDecodeAgrees(t, s, InputMark{}, MaxMessages)
	scanDecodeAgrees(t, s, InputMark{}, 2)
	elems, _, ok := scanFrom(s, InputMark{}, nil)
	if !ok {
		return decoded
	}
	for i, e := range elems {
		scanDecodeAgrees(t, s, InputMark{Offset: e.start, Elem: i, Parts: e.parts, Calls: e.calls}, MaxMessages)
	}
	return decoded
}

func TestScanDecodeMatchesScanAndDecode(t *testing.T) {
	newUser := `{"role":"user","parts":[{"type":"text","content":"and now?"}]}`
	tests := []struct {
		name    string
		in      string
		decoded bool // the scan decodes it (else scanFrom answers)
	}{
		{"empty", `[]`, true},
		{"history", history(3, newUser), true},
		{"server tool call", `[{"role":"assistant","parts":[{"type":"server_tool_call","server_tool_call":{"type":"web_search"}},{"type":"tool_call","id":"a","name":"f"}]},` + newUser + `]`, true},
		{"null message and part", `[null,{"role":"assistant","parts":[null,{"type":"text","content":"A"}]}]`, true},
		{"role not a string", `[{"role":{"x":"assistant"}},{"role":["user"]},` + newUser + `]`, true},
		{"duplicate role and type", `[{"role":"user","role":"assistant","parts":[{"type":"tool_call","type":7}]}]`, true},
		{"escapes in content", `[{"role":"assistant","parts":[{"type":"text","content":"say \"hi\" \u00e9"}]}]`, true},
		{"escaped role: the scan does not decide", `[{"role":"assist\u0061nt"},` + newUser + `]`, false},
		{"escaped type", `[{"role":"assistant","parts":[{"type":"tool\u005fcall"}]}]`, false},
		{"non-ASCII role", `[{"role":"usér"}]`, false},
		{"parts twice: the reader gives up", `[{"role":"user","parts":[],"parts":[]}]`, false},
		{"message an array", `[[1]]`, false},
		{"trailing garbage", history(1, newUser) + `x`, false},
		{"truncated", history(2, newUser)[:150], false},
		{"deep nesting", `[{"role":"assistant","x":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}]`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := scanDecodeMarks(t, tc.in); got != tc.decoded {
				t.Errorf("decoded = %v, want %v", got, tc.decoded)
			}
		})
	}
	// From the start, the scan decodes up to the limit only.
	if scanDecodeAgrees(t, history(5, newUser), InputMark{}, wholeDecodeFrom) {
		t.Error("decoded 21 elements from the start past the limit")
	}
}

// FuzzScanDecode checks scanDecode against scanFrom and the reader alone
// on arbitrary input, from its start and from every element.
func FuzzScanDecode(f *testing.F) {
	f.Add(history(3, `{"role":"user","parts":[{"type":"text","content":"next"}]}`))
	f.Add(`[{"ROLE":"assistant","role":5},null,{"role":"tool","parts":[null,{"type":"tool_call_response","response":{"a":[1]}}]}]`)
	f.Add(`[{"role":"assistant","parts":[{"TYPE":"tool_call","id":"a"},{"type":"text","type":"server_tool_call"},{"type":["tool_call"]},null]},{"role":"user"}]`)
	f.Add("[{\"role\":\"\xff\"},{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"\\ud83d\"}]}]")
	f.Add(`[{"role":"user","parts":[],"parts":[]},{"role":"assist\u0061nt"}]`)
	f.Fuzz(func(t *testing.T, in string) {
		scanDecodeMarks(t, in)
	})
}
