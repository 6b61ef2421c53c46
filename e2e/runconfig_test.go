package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/fakellm"
)

// runConfig is testdata/collector/run.yaml, the config `make run` uses,
// moved to free ports so tests do not collide with a running collector.
func runConfig(t *testing.T) (cfg string, otlpPort int) {
	t.Helper()
	raw, err := os.ReadFile("../testdata/collector/run.yaml")
	require.NoError(t, err)
	otlpPort = freePort(t)
	judgePort := freePort(t)
	cfg = strings.NewReplacer(
		"localhost:4317", fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"localhost:4318", fmt.Sprintf("127.0.0.1:%d", otlpPort),
		"127.0.0.1:4319", fmt.Sprintf("127.0.0.1:%d", judgePort),
	).Replace(string(raw))
	require.Contains(t, cfg, fmt.Sprintf("endpoint: http://127.0.0.1:%d", judgePort), "the judge exporter points at the judge receiver")
	// The collector's own metrics would take the default port 8888.
	cfg = strings.Replace(cfg, "\nservice:\n", "\nservice:\n  telemetry:\n    metrics:\n      level: none\n", 1)
	return cfg, otlpPort
}

// TestMakeRunWithoutAModel: the default config, as `make run` starts it
// with no judge configured, says so at start-up and writes the sampled
// trace (the fixture's refusal fails a check) to the review queue.
func TestMakeRunWithoutAModel(t *testing.T) {
	cfg, port := runConfig(t)
	queue := filepath.Join(t.TempDir(), "review-queue.jsonl")
	c := startConfig(t, cfg, port, 0, "LLMEVAL_REVIEW_QUEUE="+queue,
		"LLMEVAL_JUDGE_ENDPOINT=", "LLMEVAL_JUDGE_MODEL=", "LLMEVAL_JUDGE_API_KEY=")
	body, err := os.ReadFile(filepath.Join(fixtures, "genai_chat.json"))
	require.NoError(t, err)
	c.sendJSON(t, body)

	review := &sink{path: queue}
	spans := review.waitSpans(t, 5)
	assert.Len(t, spans, 5, "the whole trace is in the review queue")
	assert.Equal(t, "failed_checks", spans["0000000000000004"].Attributes().AsRaw()["llmeval.judge.reason"])
	began := time.Now()
	require.Eventually(t, func() bool { return strings.Contains(c.stderr.String(), "EventName: gen_ai.evaluation.result") }, 10*time.Second, 50*time.Millisecond,
		"the checks' verdicts are printed as evaluation records")
	t.Logf("records printed %v after the review queue", time.Since(began))
	out := c.stderr.String()
	assert.Contains(t, out, "no judge model configured")
	assert.NotContains(t, out, "llmjudge: judging")
}

// TestMakeRunWithAModel: with LLMEVAL_JUDGE_* set, the same config judges
// the sampled trace and prints the judge's records; the trace still lands
// in the review queue.
func TestMakeRunWithAModel(t *testing.T) {
	llm := fakellm.New(func(_ int, req fakellm.Request) fakellm.Reply {
		if strings.Contains(req.Messages[0].Content, "whole trace") {
			return fakellm.OK(`{"explanation":"The agent refused after finding the order.","score":2}`)
		}
		return fakellm.OK(`{"explanation":"JUDGE-EXPLANATION","verdict":"fail"}`)
	})
	t.Cleanup(llm.Close)
	cfg, port := runConfig(t)
	queue := filepath.Join(t.TempDir(), "review-queue.jsonl")
	c := startConfig(t, cfg, port, 0, "LLMEVAL_REVIEW_QUEUE="+queue,
		"LLMEVAL_JUDGE_ENDPOINT="+llm.URL+"/v1", "LLMEVAL_JUDGE_MODEL=llama3.1:8b", "LLMEVAL_JUDGE_API_KEY=sk-run")
	body, err := os.ReadFile(filepath.Join(fixtures, "genai_chat.json"))
	require.NoError(t, err)
	c.sendJSON(t, body)

	(&sink{path: queue}).waitSpans(t, 5)
	deadline := time.Now().Add(20 * time.Second)
	for llm.Count() < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	reqs := llm.Requests()
	require.Len(t, reqs, 3, "two chat spans (helpful) and the trace (task_completed)")
	for _, r := range reqs {
		assert.Equal(t, "Bearer sk-run", r.Auth)
		assert.Equal(t, "llama3.1:8b", r.Model)
	}
	require.Eventually(t, func() bool { return strings.Contains(c.stderr.String(), "JUDGE-EXPLANATION") }, 10*time.Second, 50*time.Millisecond,
		"the judge's records reach the debug exporter")
	out := c.stderr.String()
	assert.Contains(t, out, "llmjudge: judging")
	assert.NotContains(t, out, "no judge model configured")
	assert.NotContains(t, out, "sk-run")
}
