package evaluators

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// Tool arguments mix commands and SQL with natural language: a search
// query, an e-mail body, a commit message, a ticket's title, a regex for a
// code search, the content of a file being written. Those are data the
// tool reads, not actions it runs, so the destructive_action and sql_safety
// checks skip them. The key a string sits under says which it is.

// proseKeys hold natural language whatever the tool.
var proseKeys = map[string]bool{
	"body": true, "text": true, "message": true, "msg": true, "description": true, "desc": true,
	"summary": true, "title": true, "subject": true, "content": true, "contents": true, "comment": true,
	"comments": true, "note": true, "notes": true, "question": true, "prompt": true, "pattern": true,
	"regex": true, "caption": true, "reason": true, "explanation": true, "markdown": true, "html": true,
	"answer": true, "reply": true, "commit_message": true, "details": true, "label": true, "name": true,
}

// searchKeys hold natural language in search tools' calls.
var searchKeys = map[string]bool{
	"query": true, "q": true, "search": true, "search_query": true, "keywords": true, "term": true,
	"terms": true, "text_query": true,
}

// isSearchTool reports tools that look things up rather than run them.
func isSearchTool(tool string) bool { return searchToolWords.in(tool) }

var searchToolWords = newNameWords("search", "lookup", "retriev", "browse", "google", "bing", "duckduckgo", "tavily", "serp")

// nameWords are lower-case ASCII words looked for in tool names.
type nameWords struct {
	words   []string
	byFirst [256][]string // the words by their first byte
}

func newNameWords(words ...string) *nameWords {
	n := &nameWords{words: words}
	for _, w := range words {
		n.byFirst[w[0]] = append(n.byFirst[w[0]], w)
	}
	return n
}

// in reports whether name lower-cased (strings.ToLower) contains one of
// the words. An ASCII name is read in place, in one pass: an occurrence
// of a word starts at a byte equal to its first, ToLower on ASCII maps only
// A-Z, and the words are lower-case ASCII (TestNameWords). Other names are
// lower-cased and searched word by word (inSlow).
func (n *nameWords) in(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return n.inSlow(name)
		}
	}
	for i := 0; i < len(name); i++ {
		for _, w := range n.byFirst[lowerASCII(name[i])] {
			if hasPrefixLowerASCII(name[i:], w) {
				return true
			}
		}
	}
	return false
}

// inSlow is in for any name.
func (n *nameWords) inSlow(name string) bool {
	t := strings.ToLower(name)
	for _, w := range n.words {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixLowerASCII reports whether s, A-Z lower-cased, starts with w.
func hasPrefixLowerASCII(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if lowerASCII(s[i]) != w[i] {
			return false
		}
	}
	return true
}

// proseArgument reports whether the string under key in a call of tool is
// natural language rather than a command or a statement.
func proseArgument(tool, key string) bool {
	t := toolClass{name: tool}
	return t.prose(key)
}

// toolClass is what a tool's name says about its string arguments, worked
// out at most once per call however many strings it has (the checks ask
// for every string).
type toolClass struct {
	name                 string
	searchDone, search   bool
	codeDone, codeRunner bool
}

// prose is proseArgument for the call's tool.
func (t *toolClass) prose(key string) bool {
	if keyIn(proseKeys, key) {
		return true
	}
	if !keyIn(searchKeys, key) {
		return false
	}
	if !t.searchDone {
		t.search, t.searchDone = isSearchTool(t.name), true
	}
	return t.search
}

// code is codeArgument for the call's tool.
func (t *toolClass) code(key string) bool {
	if keyIn(codeKeys, key) {
		return true
	}
	if !t.codeDone {
		t.codeRunner, t.codeDone = isCodeTool(t.name), true
	}
	return t.codeRunner && !keyIn(proseKeys, key)
}

// keyIn reports whether m holds key lower-cased (strings.ToLower), without
// allocating for the short ASCII keys arguments have: on ASCII, ToLower
// only maps A-Z, which is what the copy does.
func keyIn(m map[string]bool, key string) bool {
	var buf [32]byte
	if len(key) > len(buf) {
		return m[strings.ToLower(key)]
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= utf8.RuneSelf {
			return m[strings.ToLower(key)]
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return m[string(buf[:len(key)])]
}

var errArgsTooDeep = errors.New("arguments nested deeper than 64")

// decodeArguments decodes a call's JSON object or array arguments; ok is
// false for arguments that are not one (a raw command line, say).
func decodeArguments(raw string) (v any, ok bool, err error) {
	t := strings.TrimSpace(raw)
	if t == "" || (t[0] != '{' && t[0] != '[') || !jsonValid(t) {
		return nil, false, nil
	}
	if jsonDepth(t) > maxJSONDepth {
		return nil, false, errArgsTooDeep
	}
	d := json.NewDecoder(strings.NewReader(t))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, false, nil
	}
	return v, true, nil
}

// jsonDepth is the deepest nesting of valid JSON text.
func jsonDepth(t string) int {
	depth, deepest := 0, 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '{', '[':
			if depth++; depth > deepest {
				deepest = depth
			}
		case '}', ']':
			depth--
		case '"':
			for i++; i < len(t) && t[i] != '"'; i++ {
				if t[i] == '\\' {
					i++
				}
			}
		}
	}
	return deepest
}

