package spanmodel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/loadshape"
)

// fastCase is a document the one-pass reader either decodes to exactly
// what encoding/json gives, or gives up on (fast false).
type fastCase struct {
	name string
	doc  string
	fast bool
}

// fastMsgCases are messages arrays; each element is also decoded alone
// (fastGMsg) when the array is.
var fastMsgCases = []fastCase{
	{"plain", `[{"role":"assistant","parts":[{"type":"text","content":"Hi"}],"finish_reason":"stop"}]`, true},
	{"whitespace", " [ { \"role\" : \"user\" , \"parts\" : [ ] } ] \n", true},
	{"empty array", `[]`, true},
	{"tool call with object arguments", `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"f","arguments":{"city":"Boston","n":[1,2.5e-3,-0,true,false,null]}}]}]`, true},
	{"tool call with string arguments", `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"f","arguments":"{\"city\":\"Boston\"}"}]}]`, true},
	{"tool response object", `[{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":{"flights":["B6 705","DL 940"]}}]}]`, true},
	{"tool response result", `[{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","result":[1, {"a" : "b"} ]}]}]`, true},
	{"raw text keeps inner whitespace", "[{\"parts\":[{\"type\":\"tool_call\",\"arguments\": {\n  \"a\" : [ 1 , 2 ]\n} }]}]", true},
	{"number content", `[{"parts":[{"type":"text","content":12.5}]}]`, true},
	{"bool response", `[{"parts":[{"type":"tool_call_response","response":false}]}]`, true},
	{"server tool call", `[{"role":"assistant","parts":[{"type":"server_tool_call","id":"s","name":"web","server_tool_call":{"type":"web_search","query":"q"}},{"type":"server_tool_call_response","server_tool_call_response":{"type":"web_search","results":[]}}]}]`, true},
	{"transcript", `[{"role":"user","parts":[{"type":"blob","modality":"audio","mime_type":"audio/wav","content":"AAAA","transcript":"hello there"}]}]`, true},
	{"escapes", `[{"role":"user","parts":[{"type":"text","content":"line\nnext \"q\" \\ \/ \b\f\r\t tab"}]}]`, true},
	{"unicode escapes", `[{"role":"user","parts":[{"type":"text","content":"caf\u00e9 \u00E9 \u0000 \u2028"}]}]`, true},
	{"surrogate pair", `[{"role":"user","parts":[{"type":"text","content":"\ud83d\ude00!"}]}]`, true},
	{"lone high surrogate", `[{"role":"user","parts":[{"type":"text","content":"a\ud83db"}]}]`, true},
	{"lone low surrogate", `[{"role":"user","parts":[{"type":"text","content":"a\ude00\ud83d"}]}]`, true},
	{"high then non-low escape", `[{"role":"user","parts":[{"type":"text","content":"\ud83d\u0041\ud83d\ud83d\ude00"}]}]`, true},
	{"high then plain \\u-like text", `[{"role":"user","parts":[{"type":"text","content":"\ud83d\\ude00"}]}]`, true},
	{"invalid UTF-8 without escapes kept", "[{\"role\":\"us\xffer\",\"parts\":[{\"type\":\"text\",\"content\":\"caf\xc3\xa9 \xed\xa0\x80\"}]}]", true},
	{"invalid UTF-8 with escapes replaced", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"caf\xc3\xa9\\n\xff\xed\xa0\x80\xf0\x9f\x98 \xef\xbf\xbd end\"}]}]", true},
	{"non-ASCII text", `[{"role":"user","parts":[{"type":"text","content":"日本語のテキスト、絵文字😀 and ascii after a long run of text"}]}]`, true},
	{"case-folded keys", `[{"ROLE":"user","Parts":[{"TYPE":"text","Content":"x","ID":"i","nAmE":"n"}],"Finish_Reason":"stop"}]`, true},
	{"duplicate string key, last wins", `[{"role":"user","role":"system","parts":[{"type":"text","type":"reasoning","content":"a","content":"b"}]}]`, true},
	{"duplicate key folded, last wins", `[{"role":"user","ROLE":"tool"}]`, true},
	{"duplicate key, later null unsets", `[{"parts":[{"type":"tool_call_response","response":{"a":1},"response":null,"result":"r"}]}]`, true},
	{"duplicate key, later non-string", `[{"role":"user","role":5}]`, true},
	{"null message and part", `[null,{"role":"user","parts":[null,{"type":"text","content":"x"}]}]`, true},
	{"null values", `[{"role":null,"finish_reason":null,"parts":null}]`, true},
	{"null content", `[{"parts":[{"type":"text","content":null}]}]`, true},
	{"non-string role read as absent", `[{"role":5,"finish_reason":{"a":[1]},"parts":[{"type":["text"],"id":1,"name":true,"transcript":2}]}]`, true},
	{"unknown keys skipped", `[{"role":"user","meta":{"a":[1,{"b":null}],"c":"\u00e9"},"parts":[{"type":"text","content":"x","cache_control":{"type":"ephemeral"},"x":-1.5E+3}],"z":[]}]`, true},
	{"unknown key with escaped value", `[{"note":"a\"b","role":"user"}]`, true},
	{"empty objects", `[{},{"parts":[{}]}]`, true},
	{"empty strings", `[{"role":"","parts":[{"type":"","content":""}]}]`, true},
	{"nested arguments", `[{"parts":[{"type":"tool_call","arguments":{"a":{"b":{"c":{"d":[[[[{"e":"f"}]]]]}}}}}]}]`, true},
	{"many parts", `[{"role":"user","parts":[{"type":"text","content":"a"},{"type":"text","content":"b"},{"type":"text","content":"c"}]},{"role":"assistant","parts":[{"type":"text","content":"d"}]}]`, true},

	// Given up: encoding/json's own answer (a result it merges, or an error).
	{"parts twice merge", `[{"parts":[{"type":"text","content":"a"}],"parts":[{"id":"x"}]}]`, false},
	{"escaped key", `[{"r\u006fle":"user"}]`, false},
	{"non-ASCII key (Kelvin sign folds to k)", "[{\"role\":\"user\",\"parts\":[{\"\u212aey\":1}]}]", false},
	{"top-level null", `null`, false},
	{"top-level object", `{"messages":[]}`, false},
	{"message a string", `["hi"]`, false},
	{"message a number", `[1]`, false},
	{"parts an object", `[{"parts":{"type":"text"}}]`, false},
	{"parts a string", `[{"parts":"text"}]`, false},
	{"part a string", `[{"parts":["text"]}]`, false},
	{"trailing garbage", `[{"role":"user"}] x`, false},
	{"two values", `[][]`, false},
	{"trailing comma", `[{"role":"user"},]`, false},
	{"trailing comma in object", `[{"role":"user",}]`, false},
	{"missing colon", `[{"role" "user"}]`, false},
	{"unterminated", `[{"role":"user"`, false},
	{"control character in string", "[{\"role\":\"us\ter\"}]", false},
	{"invalid escape", `[{"role":"us\xer"}]`, false},
	{"single-quote escape", `[{"role":"us\'er"}]`, false},
	{"short \\u escape", `[{"role":"\u12"}]`, false},
	{"invalid number", `[{"parts":[{"type":"tool_call","arguments":01}]}]`, false},
	{"invalid number exponent", `[{"parts":[{"type":"tool_call","arguments":1e}]}]`, false},
	{"invalid literal", `[{"role":nul}]`, false},
	{"invalid skipped value", `[{"x":[1,,2]}]`, false},
	{"too deep for the fast path", `[{"parts":[{"type":"tool_call","arguments":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}]}]`, false},
	{"too deep for encoding/json", `[{"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}]`, false},
}

