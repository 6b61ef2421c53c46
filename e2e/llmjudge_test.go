package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/fakellm"
)

// judgeCollector is one collector running the whole loop: the main
// stream through llmeval (checks, signals, sampling) to a file and to
// llmeval_results, the sampled traces over a loopback OTLP receiver into
// a judge pipeline with llmjudge, and every evaluation record to one logs
// file.
type judgeCollector struct {
	*collector
	main *sink
	logs *logSink
}

type judgeSetup struct {
	llmURL     string // the fake judge
	processor  string // llmeval's settings, without sampling and judge
	sampling   string // the sampling block's body
	connectors string // the llmjudge connectors (with their ids), indented under connectors:
	judges     string // the ids of the llmjudge connectors, comma separated
	env        []string
}

func startJudgeCollector(t *testing.T, s judgeSetup) *judgeCollector {
	t.Helper()
	otlpPort, judgePort, metricsPort := freePort(t), freePort(t), freePort(t)
	main := newSink(t)
	logs := &logSink{path: filepath.Join(t.TempDir(), "evaluations.jsonl")}
	cfg := fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:%d }
  otlp/judge:
    protocols:
      http: { endpoint: 127.0.0.1:%d }
processors:
  llmeval:
%s
    sampling:
%s
    judge:
      otlp_http: { endpoint: "http://127.0.0.1:%d", compression: none }
connectors:
  llmeval_results:
%s
exporters:
  file/main: { path: %s, flush_interval: 50ms }
  file/evaluations: { path: %s, flush_interval: 50ms }
service:
  telemetry:
    logs: { level: debug }
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus: { host: 127.0.0.1, port: %d }
  pipelines:
    traces:
      receivers: [otlp]
      processors: [llmeval]
      exporters: [file/main, llmeval_results]
    traces/judge:
      receivers: [otlp/judge]
      exporters: [%s]
    logs/evaluations:
      receivers: [llmeval_results, %s]
      exporters: [file/evaluations]
`, otlpPort, judgePort, indent(s.processor, "    "), indent(s.sampling, "      "), judgePort,
		indent(strings.ReplaceAll(s.connectors, "LLM_URL", s.llmURL), "  "), main.path, logs.path, metricsPort, s.judges, s.judges)
	c := startConfig(t, cfg, otlpPort, metricsPort, s.env...)
	return &judgeCollector{collector: c, main: main, logs: logs}
}

// logSink reads the evaluation records the file exporter writes.
type logSink struct{ path string }

type evalRecord struct {
	service string
	trace   pcommon.TraceID
	span    pcommon.SpanID
	event   string
	attrs   map[string]any
}

func (s *logSink) read(t *testing.T) []evalRecord {
	t.Helper()
	body, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	var out []evalRecord
	for _, line := range bytes.Split(body, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(line)
		if err != nil {
			return out // a line still being written
		}
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			service, _ := rl.Resource().Attributes().Get("service.name")
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				lrs := rl.ScopeLogs().At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					lr := lrs.At(k)
					out = append(out, evalRecord{service.AsString(), lr.TraceID(), lr.SpanID(), lr.EventName(), lr.Attributes().AsRaw()})
				}
			}
		}
	}
	return out
}

// wait returns the records once there are n, and fails if more arrive
// within settle.
func (s *logSink) wait(t *testing.T, n int, settle time.Duration) []evalRecord {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(s.read(t)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d evaluation records, want %d: %v", len(s.read(t)), n, s.read(t))
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(settle)
	got := s.read(t)
	require.Len(t, got, n, "no more records")
	return got
}

// byKey indexes records by source, evaluation name and trace byte.
func byKey(recs []evalRecord) map[string]evalRecord {
	out := map[string]evalRecord{}
	for _, r := range recs {
		out[fmt.Sprintf("%s/%s/%d", r.attrs["llmeval.evaluation.source"], r.attrs["gen_ai.evaluation.name"], r.trace[1])] = r
	}
	return out
}

// servedTrace is agentTrace with a service name of its own.
func servedTrace(td ptrace.Traces, id byte, service, userText, answer string) {
	agentTrace(td, id, userText, answer)
	td.ResourceSpans().At(td.ResourceSpans().Len()-1).Resource().Attributes().PutStr("service.name", service)
}

const judgeModel = `
    model:
      endpoint: LLM_URL/v1
      name: judge-model
      api_key: ${env:LLMEVAL_TEST_JUDGE_KEY}
      retry_on_failure: { initial_interval: 200ms, max_interval: 1s, max_elapsed_time: 3s }`

// TestJudgeLoopInOneCollector: checks on the main stream, the sampled
// traces judged by span- and trace-level rubrics in the same collector,
// and the checks' and the judge's records side by side in one logs file,
// parented to the judged spans, with the judged trace's resource.
func TestJudgeLoopInOneCollector(t *testing.T) {
	llm := fakellm.New(func(_ int, req fakellm.Request) fakellm.Reply {
		p := req.Prompt()
		switch {
		case strings.HasPrefix(p, "TRACE") && strings.Contains(p, "human"):
			return fakellm.OK(`{"explanation":"The user gave up.","score":1}`)
		case strings.HasPrefix(p, "TRACE"):
			return fakellm.OK(`{"explanation":"Resolved.","score":5}`)
		case strings.Contains(p, "human"):
			return fakellm.OK(`{"explanation":"Stalls the user.","verdict":"fail"}`)
		}
		return fakellm.OK(`{"explanation":"Answers.","verdict":"pass"}`)
	})
	t.Cleanup(llm.Close) // after the collector has stopped
	c := startJudgeCollector(t, judgeSetup{
		llmURL:    llm.URL,
		processor: "evaluators:\n  - { name: pii, type: pii }",
		sampling: `decision_wait: 300ms
