package evaluators

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
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
		for _, w := range n.byFirst[textmatch.LowerASCII(name[i])] {
			if textmatch.HasPrefixLowerASCII(name[i:], w) {
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

// keyKind says which of the key sets above a key of an argument is in:
// one lookup answers every question the checks ask about a key.
type keyKind uint8

const (
	keyProse keyKind = 1 << iota
	keySearch
	keyCode
	keySQL
	keyArgv
)

// keyKinds is proseKeys, searchKeys, codeKeys, sqlKeys and argvKeys in one
// map.
var keyKinds = func() map[string]keyKind {
	m := map[string]keyKind{}
	for kind, set := range map[keyKind]map[string]bool{keyProse: proseKeys, keySearch: searchKeys, keyCode: codeKeys, keySQL: sqlKeys, keyArgv: argvKeys} {
		for k := range set {
			m[k] |= kind
		}
	}
	return m
}()

// kindOf returns the sets key, lower-cased, is in. Most keys of tool
// arguments (a city, a date, a step) are in none, and an ASCII key is
// turned away by its length and its first two bytes, lower-cased
// (keyShapes), before the map is read (TestKindOfDifferential). A
// non-ASCII key is always looked up: lower-casing it may change its
// length ("K" as the Kelvin sign is three bytes).
func kindOf(key string) keyKind {
	if n := len(key); n > 0 && n < 64 {
		sh := &keyShapes[textmatch.LowerASCII(key[0])]
		if (sh.lens&(1<<n) == 0 || n > 1 && sh.seconds&secondLetterBit(key[1]) == 0) && isASCII(key) {
			return 0
		}
	}
	return lookupLower(keyKinds, key)
}

// keyShape is what keyKinds' keys starting with one byte look like: their
// lengths (bit 1<<len) and their second bytes (secondLetterBit).
type keyShape struct{ lens, seconds uint64 }

// keyShapes holds the keyShape of keyKinds' keys by first byte.
var keyShapes = func() (t [256]keyShape) {
	for k := range keyKinds {
		if len(k) == 0 || len(k) >= 64 {
			panic("argument key out of keyShapes' range: " + k) // ours
		}
		sh := &t[k[0]]
		sh.lens |= 1 << len(k)
		if len(k) > 1 {
			sh.seconds |= secondLetterBit(k[1])
		}
	}
	return t
}()

// secondLetterBit is the bit of byte b in keyShape.seconds: 1<<0 to 1<<25
// for the letters in either case, 1<<31 for every other byte. b|0x20 is
// in a-z exactly when b is an ASCII letter, which it then lower-cases.
func secondLetterBit(b byte) uint64 {
	if d := (b | 0x20) - 'a'; d < 26 {
		return 1 << d
	}
	return 1 << 31
}

// toolClass is what a tool's name says about its string arguments, worked
// out at most once per call however many strings it has (the checks ask
// for every string).
type toolClass struct {
	name                 string
	searchDone, search   bool
	codeDone, codeRunner bool
}

// toolNameClass is everything the checks read from a tool's name.
type toolNameClass struct {
	search, code bool   // isSearchTool, isCodeTool
	cli          string // cliName
	destructive  bool   // the name matches destructiveToolName
}

func classifyToolName(name string) toolNameClass {
	return toolNameClass{
		search:      isSearchTool(name),
		code:        isCodeTool(name),
		cli:         cliName(name),
		destructive: mayNameDestruction(name) && destructiveToolName.MatchString(name),
	}
}

// toolNames remembers, for one view, the classes of the last tool names
// it met: an agent calls a few tools over and over, on span after span,
// and comparing a name costs less than reading it again. A class is a
// function of the name alone, so a remembered one is the one reading the
// name gives (TestToolNamesDifferential). Names are copied, so that no
// span's attribute outlives it here, and bounded in number and length.
type toolNames struct {
	names   [maxToolNames]string
	classes [maxToolNames]toolNameClass
	next    int // the entry replaced next
}

const (
	maxToolNames   = 8
	maxToolNameLen = 64
)

// of returns the class of name.
func (t *toolNames) of(name string) toolNameClass {
	for i := range t.names {
		if t.names[i] == name && name != "" {
			return t.classes[i]
		}
	}
	c := classifyToolName(name)
	if name != "" && len(name) <= maxToolNameLen {
		t.names[t.next], t.classes[t.next] = strings.Clone(name), c
		t.next = (t.next + 1) % maxToolNames
	}
	return c
}

// toolNameOn returns the class of a tool name on the span v reads
// (remembered with v's check scratch), or of the name alone when v is nil.
func toolNameOn(v *spanmodel.View, name string) toolNameClass {
	if v == nil {
		return classifyToolName(name)
	}
	return scratchOf(v).names.of(name)
}

// class is the toolClass of a call of tool, a name of class c.
func (c toolNameClass) class(tool string) toolClass {
	return toolClass{name: tool, searchDone: true, search: c.search, codeDone: true, codeRunner: c.code}
}

// prose reports whether the string under a key of kind k in a call of the
// tool is natural language rather than a command or a statement.
func (t *toolClass) prose(k keyKind) bool {
	if k&keyProse != 0 {
		return true
	}
	if k&keySearch == 0 {
		return false
	}
	if !t.searchDone {
		t.search, t.searchDone = isSearchTool(t.name), true
	}
	return t.search
}

// code reports whether the string under a key of kind k in a call of the
// tool is source code.
func (t *toolClass) code(k keyKind) bool {
	if k&keyCode != 0 {
		return true
	}
	if !t.codeDone {
		t.codeRunner, t.codeDone = isCodeTool(t.name), true
	}
	return t.codeRunner && k&keyProse == 0
}

// keyIn reports whether m holds key lower-cased (strings.ToLower).
func keyIn(m map[string]bool, key string) bool { return lookupLower(m, key) }

// lookupLower returns m's value for key lower-cased (strings.ToLower),
// without allocating for the short ASCII keys arguments have: on ASCII,
// ToLower only maps A-Z, which is what the copy does.
func lookupLower[V any](m map[string]V, key string) V {
	var buf [32]byte
	if len(key) > len(buf) {
		return m[strings.ToLower(key)]
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= utf8.RuneSelf {
			return m[strings.ToLower(key)]
		}
		buf[i] = textmatch.LowerASCII(c)
	}
	return m[string(buf[:len(key)])]
}

var errArgsTooDeep = errors.New("arguments nested deeper than 64")

// decodeArguments decodes a call's JSON object or array arguments; ok is
// false for arguments that are not one (a raw command line, say).
func decodeArguments(raw string) (v any, ok bool, err error) {
	t := strings.TrimSpace(raw)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return nil, false, nil
	}
	// One pass gives validity and depth; past the depth bound validity
	// is still to be read.
	switch spanmodel.WalkJSONStrings(t, maxJSONDepth, false, nil) {
	case spanmodel.JSONInvalid:
		return nil, false, nil
	case spanmodel.JSONTooDeep:
		if !jsonValid(t) {
			return nil, false, nil
		}
		return nil, false, errArgsTooDeep
	}
	d := json.NewDecoder(strings.NewReader(t))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, false, nil
	}
	return v, true, nil
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

// argWalks records, for one span, what eachArgString gives for the
// arguments of its first maxArgWalks calls: destructive_action and
// sql_safety both read every string of every call, and the second reads
// the record instead of checking and walking the JSON again.
type argWalks struct {
	walks []argWalk
	n     int // walks in use
}

// maxArgWalks bounds the calls recorded per span; the record holds
// substrings of the arguments (and the unescaped strings eachArgString
// makes anyway), so it is bounded by the arguments themselves.
const maxArgWalks = 16

type argWalk struct {
	text       string
	keys, strs []string
	kinds      []keyKind // kindOf each key
	err        error
	// valid is jsonValid(text) when text is trimmed (strings.TrimSpace)
	// and opens with '{' or '[' (see jsonValidOn); unset otherwise.
	valid bool
}

// add records one string the walk gives.
func (w *argWalk) add(key, s string) {
	k := keyKind(0)
	if n := len(w.keys); n > 0 && w.keys[n-1] == key {
		k = w.kinds[n-1] // the strings of one array share their key
	} else {
		k = kindOf(key)
	}
	w.keys, w.kinds, w.strs = append(w.keys, key), append(w.kinds, k), append(w.strs, s)
}

// fill records what walkArgStrings gives for w.text, reading a JSON text
// once (spanmodel.WalkJSONStrings) instead of validating it and then
// walking it: the strings recorded are dropped when the text turns out
// not to be JSON.
func (w *argWalk) fill() {
	w.keys, w.kinds, w.strs, w.err, w.valid = w.keys[:0], w.kinds[:0], w.strs[:0], nil, false
	t := strings.TrimSpace(w.text)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		w.add("", w.text)
		return
	}
	switch spanmodel.WalkJSONStrings(t, maxJSONDepth, false, w.record) {
	case spanmodel.JSONWalked:
		w.valid = true
		return
	case spanmodel.JSONTooDeep:
		// The strings before the bound are the walk's; whether they
		// stand depends on the rest of the text.
		if w.valid = jsonValid(t); w.valid {
			w.err = errArgsTooDeep
			return
		}
	}
	clear(w.keys)
	clear(w.strs)
	w.keys, w.kinds, w.strs = w.keys[:0], w.kinds[:0], w.strs[:0]
	w.add("", w.text)
}

