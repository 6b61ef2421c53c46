package evaluators

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel/spantest"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch/texttest"
)

// keyInOracle is keyIn as first written: the key lower-cased, looked up.
func keyInOracle(m map[string]bool, key string) bool { return m[strings.ToLower(key)] }

// proseOracle and codeOracle are what toolClass answers, per string, as
// first written (proseArgument and codeArgument).
func proseOracle(tool, key string) bool {
	k := strings.ToLower(key)
	return proseKeys[k] || searchKeys[k] && isSearchTool(tool)
}

func codeOracle(tool, key string) bool {
	k := strings.ToLower(key)
	return codeKeys[k] || isCodeTool(tool) && !proseKeys[k]
}

func sameToolArgs(t *testing.T, tool, key string) {
	t.Helper()
	k := kindOf(key)
	for kind, m := range map[keyKind]map[string]bool{keyProse: proseKeys, keySearch: searchKeys, keyCode: codeKeys, keySQL: sqlKeys, keyArgv: argvKeys} {
		want := keyInOracle(m, key)
		if got := keyIn(m, key); got != want {
			t.Fatalf("keyIn(%q) = %v, want %v", key, got, want)
		}
		if got := k&kind != 0; got != want {
			t.Fatalf("kindOf(%q) = %b: bit %b is %v, want %v", key, k, kind, got, want)
		}
	}
	tc := toolClass{name: tool}
	for range 2 { // the second answer is remembered
		if got, want := tc.prose(k), proseOracle(tool, key); got != want {
			t.Fatalf("prose(%q, %q) = %v, want %v", tool, key, got, want)
		}
		if got, want := tc.code(k), codeOracle(tool, key); got != want {
			t.Fatalf("code(%q, %q) = %v, want %v", tool, key, got, want)
		}
	}
}

// TestToolClassDifferential: the per-call classification, the key kinds and
// the allocation-free key lookups answer as lower-casing each key and
// looking it up in each set does.
func TestToolClassDifferential(t *testing.T) {
	tools := []string{"bash", "web_search", "SearchDocs", "python", "Code_Interpreter", "run_sql", "kubectl", "K"}
	keys := []string{"query", "Query", "QUERY", "code", "Code", "text", "TEXT", "command", "Cmd", "sql", "SQL_Query",
		"K", "ſql", "İ", strings.Repeat("q", 40), "", "script", "Body"}
	for _, tool := range tools {
		for _, key := range keys {
			sameToolArgs(t, tool, key)
		}
	}
	for _, s := range corpusTexts(t) {
		if len(s) < 64 {
			sameToolArgs(t, s, s)
		}
	}
}

func FuzzToolClass(f *testing.F) {
	f.Add("web_search", "Query")
	f.Add("python", "code")
	f.Add("ſearch", "\u212aey")
	f.Fuzz(sameToolArgs)
}

func sameNameWords(t *testing.T, name string) {
	t.Helper()
	for _, n := range []*nameWords{codeToolWords, searchToolWords} {
		if got, want := n.in(name), n.inSlow(name); got != want {
			t.Fatalf("in(%q) = %v, want %v", name, got, want)
		}
	}
}

// sameKindOf checks kindOf against looking key up lower-cased.
func sameKindOf(t *testing.T, key string) {
	t.Helper()
	if got, want := kindOf(key), keyKinds[strings.ToLower(key)]; got != want {
		t.Fatalf("kindOf(%q) = %b, looked up lower-cased %b", key, got, want)
	}
}

// TestKindOfDifferential: kindOf, which turns most keys away by their
// shape, answers as the lookup of the key lower-cased does: for every key
// of every set in three cases, its prefixes and extensions, and keys
// whose lower-casing changes their length or first bytes.
func TestKindOfDifferential(t *testing.T) {
	var pieces []string
	for k := range keyKinds {
		for _, v := range []string{k, strings.ToUpper(k), strings.ToUpper(k[:1]) + k[1:]} {
			sameKindOf(t, v)
			for i := range len(v) {
				sameKindOf(t, v[:i])
				sameKindOf(t, v[:i]+"_")
			}
			sameKindOf(t, v+"s")
		}
		pieces = append(pieces, k[:1], k[1:min(3, len(k))])
	}
	for _, k := range []string{"city", "day", "step", "\u212Aey", "\u212Aeywords", "\u212AEYWORDS", "\u212Aode", "cOdE", "sQL", "q", "Q", "\u0130d", "tExt", "_id", "c@de", "s\x7fl", strings.Repeat("q", 70)} {
		sameKindOf(t, k)
	}
	pieces = append(pieces, "\u212A", "\u0130", "_", "@", "`", "{", "\xff")
	for _, s := range texttest.Mixes(3, 20000, 4, pieces) {
		sameKindOf(t, s)
	}
}