// decodeJSON is the reference: what encoding/json gives for doc into a
// fresh T.
func decodeJSON[T any](doc string) (T, error) {
	var v T
	err := json.Unmarshal([]byte(doc), &v)
	return v, err
}

func TestFastGMsgs(t *testing.T) {
	for _, tc := range fastMsgCases {
		t.Run(tc.name, func(t *testing.T) {
			want, err := decodeJSON[[]gMsg](tc.doc)
			msgs := []gMsg{{Role: jsonStr{"kept"}}, {Role: jsonStr{"stale"}}}
			parts := []gPart{{Type: jsonStr{"kept"}}, {Type: jsonStr{"stale"}}}
			got, gotParts, ok := fastGMsgs(tc.doc, msgs[:1], parts[:1])
			require.Equal(t, tc.fast, ok, "fast path taken")
			if !ok {
				assert.Equal(t, msgs[:1], got, "a failed fast path leaves the messages as they were")
				assert.Equal(t, parts[:1], gotParts, "a failed fast path leaves the parts as they were")
				for _, m := range got[len(got):cap(got)] {
					assert.Contains(t, []string{"", "stale"}, m.Role.s, "a failed fast path zeroes what it appended")
				}
				for _, p := range gotParts[len(gotParts):cap(gotParts)] {
					assert.Contains(t, []string{"", "stale"}, p.Type.s, "a failed fast path zeroes what it appended")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, msgs[0], got[0])
			if len(want) == 0 {
				assert.Len(t, got, 1)
			} else {
				assert.Equal(t, want, got[1:])
			}
			// Each element alone, as the tail reader and the pdata
			// slice form decode it.
			for i, elem := range elements(t, tc.doc) {
				var m gMsg
				_, ok := fastGMsg(elem, &m, nil)
				require.True(t, ok, "element %d", i)
				assert.Equal(t, want[i], m, "element %d", i)
			}
		})
	}
}

// elements returns the raw text of the elements of a JSON array.
func elements(t *testing.T, doc string) []string {
	var raw []json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(doc), &raw))
	out := make([]string, len(raw))
	for i, r := range raw {
		out[i] = string(r)
	}
	return out
}