rules:
  - { name: leaks, verdict_failed: [pii] }
  - { name: escalations, signals: [disengagement.escalation] }`,
		connectors: `llmjudge:` + judgeModel + `
    rubrics:
      - name: helpful
        when: ['span.attributes["gen_ai.operation.name"] == "chat"']
        prompt: "SPAN {{.Span.LastUserText}} -> {{.Span.OutputText}}"
      - name: resolved
        level: trace
        prompt: "TRACE{{range .Trace.Steps}} {{.InputText}} {{.OutputText}}{{end}}"
        scale: { min: 1, max: 5, pass_threshold: 4 }`,
		judges: "llmjudge",
		env:    []string{"LLMEVAL_TEST_JUDGE_KEY=sk-e2e"},
	})
	td := ptrace.NewTraces()
	servedTrace(td, 1, "shop", "What is my order status?", "It ships today; we emailed jane.roe@fastmail.com.")
	servedTrace(td, 2, "support", "This is useless, let me talk to a human", "One moment.")
	servedTrace(td, 3, "shop", "What is my order status?", "It ships today.")
	c.send(t, td)
	assert.Len(t, c.main.waitSpans(t, 9), 9, "the main stream keeps every span")

	recs := c.logs.wait(t, 5, 2*time.Second)
	got := byKey(recs)
	for key, want := range map[string]struct {
		trace, span byte
		service     string
		attrs       map[string]any
	}{
		"check/pii/1": {1, 2, "shop", map[string]any{"gen_ai.evaluation.score.label": "fail", "gen_ai.evaluation.explanation": "pii found: email (1)"}},
		"judge/helpful/1": {1, 2, "shop", map[string]any{"gen_ai.evaluation.score.label": "pass", "gen_ai.evaluation.explanation": "Answers.",
			"llmeval.judge.rubric.level": "span"}},
		"judge/helpful/2": {2, 2, "support", map[string]any{"gen_ai.evaluation.score.label": "fail", "gen_ai.evaluation.explanation": "Stalls the user.",
			"llmeval.judge.rubric.level": "span"}},
		"judge/resolved/1": {1, 1, "shop", map[string]any{"gen_ai.evaluation.score.label": "pass", "gen_ai.evaluation.score.value": 5.0,
			"gen_ai.evaluation.explanation": "Resolved.", "llmeval.judge.rubric.level": "trace"}},
		"judge/resolved/2": {2, 1, "support", map[string]any{"gen_ai.evaluation.score.label": "fail", "gen_ai.evaluation.score.value": 1.0,
			"gen_ai.evaluation.explanation": "The user gave up.", "llmeval.judge.rubric.level": "trace"}},
	} {
		r, ok := got[key]
		require.True(t, ok, "record %s missing; got %v", key, recs)
		assert.Equal(t, "gen_ai.evaluation.result", r.event, key)
		assert.Equal(t, pcommon.TraceID{0xa, want.trace}, r.trace, key)
		assert.Equal(t, pcommon.SpanID{want.trace, want.span}, r.span, "%s is parented to the judged span", key)
		assert.Equal(t, want.service, r.service, "%s carries the judged trace's resource", key)
		for k, v := range want.attrs {
			assert.Equal(t, v, r.attrs[k], "%s: %s", key, k)
		}
		if strings.HasPrefix(key, "judge/") {
			assert.Equal(t, "judge-model-2025", r.attrs["llmeval.judge.model"], key)
			assert.Regexp(t, `^[0-9a-f]{16}$`, r.attrs["llmeval.judge.rubric.version"], key)
			assert.Equal(t, int64(1000), r.attrs["llmeval.judge.usage.input_tokens"], key)
			assert.Equal(t, int64(100), r.attrs["llmeval.judge.usage.output_tokens"], key)
		}
	}
	for _, req := range llm.Requests() {
		assert.Equal(t, "Bearer sk-e2e", req.Auth, "the key from the environment")
	}
	assert.Equal(t, 4, llm.Count(), "two sampled traces, two rubrics each; trace 3 was not sampled")
	m := c.metrics(t, "otelcol_connector_llmjudge_calls")
	assert.Regexp(t, `otelcol_connector_llmjudge_calls(_total)?\{[^}]*rubric="helpful"[^}]*\} 2`, m)
	assert.Regexp(t, `otelcol_connector_llmjudge_verdicts(_total)?\{[^}]*label="fail"[^}]*rubric="resolved"[^}]*\} 1`, m)
	assert.Regexp(t, `otelcol_connector_llmeval_results_records(_total)?\{[^}]*label="fail"[^}]*\} 1`, m)
	for _, secret := range []string{"jane.roe@fastmail.com", "talk to a human", "sk-e2e", "Stalls the user"} {
		assert.NotContains(t, c.stderr.String(), secret, "content, answers and keys stay out of the collector's logs, even at debug")
	}
}

// TestJudgeAnswersAndFailures: structured, fenced and bare answers are
// verdicts; a 429 is retried after its Retry-After; malformed answers,
// refusals, a judge that keeps failing and one that times out are error
// records naming the error type, never a guessed verdict.
func TestJudgeAnswersAndFailures(t *testing.T) {
	var mu sync.Mutex
	flaky := []time.Time{}
	llm := fakellm.New(func(_ int, req fakellm.Request) fakellm.Reply {
		p := req.Prompt()
		switch {
		case strings.Contains(p, "schema"):
			return fakellm.OK(`{"explanation":"Structured.","verdict":"pass"}`)
		case strings.Contains(p, "fenced"):
			return fakellm.OK("Here:\n```json\n{\"explanation\": \"Fenced.\", \"verdict\": \"fail\"}\n```")
		case strings.Contains(p, "bare"):
			return fakellm.OK("Looks right.\nPASS")
		case strings.Contains(p, "malformed"):
			return fakellm.Reply{Body: `{"choices": [{"message": `}
		case strings.Contains(p, "refuse"):
			return fakellm.Reply{Body: `{"choices":[{"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}`}
		case strings.Contains(p, "rambling"):
			return fakellm.OK("I am not sure what to say about this one.")
		case strings.Contains(p, "flaky"):
			mu.Lock()
			defer mu.Unlock()
			flaky = append(flaky, time.Now())
			if len(flaky) == 1 {
				return fakellm.Reply{Status: 429, Headers: map[string]string{"Retry-After": "1"}}
			}
			return fakellm.OK(`{"explanation":"After the wait.","verdict":"pass"}`)
		case strings.Contains(p, "down"):
			return fakellm.Reply{Status: 503}
		case strings.Contains(p, "slow"):
			return fakellm.Reply{Delay: 5 * time.Second, Body: fakellm.Completion(`{"explanation":"late","verdict":"pass"}`)}
		}
		return fakellm.Reply{Status: 400}
	})
	t.Cleanup(llm.Close) // after the collector has stopped
	c := startJudgeCollector(t, judgeSetup{
		llmURL:    llm.URL,
		processor: "evaluators:\n  - { name: pii, type: pii }",
		sampling:  "decision_wait: 200ms\nbaseline_ratio: 1",
		connectors: `llmjudge:` + strings.Replace(judgeModel, "retry_on_failure", "timeout: 1s\n      retry_on_failure", 1) + `
    rubrics:
      - name: helpful
        when: ['span.attributes["gen_ai.operation.name"] == "chat"']
        prompt: "{{.Span.LastUserText}}"`,
		judges: "llmjudge",
		env:    []string{"LLMEVAL_TEST_JUDGE_KEY=k"},
	})
	cases := []struct {
		text, label, errType, explanation string
	}{
		{"schema", "pass", "", "Structured."},
		{"fenced", "fail", "", "Fenced."},
		{"bare", "pass", "", "Looks right."},
		{"flaky", "pass", "", "After the wait."},
		{"malformed", "error", "malformed_response", ""},
		{"refuse", "error", "judge_refused", ""},
		{"rambling", "error", "unparseable_answer", ""},
		{"down", "error", "server_error", ""},
		{"slow", "error", "timeout", ""},
	}
	td := ptrace.NewTraces()
	for i, tc := range cases {
		servedTrace(td, byte(i+1), "shop", tc.text, "answer")
	}
	c.send(t, td)
	got := byKey(c.logs.wait(t, len(cases), time.Second))
	for i, tc := range cases {
		r, ok := got[fmt.Sprintf("judge/helpful/%d", i+1)]
		require.True(t, ok, tc.text)
		assert.Equal(t, tc.label, r.attrs["gen_ai.evaluation.score.label"], tc.text)
		assert.Equal(t, tc.errType, strOr(r.attrs["error.type"]), tc.text)
		assert.Equal(t, tc.explanation, strOr(r.attrs["gen_ai.evaluation.explanation"]), tc.text)
	}
	mu.Lock()
	require.Len(t, flaky, 2)
	assert.GreaterOrEqual(t, flaky[1].Sub(flaky[0]), 900*time.Millisecond, "the retry waited for Retry-After")
	mu.Unlock()
	m := c.metrics(t, "otelcol_connector_llmjudge_errors")
	assert.Regexp(t, `otelcol_connector_llmjudge_errors(_total)?\{[^}]*error_type="timeout"[^}]*\} 1`, m)
	assert.Regexp(t, `otelcol_connector_llmjudge_retries(_total)?(\{[^}]*\})? [1-9]`, m)
}