func FuzzKindOf(f *testing.F) {
	for _, k := range []string{"query", "City", "\u212Aey", "SQL_query"} {
		f.Add(k)
	}
	f.Fuzz(sameKindOf)
}

// TestNameWords: the one-pass search of a tool's name finds what
// lower-casing it and searching word by word finds.
func TestNameWords(t *testing.T) {
	for _, s := range append(corpusTexts(t), "Code_Interpreter", "WebSEARCH", "my_repl2", "Bing", "SERPapi", "rub", "",
		"ſearch", "PYTHON3", "x"+strings.Repeat("y", 100)+"Sandbox") {
		sameNameWords(t, s)
	}
	if !isCodeTool("Code_Interpreter") || !isSearchTool("WebSEARCH") || isCodeTool("search_flights") {
		t.Fatal("tool names misread")
	}
}

func FuzzNameWords(f *testing.F) {
	f.Add("Code_Interpreter")
	f.Add("duckDuckGo")
	f.Fuzz(sameNameWords)
}

// walkCalls records what eachArgString-like walk gives fn when fn stops
// after stop strings (never when stop < 0), and its error.
func walkCalls(walk func(string, func(k, s string) bool) error, text string, stop int) ([]string, error) {
	var got []string
	err := walk(text, func(k, s string) bool {
		got = append(got, k+"\x00"+s)
		return stop < 0 || len(got) < stop
	})
	return got, err
}

func sameArgWalks(t *testing.T, v *spanmodel.View, texts ...string) {
	t.Helper()
	// on walks with eachArgKindOn, requiring each key's kind to be
	// kindOf's.
	on := func(text string, fn func(k, s string) bool) error {
		return eachArgKindOn(v, text, func(key string, k keyKind, s string) bool {
			if k != kindOf(key) {
				t.Fatalf("%q: key %q of kind %b, kindOf says %b", text, key, k, kindOf(key))
			}
			return fn(key, s)
		})
	}
	for _, stop := range []int{-1, 1, 2, 0} {
		for _, text := range texts {
			want, wantErr := walkCalls(eachArgString, text, stop)
			got, gotErr := walkCalls(on, text, stop)
			if !reflect.DeepEqual(got, want) || !errors.Is(gotErr, wantErr) || (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("%q (stop %d): recorded walk %q, %v; walk %q, %v", text, stop, got, gotErr, want, wantErr)
			}
		}
	}
}

// TestArgWalksDifferential: reading a span's tool arguments through its
// record gives every check what walking them gives, in order, stopping
// where the check stops, with the walk's error; on a new span the record
// starts again, and past maxArgWalks calls the texts are walked directly.
func TestArgWalksDifferential(t *testing.T) {
	v := viewOf(t, toolSpan("bash", `{"command":"ls"}`)...)
	deep := strings.Repeat(`{"a":"x",`, 70) + `"b":1` + strings.Repeat("}", 70)
	texts := []string{`{"command":"ls","query":"SELECT 1"}`, `  {"a":["x","y"],"b":{"c":"d"}} `, `{"SQL":["a","b"],"Query":"c","Code":"d"}`, `rm -rf /`, `{"a":1`, deep, ``,
		`{"q":"a\u0020b\\\"c"}`, `["bash","-lc","rm -rf x"]`}
	sameArgWalks(t, v, texts...)
	sameArgWalks(t, v, texts...) // from the record
	many := make([]string, 0, 2*maxArgWalks)
	for i := range 2 * maxArgWalks {
		many = append(many, `{"n":"`+strings.Repeat("x", i)+`"}`)
	}
	sameArgWalks(t, v, many...)
	v.Reset(spantest.NewSpan(t, toolSpan("bash", `{"command":"pwd"}`)...)) // a new span
	sameArgWalks(t, v, corpusTexts(t)...)
	sameArgWalks(t, nil, texts...)
}

func FuzzArgWalks(f *testing.F) {
	f.Add(`{"command":"ls","query":"SELECT 1"}`, `{"a":["x"]}`)
	f.Add(`rm -rf /`, `{"a":"\u0041"}`)
	v := viewOf(f, toolSpan("bash", `{}`)...)
	f.Fuzz(func(t *testing.T, a, b string) {
		v.Reset(spantest.NewSpan(t, toolSpan("bash", `{}`)...))
		// validity asked first, as tool_call does, records a's walk
		if got, want := jsonValidOn(v, a), jsonValid(a); got != want {
			t.Fatalf("%q: remembered validity %v, jsonValid %v", a, got, want)
		}
		sameArgWalks(t, v, a, b, a)
		if got, want := jsonValidOn(v, b), jsonValid(b); got != want {
			t.Fatalf("%q: remembered validity %v, jsonValid %v", b, got, want)
		}
	})
}

