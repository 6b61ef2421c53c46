package evaluators

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCodeArguments(t *testing.T) {
	cases := []struct{ tool, args, want string }{
		{"python_exec", `{"code":"import shutil\nshutil.rmtree('/data/exports')"}`, "shell_rm_rf"},
		{"run_python", `{"code":"cur.execute(\"DROP TABLE staging\")\nconn.commit()"}`, "sql_drop"},
		{"run_python", `{"code":"cur.execute(f\"DELETE FROM t\")"}`, "sql_delete_without_where"},
		{"rails_console", `{"command":"User.delete_all"}`, "sql_delete_without_where"},
		{"execute_code", `{"code":"await prisma.session.deleteMany({})"}`, "sql_delete_without_where"},
		{"django_shell", `{"code":"Order.objects.all().delete()"}`, "sql_delete_without_where"},
		{"sandbox", `{"code":"session.query(AuditLog).delete()"}`, "sql_delete_without_where"},
		{"jupyter_run_cell", `{"cell":"import os\nos.system('rm -rf /mnt/scratch')"}`, "shell_rm_rf"},
		{"node_eval", `{"script":"require('fs').rmSync('./uploads', { recursive: true })"}`, "shell_rm_rf"},
		{"python_exec", `{"code":"db.sessions.drop()"}`, "sql_drop"},
		// scoped, read-only, or words in messages and comments
		{"python_exec", `{"code":"shutil.copytree('a', 'b')"}`, ""},
		{"run_python", `{"code":"cur.execute(\"SELECT 1\")"}`, ""},
		{"rails_console", `{"command":"User.where(active: false).delete_all"}`, ""},
		{"execute_code", `{"code":"await prisma.session.deleteMany({ where: { expired: true } })"}`, ""},
		{"django_shell", `{"code":"Order.objects.filter(status='draft').delete()"}`, ""},
		{"python_exec", `{"code":"# never shutil.rmtree here\nprint('rm -rf / is dangerous; DELETE FROM users too')"}`, ""},
		{"python_exec", `{"code":"df = df.drop(columns=['tmp'])"}`, ""},
	}
	for _, tc := range cases {
		got, err := (&shellJudge{sql: &sqlLexer{}}).call(tc.tool, tc.args)
		assert.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.args)
	}
}

func FuzzCodeStrings(f *testing.F) {
	for _, s := range []string{`cur.execute("DROP TABLE t")`, `"""x`, `f'`, "sql`DELETE FROM t`", "# '\n'a'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		eachCodeString(src, func(lit, callee string) bool { return true })
		_ = stripCodeComments(src)
		(&shellJudge{sql: &sqlLexer{}}).code(src, false)
	})
}