func strOr(v any) string {
	s, _ := v.(string)
	return s
}

// TestTenSecondJudge: a judge taking 10 s per answer leaves the main
// stream alone; what the judge's queue cannot hold is dropped and counted.
func TestTenSecondJudge(t *testing.T) {
	llm := fakellm.New(func(int, fakellm.Request) fakellm.Reply {
		return fakellm.Reply{Delay: 10 * time.Second, Body: fakellm.Completion(`{"explanation":"x","verdict":"pass"}`)}
	})
	t.Cleanup(llm.Close) // after the collector has stopped
	c := startJudgeCollector(t, judgeSetup{
		llmURL:    llm.URL,
		processor: "evaluators:\n  - { name: pii, type: pii }",
		sampling:  "decision_wait: 200ms\nbaseline_ratio: 1",
		connectors: `llmjudge:` + judgeModel + `
    queue_size: 2
    max_concurrency: 1
    rubrics:
      - name: helpful
        when: ['span.attributes["gen_ai.operation.name"] == "chat"']
        prompt: "{{.Span.OutputText}}"`,
		judges: "llmjudge",
		env:    []string{"LLMEVAL_TEST_JUDGE_KEY=k"},
	})
	began := time.Now()
	for i := byte(1); i <= 10; i++ {
		td := ptrace.NewTraces()
		servedTrace(td, i, "shop", "hi", "hello")
		sent := time.Now()
		c.send(t, td)
		assert.Less(t, time.Since(sent), time.Second, "the receiver answers at once")
	}
	assert.Len(t, c.main.waitSpans(t, 30), 30)
	assert.Less(t, time.Since(began), 5*time.Second, "every span of the main stream is out long before one judge call ends")
	// The traces reach the judge pipeline as they are decided; wait for
	// the last decisions before counting.
	skips := regexp.MustCompile(`otelcol_connector_llmjudge_skips(?:_total)?\{[^}]*reason="queue_full"[^}]*\} (\d+)`)
	skipped := 0
	for deadline := time.Now().Add(8 * time.Second); skipped < 7 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if n := skips.FindStringSubmatch(c.metrics(t, `reason="queue_full"`)); n != nil {
			skipped, _ = strconv.Atoi(n[1])
		}
	}
	assert.GreaterOrEqual(t, skipped, 7, "10 judgements: one in flight, two queued, the rest dropped")
	assert.Equal(t, 1, llm.MaxInFlight(), "max_concurrency holds")
	assert.Empty(t, c.logs.read(t), "no record for a judgement not made")
}

