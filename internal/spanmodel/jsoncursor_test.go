package spanmodel

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSkipStr(t *testing.T) {
	long := strings.Repeat("abcdefgh", 5)
	for _, tc := range []struct {
		name       string
		in         string // the cursor is at in[0]
		ok         bool
		end        int // cursor after the closing quote (ok only)
		esc, ascii bool
	}{
		{"empty", `""`, true, 2, false, true},
		{"plain", `"hello" ,`, true, 7, false, true},
		{"long plain", `"` + long + `"x`, true, 42, false, true},
		{"escape", `"a\nb"`, true, 6, true, true},
		{"all escapes", `"\"\\\/\b\f\n\r\t\u00e9"`, true, 24, true, true},
		{"quote after escaped backslash", `"ab\\"`, true, 6, true, true},
		{"escaped quote in a word", `"abcdefg\"hijklmnop"`, true, 20, true, true},
		{"non-ASCII", `"café"`, true, 7, false, false},
		{"non-ASCII then a long run", `"é` + long + `"`, true, 44, false, false},
		{"long run then non-ASCII", `"` + long + `é"`, true, 44, false, false},
		{"non-ASCII then escape", `"é` + long + `\n"`, true, 46, true, false},
		{"invalid UTF-8 is content", "\"\xff\xfe\"", true, 4, false, false},
		{"not at a quote", `abc"`, false, 0, false, false},
		{"unterminated", `"abc`, false, 0, false, false},
		{"unterminated long", `"` + long, false, 0, false, false},
		{"unterminated after non-ASCII", `"é` + long, false, 0, false, false},
		{"control character", "\"a\tb\"", false, 0, false, false},
		{"control character after non-ASCII", "\"é" + long + "\x01\"", false, 0, false, false},
		{"control character in a long run", "\"" + long + "\n" + long + "\"", false, 0, false, false},
		{"invalid escape", `"\x"`, false, 0, false, false},
		{"single-quote escape", `"\'"`, false, 0, false, false},
		{"short \\u", `"\u12"`, false, 0, false, false},
		{"\\u with a non-hex digit", `"\u12g4"`, false, 0, false, false},
		{"backslash at the end", `"\`, false, 0, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := jsonCursor{s: tc.in}
			esc, ascii, ok := c.skipStr()
			assert.Equal(t, tc.ok, ok, "ok")
			if tc.ok {
				assert.Equal(t, tc.end, c.i, "end")
				assert.Equal(t, tc.esc, esc, "esc")
				assert.Equal(t, tc.ascii, ascii, "ascii")
			}
		})
	}
}

// skipStr agrees with encoding/json on which strings are valid, and with a
// byte-at-a-time reading on where they end and what they hold, for random
// strings made of the bytes that matter.
func TestSkipStrRandom(t *testing.T) {
	alphabet := []string{"a", "b", " ", `"`, `\`, "n", "u", "0", "D", "\x1f", "\x7f", "é", "\xff", `\n`, `\"`, `\\`, `\u00e9`, "12345678"}
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 20000; n++ {
		var b strings.Builder
		b.WriteByte('"')
		for k := r.IntN(24); k > 0; k-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		in := b.String()
		c := jsonCursor{s: in}
		esc, ascii, ok := c.skipStr()
		// The reference: the first closing quote, reading escapes.
		end, wantEsc, wantASCII := -1, false, true
		for i := 1; i < len(in); i++ {
			if in[i] == '\\' {
				wantEsc = true
				i++
				if i < len(in) && in[i] == 'u' {
					i += 4
				}
				continue
			}
			if in[i] >= 0x80 {
				wantASCII = false
			}
			if in[i] == '"' {
				end = i + 1
				break
			}
		}
		valid := end > 0 && json.Valid([]byte(in[:end]))
		if ok != valid {
			t.Fatalf("%q: ok %v, encoding/json valid %v", in, ok, valid)
		}
		if ok && (c.i != end || esc != wantEsc || ascii != wantASCII) {
			t.Fatalf("%q: end %d esc %v ascii %v, want %d %v %v", in, c.i, esc, ascii, end, wantEsc, wantASCII)
		}
	}
}

// TestASCIIStopMatchesByteLoop: the word-at-a-time search stops at the
// first byte the plain byte loop stops at, from every start, in strings
// that put each kind of stop byte at every position of a word.
func TestASCIIStopMatchesByteLoop(t *testing.T) {
	stops := []byte{'"', '\\', 0, 0x1f, 0x80, 0xc3, 0xff}
	plain := []byte{' ', '!', '#', 'a', '[', ']', 0x7f, 0x20, '0'}
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 20000; n++ {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(6) == 0 {
				b[i] = stops[r.IntN(len(stops))]
			} else {
				b[i] = plain[r.IntN(len(plain))]
			}
		}
		s := string(b)
		for from := 0; from <= len(s); from++ {
			want := from
			for want < len(s) && !(s[want] == '"' || s[want] == '\\' || s[want] < 0x20 || s[want] >= 0x80) {
				want++
			}
			if got := asciiStop(s, from); got != want {
				t.Fatalf("%q from %d: asciiStop %d, want %d", s, from, got, want)
			}
		}
	}
}

// TestValidJSONMatchesEncodingJSON: the history scanner's grammar checks
// (msgScanner.value, the items read with more) accept exactly what
// json.Valid accepts, on random documents of JSON's tokens and broken
// ones, and leave undecided only what nests deeper than scanMaxDepth.
func TestValidJSONMatchesEncodingJSON(t *testing.T) {
	tokens := []string{"{", "}", "[", "]", ",", ":", `"k"`, `"v\n"`, `"\u00e9"`, `"é"`, `"\x01"`, `"`, "1", "-0.5e+3", "01", "1.", "true", "nul", "null", " ", "\n", `"type"`, "x"}
	r := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 50000; n++ {
		var b strings.Builder
		for k := r.IntN(16); k > 0; k-- {
			b.WriteString(tokens[r.IntN(len(tokens))])
		}
		s := b.String()
		valid, decided := ValidJSON(s)
		if !decided {
			t.Fatalf("%q: undecided", s)
		}
		if want := json.Valid([]byte(s)); valid != want {
			t.Fatalf("%q: ValidJSON %v, json.Valid %v", s, valid, want)
		}
	}
	for _, depth := range []int{scanMaxDepth - 1, scanMaxDepth, scanMaxDepth + 1, scanMaxDepth + 2} {
		for _, doc := range []string{
			strings.Repeat("[", depth) + strings.Repeat("]", depth),
			strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth),
			strings.Repeat("[", depth) + strings.Repeat("]", depth-1),
		} {
			valid, decided := ValidJSON(doc)
			want := json.Valid([]byte(doc))
			if decided && valid != want {
				t.Fatalf("depth %d %.20q: ValidJSON %v, json.Valid %v", depth, doc, valid, want)
			}
			if !decided && depth <= scanMaxDepth-1 {
				t.Fatalf("depth %d: undecided", depth)
			}
		}
	}
}

