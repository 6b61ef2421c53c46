package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	toolOnce sync.Once
	toolPath string
	toolErr  error
)

// llmevalTool builds the llmeval command-line tool once per test binary.
func llmevalTool(t *testing.T) string {
	t.Helper()
	toolOnce.Do(func() {
		dir, err := os.MkdirTemp("", "llmeval-tool")
		if err != nil {
			toolErr = err
			return
		}
		toolPath = filepath.Join(dir, "llmeval")
		out, err := exec.Command("go", "build", "-o", toolPath, "../cmd/llmeval").CombinedOutput()
		if err != nil {
			toolErr = err
			toolPath = string(out)
		}
	})
	require.NoError(t, toolErr, toolPath)
	return toolPath
}

// The three ways a user meets a config mistake must agree: `otelcol
// validate`, `llmeval check` and start-up refuse the same configs with the
// same message, naming block, list index and field, each message once.
func TestConfigAgreement(t *testing.T) {
	bin, tool := binary(t), llmevalTool(t)
	judge := "judge:\n  otlp_http: {endpoint: 'http://127.0.0.1:4318'}\n"
	rule := "sampling:\n  rules:\n    - {name: leaks, verdict_failed: [pii]}\n"
	bad := []struct {
		name, processor, want string
	}{
		{"broken sampling OTTL", judge + "sampling:\n  rules:\n    - {name: c, condition: 'span.attributes[\"x\"] ==== 1'}\n",
			`sampling: rules[0] "c": condition:`},
		{"judge endpoint without scheme", "judge:\n  otlp_http: {endpoint: '127.0.0.1:4318'}\n" + rule,
			"judge: otlp_http: endpoint must be a valid URL"},
		{"latency without unit", "evaluators:\n  - {name: lat, type: latency, max: 20}\n",
			`evaluators[0] "lat": max: 20 has no unit`},
		{"sampling duration without unit", judge + rule + "  decision_wait: 20\n",
			"sampling: decision_wait: 20 has no unit"},
		{"signals error once", "signals: {near_duplicate_similarity: 3}\n",
			"signals: near_duplicate_similarity: 3 is outside [0, 1]"},
		{"redact error once", "judge:\n  otlp_http: {endpoint: 'http://127.0.0.1:4318'}\n  redact: {mode: hide}\n" + rule,
			`judge: redact: mode: "hide" is not one of drop, mask`},
		{"user index with defaults", "default_evaluators: true\nevaluators:\n  - {name: x, type: nope}\n",
			`evaluators[0] "x": type: unknown type "nope"`},
		{"duplicate does not hide the entry's other errors", "evaluators:\n  - {name: a, type: json}\n  - {name: a, type: regex, must_not_match: '(acme'}\n",
			`evaluators[1] "a": must_not_match:`},
		{"duplicate named", "evaluators:\n  - {name: a, type: json}\n  - {name: a, type: json}\n",
			`evaluators[1] "a": name: duplicate of evaluators[0] "a"`},
		{"duplicate of a default", "default_evaluators: true\nevaluators:\n  - {name: pii, type: json}\n",
			`evaluators[0] "pii": name: duplicate of default_evaluators[`},
		{"bad regex", "evaluators:\n  - {name: competitor, type: regex, must_not_match: '(acme'}\n",
			`evaluators[0] "competitor": must_not_match:`},
		{"bad when", "evaluators:\n  - {name: slow, type: latency, max: 1s, when: ['attributes[\"x\"] == 1']}\n",
			`evaluators[0] "slow": when:`},
		{"bad fail_when", "evaluators:\n  - {name: o, type: ottl, fail_when: 'span.attributes[\"x\"] ==== 1'}\n",
			`evaluators[0] "o": fail_when[0]:`},
		{"unknown target", "evaluators:\n  - {name: r, type: regex, must_match: x, target: outputs}\n",
			`evaluators[0] "r": target: unknown target "outputs"`},
		{"empty prefix", "attribute_prefix: ''\n",
			"attribute_prefix: must not be empty"},
		{"rule names an unknown evaluator", judge + "sampling:\n  rules:\n    - {name: r, verdict_failed: [nope]}\n",
			`sampling: rules[0] "r"`},
		{"rules without a judge", rule,
			"sampling: rules, target_ratio or baseline_ratio need a judge"},
		{"two judge protocols", "judge:\n  otlp_http: {endpoint: 'http://127.0.0.1:4318'}\n  otlp_grpc: {endpoint: '127.0.0.1:4317'}\n" + rule,
			"set exactly one of otlp_grpc, otlp_http"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.processor)
			outputs := map[string]string{
				"validate": mustFail(t, exec.Command(bin, "validate", "--config", path)),
				"check":    mustFail(t, exec.Command(tool, "check", "--config", path)),
				"start-up": mustFail(t, exec.Command(bin, "--config", path)),
			}
			for how, out := range outputs {
				assert.Equal(t, 1, strings.Count(out, tc.want), "%s: want %q once in:\n%s", how, tc.want, out)
			}
		})
	}
	good := []struct{ name, processor string }{
		{"defaults", ""},
		{"defaults and own", "default_evaluators: true\nevaluators:\n  - {name: slow, type: latency, max: 30s}\n"},
		{"judge and rules", judge + rule + "  decision_wait: 2s\n"},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.processor)
			out, err := exec.Command(bin, "validate", "--config", path).CombinedOutput()
			assert.NoError(t, err, "validate: %s", out)
			out, err = exec.Command(tool, "check", "--config", path).CombinedOutput()
			assert.NoError(t, err, "check: %s", out)
		})
	}
}

func writeConfig(t *testing.T, processor string) string {
	t.Helper()
	cfg := pipelineConfig(freePort(t), freePort(t), filepath.Join(t.TempDir(), "out.jsonl"), processor)
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	return path
}

// mustFail runs cmd, which must exit non-zero within 30 s, and returns its
// combined output.
func mustFail(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.Error(t, err, "%s must exit non-zero:\n%s", cmd.Args[1], out.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("%s did not refuse within 30s:\n%s", strings.Join(cmd.Args, " "), out.String())
	}
	return out.String()
}
