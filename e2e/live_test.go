package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

const fixturegen = "../tools/fixturegen"

// scenarioSpans groups what a sink received by the producer's scenario
// (the fixture.scenario resource attribute).
func scenarioSpans(t *testing.T, s *sink) map[string][]ptrace.Span {
	t.Helper()
	s.read(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]ptrace.Span{}
	for _, td := range s.traces {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			sc, _ := rs.Resource().Attributes().Get("fixture.scenario")
			forEachSpan(traceOf(rs), func(sp ptrace.Span) { out[sc.Str()] = append(out[sc.Str()], sp) })
		}
	}
	return out
}

// waitQuiet waits until the sink holds at least min spans and nothing new
// arrived for a second.
func waitQuiet(t *testing.T, s *sink, min int) {
	t.Helper()
	s.waitSpans(t, min)
	last := -1
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		s.read(t)
		s.mu.Lock()
		n := s.spans
		s.mu.Unlock()
		if n == last {
			return
		}
		last = n
	}
}

func failedNames(spans []ptrace.Span) map[string]bool {
	out := map[string]bool{}
	for _, sp := range spans {
		if f, ok := sp.Attributes().Get("llmeval.failed"); ok {
			for _, n := range f.Slice().AsRaw() {
				out[n.(string)] = true
			}
		}
	}
	return out
}

func signalKinds(spans []ptrace.Span, category string) map[string]bool {
	out := map[string]bool{}
	for _, sp := range spans {
		if k, ok := sp.Attributes().Get("llmeval.signal." + category + ".kinds"); ok {
			for _, n := range k.Slice().AsRaw() {
				out[n.(string)] = true
			}
		}
	}
	return out
}

// TestLiveVercelAIAgent runs a real Vercel AI SDK 7 agent (ai + @ai-sdk/otel)
// against a scripted OpenAI-compatible server; the agent exports OTLP to the
// built collector, which samples to a second collector acting as the judge.
func TestLiveVercelAIAgent(t *testing.T) {
	binary(t)
	if _, err := os.Stat(filepath.Join(fixturegen, "node_modules", "ai")); err != nil {
		t.Fatalf("Node packages missing in %s (make e2e installs them with npm ci): %v", fixturegen, err)
	}
	node, err := exec.LookPath("node")
	require.NoError(t, err, "node is needed for the live agent")

	judgeOut := newSink(t)
	judgePort := freePort(t)
	startConfig(t, judgeConfig(judgePort, freePort(t), judgeOut.path), judgePort, 0)
	main := newSink(t)
	c := start(t, fmt.Sprintf(`sampling:
  decision_wait: 1s
  rules:
    - { name: leaks, verdict_failed: [pii] }
    - { name: destructive, verdict_failed: [destructive_action] }
    - { name: loops, signals: [loop] }
    - { name: escalations, signals: [disengagement.escalation] }
judge:
  otlp_http:
    endpoint: http://127.0.0.1:%d
    compression: none
`, judgePort), main)

	scenarios := []string{"normal", "refusal", "leak", "failing_loop", "human", "destructive"}
	cmd := exec.Command(node, append([]string{"live.mjs", "--producer", "vercel_ai", "--otlp", c.otlpURL}, scenarios...)...)
	cmd.Dir = fixturegen
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	t.Logf("agent runs:\n%s", out)

	waitQuiet(t, main, 6*3)
	got := scenarioSpans(t, main)
	require.Len(t, got, len(scenarios), "every scenario's spans reach the main output")

	assert.Empty(t, failedNames(got["normal"]), "a good answer fails nothing")
	assert.True(t, failedNames(got["refusal"])["refusal"], "refusal")
	assert.True(t, failedNames(got["leak"])["pii"], "leaked SSN and email")
	assert.True(t, failedNames(got["destructive"])["destructive_action"], "rm -rf in tool arguments")
	assert.True(t, signalKinds(got["failing_loop"], "loop")["same_call"], "the same failing call three times is a loop")
	assert.True(t, signalKinds(got["failing_loop"], "failure")["tool_error"], "the failing tool spans")
	assert.True(t, signalKinds(got["human"], "disengagement")["escalation"], "asking for a human")

	// The judge gets exactly the scenarios the rules select, every span of
	// their traces.
	time.Sleep(2 * time.Second) // past decision_wait for the unselected ones
	waitQuiet(t, judgeOut, 1)
	judged := scenarioSpans(t, judgeOut)
	var names []string
	for sc := range judged {
		names = append(names, sc)
	}
	assert.ElementsMatch(t, []string{"leak", "failing_loop", "human", "destructive"}, names)
	for sc, spans := range judged {
		assert.Len(t, spans, len(got[sc]), "%s: the whole trace reaches the judge", sc)
		for _, sp := range spans {
			assert.Equal(t, true, sp.Attributes().AsRaw()["llmeval.judge.sampled"], sc)
		}
	}
	assert.True(t, strings.Contains(string(out), "vercel_ai/failing_loop"), "the agent ran the failing loop")
}

// TestLiveOpenInferenceClient runs the raw openai client instrumented by
// @arizeai/openinference-instrumentation-openai: the non-semconv layout,
// live rather than from fixtures.
func TestLiveOpenInferenceClient(t *testing.T) {
	binary(t)
	if _, err := os.Stat(filepath.Join(fixturegen, "node_modules", "@arizeai")); err != nil {
		t.Fatalf("Node packages missing in %s (make e2e installs them with npm ci): %v", fixturegen, err)
	}
	node, err := exec.LookPath("node")
	require.NoError(t, err)
	main := newSink(t)
	c := start(t, ``, main)
	scenarios := []string{"normal", "refusal", "leak", "failing_tool", "bad_tool_args"}
	cmd := exec.Command(node, append([]string{"live.mjs", "--producer", "openinference", "--otlp", c.otlpURL}, scenarios...)...)
	cmd.Dir = fixturegen
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))

	waitQuiet(t, main, len(scenarios)*2)
	got := scenarioSpans(t, main)
	require.Len(t, got, len(scenarios))
	layouts := map[string]bool{}
	for _, spans := range got {
		for _, sp := range spans {
			if _, ok := sp.Attributes().Get("openinference.span.kind"); ok {
				layouts["openinference"] = true
			}
		}
	}
	require.True(t, layouts["openinference"], "spans carry the OpenInference layout")
	assert.Empty(t, failedNames(got["normal"]))
	assert.True(t, failedNames(got["refusal"])["refusal"])
	assert.True(t, failedNames(got["leak"])["pii"])
	assert.True(t, failedNames(got["bad_tool_args"])["tool_call"])
	assert.NotEmpty(t, signalKinds(got["failing_tool"], "exhaustion"), "the 503 from the tool is an exhaustion signal")
}