// record is fill's visit.
func (w *argWalk) record(key, s string) bool {
	w.add(key, s)
	return true
}

// eachArgKindOn is eachArgString(text, fn) for an argument text of a tool
// call of the span v reads, walking it once per span and giving fn each
// key's kind (kindOf) too, looked up once per key and span: sql_safety and
// destructive_action both read every string of every call. fn gets the
// same strings in the same order, the walk stops where fn says, and the
// error is the walk's (TestArgWalksDifferential). eachArgString is a
// function of text alone, so its record answers for the same text again.
func eachArgKindOn(v *spanmodel.View, text string, fn func(key string, k keyKind, s string) bool) error {
	var w *argWalk
	if v != nil {
		s := scratchOf(v)
		s.onSpan(v)
		w = s.args.find(v, text)
	}
	if w == nil {
		return eachArgString(text, func(key, s string) bool { return fn(key, kindOf(key), s) })
	}
	for i, k := range w.keys {
		if !fn(k, w.kinds[i], w.strs[i]) {
			return nil
		}
	}
	return w.err
}

// reset empties the record, dropping its references to the last span's
// strings.
func (a *argWalks) reset() {
	for i := 0; i < a.n; i++ {
		w := &a.walks[i]
		clear(w.keys)
		clear(w.strs)
		*w = argWalk{keys: w.keys[:0], kinds: w.kinds[:0], strs: w.strs[:0]}
	}
	a.n = 0
}

