package evaluators

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// sameArgFill requires the one-pass record of text (argWalk.fill) to be
// what validating and then walking it give: the same strings under the
// same keys, in order, the same error, and, for a trimmed text opening
// with '{' or '[', json.Valid's answer.
func sameArgFill(t *testing.T, text string) {
	t.Helper()
	var w argWalk
	w.text = text
	w.fill()
	var got []string
	for i, k := range w.keys {
		if w.kinds[i] != kindOf(k) {
			t.Fatalf("%q: key %q recorded with kind %b, kindOf says %b", text, k, w.kinds[i], kindOf(k))
		}
		got = append(got, k+"\x00"+w.strs[i])
	}
	want, wantErr := walkCalls(eachArgString, text, -1)
	if !reflect.DeepEqual(got, want) || !errors.Is(w.err, wantErr) || (w.err == nil) != (wantErr == nil) {
		t.Fatalf("%q: one pass %q, %v; validate and walk %q, %v", text, got, w.err, want, wantErr)
	}
	if text != "" && (text[0] == '{' || text[0] == '[') && strings.TrimSpace(text) == text {
		if valid := json.Valid([]byte(text)); w.valid != valid {
			t.Fatalf("%q: one pass says valid %v, json.Valid %v", text, w.valid, valid)
		}
	}
}

// argFillCases are texts on the edges of JSON's grammar.
var argFillCases = []string{
	`{"city":"Boston","day":"tuesday","step":0}`, `{}`, `[]`, `[ ]`, `{ }`, `{"a":[]}`, `[[]]`, `[{}]`,
	`{"a":"x","b":["y",["z",{"c":"w"}],"v"],"d":"u"}`, `["a",["b"],"c"]`, `{"a":{"b":"c"},"d":"e"}`,
	`{"a":1`, `{"a":1}}`, `{"a":1,}`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{a:1}`, `{"a" 1}`, `{"a":1 "b":2}`,
	`{"a":1} x`, `{"a":1} `, ` {"a":1}`, "\t{\"a\":\"b\"}\n", "\v{\"a\":\"b\"}\u00a0", "{\"a\":\"b\"}\f",
	`[-0, 0, 1, -1, 10, 1.5, 1e5, 1E+5, 1e-5, -0.0e0, 123456789012345678901234567890]`,
	`[01]`, `[-]`, `[1.]`, `[.5]`, `[1e]`, `[1e+]`, `[+1]`, `[--1]`, `[0x1]`, `[1.5.5]`, `[NaN]`, `[Infinity]`, `[-01]`,
	`[true,false,null]`, `[tru]`, `[nul]`, `[True]`, `[nulll]`, `[falsey]`,
	`["a\"b","\\","\/","\b\f\n\r\t","\u0041","\u00e9","\uD83D\uDE00","\ud800"]`,
	`["\x"]`, `["\u12"]`, `["\u12G4"]`, `["\'"]`, `["a` + "\n" + `b"]`, `["a` + "\x00" + `"]`, `["a` + "\x1f" + `"]`, `["a` + "\x7f" + `"]`,
	"[\"\xff\xfe\"]", "{\"\xc3\":\"\xe2\x82\"}", `["unterminated]`, `["a\`, `{"a\u0020b":"c\"d"}`, `{"SQL":["a","b"],"Query":"c"}`,
	`{"a":"x","a":"y"}`, `[1, "a" , {"k" : "v" } ]`, "[\n1\r,\t\"a\"\n]", `[1 2]`, `{"a":1,"b"}`, `[}`, `{]`, `[`, `{`,
	strings.Repeat("[", maxJSONDepth) + `"s"` + strings.Repeat("]", maxJSONDepth),
	strings.Repeat("[", maxJSONDepth+1) + `"s"` + strings.Repeat("]", maxJSONDepth+1),
	`["a",` + strings.Repeat("[", maxJSONDepth+1) + `"s"` + strings.Repeat("]", maxJSONDepth+1) + `]`,
	`["a",` + strings.Repeat("[", maxJSONDepth+1) + `"s"` + strings.Repeat("]", maxJSONDepth) + `]`,
	strings.Repeat(`{"a":`, 70) + `"x"` + strings.Repeat("}", 70),
	strings.Repeat("[", 200) + strings.Repeat("]", 200), strings.Repeat("[", 200),
	`rm -rf /`, ``, `   `, `"just a string"`, `42`, `null`,
}

// TestArgFillDifferential: reading arguments in one pass gives what
// validating them and walking them give, on the grammar's edges and on
// every text of the labelled corpus.
func TestArgFillDifferential(t *testing.T) {
	for _, text := range argFillCases {
		sameArgFill(t, text)
	}
	for _, text := range corpusTexts(t) {
		sameArgFill(t, text)
		if s := strings.TrimSpace(text); s != "" && (s[0] == '{' || s[0] == '[') {
			// a cut document, and one with a byte changed
			sameArgFill(t, s[:len(s)/2])
			sameArgFill(t, s[:len(s)-1]+"x")
		}
	}
}

func FuzzArgFill(f *testing.F) {
	for _, text := range argFillCases {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sameArgFill(t, text)
	})
}
