package evaluators

import "strings"

// SQLRisk is a kind of dangerous SQL statement.
type SQLRisk uint8

const (
	SQLDrop SQLRisk = iota
	SQLTruncate
	SQLAlter
	SQLGrant
	SQLRevoke
	SQLDeleteWithoutWhere
	SQLUpdateWithoutWhere
	numSQLRisks
)

var sqlRiskNames = [numSQLRisks]string{"drop", "truncate", "alter", "grant", "revoke", "delete_without_where", "update_without_where"}

func (r SQLRisk) String() string { return sqlRiskNames[r] }

// Bounds on what one scan reads: text beyond them is not examined.
const (
	maxSQLTokens     = 100_000
	maxSQLStatements = 1000
)

// sqlToken is one bare word outside strings, quoted identifiers and comments.
type sqlToken struct {
	start, end int
	depth      int // parenthesis depth
	stmt       int // statement number, from 1, split on ';'
}

// sqlLexer tokenises SQL well enough to find statement keywords: it skips
// single-quoted strings (a doubled quote or a backslash escapes one),
// double-quoted and backquoted identifiers, -- and # line comments, /* */
// comments and Postgres dollar-quoted strings.
type sqlLexer struct {
	toks []sqlToken
	// budget bounds the look-ahead of one scan (finding SET, TO or WHERE
	// after a keyword) to a few steps per token, so input made of many
	// UPDATE tokens stays linear. When it runs out, nothing more is
	// reported.
	budget int
}

func (l *sqlLexer) lex(s string) {
	l.toks = l.toks[:0]
	depth, stmt := 0, 1
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '`' && strings.HasPrefix(s[i:], "```"): // a Markdown code fence
			i += 3
		case c == '\'':
			i = skipQuoted(s, i+1, '\'', true)
		case c == '"' || c == '`':
			i = skipQuoted(s, i+1, c, false)
		case c == '-' && i+1 < len(s) && s[i+1] == '-', c == '#':
			if nl := strings.IndexByte(s[i:], '\n'); nl >= 0 {
				i += nl + 1
			} else {
				i = len(s)
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if e := strings.Index(s[i+2:], "*/"); e >= 0 {
				i += e + 4
			} else {
				i = len(s)
			}
		case c == '$':
			i = skipDollarQuoted(s, i)
		case c == '(':
			depth++
			i++
		case c == ')':
			if depth > 0 {
				depth--
			}
			i++
		case c == ';':
			stmt++
			depth = 0
			if stmt > maxSQLStatements {
				return
			}
			i++
		case isWordStart(c):
			e := i + 1
			for e < len(s) && isWordByte(s[e]) {
				e++
			}
			if len(l.toks) == maxSQLTokens {
				return
			}
			l.toks = append(l.toks, sqlToken{start: i, end: e, depth: depth, stmt: stmt})
			i = e
		default:
			i++
		}
	}
}