// find returns the record of text on the span v reads, walking it first
// when it has none; nil when the record is full.
func (a *argWalks) find(v *spanmodel.View, text string) *argWalk {
	for i := 0; i < a.n; i++ {
		if a.walks[i].text == text {
			return &a.walks[i]
		}
	}
	if a.n == maxArgWalks {
		return nil
	}
	if a.n == len(a.walks) {
		a.walks = append(a.walks, argWalk{})
	}
	w := &a.walks[a.n]
	a.n++
	w.text = text
	w.fill()
	return w
}

// eachArgString calls fn with every string value of JSON arguments and the
// object key it sits under (array elements take their array's key), or
// with "" and the text itself when it is not a JSON object or array. It
// walks the text without decoding it; fn returns false to stop.
func eachArgString(text string, fn func(key, s string) bool) error {
	return walkArgStrings(nil, text, fn)
}

// walkArgStrings is eachArgString for a text of the span v reads (nil:
// of none), asking jsonValidOn.
func walkArgStrings(v *spanmodel.View, text string, fn func(key, s string) bool) error {
	t := strings.TrimSpace(text)
	if t == "" || (t[0] != '{' && t[0] != '[') || !jsonValidOn(v, t) {
		fn("", text)
		return nil
	}
	if spanmodel.WalkJSONStrings(t, maxJSONDepth, false, fn) == spanmodel.JSONTooDeep {
		return errArgsTooDeep
	}
	return nil
}
