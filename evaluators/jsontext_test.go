package evaluators

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExtractJSON(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{in: ` {"a":1} `, want: `{"a":1}`},
		{in: "```json\n{\"a\":1}\n```", want: `{"a":1}`},
		{in: "```JSON\n[1]\n```", want: `[1]`},
		{in: "Sure:\n```\n[1]\n```\nbye", want: `[1]`},
		{in: "```json {\"a\":1}```", err: "unterminated code fence"},
		{in: "```json\n{\"a\":1}", err: "unterminated code fence"},
		{in: "```yaml\na: 1\n```", err: "code fence is not json"},
		{in: "```json\n1\n```\n```json\n2\n```", err: "more than one code fence"},
		{in: "no json here", want: "no json here"},
	}
	for _, tc := range cases {
		got, err := ExtractJSON(tc.in)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, tc.in)
			continue
		}
		assert.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func sameJSONValid(t *testing.T, s string) {
	t.Helper()
	if got, want := jsonValid(s), json.Valid([]byte(s)); got != want {
		t.Fatalf("jsonValid(%q) = %v, json.Valid says %v", s, got, want)
	}
}

// TestJSONValidDifferential: the one-pass check agrees with json.Valid
// on the grammar's corners and on every string of the corpora.
func TestJSONValidDifferential(t *testing.T) {
	cases := []string{
		``, ` `, `{}`, `[]`, ` { } `, `{"a":1}`, `{"a":1,}`, `[1,]`, `[,1]`, `{"a" 1}`, `{"a":}`, `{1:2}`, `{"a":1 "b":2}`,
		`"x"`, `"\u00e9\n\"\\\/\b\f\r\t"`, `"\u00g1"`, `"\u00e"`, `"\x"`, "\"a\x01\"", "\"\xff\xfe\"", `"unterminated`,
		`0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e-`, `1e`, `-01`, `1.5e3`, `2.`, `1.e3`, `1x`,
		`true`, `false`, `null`, `tru`, `nul`, `truex`, `True`, `[true,false,null]`, `[1 2]`, `{"a":[{"b":{}}]}`,
		`{"a":1}}`, `[[]`, `]`, `}`, `{"a":1}x`, "{\"a\":\t1\r\n}", "\v{}", `{"a":"b"`, `[1,2,3`,
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000), strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
		strings.Repeat("[", 200) + strings.Repeat("]", 199),
	}
	for _, s := range cases {
		sameJSONValid(t, s)
	}
	for _, s := range corpusTexts(t) {
		sameJSONValid(t, s)
	}
}

func FuzzJSONValid(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e3,true,null,"\u00e9"]}`, `[{"b":{}},[]]`, `{"a" :1 , "b":"x\"y"}`, `01`, "\"\x01\""} {
		f.Add(s)
	}
	f.Fuzz(sameJSONValid)
}