// partFields names every gPart field by its json tag, with an accessor of
// that field.
func TestPartFields(t *testing.T) {
	typ := reflect.TypeFor[gPart]()
	require.Len(t, partFields, typ.NumField())
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name := f.Tag.Get("json")
		k := field(name, partKeys.names)
		require.GreaterOrEqual(t, k, 0, name)
		var p gPart
		if pf := partFields[k]; pf.str != nil {
			*pf.str(&p) = jsonStr{"x"}
		} else {
			*pf.text(&p) = jsonText{s: "x", set: true}
		}
		for j := 0; j < typ.NumField(); j++ {
			assert.Equal(t, i == j, !reflect.ValueOf(p).Field(j).IsZero(), "%s sets field %s", name, typ.Field(j).Name)
		}
	}
}

func TestFastGMsgGivesUp(t *testing.T) {
	for _, doc := range []string{
		`"text"`, `[]`, `{"role":"user"} {}`, `{"role":"user"`, `{"parts":[],"parts":[]}`, `{"PARTS":null,"parts":[]}`,
	} {
		parts := []gPart{{Type: jsonStr{"kept"}}, {Type: jsonStr{"stale"}}}
		m := gMsg{}
		got, ok := fastGMsg(doc, &m, parts[:1])
		assert.False(t, ok, doc)
		assert.Equal(t, gMsg{}, m, "%s: m zeroed", doc)
		assert.Equal(t, []gPart{{Type: jsonStr{"kept"}}}, got, "%s: parts kept", doc)
	}
	var m gMsg
	_, ok := fastGMsg(` null `, &m, nil)
	assert.True(t, ok, "null leaves the message as it is, as encoding/json does")
}