// TestJudgeBudgetsAndVersions: one judge pipeline feeding two llmjudge
// connectors: one capped at 2 calls a minute, one at $2 a day ($1.10 a
// call); the same rubric name with another prompt has another version.
func TestJudgeBudgetsAndVersions(t *testing.T) {
	llm := fakellm.New(nil)
	t.Cleanup(llm.Close) // after the collector has stopped
	c := startJudgeCollector(t, judgeSetup{
		llmURL:    llm.URL,
		processor: "evaluators:\n  - { name: pii, type: pii }",
		sampling:  "decision_wait: 200ms\nbaseline_ratio: 1",
		connectors: `llmjudge/minute:` + judgeModel + `
    max_concurrency: 1
    budget: { max_calls_per_minute: 2 }
    rubrics:
      - name: helpful
        when: ['span.attributes["gen_ai.operation.name"] == "chat"']
        prompt: "Is this helpful? {{.Span.OutputText}}"

llmjudge/day:` + judgeModel + `
    max_concurrency: 1
    budget: { max_spend_per_day_usd: 2 }
    prices: { "judge-model": { input_per_million: 1000, output_per_million: 1000 } }
    rubrics:
      - name: helpful
        when: ['span.attributes["gen_ai.operation.name"] == "chat"']
        prompt: "Is this answer helpful to the user? {{.Span.OutputText}}"`,
		judges: "llmjudge/minute, llmjudge/day",
		env:    []string{"LLMEVAL_TEST_JUDGE_KEY=k"},
	})
	td := ptrace.NewTraces()
	for i := byte(1); i <= 5; i++ {
		servedTrace(td, i, "shop", "hi", "hello")
	}
	c.send(t, td)
	recs := c.logs.wait(t, 4, 2*time.Second)
	versions := map[any]int{}
	for _, r := range recs {
		versions[r.attrs["llmeval.judge.rubric.version"]]++
	}
	require.Len(t, versions, 2, "another prompt, another version: %v", versions)
	for v, n := range versions {
		assert.Equal(t, 2, n, "version %v: two calls within each budget", v)
	}
	m := c.metrics(t, `reason="daily_spend"`)
	assert.Regexp(t, `otelcol_connector_llmjudge_skips(_total)?\{[^}]*reason="daily_spend"[^}]*\} 3`, m)
	assert.Regexp(t, `otelcol_connector_llmjudge_skips(_total)?\{[^}]*reason="rate_limit"[^}]*\} 3`, m)
	assert.Regexp(t, `otelcol_connector_llmjudge_spend(_total)?\{[^}]*\} 2.2`, m)
	assert.Equal(t, 4, llm.Count())
}

