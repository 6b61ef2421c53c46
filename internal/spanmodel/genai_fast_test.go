package spanmodel

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestFastGMsgsShape(t *testing.T) {
	cases := map[string]bool{ // document: decoded by the fast path
		`[{"role":"assistant","parts":[{"type":"text","content":"Hi"}],"finish_reason":"stop"}]`: true,
		" [ { \"role\" : \"user\" , \"parts\" : [ ] } ] \n":                                      true,
		`[]`: true,
		`[{"role":"user","parts":[{"type":"tool_call","id":"c1","name":"f","arguments":{}}]}]`: false, // arguments: an object
		`[{"role":"a\nb"}]`:                 false, // escape
		`[{"Role":"user"}]`:                 false, // another spelling
		`[{"role":"user","role":"system"}]`: false, // a key twice
		`[{"role":null}]`:                   false,
		`[{"role":"user"}] x`:               false,
		`{"messages":[]}`:                   false,
	}
	for doc, want := range cases {
		got, ok := fastGMsgs(doc, nil)
		if ok != want {
			t.Errorf("%s: fast path %v, want %v", doc, ok, want)
		}
		if !ok && len(got) != 0 {
			t.Errorf("%s: a failed fast path leaves %d messages", doc, len(got))
		}
	}
}

// FuzzFastGMsgs: where the fast path decodes a document, encoding/json
// decodes it too, to the same messages.
func FuzzFastGMsgs(f *testing.F) {
	for _, s := range []string{
		`[{"role":"assistant","parts":[{"type":"text","content":"Hi"}],"finish_reason":"stop"}]`,
		`[{"role":"user","parts":[{"type":"text","content":"a"},{"type":"text","content":"b","id":"x","name":"n"}]},{"role":"assistant","parts":[]}]`,
		"[{\"role\":\"us\xffer\",\"parts\":[{\"type\":\"text\",\"content\":\"caf\xc3\xa9\"}]}]",
		`[{"parts":[{}],"role":""}]`, `[ ]`, `[{}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prev := []gMsg{{Role: jsonStr{"stale"}}}
		got, ok := fastGMsgs(s, prev[:0])
		if !ok {
			if len(got) != 0 {
				t.Fatalf("%q: a failed fast path leaves %d messages", s, len(got))
			}
			return
		}
		var want []gMsg
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("fast path decoded %q, encoding/json: %v", s, err)
		}
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: fast path %+v, encoding/json %+v", s, got, want)
		}
	})
}