func TestFastGParts(t *testing.T) {
	for _, tc := range []fastCase{
		{"system instructions", `[{"type":"text","content":"Be brief."},{"type":"text","content":"Use \"metric\" units.\n"}]`, true},
		{"generic parts", `[{"type":"text","content":"S"},{"type":"cache_control","ttl":"5m"},null]`, true},
		{"empty", ` [ ] `, true},
		{"null", `null`, false},
		{"a message", `{"type":"text"}`, false},
		{"invalid", `[{"type":"text",}]`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := fastGParts(tc.doc, nil)
			require.Equal(t, tc.fast, ok)
			if !ok {
				assert.Empty(t, got)
				return
			}
			want, err := decodeJSON[[]gPart](tc.doc)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

// The decoded strings never point into the attribute: a remembered string
// must not keep a span's whole history alive.
func TestFastGMsgsCopies(t *testing.T) {
	doc := []byte(`[{"role":"user","parts":[{"type":"text","content":"hello"},{"type":"tool_call","arguments":{"a":1}}]}]`)
	msgs, _, ok := fastGMsgs(string(doc), nil, nil)
	require.True(t, ok)
	copy(doc, strings.Repeat("x", len(doc)))
	assert.Equal(t, "user", msgs[0].Role.s)
	assert.Equal(t, "hello", msgs[0].Parts[0].Content.s)
	assert.Equal(t, `{"a":1}`, msgs[0].Parts[1].Arguments.s)
}

// The producers' layouts and the load-test traces take the fast path.
func TestFastGMsgsProducerLayouts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "producers", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	seen := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, doc := range genAIMessageStrings(b) {
			seen++
			if _, err := decodeJSON[[]gMsg](doc); err != nil {
				continue
			}
			msgs, _, ok := fastGMsgs(unwrapMessages(doc), nil, nil)
			if assert.True(t, ok, "%s: %.80s", file, doc) {
				want, _ := decodeJSON[[]gMsg](unwrapMessages(doc))
				assert.Equal(t, want, msgs, file)
			}
		}
	}
	t.Logf("%d GenAI message attributes in %d files", seen, len(files))

	// The load test's traces (make loadtest), failing and looping ones too.
	var seq uint64
	td := loadshape.Mix{Failures: 0.5, Loops: 0.5}.Batch(&seq, 200, time.Unix(1e9, 0))
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	seen = 0
	for i := 0; i < spans.Len(); i++ {
		for _, k := range []string{"gen_ai.input.messages", "gen_ai.output.messages"} {
			v, ok := spans.At(i).Attributes().Get(k)
			if !ok {
				continue
			}
			seen++
			doc := v.Str()
			msgs, _, ok := fastGMsgs(doc, nil, nil)
			require.True(t, ok, "%.80s", doc)
			want, err := decodeJSON[[]gMsg](doc)
			require.NoError(t, err)
			require.Equal(t, want, msgs)
			for j, elem := range elements(t, doc) {
				var m gMsg
				_, ok := fastGMsg(elem, &m, nil)
				require.True(t, ok, "%.80s", elem)
				require.Equal(t, want[j], m)
			}
		}
	}
	require.NotZero(t, seen)
}

// genAIMessageStrings finds the string values of gen_ai.*.messages
// attributes in an OTLP JSON file.
func genAIMessageStrings(b []byte) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if k, ok := v["key"].(string); ok && (k == "gen_ai.input.messages" || k == "gen_ai.output.messages") {
				if val, ok := v["value"].(map[string]any); ok {
					if s, ok := val["stringValue"].(string); ok {
						out = append(out, s)
					}
				}
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	var doc any
	if json.Unmarshal(b, &doc) == nil {
		walk(doc)
	}
	return out
}

func TestUnquote(t *testing.T) {
	for _, raw := range []string{
		`a\nb`, `\"\\\/\b\f\n\r\t`, `\u0041\u00e9\u20AC`, `\ud83d\ude00`, `\ud83d`, `\ude00`, `\ud83d\u0041`,
		`\ud83dx\ude00`, "\xff\\n", "caf\xc3\xa9\\t", "\xc3\\n", "\xf0\x9f\x98\x80\\n\xf0\x9f\x98", `\u0000`,
		strings.Repeat("long ascii run ", 20) + `\n` + strings.Repeat("é", 20) + `\t`,
	} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(`"`+raw+`"`), &want), raw)
		assert.Equal(t, want, unquote(raw), "%q", raw)
	}
}

