package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/cmd/llmeval/internal/review"
)

// The labels the review page writes are calibrate's input as they are.
func TestReviewLabelsDriveCalibrate(t *testing.T) {
	lines, _ := otlpLines(t)
	in := writeFile(t, "traces.jsonl", strings.Join(lines, "\n")+"\n")
	annotated := filepath.Join(t.TempDir(), "annotated.jsonl")
	code, _, stderr := runCmd("replay", "--config", writeFile(t, "p.yaml", "{}\n"), "--out", annotated, in)
	require.Equal(t, 0, code, stderr)

	// Each trace's pii verdict, as calibrate will join it.
	piiFailed := map[string]bool{}
	require.NoError(t, readTraces(annotated, new(int64), func(td ptrace.Traces) error {
		v := verdicts{}
		collectVerdicts(td, "llmeval", v)
		for id, m := range v {
			if len(id) == 32 && m["pii"] != "" {
				piiFailed[id] = piiFailed[id] || m["pii"] == "fail"
			}
		}
		return nil
	}, func(e *lineError) { t.Errorf("bad line: %v", e) }))
	require.Len(t, piiFailed, 18)

	labels := filepath.Join(t.TempDir(), "labels.csv")
	store, err := review.OpenStore(labels)
	require.NoError(t, err)
	// The reviewer agrees with the check on every trace but one failing
	// trace, which they pass (a false positive of the check's).
	var want struct{ tp, fp, tn int }
	flipped := false
	for id, failed := range piiFailed {
		human := review.Pass
		switch {
		case failed && !flipped:
			flipped = true
			want.fp++
		case failed:
			human = review.Fail
			want.tp++
		default:
			want.tn++
		}
		require.NoError(t, store.SetLabel(strings.ToUpper(id), "pii", human), "IDs are written lower-case")
	}

	code, out, stderr := runCmd("calibrate", "--labels", labels, annotated)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, struct{ tp, fp, tn int }{2, 1, 15}, want)
	// TPR 2/2, TNR 15/16, precision 2/3; kappa (17/18 - 246/324) / (1 - 246/324).
	assert.Regexp(t, regexp.MustCompile(`(?m)^pii\s+18\s+2\s+1\s+0\s+15\s+1\.000\s+0\.938\s+0\.667\s+0\.769\s+0\s+0$`), out)

	// tune reads the same file: a trace with a fail row failed. Its train,
	// dev and test splits together hold every labelled trace and failure.
	tuneCfg := writeFile(t, "t.yaml", "processors:\n  llmeval:\n")
	split := regexp.MustCompile(`trained on train: (\d+) traces, (\d+) failed; reported on (dev|test): (\d+) traces, (\d+) failed`)
	traces, failures := 0, 0
	for i, args := range [][]string{{"tune", "--config", tuneCfg, "--labels", labels, in}, {"tune", "--config", tuneCfg, "--labels", labels, "--test", in}} {
		code, out, stderr = runCmd(args...)
		require.Equal(t, 0, code, stderr)
		m := split.FindStringSubmatch(out)
		require.NotNil(t, m, out)
		n := func(k int) int { v, err := strconv.Atoi(m[k]); require.NoError(t, err); return v }
		if i == 0 {
			traces, failures = n(1), n(2)
		}
		traces, failures = traces+n(4), failures+n(5)
	}
	assert.Equal(t, len(piiFailed), traces)
	assert.Equal(t, want.tp, failures)
}

func TestReviewRefusesBadArguments(t *testing.T) {
	q := writeFile(t, "q.jsonl", "")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "at least one OTLP JSON file"},
		{[]string{"--config", writeFile(t, "bad.yaml", "judge: {redact: {mode: hide}}\n"), q}, `mode: "hide" is not one of drop, mask`},
		{[]string{"--labels", writeFile(t, "l.csv", "x,y\n"), q}, "l.csv"},
		{[]string{"--addr", "127.0.0.1:notaport", q}, "notaport"},
		{[]string{filepath.Join(t.TempDir(), "missing.jsonl")}, "no such file"},
	} {
		code, _, stderr := runCmd(append([]string{"review"}, tt.args...)...)
		assert.Equal(t, 2, code, tt.args)
		assert.Contains(t, stderr, tt.want, tt.args)
	}
}