func isWordStart(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' || c == '_' }
func isWordByte(c byte) bool  { return isWordStart(c) || isDigit(c) || c == '$' }

// skipQuoted returns the index after the closing quote; a doubled quote is
// an escaped one, and so is a backslash-escaped one when backslash is set.
func skipQuoted(s string, i int, q byte, backslash bool) int {
	for i < len(s) {
		switch s[i] {
		case '\\':
			if backslash {
				i += 2
				continue
			}
		case q:
			if i+1 < len(s) && s[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(s)
}

// skipDollarQuoted skips a Postgres $tag$...$tag$ string starting at i, or
// just the '$' when it does not open one.
func skipDollarQuoted(s string, i int) int {
	e := i + 1
	for e < len(s) && (isWordStart(s[e]) || isDigit(s[e])) {
		e++
	}
	if e >= len(s) || s[e] != '$' {
		return i + 1
	}
	tag := s[i : e+1]
	if end := strings.Index(s[e+1:], tag); end >= 0 {
		return e + 1 + end + len(tag)
	}
	return len(s)
}

func (l *sqlLexer) word(s string, i int) string {
	if i >= len(l.toks) {
		return ""
	}
	return s[l.toks[i].start:l.toks[i].end]
}

// is reports whether token i is the keyword kw (lower case), in any case.
func (l *sqlLexer) is(s string, i int, kw string) bool {
	return strings.EqualFold(l.word(s, i), kw)
}

// sameStmt reports whether token j exists and is in token i's statement.
func (l *sqlLexer) sameStmt(i, j int) bool {
	return j < len(l.toks) && l.toks[j].stmt == l.toks[i].stmt
}

// droppable are the objects DROP and ALTER act on; requiring one keeps
// prose ("drop me a line") out.
var droppable = map[string]bool{
	"table": true, "database": true, "schema": true, "index": true, "view": true, "user": true, "role": true,
	"column": true, "function": true, "procedure": true, "trigger": true, "sequence": true, "type": true,
	"extension": true, "materialized": true, "keyspace": true, "collection": true, "system": true, "temporary": true, "temp": true,
}

// ScanSQL calls fn for each risky statement in s with its statement number
// (from 1). Keywords count only outside strings, quoted identifiers and
// comments; a WHERE counts only at the DELETE's or UPDATE's own depth, not
// inside a subquery. The lexer is reused across calls.
func (l *sqlLexer) ScanSQL(s string, fn func(risk SQLRisk, stmt int)) {
	l.lex(s)
	l.budget = 8*len(l.toks) + 4096
	var lastStmt [numSQLRisks]int // statements are seen in order
	report := func(r SQLRisk, stmt int) {
		if lastStmt[r] != stmt {
			lastStmt[r] = stmt
			fn(r, stmt)
		}
	}
	for i := range l.toks {
		t := l.toks[i]
		w := l.word(s, i)
		if len(w) < 4 || len(w) > 8 { // the keywords below are 4 to 8 letters
			continue
		}
		switch w[0] | 0x20 {
		case 'd', 'a', 't', 'g', 'r', 'u':
		default:
			continue
		}
		next := ""
		if l.sameStmt(i, i+1) {
			next = l.word(s, i+1)
		}
		switch {
		case strings.EqualFold(w, "drop"):
			if droppable[asciiLower(next)] {
				report(SQLDrop, t.stmt)
			}
		case strings.EqualFold(w, "alter"):
			if droppable[asciiLower(next)] {
				report(SQLAlter, t.stmt)
			}
		case strings.EqualFold(w, "truncate"):
			if next != "" && l.startsStatement(s, i) {
				report(SQLTruncate, t.stmt)
			}
		case strings.EqualFold(w, "grant"), strings.EqualFold(w, "revoke"):
			if l.startsStatement(s, i) && l.findInStmt(s, i, "to", "from", "on") {
				if strings.EqualFold(w, "grant") {
					report(SQLGrant, t.stmt)
				} else {
					report(SQLRevoke, t.stmt)
				}
			}
		case strings.EqualFold(w, "delete"):
			if strings.EqualFold(next, "from") && l.startsStatement(s, i) && !l.whereAtDepth(s, i) {
				report(SQLDeleteWithoutWhere, t.stmt)
			}
		case strings.EqualFold(w, "update"):
			if next != "" && l.startsStatement(s, i) && l.findInStmt(s, i, "set") && !l.whereAtDepth(s, i) {
				report(SQLUpdateWithoutWhere, t.stmt)
			}
		}
	}
}

// asciiLower lower-cases a short keyword without allocating when it is
// already lower case.
func asciiLower(w string) string {
	for i := 0; i < len(w); i++ {
		if 'A' <= w[i] && w[i] <= 'Z' {
			return strings.ToLower(w)
		}
	}
	return w
}

// startsStatement reports whether token i can begin a statement: it is
// the first word of its statement or of its line, or follows ')' (a CTE) or
// ':'. "delete from your list" in the middle of a sentence is prose.
func (l *sqlLexer) startsStatement(s string, i int) bool {
	if i == 0 || l.toks[i-1].stmt != l.toks[i].stmt {
		return true
	}
	for j := l.toks[i].start - 1; j >= 0; j-- {
		switch s[j] {
		case ' ', '\t', '\r':
			continue
		case '\n', ')', ':', '(', '`':
			return true
		}
		return false
	}
	return true
}

func (l *sqlLexer) findInStmt(s string, i int, kws ...string) bool {
	for j := i + 1; l.sameStmt(i, j); j++ {
		if l.budget--; l.budget < 0 {
			return false
		}
		for _, kw := range kws {
			if l.is(s, j, kw) {
				return true
			}
		}
	}
	return false
}

// whereAtDepth reports whether the statement of token i has a WHERE at
// token i's parenthesis depth, before the statement or its enclosing
// parenthesis ends.
func (l *sqlLexer) whereAtDepth(s string, i int) bool {
	d := l.toks[i].depth
	for j := i + 1; l.sameStmt(i, j); j++ {
		if l.budget--; l.budget < 0 {
			return true
		}
		if l.toks[j].depth < d {
			return false
		}
		if l.toks[j].depth == d && l.is(s, j, "where") {
			return true
		}
	}
	return false
}