// FuzzFastGMsgs: where the fast path decodes a document (as a messages
// array, one message or an array of parts), encoding/json decodes it too,
// to the same value; where it gives up, it leaves its buffers as they were.
func FuzzFastGMsgs(f *testing.F) {
	for _, tc := range fastMsgCases {
		if len(tc.doc) < 1000 {
			f.Add(tc.doc)
		}
	}
	for _, s := range []string{
		`[{"role":"user","parts":[{"type":"text","content":"a"},{"type":"text","content":"b","id":"x","name":"n"}]},{"role":"assistant","parts":[]}]`,
		`[{"parts":[{}],"role":""}]`, `[ ]`, `[{}]`,
		`{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"f","arguments":{"a":[1,"\u00e9"]}}]}`,
		`[{"type":"text","content":"S"},{"type":"text","Content":"T\n"}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prev := []gMsg{{Role: jsonStr{"stale"}}}
		prevParts := []gPart{{Type: jsonStr{"stale"}}}
		got, parts, ok := fastGMsgs(s, prev[:0], prevParts[:0])
		if !ok {
			for _, m := range got[:cap(got)] {
				if m.Role.s != "" && m.Role.s != "stale" {
					t.Fatalf("%q: a failed fast path leaves what it appended", s)
				}
			}
			for _, p := range parts[:cap(parts)] {
				if p.Type.s != "" && p.Type.s != "stale" {
					t.Fatalf("%q: a failed fast path leaves what it appended", s)
				}
			}
		}
		if ok {
			want, err := decodeJSON[[]gMsg](s)
			if err != nil {
				t.Fatalf("fast path decoded %q, encoding/json: %v", s, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: fast path %+v, encoding/json %+v", s, got, want)
			}
		} else if len(got) != 0 || len(parts) != 0 {
			t.Fatalf("%q: a failed fast path leaves %d messages, %d parts", s, len(got), len(parts))
		}

		var m gMsg
		if _, ok := fastGMsg(s, &m, prevParts[:0]); ok {
			want, err := decodeJSON[gMsg](s)
			if err != nil {
				t.Fatalf("fast path decoded the message %q, encoding/json: %v", s, err)
			}
			if !reflect.DeepEqual(m, want) {
				t.Fatalf("%q: fast path %+v, encoding/json %+v", s, m, want)
			}
		} else if !reflect.DeepEqual(m, gMsg{}) {
			t.Fatalf("%q: a failed fast path leaves %+v", s, m)
		}

		if ps, ok := fastGParts(s, nil); ok {
			want, err := decodeJSON[[]gPart](s)
			if err != nil {
				t.Fatalf("fast path decoded the parts %q, encoding/json: %v", s, err)
			}
			if !reflect.DeepEqual(ps, want) {
				t.Fatalf("%q: fast path %+v, encoding/json %+v", s, ps, want)
			}
		}
	})
}

// BenchmarkGMsgDecode compares the one-pass reader with encoding/json on
// one message of each kind an agent history holds (the elements the tail
// reader decodes).
func BenchmarkGMsgDecode(b *testing.B) {
	elems := []struct{ name, doc string }{
		{"user_escapes", `{"role":"user","parts":[{"type":"text","content":"Where is my order 4100? I placed it last week and the tracking page still says \"pending\"."}]}`},
		{"tool_call", `{"role":"assistant","parts":[{"type":"tool_call","id":"call_100","name":"get_order","arguments":{"order_id":"4100"}}]}`},
		{"tool_response_escaped_json", `{"role":"tool","parts":[{"type":"tool_call_response","id":"call_100","response":"{\"status\":\"shipped\",\"warehouse\":\"Berlin\",\"items\":[{\"sku\":\"A-100\",\"qty\":2,\"price\":19.99},{\"sku\":\"B-17\",\"qty\":1,\"price\":5.5}],\"events\":[\"label created\",\"picked up\",\"in transit\"],\"eta\":\"2026-12-02\"}"}]}`},
		{"loadtest_chat_output", `{"role":"assistant","parts":[{"type":"text","content":"I found two flights to Boston on Tuesday: B6 705 at 9:10 and DL 940 at 13:45. Shall I check the seats?"},{"type":"tool_call","id":"c1","name":"get_seat_map","arguments":{"city":"Boston","day":"tuesday","step":1}}],"finish_reason":"tool_call"}`},
		{"answer_700B", `{"role":"assistant","parts":[{"type":"text","content":"Your order 4100 left our Berlin warehouse and is in transit; it should arrive on December 2. ` + strings.Repeat("Tracking updates follow by email. ", 20) + `"}],"finish_reason":"stop"}`},
	}
	for _, e := range elems {
		b.Run(e.name+"/one_pass", func(b *testing.B) {
			b.SetBytes(int64(len(e.doc)))
			b.ReportAllocs()
			var parts []gPart
			for i := 0; i < b.N; i++ {
				var m gMsg
				var ok bool
				clear(parts)
				if parts, ok = fastGMsg(e.doc, &m, parts[:0]); !ok {
					b.Fatal("not decoded")
				}
			}
		})
		b.Run(e.name+"/encoding_json", func(b *testing.B) {
			b.SetBytes(int64(len(e.doc)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var m gMsg
				if err := unmarshalContent("k", e.doc, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestFieldNames: member's in-place match relies on every name list
// being lower case, distinct under ASCII case folding and at most 16 long.
func TestFieldNames(t *testing.T) {
	for _, f := range []*fieldNames{messageKeys, partKeys} {
		require.LessOrEqual(t, len(f.names), 16)
		for i, n := range f.names {
			require.NotEmpty(t, n)
			assert.Equal(t, strings.ToLower(n), n)
			assert.Equal(t, i, field(n, f.names), "%s folds to an earlier name", n)
			assert.Equal(t, -1, strings.IndexFunc(n, func(r rune) bool { return r < 0x20 || r >= 0x80 || r == '"' || r == '\\' }), n)
		}
	}
}

// FuzzMember: member reads an object's next member as more, key and
// field do one after the other: the same answer, the same cursor, the same
// failures.
func FuzzMember(f *testing.F) {
	for _, s := range []string{`"type":"text"`, `"Type" : 1`, `"types":1`, `"type"`, `"type"x`, `"typ`, `"finish_reason":null`,
		`"role":"user"`, `"ROLE":"user"`, `"r\u006fle":1`, `"server_tool_call_response": {}`, `"server_tool_call":1`, `x`, `""`, `"id"` + "\t:\n1",
		`}`, ` } `, `,"type":1`, ` , "name" :"x"`, `,}`, `;"type":1`, "\t,\r\n\"content\":\"a\"", ``, `,`,
		// Keys with eight bytes after the quote (member compares words).
		`"response":{"a":1}`, `"responses":1, "x":2`, `"respons":1,"y":2`, `"result" : "ok"`, `"resultX":1`, `"arguments":{}`,
		`"argument":1,"z":0`, `"server_tool_call" : {} `, `"server_tool_calls":1`, `"server_tool_call_response"`, `"parts":[],"x":1`,
		`"Parts":[],"x":1`, `"finish_reason"` + " :\"stop\"", `"finish_reasons":1`, `"content":"text here"`, `"content:"x","a":1`} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, first bool) {
		for _, names := range []*fieldNames{messageKeys, partKeys} {
			fast := newFastDec(s, nil)
			i, in := fast.member(names, first)
			slow := newFastDec(s, nil)
			j, slowIn := -1, slow.more('}', first)
			if slowIn {
				var k string
				if k, slowIn = slow.key(); slowIn {
					j = field(k, names.names)
				}
			}
			if in != slowIn || i != j || fast.i != slow.i || fast.bad != slow.bad {
				t.Fatalf("%q (first %v): member (%d, %v) at %d bad %v; more, key and field (%d, %v) at %d bad %v",
					s, first, i, in, fast.i, fast.bad, j, slowIn, slow.i, slow.bad)
			}
		}
	})
}
