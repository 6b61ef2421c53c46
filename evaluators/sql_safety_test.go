package evaluators

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch/texttest"
)

func sqlRisks(s string) []string {
	var l sqlLexer
	var out []string
	l.ScanSQL(s, func(r SQLRisk, stmt int) { out = append(out, r.String()+"@"+string(rune('0'+stmt))) })
	return out
}

func TestScanSQL(t *testing.T) {
	cases := []struct {
		sql  string
		want []string
	}{
		{"DROP TABLE users", []string{"drop@1"}},
		{"select 1; drop   table if exists x", []string{"drop@2"}},
		{"TRUNCATE orders", []string{"truncate@1"}},
		// ALTER destroys only what it drops; on users and roles it changes rights.
		{"alter table t add column c int", nil},
		{"alter table t drop column c", []string{"drop@1"}},
		{"ALTER USER bob WITH SUPERUSER", []string{"alter@1"}},
		// Tautological scopes do not scope.
		{"DELETE FROM t WHERE 1=1", []string{"delete_without_where@1"}},
		{"delete from t where true", []string{"delete_without_where@1"}},
		{"DELETE FROM t WHERE id = 5 OR 1 = 1", []string{"delete_without_where@1"}},
		{"UPDATE t SET a = 1 WHERE (x = 1) OR ('a' = 'a')", []string{"update_without_where@1"}},
		{"DELETE FROM t WHERE id = id", []string{"delete_without_where@1"}},
		{"DELETE FROM t WHERE a IS NULL OR a IS NOT NULL", []string{"delete_without_where@1"}},
		{"DELETE FROM t WHERE 'x' LIKE '%'", []string{"delete_without_where@1"}},
		{"DELETE FROM t WHERE 1=1 AND id = 5", nil},
		{"DELETE FROM t WHERE 1=0", nil},
		{"DELETE FROM t WHERE id = 5 OR id = 6", nil},
		{"DELETE dbo.Orders\nGO", []string{"delete_without_where@1"}},
		// Dynamic SQL is read.
		{"EXEC('DROP TABLE ' + @t)", []string{"drop@1"}},
		{"EXEC sp_executesql N'DELETE FROM dbo.Orders'", []string{"delete_without_where@1"}},
		{"BEGIN EXECUTE IMMEDIATE 'TRUNCATE TABLE a'; END;", []string{"truncate@1"}},
		{"DO $$ BEGIN EXECUTE format('DROP SCHEMA %I', 'x'); END $$", []string{"drop@1"}},
		{"SET @s = 'DROP TABLE t'; PREPARE p FROM @s; EXECUTE p;", []string{"drop@2"}},
		{"DO $$ BEGIN RAISE NOTICE 'drop table skipped'; END $$", nil},
		{"EXEC dbo.GetOrders @id = 5", nil},
		// Temporary tables, replacements, EXPLAIN.
		{"DROP TEMPORARY TABLE IF EXISTS t", nil},
		{"DROP TABLE #staging", nil},
		{"CREATE OR REPLACE TABLE t AS SELECT 1", []string{"drop@1"}},
		{"CREATE OR REPLACE VIEW v AS SELECT 1", nil},
		{"INSERT OVERWRITE TABLE t SELECT * FROM u", []string{"truncate@1"}},
		{"EXPLAIN DELETE FROM t", nil},
		{"EXPLAIN ANALYZE DELETE FROM t", []string{"delete_without_where@1"}},
		{"MERGE INTO t USING s ON (1=1) WHEN MATCHED THEN DELETE", []string{"delete_without_where@1"}},
		{"GRANT ALL ON db.* TO 'bob'", []string{"grant@1"}},
		{"revoke select on t from alice", []string{"revoke@1"}},
		{"DELETE FROM users", []string{"delete_without_where@1"}},
		{"delete from users where id = 1", nil},
		{"UPDATE accounts SET balance = 0", []string{"update_without_where@1"}},
		{"update accounts set balance = 0 where id in (select id from x where y)", nil},
		// WHERE only inside a subquery does not guard the UPDATE.
		{"UPDATE t SET a = (SELECT b FROM u WHERE u.id = 1)", []string{"update_without_where@1"}},
		{"WITH old AS (SELECT id FROM t WHERE d < now()) DELETE FROM t", []string{"delete_without_where@1"}},
		// Keywords in strings, identifiers and comments are not statements.
		{"SELECT 'DROP TABLE x' AS s", nil},
		{"SELECT \"drop\" FROM t -- drop table t\n", nil},
		{"/* DELETE FROM t */ SELECT 1", nil},
		{"SELECT $$DROP TABLE t$$, $fn$ truncate t $fn$", nil},
		{"SELECT 'it''s; DROP TABLE t' FROM x", nil},
		{"select `drop` from t", nil},
		// Prose is not SQL.
		{"Drop me a line if you want to update the docs or delete from your list", nil},
		{"Please truncate the summary", nil},
		{"", nil},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, sqlRisks(tc.sql), tc.sql)
	}
}

