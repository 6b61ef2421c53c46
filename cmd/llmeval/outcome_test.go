package main

import (
	"math"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"
)

func TestKindTable(t *testing.T) {
	tr := func(failed bool, features ...string) (*traceFacts, bool) {
		c := trouble.Counts{}
		for _, f := range features {
			c[f]++
		}
		return &traceFacts{features: c}, failed
	}
	var traces []*traceFacts
	var failed []bool
	for _, x := range []struct {
		failed   bool
		features []string
	}{
		{true, []string{"loop.same_call", "failure.tool_error"}},
		{true, []string{"loop.same_call"}},
		{true, nil},
		{false, []string{"failure.tool_error"}},
		{false, []string{"satisfaction.gratitude"}},
		{false, nil},
		{true, []string{"satisfaction.gratitude"}},
		{false, nil},
	} {
		tf, f := tr(x.failed, x.features...)
		traces, failed = append(traces, tf), append(failed, f)
	}
	rows, base, nFailed := kindTable(traces, failed)
	assert.Equal(t, 4, nFailed)
	assert.InDelta(t, 0.5, base, 1e-9)
	want := []struct {
		name                string
		fired               int
		share, lift, recall float64
	}{
		{"loop.same_call", 2, 1, 2, 0.5},
		{"failure.tool_error", 2, 0.5, 1, 0.25},
		{"satisfaction.gratitude", 2, 0.5, 1, 0.25},
	}
	require.Len(t, rows, len(want))
	for i, w := range want {
		assert.Equal(t, w.name, rows[i].name)
		assert.Equal(t, w.fired, rows[i].fired, w.name)
		assert.InDelta(t, w.share, rows[i].share, 1e-9, w.name)
		assert.InDelta(t, w.lift, rows[i].lift, 1e-9, w.name)
		assert.InDelta(t, w.recall, rows[i].recall, 1e-9, w.name)
	}
	rows, base, _ = kindTable(nil, nil)
	assert.Empty(t, rows)
	assert.True(t, math.IsNaN(base))
}

func TestReplayOutcomeFlags(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "processors:\n  llmeval:\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--split", "holdout"}, `--split: "holdout" is not one of train, dev, test`},
		{[]string{"--outcome", "r", "--labels", "x.csv"}, "--outcome and --labels: give one"},
		{[]string{"--labels", "/nonexistent/labels.csv"}, "labels.csv"},
	} {
		code, _, errOut := runCmd(append(append([]string{"replay", "--config", cfg}, tc.args...), "f.jsonl")...)
		assert.Equal(t, 2, code, tc.args)
		assert.Contains(t, errOut, tc.want)
	}
}

// TestReplayTauBenchPerKind is the per-kind table of BENCHMARKS.md: the
// airline trajectories' reward as the outcome, on the dev split.
func TestReplayTauBenchPerKind(t *testing.T) {
	file, _ := tauBenchFile(t)
	cfg := writeFile(t, "c.yaml", "processors:\n  llmeval:\n")
	code, out, stderr := runCmd("replay", "--config", cfg, "--outcome", "tau_bench.reward", "--split", "dev", file)
	require.Equal(t, 0, code, stderr)
	t.Logf("\n%s", out)
	assert.Contains(t, out, "per kind (dev split): 76 labelled traces, 44 failed, base rate 57.9%")
	// Distinct lookups no longer count as drifting arguments: the kind
	// fires on few traces, and those failed.
	assert.Regexp(t, `loop.drifting_args\s+[1-5]\s+\S+\s+100.0%\s+1.73x`, out)
}

// TestReplayReportsScores: replay says how the trouble score spreads, what
// each target share would send, and why the judge got each trace.
func TestReplayReportsScores(t *testing.T) {
	file, _ := tauBenchFile(t)
	// A judge with no sampling block: the default sampling.
	cfg := writeFile(t, "c.yaml", "processors:\n  llmeval:\n    judge:\n      otlp_http: { endpoint: 'http://127.0.0.1:1' }\n")
	code, out, stderr := runCmd("replay", "--config", cfg, "--why", "3", file)
	require.Equal(t, 0, code, stderr)
	t.Logf("\n%s", out)
	assert.Contains(t, out, "trouble score of 200 traces")
	assert.Regexp(t, `(?m)^0\s+\d+\s+\d+\.\d%$`, out, "a row for traces without trouble")
	assert.Regexp(t, `(?m)^0\.1\s+20\s+\d`, out, "10% of 200 traces is 20")
	assert.Regexp(t, `(?m)^  trace [0-9a-f]{32}  target\s+score [0-9.]+\s+= loop\.drifting_args 4\.5 \+ `, out, "the top trace, and why")
	assert.Regexp(t, `\.\.\. and \d+ more`, out)
	lines := regexp.MustCompile(`(?m)^  trace [0-9a-f]{32} `).FindAllString(out, -1)
	assert.Len(t, lines, 3)
}
