package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// labelledTraces writes n agent traces whose outcome (app.reward) depends
// on what the user said: asking for a human fails 9 times in 10 here,
// complaining only 1 in 10, a plain question 3 in 10. The shipped weights
// rank complaints above escalation; this team's data says the opposite.
func labelledTraces(t *testing.T, n int) string {
	t.Helper()
	texts := []string{"let me talk to a human", "This is useless.", "What is my order status?"}
	failEvery := []int{9, 1, 3} // failed when i%10 < failEvery
	var b strings.Builder
	for i := 0; i < n; i++ {
		kind := i % 3
		failed := (i/3)%10 < failEvery[kind]
		td := ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		id := pcommon.TraceID{0xc, byte(i >> 8), byte(i)}
		root := ss.Spans().AppendEmpty()
		root.SetTraceID(id)
		root.SetSpanID(pcommon.SpanID{1, byte(i >> 8), byte(i)})
		root.Attributes().PutStr("gen_ai.operation.name", "invoke_agent")
		reward := 1.0
		if failed {
			reward = 0
		}
		root.Attributes().PutDouble("app.reward", reward)
		chat := ss.Spans().AppendEmpty()
		chat.SetTraceID(id)
		chat.SetSpanID(pcommon.SpanID{2, byte(i >> 8), byte(i)})
		chat.SetParentSpanID(root.SpanID())
		chat.Attributes().PutStr("gen_ai.operation.name", "chat")
		chat.Attributes().PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"`+texts[kind]+`"}]}]`)
		chat.Attributes().PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"One moment."}]}]`)
		line, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	return writeFile(t, "labelled.jsonl", b.String())
}

func TestTune(t *testing.T) {
	file := labelledTraces(t, 600)
	cfg := writeFile(t, "c.yaml", "processors:\n  llmeval:\n")
	code, out, errOut := runCmd("tune", "--config", cfg, "--outcome", "app.reward", file)
	require.Equal(t, 0, code, errOut)
	t.Logf("\n%s", out)
	assert.Regexp(t, `trained on train: \d+ traces, \d+ failed; reported on dev: \d+ traces`, out)

	// At 30% (the escalations), the tuned weights find the failures the
	// shipped ones miss.
	row := regexp.MustCompile(`(?m)^30%\s+\d+\s+(\S+)\s+(\S+)\s+(\S+)x\s+(\S+)\s+(\S+)\s+(\S+)x\s+(\S+)$`).FindStringSubmatch(out)
	require.NotNil(t, row, "the 30% row")
	shippedLift, _ := strconv.ParseFloat(row[3], 64)
	tunedLift, _ := strconv.ParseFloat(row[6], 64)
	assert.Greater(t, tunedLift, 2.0)
	assert.Greater(t, tunedLift, shippedLift+0.5)

	// The block it prints is a config the collector accepts.
	i := strings.Index(out, "sampling:\n")
	require.GreaterOrEqual(t, i, 0)
	block := out[i:]
	assert.Contains(t, block, "disengagement.escalation:")
	var indented strings.Builder
	for _, l := range strings.Split(strings.TrimRight(block, "\n"), "\n") {
		indented.WriteString("    " + l + "\n")
	}
	full := writeFile(t, "tuned.yaml", "processors:\n  llmeval:\n    judge:\n      otlp_http: { endpoint: 'http://127.0.0.1:4318' }\n"+indented.String())
	code, checkOut, errOut := runCmd("check", "--config", full)
	assert.Equal(t, 0, code, "%s\n%s", checkOut, errOut)

	// Once on test.
	code, out, _ = runCmd("tune", "--config", cfg, "--outcome", "app.reward", "--test", file)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "reported on test")
}

func TestTuneErrors(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "processors:\n  llmeval:\n")
	file := labelledTraces(t, 30)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--config", cfg, file}, 2, "--outcome or --labels is required"},
		{[]string{"--config", cfg, "--outcome", "app.reward", "--target-ratio", "2", file}, 2, "--target-ratio: 2 is outside (0, 1]"},
		{[]string{"--config", cfg, "--outcome", "app.nothing", file}, 2, "no labelled traces"},
	} {
		code, _, errOut := runCmd(append([]string{"tune"}, tc.args...)...)
		assert.Equal(t, tc.code, code, tc.args)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
}