func TestSQLSafetyEvaluator(t *testing.T) {
	tool := func(args string) []kv {
		return []kv{{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "run_sql"}, {"gen_ai.tool.call.arguments", args}}
	}
	s := entry("s", "sql_safety", nil)
	runEvalCases(t, []evalCase{
		{name: "json arguments", entry: s, attrs: tool(`{"query":"DROP TABLE users;"}`), verdict: Fail, reason: "DROP statement (statement 1)"},
		{name: "json escaped newlines", entry: s, attrs: tool(`{"sql":"SELECT 1;\nDELETE\nFROM t"}`), verdict: Fail, reason: "DELETE WITHOUT WHERE statement (statement 2)"},
		{name: "nested json", entry: s, attrs: tool(`{"batch":[{"q":"select 1"},{"q":"truncate t"}]}`), verdict: Fail, reason: "TRUNCATE statement"},
		{name: "safe query", entry: s, attrs: tool(`{"query":"SELECT * FROM t WHERE id = 'drop table'"}`), verdict: Pass},
		{name: "raw text arguments", entry: s, attrs: tool(`UPDATE t SET x = 1`), verdict: Fail, reason: "UPDATE WITHOUT WHERE"},
		{name: "allowed kind", entry: entry("s", "sql_safety", map[string]any{"allow": []any{"alter"}}), attrs: tool(`{"q":"ALTER ROLE r WITH SUPERUSER"}`), verdict: Pass},
		{name: "prose argument", entry: s, attrs: []kv{{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "git_commit"}, {"gen_ai.tool.call.arguments", `{"message":"Drop table legacy_users"}`}}, verdict: Pass},
		{name: "search query", entry: s, attrs: []kv{{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "web_search"}, {"gen_ai.tool.call.arguments", `{"query":"DROP TABLE IF EXISTS cascade"}`}}, verdict: Pass},
		{name: "chat span tool call", entry: s, attrs: []kv{chat, {"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call","id":"1","name":"sql","arguments":{"q":"drop database prod"}}]}]`}}, verdict: Fail, reason: "DROP statement"},
		{name: "output target", entry: withTarget(s, "output"), attrs: []kv{chat, outMsgs("Run this:\n```sql\nDELETE FROM users;\n```")}, verdict: Fail, reason: "DELETE WITHOUT WHERE"},
		{name: "too deep", entry: s, attrs: tool(strings.Repeat("[", 70) + `"x"` + strings.Repeat("]", 70)), verdict: Error, reason: "arguments nested deeper than 64"},
		{name: "no arguments", entry: s, attrs: []kv{chat, outMsgs("hi")}, verdict: Skip},
	})
	_, err := Build(config.Entries{User: []config.Evaluator{entry("x", "sql_safety", map[string]any{"allow": []any{"drop", "nuke"}})}}, componenttest.NewNopTelemetrySettings())
	assert.ErrorContains(t, err, `"x": allow[1]: unknown statement kind "nuke"`)
}

func FuzzSQLScan(f *testing.F) {
	for _, s := range []string{"DROP TABLE x", "select 'a''b' -- c\n; delete from t", "$a$ $$ /* ", "update t set a=(select 1 where 2)", "'\\'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		base := sqlRisks(s)
		// A comment and whitespace before the text change no statement.
		if got := sqlRisks("/* note */  " + s); !equalStrings(got, base) {
			t.Fatalf("leading comment changed %v to %v", base, got)
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestScanSQLStaysLinear feeds inputs that made naive look-ahead quadratic;
// the scan must read them in a bounded number of steps.
func TestScanSQLStaysLinear(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("update\n", 50000) + "set a = 1 where b",
		strings.Repeat("grant\n", 50000) + "to x",
		strings.Repeat("delete from\n", 30000) + "where",
	} {
		var l sqlLexer
		l.ScanSQL(s, func(SQLRisk, int) {})
		// Once spent, each keyword costs one step: total work stays
		// within the budget plus one step per token.
		assert.GreaterOrEqual(t, l.budget, -len(l.toks), "look-ahead must stop when the budget is spent")
	}
}

// sameSQLRisks: ScanSQL, which skips strings without a keyword it reports
// at, finds what scanning every string finds.
func sameSQLRisks(t *testing.T, s string) {
	t.Helper()
	var l sqlLexer
	var all []string
	l.scanAll(s, func(r SQLRisk, stmt int) { all = append(all, r.String()+"@"+string(rune('0'+stmt))) })
	if got := sqlRisks(s); !equalStrings(got, all) {
		t.Fatalf("%q: ScanSQL %v, unfiltered %v", s, got, all)
	}
	if len(all) > 0 && !maySQLRisk(s) {
		t.Fatalf("%q: risks %v without a keyword", s, all)
	}
}

// TestSQLRiskFilterDifferential over the corpus, the cases above and
// dynamic SQL whose escapes sit inside a keyword.
func TestSQLRiskFilterDifferential(t *testing.T) {
	texts := append(corpusTexts(t), "Boston", "tuesday", "DROP TABLE users", "dRoP table x", "EXEC('DR''OP TABLE x')",
		"EXEC('DROP TABLE x')", `EXECUTE IMMEDIATE 'dr\'op table t'`, "PREPARE s FROM 'DELETE FROM t'", "DO $$ begin truncate t; end $$",
		"SET @q = 'DROP TABLE t'; PREPARE s FROM @q", "ＤＲＯＰ TABLE t", "drop\u00a0table t", "update t set a=1")
	risky := 0
	for _, s := range texts {
		sameSQLRisks(t, s)
		if len(sqlRisks(s)) > 0 {
			risky++
		}
	}
	if risky < 20 {
		t.Fatalf("only %d texts hold a risk: the differential test reads too few", risky)
	}
}

// maySQLRiskEveryByte is maySQLRisk comparing the words at every byte
// that starts one, before the second letter turned most bytes away: the
// reference of TestMaySQLRiskDifferential.
func maySQLRiskEveryByte(s string) bool {
	for i := 0; i+4 <= len(s); i++ {
		for _, w := range sqlRiskByFirst[s[i]] {
			if textmatch.HasPrefixLowerASCII(s[i:], w) {
				return true
			}
		}
	}
	return false
}

// sameMaySQLRisk checks maySQLRisk against maySQLRiskEveryByte.
func sameMaySQLRisk(t *testing.T, s string) {
	t.Helper()
	if got, want := maySQLRisk(s), maySQLRiskEveryByte(s); got != want {
		t.Fatalf("maySQLRisk(%q) = %v, comparing at every byte %v", s, got, want)
	}
}

// TestMaySQLRiskDifferential: maySQLRisk answers as comparing the words
// at every byte does, on the corpus and on texts dense in the keywords'
// pieces in both cases, bytes whose upper-case bit makes a letter of no
// letter among them ('@', '[', '`', '{', DEL, non-ASCII).
func TestMaySQLRiskDifferential(t *testing.T) {
	for _, s := range corpusTexts(t) {
		sameMaySQLRisk(t, s)
	}
	pieces := []string{"dr", "DR", "op", "OP", "d", "D", "a", "lter", "ALTER", "t", "runcate", "g", "rant", "re", "voke", "de", "lete",
		"up", "date", "cr", "eate", "in", "sert", "me", "rge", "M", "@", "[", "`", "{", "\x7f", "\xc4", "\xe4", " ", "_"}
	for _, p := range pieces {
		for _, q := range pieces {
			sameMaySQLRisk(t, p+q+"xy")
			sameMaySQLRisk(t, p+q)
		}
	}
	for _, s := range texttest.Mixes(7, 20000, 8, pieces) {
		sameMaySQLRisk(t, s)
	}
}

func FuzzMaySQLRisk(f *testing.F) {
	for _, s := range []string{"DROP TABLE x", "dR@p", "Atlanta", "sunday", "mErGe", "d\xf2op"} {
		f.Add(s)
	}
	f.Fuzz(sameMaySQLRisk)
}

func FuzzSQLRiskFilter(f *testing.F) {
	for _, s := range []string{"DROP TABLE x", "EXEC('DR''OP TABLE x')", "update t set a=(select 1 where 2)", "Boston"} {
		f.Add(s)
	}
	f.Fuzz(sameSQLRisks)
}
