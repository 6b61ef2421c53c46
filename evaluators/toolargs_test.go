package evaluators

import (
	"strings"
	"testing"
)

// keyInOracle is keyIn as first written: the key lower-cased, looked up.
func keyInOracle(m map[string]bool, key string) bool { return m[strings.ToLower(key)] }

// toolClassOracle is what toolClass answers, per string, as first written.
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
	for _, m := range []map[string]bool{proseKeys, searchKeys, codeKeys, sqlKeys, argvKeys} {
		if got, want := keyIn(m, key), keyInOracle(m, key); got != want {
			t.Fatalf("keyIn(%q) = %v, want %v", key, got, want)
		}
	}
	tc := toolClass{name: tool}
	for range 2 { // the second answer is remembered
		if got, want := tc.prose(key), proseOracle(tool, key); got != want {
			t.Fatalf("prose(%q, %q) = %v, want %v", tool, key, got, want)
		}
		if got, want := tc.code(key), codeOracle(tool, key); got != want {
			t.Fatalf("code(%q, %q) = %v, want %v", tool, key, got, want)
		}
	}
}

// TestToolClassDifferential: the per-call classification and the
// allocation-free key lookups answer as lower-casing each key does.
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