// asciiStopRef is asciiStop byte by byte.
func asciiStopRef(s string, i int) int {
	for i < len(s) && !asciiStopByte[s[i]] {
		i++
	}
	return i
}

// TestWordStopMaskFirstByte: the lowest byte wordStopMask flags is the
// first byte asciiStop stops at, for every pair of adjacent bytes (where a
// borrow of the word tests could reach) at every place in a word.
func TestWordStopMaskFirstByte(t *testing.T) {
	w := []byte("abcdefgh")
	for pos := 0; pos < 7; pos++ {
		for c1 := 0; c1 < 256; c1++ {
			for c2 := 0; c2 < 256; c2++ {
				copy(w, "abcdefgh")
				w[pos], w[pos+1] = byte(c1), byte(c2)
				want := asciiStopRef(string(w), 0)
				got := 8
				if m := wordStopMask(binary.LittleEndian.Uint64(w)); m != 0 {
					got = bits.TrailingZeros64(m) >> 3
				}
				if got != want {
					t.Fatalf("%q: wordStopMask stops at %d, want %d", w, got, want)
				}
			}
		}
	}
}

// FuzzAsciiStop: asciiStop is the byte loop.
func FuzzAsciiStop(f *testing.F) {
	for _, s := range []string{"", "a", `abcdefghijklmnopqrstuvwxyz"`, "abcdefghijklmnop\\q", "0123456789abcdef\x7f\x80", "short\x1f", strings.Repeat("x", 40) + "é"} {
		f.Add(s, 0)
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, i int) {
		if i < 0 || i > len(s) {
			return
		}
		if got, want := asciiStop(s, i), asciiStopRef(s, i); got != want {
			t.Fatalf("asciiStop(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}

// skipValueCases are JSON values and broken ones skipValue must treat as
// scanValue does: every type, nesting at and past scanMaxDepth, strings
// with escapes and non-ASCII bytes, broken numbers, literals and
// containers, and values followed by more text.
var skipValueCases = []string{
	`{"city":"Boston","day":"monday","step":0}`,
	`{"flights":["B6 123","DL 456"]}`,
	`[]`, `{}`, `[ ]`, `{ }`, ` {"a" : 1 , "b" :[ true,false ,null ] } `,
	`"plain"`, `"esc\n\"q\" \u00e9 \ud83d\ude00"`, `"caf` + "\xc3\xa9" + `"`, "\"bad\x01\"", `"open`, `"\x"`, `"\u12"`,
	`0`, `-0`, `12`, `-12.5e+3`, `1E9`, `01`, `-`, `1.`, `1e`, `1e+`, `.5`, `-a`,
	`true`, `false`, `null`, `tru`, `nul`, `fals`, `trueX`,
	`{"a":}`, `{"a" 1}`, `{a:1}`, `{"a":1,}`, `[1,]`, `[1 2]`, `{"a":1`, `[`, `{`, `]`, `,`, ``,
	`{"k":"v"} trailing`, `[{"x":[{"y":[1,{"z":null}]}]}]`,
	strings.Repeat("[", scanMaxDepth) + strings.Repeat("]", scanMaxDepth),
	strings.Repeat("[", scanMaxDepth+1) + strings.Repeat("]", scanMaxDepth+1),
	strings.Repeat(`{"a":`, scanMaxDepth+2) + "1" + strings.Repeat("}", scanMaxDepth+2),
	strings.Repeat("[", scanMaxDepth+3) + "x",
	`{"a":"` + strings.Repeat("long text ", 20) + `"}`,
}

// TestSkipValue: where value takes skipValue's answer, scanValue (the
// scan step by step it replaces) gives the same.
func TestSkipValue(t *testing.T) {
	for _, s := range skipValueCases {
		for _, depth := range []int{0, 4, scanMaxDepth - 1, scanMaxDepth} {
			checkSkipValue(t, s, 0, depth)
		}
	}
	// The fast path is taken on these (it is not always falling back).
	for _, s := range []string{`{"city":"Boston","step":0}`, `"esc\n"`, `-12.5e+3`, `[true,null]`} {
		j, ok := skipValue(s, 0, 0)
		assert.True(t, ok, s)
		assert.Equal(t, len(s), j, s)
	}
}

// checkSkipValue compares value, which tries skipValue first, with
// scanValue on s from i: the same position, bad and deep.
func checkSkipValue(t *testing.T, s string, i, depth int) {
	t.Helper()
	got := msgScanner{jsonCursor: jsonCursor{s: s, i: i}}
	got.value(depth)
	want := msgScanner{jsonCursor: jsonCursor{s: s, i: i}}
	want.scanValue(depth)
	if got.i != want.i || got.bad != want.bad || got.deep != want.deep {
		t.Fatalf("value(%q from %d, depth %d) = (i %d, bad %v, deep %v), scanValue gives (i %d, bad %v, deep %v)",
			s, i, depth, got.i, got.bad, got.deep, want.i, want.bad, want.deep)
	}
	if j, ok := skipValue(s, i, depth); ok && (want.bad || j != want.i) {
		t.Fatalf("skipValue(%q from %d, depth %d) = %d, ok; scanValue: i %d, bad %v", s, i, depth, j, want.i, want.bad)
	}
}

// FuzzSkipValue: value (skipValue where it succeeds) leaves the scanner
// as scanValue, the step-by-step scan, does.
func FuzzSkipValue(f *testing.F) {
	for _, s := range skipValueCases {
		f.Add(s, 0, 0)
	}
	f.Add(`[1, {"a": "b"}]`, 1, 3)
	f.Fuzz(func(t *testing.T, s string, i, depth int) {
		if i < 0 || i > len(s) || depth < 0 || depth > scanMaxDepth+2 {
			return
		}
		checkSkipValue(t, s, i, depth)
	})
}
