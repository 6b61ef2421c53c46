package spanmodel

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walked is what WalkJSONStrings gives for t: one "key|string" entry per
// string, strings with invalid UTF-8 replaced as encoding/json replaces it
// (a string without escapes is given as its bytes).
func walked(t string, maxDepth int, keys bool) ([]string, JSONWalkEnd) {
	var out []string
	end := WalkJSONStrings(t, maxDepth, keys, func(key, s string) bool {
		out = append(out, entry(key, s))
		return true
	})
	return out, end
}

func entry(key, s string) string {
	// string([]rune) turns each byte of invalid UTF-8 into U+FFFD.
	return fmt.Sprintf("%q|%q", string([]rune(key)), string([]rune(s)))
}

// jsonWalkRef is WalkJSONStrings's answer for a valid text, from
// encoding/json's tokens: values under their member's key or their
// array's and, with keys, keys under the key their object sits under.
func jsonWalkRef(t *testing.T, text string, keys bool) []string {
	type frame struct {
		object, wantKey bool
		outer, member   string
	}
	var stack []frame
	var out []string
	valueKey := func() string {
		if len(stack) == 0 {
			return ""
		}
		if f := stack[len(stack)-1]; f.object {
			return f.member
		}
		return stack[len(stack)-1].outer
	}
	afterValue := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				stack = append(stack, frame{object: v == '{', wantKey: v == '{', outer: valueKey()})
			} else {
				stack = stack[:len(stack)-1]
				afterValue()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				if keys {
					out = append(out, entry(stack[n-1].outer, v))
				}
				stack[n-1].member, stack[n-1].wantKey = v, false
			} else {
				out = append(out, entry(valueKey(), v))
				afterValue()
			}
		default:
			afterValue()
		}
	}
}

// sameJSONWalk holds WalkJSONStrings to encoding/json on text: json.Valid's
// answer unless the walk was too deep, and then the strings of the text,
// all of them or, too deep, the first ones.
func sameJSONWalk(t *testing.T, text string, maxDepth int) {
	for _, keys := range []bool{false, true} {
		got, end := walked(text, maxDepth, keys)
		valid := json.Valid([]byte(text))
		if end == JSONTooDeep {
			if valid {
				want := jsonWalkRef(t, text, keys)
				require.LessOrEqual(t, len(got), len(want), "%q", text)
				for i := range got {
					require.Equal(t, want[i], got[i], "%q: string %d", text, i)
				}
			}
			continue
		}
		require.Equal(t, valid, end == JSONWalked, "%q: end %d, json.Valid %v", text, end, valid)
		if valid {
			assert.Equal(t, jsonWalkRef(t, text, keys), got, "%q keys %v", text, keys)
		}
		// Without a visit the walk ends the same way.
		assert.Equal(t, end, WalkJSONStrings(text, maxDepth, keys, nil), "%q without a visit", text)
	}
}

var jsonWalkCases = []string{
	`{"city":"Boston","day":"tuesday","step":0}`, `{}`, `[]`, `[ ]`, ` { } `, `{"a":[]}`, `[[]]`, `[{}]`,
	`{"a":"x","b":["y",["z",{"c":"w"}],"v"],"d":"u"}`, `["a",["b"],"c"]`, `{"a":{"b":"c"},"d":"e"}`,
	`{"sql":["select 1",{"q":"drop table t"}],"n":[1,2,"x"]}`,
	`{"a":1`, `{"a":1}}`, `{"a":1,}`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{a:1}`, `{"a" 1}`, `{"a":1 "b":2}`,
	`{"a":1} x`, "\t{\"a\":\"b\"}\n", "\v{\"a\":\"b\"}",
	`[-0, 0, 1, -1, 10, 1.5, 1e5, 1E+5, 1e-5, -0.0e0]`, `[01]`, `[-]`, `[1.]`, `[.5]`, `[1e]`, `[+1]`,
	`[true,false,null]`, `[tru]`, `[nulll]`,
	`["a\"b","\\","\/","\b\f\n\r\t","\u0041","\u00e9","\uD83D\uDE00","\ud800"]`, `{"k\u0065y":"v\nw"}`,
	`["\x"]`, `["\u12"]`, `["a` + "\n" + `b"]`, `["a` + "\x00" + `"]`,
	"[\"\xff\xfe\"]", "{\"\xc3\":\"\xe2\x82\"}", "[\"\xff\\n\"]", `["unterminated]`, `["a\`,
	`{"a":"x","a":"y"}`, `[}`, `{]`, `[`, `{`, `"top"`, `42`, `null`, ``, `   `,
	strings.Repeat("[", 4) + `"s"` + strings.Repeat("]", 4),
	strings.Repeat("[", 5) + `"s"` + strings.Repeat("]", 5),
	`["a",` + strings.Repeat("[", 5) + `"s"` + strings.Repeat("]", 5) + `]`,
	`{"a":"b","c":` + strings.Repeat(`{"d":`, 5) + `"e"` + strings.Repeat("}", 6),
}

func TestWalkJSONStrings(t *testing.T) {
	for _, text := range jsonWalkCases {
		sameJSONWalk(t, text, 4)
		sameJSONWalk(t, text, 64)
	}

	text := `{"a":"x","b":["y",{"c":"z"}],"d":{"e":"w"}}`
	got, end := walked(text, 64, true)
	assert.Equal(t, JSONWalked, end)
	assert.Equal(t, []string{
		entry("", "a"), entry("a", "x"),
		entry("", "b"), entry("b", "y"), entry("b", "c"), entry("c", "z"),
		entry("", "d"), entry("d", "e"), entry("e", "w"),
	}, got)
	got, _ = walked(text, 64, false)
	assert.Equal(t, []string{entry("a", "x"), entry("b", "y"), entry("c", "z"), entry("e", "w")}, got)

	// The depth bound: maxDepth containers deep is read, one more is not.
	_, end = walked(strings.Repeat("[", 4)+strings.Repeat("]", 4), 4, false)
	assert.Equal(t, JSONWalked, end)
	got, end = walked(`["a",[[[["b"]]]],"c"]`, 4, false)
	assert.Equal(t, JSONTooDeep, end)
	assert.Equal(t, []string{entry("", "a")}, got)

	// A visit returning false stops the walk at once.
	var seen []string
	end = WalkJSONStrings(`{"a":"x","b":"y"}`, 64, true, func(_, s string) bool {
		seen = append(seen, s)
		return len(seen) < 2
	})
	assert.Equal(t, JSONStopped, end)
	assert.Equal(t, []string{"a", "x"}, seen)

	// Strings without escapes are the text's own bytes, invalid UTF-8
	// included; strings with escapes are decoded as encoding/json does.
	var raw []string
	WalkJSONStrings("[\"\xff\",\"\xff\\n\"]", 64, false, func(_, s string) bool {
		raw = append(raw, s)
		return true
	})
	assert.Equal(t, []string{"\xff", "\uFFFD\n"}, raw)
}

func FuzzWalkJSONStrings(f *testing.F) {
	for _, c := range jsonWalkCases {
		f.Add(c, 4)
	}
	f.Fuzz(func(t *testing.T, text string, depth int) {
		if depth < 1 || depth > 200 {
			depth = 64
		}
		sameJSONWalk(t, text, depth)
	})
}