// sqlStatementWords open SQL statements; a string starting with one (after
// comments and a Markdown fence) is read as SQL, anything else as a shell
// command line.
// Words that also start shell commands (if, set, exec, begin ...) are not
// among them.
var sqlStatementWords = map[string]bool{
	"select": true, "insert": true, "update": true, "delete": true, "drop": true, "truncate": true, "alter": true,
	"create": true, "with": true, "grant": true, "revoke": true, "execute": true, "do": true, "merge": true,
	"explain": true, "vacuum": true, "analyze": true, "prepare": true, "savepoint": true, "pragma": true,
	"refresh": true, "upsert": true,
}

func looksLikeSQL(s string) bool {
	for i := 0; i < 64; i++ {
		s = strings.TrimLeft(s, " \t\r\n")
		switch {
		case strings.HasPrefix(s, "```"):
			nl := strings.IndexByte(s, '\n')
			if nl < 0 {
				return false
			}
			s = s[nl+1:]
		case strings.HasPrefix(s, "--"), strings.HasPrefix(s, "#"):
			nl := strings.IndexByte(s, '\n')
			if nl < 0 {
				return false
			}
			s = s[nl+1:]
		case strings.HasPrefix(s, "/*"):
			e := strings.Index(s, "*/")
			if e < 0 {
				return false
			}
			s = s[e+2:]
		default:
			e := 0
			for e < len(s) && isWordStart(s[e]) {
				e++
			}
			return keyIn(sqlStatementWords, s[:e])
		}
	}
	return false
}

// eachArgString calls fn with every string value of JSON arguments and the
// object key it sits under (array elements take their array's key), or
// with "" and the text itself when it is not a JSON object or array. It
// walks the text without decoding it; fn returns false to stop.
func eachArgString(text string, fn func(key, s string) bool) error {
	t := strings.TrimSpace(text)
	if t == "" || (t[0] != '{' && t[0] != '[') || !jsonValid(t) {
		fn("", text)
		return nil
	}
	type container struct {
		object bool
		key    string // the key the container sits under
	}
	var stackBuf [16]container
	stack := stackBuf[:0]
	key := ""
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '{', '[':
			if len(stack) == maxJSONDepth {
				return errArgsTooDeep
			}
			stack = append(stack, container{object: t[i] == '{', key: key})
			if t[i] == '{' {
				key = ""
			}
		case '}', ']':
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && !stack[len(stack)-1].object {
				key = stack[len(stack)-1].key
			}
		case ',':
			if top := stack[len(stack)-1]; !top.object {
				key = top.key
			}
		case '"':
			str, j := jsonStringAt(t, i)
			k := j + 1
			for k < len(t) && (t[k] == ' ' || t[k] == '\t' || t[k] == '\n' || t[k] == '\r') {
				k++
			}
			if k < len(t) && t[k] == ':' && len(stack) > 0 && stack[len(stack)-1].object {
				key = str
			} else if !fn(key, str) {
				return nil
			}
			i = j
		}
	}
	return nil
}