// TestJudgeBadConfigRefusesToStart: a broken rubric stops the collector
// at start-up, naming the connector, the rubric and the field.
func TestJudgeBadConfigRefusesToStart(t *testing.T) {
	bin := binary(t)
	cfg := fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:%d }
connectors:
  llmjudge:
    model: { endpoint: http://127.0.0.1:1/v1, name: m }
    rubrics:
      - { name: helpful, prompt: "{{.Span.Outptu}}" }
      - { name: resolved, level: session, prompt: x }
exporters:
  debug:
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [llmjudge] }
    logs: { receivers: [llmjudge], exporters: [debug] }
`, freePort(t))
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	out, err := exec.Command(bin, "validate", "--config", path).CombinedOutput()
	require.Error(t, err)
	for _, w := range []string{"connectors::llmjudge", `rubrics[0] "helpful": prompt:`, "can't evaluate field Outptu",
		`rubrics[1] "resolved": level: "session" is not one of span, trace`} {
		assert.Contains(t, string(out), w)
	}
}

// TestExternalJudgeConfigsAreValid runs the collector's own validation on
// the documented configs that send sampled traces to Langfuse, Phoenix,
// MLflow and Opik besides llmjudge; without its endpoint a config fails.
func TestExternalJudgeConfigsAreValid(t *testing.T) {
	bin := binary(t)
	env := []string{
		"LANGFUSE_OTLP_ENDPOINT=https://cloud.langfuse.com/api/public/otel", "LANGFUSE_AUTH=cGstbGYtMTpzay1sZi0x",
		"PHOENIX_ENDPOINT=http://127.0.0.1:6006", "PHOENIX_API_KEY=k",
		"MLFLOW_TRACKING_URI=http://127.0.0.1:5000", "MLFLOW_EXPERIMENT_ID=1",
		"OPIK_OTLP_ENDPOINT=http://127.0.0.1:5173/api/v1/private/otel",
		"TRACES_ENDPOINT=http://127.0.0.1:4320", "LOGS_ENDPOINT=http://127.0.0.1:4321",
		"LLMEVAL_JUDGE_ENDPOINT=http://127.0.0.1:11434/v1", "LLMEVAL_JUDGE_MODEL=llama3.1:8b",
	}
	for _, name := range []string{"langfuse", "phoenix", "mlflow", "opik"} {
		t.Run(name, func(t *testing.T) {
			path := "../testdata/collector/judges/" + name + ".yaml"
			cmd := exec.Command(bin, "validate", "--config", path)
			cmd.Env = append(os.Environ(), env...)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, string(out))

			var without []string
			for _, e := range env {
				if !strings.HasPrefix(e, strings.ToUpper(name)+"_") {
					without = append(without, e)
				}
			}
			cmd = exec.Command(bin, "validate", "--config", path)
			cmd.Env = append(os.Environ(), without...)
			out, err = cmd.CombinedOutput()
			assert.Error(t, err, "without its endpoint the %s config must not validate", name)
			assert.Contains(t, string(out), "otlp_http/"+name)
		})
	}
}
