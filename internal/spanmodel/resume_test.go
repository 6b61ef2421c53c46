package spanmodel

import (
	"reflect"
	"strings"
	"testing"
)

// fromAgrees checks InputFrom on the view view makes of in against the
// full decode: its messages are the full decode's from its base on, its
// elements are where those messages are (each decodes alone to the same
// message), its counts are the whole input's. It returns the elements.
func fromAgrees(t testing.TB, in string, view func() *View) (base InputMark, elems []InputElem, ok bool) {
	t.Helper()
	full, fullErr := inputView(t, in).InputMessages()
	v := view()
	msgs, es, base, total, ok := v.InputFrom()
	if !ok {
		return base, nil, false
	}
	if fullErr != nil {
		t.Fatalf("InputFrom read an input the full decode refuses (%v)", fullErr)
	}
	if base.Elem > len(full) || !reflect.DeepEqual(msgs, full[base.Elem:]) && len(msgs)+len(full[base.Elem:]) > 0 {
		t.Fatalf("InputFrom from element %d = %+v, full decode %+v", base.Elem, msgs, full)
	}
	calls := 0
	for i := range full {
		calls += len(full[i].ToolCalls)
	}
	if total.Elem != len(full) || total.Users != countRole(full, "user") || total.Calls != calls || total.Offset != len(in) {
		t.Fatalf("total %+v; full decode has %d messages, %d users, %d calls", total, len(full), countRole(full, "user"), calls)
	}
	users := base.Users
	for i, e := range es {
		if e.Mark.Elem != base.Elem+i || e.Mark.Users != users || e.Mark.Offset < base.Offset || e.End <= e.Mark.Offset || e.End > len(in) {
			t.Fatalf("element %d at %+v (base %+v, %d users before)", i, e, base, users)
		}
		users += b2i(full[e.Mark.Elem].Role == "user")
		m, ok := inputView(t, in).InputElement(e.Mark.Offset, e.End)
		if !ok || !reflect.DeepEqual(m, full[e.Mark.Elem]) {
			t.Fatalf("element %d alone decodes to %+v, full decode %+v", i, m, full[e.Mark.Elem])
		}
	}
	return base, es, true
}

// resumeAgrees reads cur resumed at every mark prev's elements give whose
// bytes before it cur shares, and checks every reader against the full
// decode of cur. It reports how many resumes held (the scan started at the
// mark rather than falling back to the start).
func resumeAgrees(t testing.TB, prev, cur string) (held int) {
	t.Helper()
	_, marks, ok := fromAgrees(t, prev, func() *View { return inputView(t, prev) })
	if !ok {
		return 0
	}
	for _, e := range marks {
		m := e.Mark
		if m.Offset > len(cur) || cur[:m.Offset] != prev[:m.Offset] {
			continue
		}
		view := func() *View {
			v := inputView(t, cur)
			if !v.ResumeInput(m) {
				t.Fatal("ResumeInput refused a fresh view")
			}
			return v
		}
		tailAgreesWith(t, cur, view)
		if base, _, ok := fromAgrees(t, cur, view); ok && base == m {
			held++
		} else if ok && base != (InputMark{}) {
			t.Fatalf("resumed at %+v, started at %+v", m, base)
		}
	}
	return held
}

func TestResumeMatchesFullDecode(t *testing.T) {
	user := `{"role":"user","parts":[{"type":"text","content":"and now?"}]}`
	call := `{"role":"assistant","parts":[{"type":"tool_call","id":"c9","name":"q","arguments":"{}"}]}`
	result := `{"role":"tool","parts":[{"type":"tool_call_response","id":"c9","response":{"rows":[[1,"a"]]}}]}`
	userResult := `{"role":"user","parts":[{"type":"tool_call_response","id":"c8","response":"failed"}]}`
	answer := `{"role":"assistant","parts":[{"type":"text","content":"Done."}]}`
	prev := history(6, user+","+call+","+result)
	open := strings.TrimSuffix(prev, "]")
	tests := []struct {
		name string
		cur  string
		held bool // some mark of prev holds for cur
	}{
		{"next call: answer and user appended", open + "," + answer + "," + user + "]", true},
		{"same input again", prev, true},
		{"whitespace before the new messages", open + " ,\n" + answer + " ]", true},
		{"results in a user message after the mark", open + "," + call + "," + userResult + "]", true},
		{"truncated: ends before the last mark", history(6, user), true},
		{"edited: last answer rewritten", strings.Replace(prev, "Order 5 shipped.", "Order 5 lost.", 1), true},
		{"compacted: summary replaces the history", `[{"role":"system","parts":[{"type":"text","content":"summary"}]},` + user + `]`, false},
		{"a user message where the assistant was", open + "," + user + "]", true},
		{"continuation is malformed", open + `,{"role":"assistant","parts":5}]`, false},
		{"continuation has trailing garbage", open + "," + answer + "]x", false},
		{"continuation ends the array early", open + "]", true},
		{"continuation not closed", open + "," + answer, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			held := resumeAgrees(t, prev, tc.cur)
			if (held > 0) != tc.held {
				t.Errorf("%d marks held, want some: %v", held, tc.held)
			}
		})
	}
}

// TestResumeReadsOnlyWhatIsNew: resumed at the last assistant message of
// the earlier input, the scan and the decode start there.
func TestResumeReadsOnlyWhatIsNew(t *testing.T) {
	prev := history(300, `{"role":"user","parts":[{"type":"text","content":"next"}]}`)
	_, marks, ok := fromAgrees(t, prev, func() *View { return inputView(t, prev) })
	if !ok {
		t.Fatal("not scanned")
	}
	last := marks[len(marks)-2].Mark // the last answer
	cur := strings.TrimSuffix(prev, "]") + `,{"role":"assistant","parts":[{"type":"text","content":"Sure."}]}]`
	v := inputView(t, cur)
	v.ResumeInput(last)
	msgs, elems, base, total, ok := v.InputFrom()
	if !ok || base != last || len(msgs) != 3 || len(elems) != 3 || msgs[2].Text != "Sure." {
		t.Fatalf("InputFrom = %d messages from %+v (%v)", len(msgs), base, ok)
	}
	if total.Users != 301 || total.Calls != 300 || total.Elem != 1202 {
		t.Fatalf("total = %+v", total)
	}
	if v.in.done {
		t.Fatal("the whole input was decoded")
	}
}

// FuzzInputResume resumes the scan of prev+suffix at a mark of prev and
// compares every reader with the full decode.
func FuzzInputResume(f *testing.F) {
	user := `{"role":"user","parts":[{"type":"text","content":"next"}]}`
	f.Add(history(3, user), `,{"role":"assistant","parts":[{"type":"text","content":"ok"}]}]`, uint8(9))
	f.Add(history(2, user), `{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"x"}]},null]`, uint8(4))
	f.Add(`[{"role":"assistant"},{"role":"user"}]`, `]`, uint8(0))
	f.Add(`[{"role":"assistant","parts":[{"type":"tool_call","id":"a"}]}]`, `{"ROLE":"assistant","role":"user"}]`, uint8(0))
	f.Fuzz(func(t *testing.T, prev, suffix string, k uint8) {
		_, marks, ok := fromAgrees(t, prev, func() *View { return inputView(t, prev) })
		if !ok || len(marks) == 0 {
			return
		}
		m := marks[int(k)%len(marks)].Mark
		resumeAgrees(t, prev, prev[:m.Offset]+suffix)
	})
}