// sameToolNames asks the view's remembered names for each name, in order,
// and requires what reading the name gives, and the readings to be the
// checks' own functions.
func sameToolNames(t *testing.T, v *spanmodel.View, names ...string) {
	t.Helper()
	for _, name := range names {
		want := toolNameClass{
			search:      isSearchTool(name),
			code:        isCodeTool(name),
			cli:         cliName(name),
			destructive: mayNameDestruction(name) && destructiveToolName.MatchString(name),
		}
		if got := classifyToolName(name); got != want {
			t.Fatalf("classifyToolName(%q) = %+v, want %+v", name, got, want)
		}
		if got := toolNameOn(v, name); got != want {
			t.Fatalf("remembered class of %q = %+v, want %+v", name, got, want)
		}
	}
}

// TestToolNamesDifferential: the classes a view remembers for tool names,
// across spans, past its bound and for names too long to keep, are what
// reading each name gives; the names kept are copies.
func TestToolNamesDifferential(t *testing.T) {
	v := viewOf(t, toolSpan("bash", `{}`)...)
	names := []string{"search_flights", "get_seat_map", "book_flight", "bash", "kubectl", "Code_Interpreter", "web_search",
		"delete_user", "bulkDeleteUsers", "drop_table", "DropTable", "", "x" + strings.Repeat("y", 100) + "_delete", "ſearch", "K"}
	sameToolNames(t, v, names...)
	sameToolNames(t, v, names...) // remembered, or pushed out by the others
	for i := range 3 * maxToolNames {
		sameToolNames(t, v, "tool_"+strings.Repeat("d", i), "search_flights")
	}
	v.Reset(spantest.NewSpan(t, toolSpan("git", `{}`)...)) // kept across spans
	sameToolNames(t, v, names...)
	for _, s := range corpusTexts(t) {
		if len(s) < 80 {
			sameToolNames(t, v, s, s)
		}
	}
	sameToolNames(t, nil, names...)
	kept := &scratchOf(v).names
	for i, n := range kept.names {
		if n != "" && len(n) > maxToolNameLen {
			t.Fatalf("name %d kept although longer than %d", i, maxToolNameLen)
		}
	}
	name := strings.Repeat("b", 3) + "_flight" // built at run time
	toolNameOn(v, name)
	for _, n := range kept.names {
		if n == name && unsafe.StringData(n) == unsafe.StringData(name) {
			t.Fatal("the name kept is the span's, not a copy")
		}
	}
}

func FuzzToolNames(f *testing.F) {
	f.Add("search_flights", "delete_user", "kubectl")
	f.Add("ſearch", "Drop", "")
	v := viewOf(f, toolSpan("bash", `{}`)...)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		sameToolNames(t, v, a, b, a, c, b, a)
	})
}

// TestJSONValidOnDifferential: the validity a span remembers for a text
// is jsonValid's, for more texts than it remembers, on a new span, and
// without a view.
func TestJSONValidOnDifferential(t *testing.T) {
	v := viewOf(t, toolSpan("bash", `{}`)...)
	texts := []string{`{"city":"Boston","day":"tuesday","step":0}`, `{"a":1`, `{}`, `[1,2]`, ``, `rm -rf /`, `{"a":"\u00"}`,
		strings.Repeat("[", 200) + strings.Repeat("]", 200), `{"a":1} x`}
	for i := range 2 * maxValidMemos {
		texts = append(texts, `{"n":`+strings.Repeat("1", i+1)+`}`, `{"n":`+strings.Repeat("1", i+1))
	}
	check := func(v *spanmodel.View, texts []string) {
		for range 2 {
			for _, s := range texts {
				if got, want := jsonValidOn(v, s), jsonValid(s); got != want {
					t.Fatalf("%q: remembered %v, jsonValid %v", s, got, want)
				}
			}
		}
	}
	check(v, texts)
	v.Reset(spantest.NewSpan(t, toolSpan("git", `{}`)...))
	check(v, corpusTexts(t))
	check(nil, texts)
}

// TestDecodeArgumentsDepth: arguments nested past maxJSONDepth are an
// error only when they are JSON; text that is not JSON, deep or not, is
// not arguments to decode.
func TestDecodeArgumentsDepth(t *testing.T) {
	deep := strings.Repeat(`{"a":`, maxJSONDepth+1) + "1" + strings.Repeat("}", maxJSONDepth+1)
	for _, tc := range []struct {
		raw     string
		ok      bool
		tooDeep bool
	}{
		{`{"cmd":"ls"}`, true, false},
		{strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth), true, false},
		{`{"cmd":"ls"`, false, false},
		{deep, false, true},
		{deep[:len(deep)-1], false, false}, // deep and cut short: not JSON
		{"rm -rf /", false, false},
	} {
		_, ok, err := decodeArguments(tc.raw)
		if ok != tc.ok || errors.Is(err, errArgsTooDeep) != tc.tooDeep || (err != nil) != tc.tooDeep {
			t.Errorf("%.40q: ok %v, err %v", tc.raw, ok, err)
		}
	}
}
