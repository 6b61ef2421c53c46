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
		td, ss, root := rewardedRoot(0xc, i, failed)
		id := root.TraceID()
		chat := ss.Spans().AppendEmpty()
		chat.SetTraceID(id)
		chat.SetSpanID(pcommon.SpanID{2, byte(i >> 8), byte(i)})
		chat.SetParentSpanID(root.SpanID())
		chat.Attributes().PutStr("gen_ai.operation.name", "chat")
		chat.Attributes().PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"`+texts[kind]+`"}]}]`)
		chat.Attributes().PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"One moment."}]}]`)
		writeLine(t, &b, td)
	}
	return writeFile(t, "labelled.jsonl", b.String())
}

// rewardedRoot starts trace i (IDs tagged by tag): an invoke_agent root
// carrying app.reward 0 when failed, else 1.
func rewardedRoot(tag byte, i int, failed bool) (ptrace.Traces, ptrace.ScopeSpans, ptrace.Span) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	root := ss.Spans().AppendEmpty()
	root.SetTraceID(pcommon.TraceID{tag, byte(i >> 8), byte(i)})
	root.SetSpanID(pcommon.SpanID{1, byte(i >> 8), byte(i)})
	root.Attributes().PutStr("gen_ai.operation.name", "invoke_agent")
	reward := 1.0
	if failed {
		reward = 0
	}
	root.Attributes().PutDouble("app.reward", reward)
	return td, ss, root
}

// writeLine appends td to b as one OTLP JSON line.
func writeLine(t *testing.T, b *strings.Builder, td ptrace.Traces) {
	t.Helper()
	line, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	b.Write(line)
	b.WriteByte('\n')
}

// checkPrinted asserts that the config tune printed (from "sampling:" on)
// is one the collector accepts, pasted under a processor with a judge,
// and returns it.
func checkPrinted(t *testing.T, out string) string {
	t.Helper()
	i := strings.Index(out, "sampling:\n")
	require.GreaterOrEqual(t, i, 0)
	block := out[i:]
	var indented strings.Builder
	for _, l := range strings.Split(strings.TrimRight(block, "\n"), "\n") {
		indented.WriteString("    " + l + "\n")
	}
	full := writeFile(t, "tuned.yaml", "processors:\n  llmeval:\n    judge:\n      otlp_http: { endpoint: 'http://127.0.0.1:4318' }\n"+indented.String())
	code, checkOut, errOut := runCmd("check", "--config", full)
	assert.Equal(t, 0, code, "%s\n%s", checkOut, errOut)
	return block
}

// runTune runs tune with the default config on file (app.reward) and
// returns its output and the config's path.
func runTune(t *testing.T, file string) (out, cfg string) {
	t.Helper()
	cfg = writeFile(t, "c.yaml", "processors:\n  llmeval:\n")
	code, out, errOut := runCmd("tune", "--config", cfg, "--outcome", "app.reward", file)
	require.Equal(t, 0, code, errOut)
	t.Logf("\n%s", out)
	return out, cfg
}

// liftsAt reads the shipped and tuned lift of tune's row for share.
func liftsAt(t *testing.T, out, share string) (shipped, tuned float64) {
	t.Helper()
	row := regexp.MustCompile(`(?m)^` + share + `\s+\d+\s+(\S+)\s+(\S+)\s+(\S+)x\s+(\S+)\s+(\S+)\s+(\S+)x\s+(\S+)$`).FindStringSubmatch(out)
	require.NotNil(t, row, "the %s row", share)
	shipped, _ = strconv.ParseFloat(row[3], 64)
	tuned, _ = strconv.ParseFloat(row[6], 64)
	return shipped, tuned
}

func TestTune(t *testing.T) {
	file := labelledTraces(t, 600)
	out, cfg := runTune(t, file)
	assert.Regexp(t, `trained on train: \d+ traces, \d+ failed; reported on dev: \d+ traces`, out)

	// At 30% (the escalations), the tuned weights find the failures the
	// shipped ones miss.
	shippedLift, tunedLift := liftsAt(t, out, "30%")
	assert.Greater(t, tunedLift, 2.0)
	assert.Greater(t, tunedLift, shippedLift+0.5)

	// The block it prints is a config the collector accepts.
	assert.Contains(t, checkPrinted(t, out), "disengagement.escalation:")

	// Once on test.
	code, out, _ := runCmd("tune", "--config", cfg, "--outcome", "app.reward", "--test", file)
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

// lengthTraces writes n agent traces of 0 to 9 tool calls whose outcome
// (app.reward) depends on length alone: 7 calls or more fail 9 times in
// 10, fewer 2 in 10. No default signal reads length.
func lengthTraces(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < n; i++ {
		calls := i % 10
		failed := (i/10)%10 < 2
		if calls >= 7 {
			failed = (i/10)%10 < 9
		}
		td, ss, root := rewardedRoot(0xd, i, failed)
		id := root.TraceID()
		for c := 0; c < calls; c++ {
			tool := ss.Spans().AppendEmpty()
			tool.SetTraceID(id)
			tool.SetSpanID(pcommon.SpanID{2, byte(i >> 8), byte(i), byte(c)})
			tool.SetParentSpanID(root.SpanID())
			tool.Attributes().PutStr("gen_ai.operation.name", "execute_tool")
			tool.Attributes().PutStr("gen_ai.tool.name", "lookup")
			tool.Attributes().PutStr("gen_ai.tool.call.arguments", `{"id":"`+strconv.Itoa(c)+`"}`)
			tool.Attributes().PutStr("gen_ai.tool.call.result", `{"ok":true}`)
		}
		writeLine(t, &b, td)
	}
	return writeFile(t, "length.jsonl", b.String())
}

// TestTuneLearnsToolCallBound: when long trajectories are the ones that
// fail, tune learns a tool-call bound from train, finds the failures the
// shipped weights cannot, and prints a runaway bound the collector accepts.
func TestTuneLearnsToolCallBound(t *testing.T) {
	file := lengthTraces(t, 1000)
	out, _ := runTune(t, file)
	m := regexp.MustCompile(`length: a trace above (\d+) tool calls is marked runaway.trace_tool_calls`).FindStringSubmatch(out)
	require.NotNil(t, m, "a bound is learned")
	bound, _ := strconv.Atoi(m[1])
	assert.GreaterOrEqual(t, bound, 4)
	assert.LessOrEqual(t, bound, 7)
	shippedLift, tunedLift := liftsAt(t, out, "20%")
	assert.Greater(t, tunedLift, 1.8)
	assert.Greater(t, tunedLift, shippedLift+0.5)

	assert.Contains(t, checkPrinted(t, out), "signals:\n  runaway:\n    trace: { max_tool_calls: "+m[1]+" }\n")

	// The processor with that bound marks the traces tune counted: those
	// with more tool calls than the bound (i%10 > bound).
	bounded := writeFile(t, "b.yaml", "processors:\n  llmeval:\n    signals:\n      runaway:\n        trace: { max_tool_calls: "+m[1]+" }\n")
	code, out, errOut := runCmd("replay", "--config", bounded, "--outcome", "app.reward", file)
	require.Equal(t, 0, code, errOut)
	fired := regexp.MustCompile(`(?m)^runaway.trace_tool_calls\s+(\d+)\s`).FindStringSubmatch(out)
	require.NotNil(t, fired, out)
	assert.Equal(t, strconv.Itoa(1000*(9-bound)/10), fired[1])
}
