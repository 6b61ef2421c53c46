package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

const fixtures = "../testdata/fixtures"

// attrs renders a span's attributes, so a test states exactly what it expects.
func attrs(sp ptrace.Span) map[string]any { return sp.Attributes().AsRaw() }

// llmeval keeps the attributes the processor wrote.
func llmeval(sp ptrace.Span) map[string]any {
	out := map[string]any{}
	for k, v := range sp.Attributes().AsRaw() {
		if strings.HasPrefix(k, "llmeval.") {
			out[k] = v
		}
	}
	return out
}

func TestConfiguredEvaluatorsOnGenAISpans(t *testing.T) {
	s := newSink(t)
	c := start(t, `record_passes: true
evaluators:
  - name: answer_json
    type: json
    when: ['span.attributes["gen_ai.operation.name"] == "chat"']
  - name: no_sorry
    type: regex
    must_not_match: '(?i)\bsorry\b'
  - name: mentions_order
    type: contains
    target: input
    any: [order]
  - name: slow
    type: latency
    max: 1200ms
  - name: big_output
    type: ottl
    fail_when: 'span.attributes["gen_ai.usage.output_tokens"] > 20'
  - name: args_json
    type: json
    target: tool_arguments
`, s)
	body, err := os.ReadFile(filepath.Join(fixtures, "genai_chat.json"))
	require.NoError(t, err)
	c.sendJSON(t, body)
	got := s.waitSpans(t, 5)
	require.Len(t, got, 5, "every span comes out")

	want := map[string]map[string]any{
		// invoke_agent: no output text of its own; took 3s.
		"0000000000000001": {
			"llmeval.verdict":            "fail",
			"llmeval.failed":             []any{"slow"},
			"llmeval.slow.verdict":       "fail",
			"llmeval.slow.score":         3.0,
			"llmeval.slow.reason":        "took 3s, max 1.2s",
			"llmeval.big_output.verdict": "pass",
		},
		// chat that only requests a tool call: no output text, valid arguments.
		"0000000000000002": {
			"llmeval.verdict":                "pass",
			"llmeval.mentions_order.verdict": "pass",
			"llmeval.slow.verdict":           "pass",
			"llmeval.slow.score":             1.0,
			"llmeval.big_output.verdict":     "pass",
			"llmeval.args_json.verdict":      "pass",
		},
		// the tool span itself.
		"0000000000000003": {
			"llmeval.verdict":            "pass",
			"llmeval.slow.verdict":       "pass",
			"llmeval.slow.score":         0.1,
			"llmeval.big_output.verdict": "pass",
			"llmeval.args_json.verdict":  "pass",
		},
		// the final answer: a refusal in prose, slow, over the token bound.
		"0000000000000004": {
			"llmeval.verdict":                "fail",
			"llmeval.failed":                 []any{"answer_json", "no_sorry", "slow", "big_output"},
			"llmeval.answer_json.verdict":    "fail",
			"llmeval.answer_json.reason":     "not JSON: syntax error at byte 1",
			"llmeval.no_sorry.verdict":       "fail",
			"llmeval.no_sorry.reason":        "output matches must_not_match at byte 4",
			"llmeval.mentions_order.verdict": "pass",
			"llmeval.slow.verdict":           "fail",
			"llmeval.slow.score":             1.5,
			"llmeval.slow.reason":            "took 1.5s, max 1.2s",
			"llmeval.big_output.verdict":     "fail",
			"llmeval.big_output.reason":      `fail_when[0] is true`,
		},
		// plain HTTP span: not an LLM span, untouched.
		"0000000000000005": {},
	}
	for id, w := range want {
		sp, ok := got[id]
		require.True(t, ok, "span %s missing", id)
		assert.Equal(t, w, llmeval(sp), "span %s (%s)", id, sp.Name())
	}
	assert.Equal(t, "GET", attrs(got["0000000000000005"])["http.request.method"])

	m := llmevalMetrics(c.metrics(t, `evaluator="slow"`))
	assert.Regexp(t, `otelcol_processor_llmeval_verdicts(_total)?\{[^}]*evaluator="slow"[^}]*verdict="fail"[^}]*\} 2`, m)
	assert.Regexp(t, `otelcol_processor_llmeval_spans_evaluated(_total)?(\{[^}]*\})? 4`, m)
}

// chatSpan adds a chat span in one producer layout whose input asks about
// the weather and whose output apologises.
type layoutCase struct {
	name  string
	attrs map[string]any
}

var layoutCases = []layoutCase{
	{"genai_flat", map[string]any{
		"gen_ai.system":               "openai",
		"gen_ai.request.model":        "gpt-4o",
		"llm.request.type":            "chat",
		"gen_ai.prompt.0.role":        "system",
		"gen_ai.prompt.0.content":     "You are terse.",
		"gen_ai.prompt.1.role":        "user",
		"gen_ai.prompt.1.content":     "What is the weather in Oslo?",
		"gen_ai.completion.0.role":    "assistant",
		"gen_ai.completion.0.content": "Sorry, I have no live weather data.",
		"gen_ai.usage.input_tokens":   int64(20),
	}},
	{"openinference", map[string]any{
		"openinference.span.kind":               "LLM",
		"llm.model_name":                        "gpt-4o",
		"llm.input_messages.0.message.role":     "user",
		"llm.input_messages.0.message.content":  "What is the weather in Oslo?",
		"llm.output_messages.0.message.role":    "assistant",
		"llm.output_messages.0.message.content": "Sorry, I have no live weather data.",
		"input.value":                           "What is the weather in Oslo?",
		"output.value":                          "Sorry, I have no live weather data.",
		"llm.token_count.prompt":                int64(20),
	}},
	{"vercel_legacy", map[string]any{
		"ai.operationId":        "ai.generateText.doGenerate",
		"gen_ai.request.model":  "gpt-4o",
		"ai.prompt.messages":    `[{"role":"user","content":[{"type":"text","text":"What is the weather in Oslo?"}]}]`,
		"ai.response.text":      "Sorry, I have no live weather data.",
		"ai.usage.promptTokens": int64(20),
	}},
}

func TestEveryLayoutGetsVerdicts(t *testing.T) {
	s := newSink(t)
	c := start(t, `evaluators:
  - name: no_sorry
    type: regex
    must_not_match: '(?i)\bsorry\b'
  - name: asks_weather
    type: contains
    target: input
    none: [weather]
`, s)
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for i, lc := range layoutCases {
		sp := ss.Spans().AppendEmpty()
		sp.SetName(lc.name)
		sp.SetTraceID(pcommon.TraceID{1, byte(i)})
		sp.SetSpanID(pcommon.SpanID{1, byte(i)})
		require.NoError(t, sp.Attributes().FromRaw(lc.attrs))
	}
	c.send(t, td)
	got := s.waitSpans(t, len(layoutCases))
	for i, lc := range layoutCases {
		sp := got[pcommon.SpanID{1, byte(i)}.String()]
		assert.Equal(t, map[string]any{
			"llmeval.verdict":              "fail",
			"llmeval.failed":               []any{"no_sorry", "asks_weather"},
			"llmeval.no_sorry.verdict":     "fail",
			"llmeval.no_sorry.reason":      "output matches must_not_match at byte 0",
			"llmeval.asks_weather.verdict": "fail",
			"llmeval.asks_weather.reason":  `input contains "weather"`,
		}, llmeval(sp), lc.name)
	}
}

// TestDefaultSetOnRealProducers replays spans captured from the Vercel AI
// SDK, OpenLLMetry and OpenInference through the default evaluator set.
func TestDefaultSetOnRealProducers(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtures, "real", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 18)
	s := newSink(t)
	c := start(t, ``, s)
	total := 0
	for _, f := range files {
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(body)
		require.NoError(t, err, f)
		total += td.SpanCount()
		c.sendJSON(t, body)
	}
	s.waitSpans(t, total)
	time.Sleep(200 * time.Millisecond) // nothing more may arrive
	s.read(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Equal(t, total, s.spans, "spans in = spans out")

	// producer/scenario → evaluator → spans that failed it
	failed := map[string]map[string]int{}
	for _, td := range s.traces {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			res := rs.Resource().Attributes().AsRaw()
			key := res["fixture.producer"].(string) + "/" + res["fixture.scenario"].(string)
			if failed[key] == nil {
				failed[key] = map[string]int{}
			}
			forEachSpan(traceOf(rs), func(sp ptrace.Span) {
				if names, ok := sp.Attributes().Get("llmeval.failed"); ok {
					for _, n := range names.Slice().AsRaw() {
						failed[key][n.(string)]++
					}
				}
			})
		}
	}
	require.Len(t, failed, 18)
	for key, byEval := range failed {
		scenario := key[strings.IndexByte(key, '/')+1:]
		switch scenario {
		case "normal":
			assert.Empty(t, byEval, "%s: a normal run fails nothing", key)
		// One event, one verdict: the model call that produced the
		// answer fails, not also the agent span that reports it.
		case "refusal":
			assert.Equal(t, 1, byEval["refusal"], "%s: the refusal fails the refusal check once", key)
		case "leak":
			assert.Equal(t, 1, byEval["pii"], "%s: the leaked data fails the pii check once", key)
		case "bad_tool_args":
			assert.Equal(t, 1, byEval["tool_call"], "%s: the broken arguments fail tool_call once", key)
		case "truncated":
			assert.Equal(t, 1, byEval["finish_reason"], "%s: the cut-off answer fails finish_reason once", key)
		}
		if scenario != "refusal" {
			assert.Zero(t, byEval["refusal"], "%s: no refusal here", key)
		}
	}
}

func traceOf(rs ptrace.ResourceSpans) ptrace.Traces {
	td := ptrace.NewTraces()
	rs.CopyTo(td.ResourceSpans().AppendEmpty())
	return td
}

func TestEmitEvents(t *testing.T) {
	s := newSink(t)
	c := start(t, `emit_events: true
evaluators:
  - name: no_sorry
    type: regex
    must_not_match: '(?i)\bsorry\b'
`, s)
	body, err := os.ReadFile(filepath.Join(fixtures, "genai_chat.json"))
	require.NoError(t, err)
	c.sendJSON(t, body)
	sp := s.waitSpans(t, 5)["0000000000000004"]
	require.Equal(t, 1, sp.Events().Len())
	ev := sp.Events().At(0)
	assert.Equal(t, "gen_ai.evaluation.result", ev.Name())
	assert.Equal(t, map[string]any{
		"gen_ai.evaluation.name":        "no_sorry",
		"gen_ai.evaluation.score.label": "fail",
		"gen_ai.evaluation.explanation": "output matches must_not_match at byte 4",
	}, ev.Attributes().AsRaw())
}

// TestBrokenSpansLoseNothing sends content that cannot be decoded: every
// span comes out, with an error verdict naming the attribute.
func TestBrokenSpansLoseNothing(t *testing.T) {
	s := newSink(t)
	c := start(t, `evaluators:
  - name: no_sorry
    type: regex
    must_not_match: '(?i)\bsorry\b'
`, s)
	huge := `[{"role":"assistant","parts":[{"type":"text","content":"` + strings.Repeat("a", 5<<20) + `"}]}]`
	cases := []struct {
		name   string
		output any
		reason string // "" means no error verdict
	}{
		{"bad_json", `[{"role":"assistant","parts":[{"type":"text","content":"sorr`, "gen_ai.output.messages"},
		{"wrong_type", int64(42), "gen_ai.output.messages"},
		{"huge", huge, "gen_ai.output.messages"},
		{"not_a_list", `{"role":"assistant"}`, "gen_ai.output.messages"},
		{"invalid_utf8", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"ok \xff\xfe\"}]}]", ""},
	}
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for i, tc := range cases {
		sp := ss.Spans().AppendEmpty()
		sp.SetName(tc.name)
		sp.SetSpanID(pcommon.SpanID{2, byte(i)})
		sp.Attributes().PutStr("gen_ai.operation.name", "chat")
		require.NoError(t, sp.Attributes().PutEmpty("gen_ai.output.messages").FromRaw(tc.output))
	}
	c.send(t, td)
	got := s.waitSpans(t, len(cases))
	require.Len(t, got, len(cases))
	for i, tc := range cases {
		sp := got[pcommon.SpanID{2, byte(i)}.String()]
		a := attrs(sp)
		if tc.reason == "" {
			assert.NotContains(t, a, "llmeval.no_sorry.verdict", tc.name)
			continue
		}
		assert.Equal(t, "error", a["llmeval.no_sorry.verdict"], tc.name)
		assert.Contains(t, a["llmeval.no_sorry.reason"], tc.reason, tc.name)
		assert.LessOrEqual(t, len(a["llmeval.no_sorry.reason"].(string)), 256, tc.name)
	}
	assert.Len(t, attrs(got[pcommon.SpanID{2, 2}.String()])["gen_ai.output.messages"], len(huge),
		"the huge attribute passes through intact")
}

// TestBadConfigRefusesToStart checks that config mistakes stop the
// collector at start-up, naming the evaluator and the field.
func TestBadConfigRefusesToStart(t *testing.T) {
	bin := binary(t)
	cases := []struct {
		name      string
		processor string
		want      []string
	}{
		{"unknown type", "evaluators:\n  - {name: x, type: nope}", []string{`evaluators[0] "x"`, "type:", `unknown type "nope"`}},
		{"bad regex", "evaluators:\n  - {name: competitor, type: regex, must_not_match: '(acme'}", []string{`evaluators[0] "competitor"`, "must_not_match:", "missing closing )"}},
		{"bad when", "evaluators:\n  - {name: slow, type: latency, max: 1s, when: ['attributes[\"x\"] == 1']}", []string{`evaluators[0] "slow"`, "when:"}},
		{"unknown key", "evaluators:\n  - {name: j, type: json, max: 1s}", []string{`evaluators[0] "j"`, "max"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := pipelineConfig(freePort(t), freePort(t), filepath.Join(t.TempDir(), "out.jsonl"), tc.processor)
			path := filepath.Join(t.TempDir(), "config.yaml")
			require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
			cmd := exec.Command(bin, "--config", path)
			done := make(chan struct{})
			var out []byte
			var err error
			go func() { out, err = cmd.CombinedOutput(); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("collector did not refuse to start within 30s")
			}
			require.Error(t, err, "collector must exit non-zero")
			for _, w := range tc.want {
				assert.Contains(t, string(out), w)
			}
		})
	}
}

// llmevalMetrics keeps the processor's own lines of a Prometheus scrape.
func llmevalMetrics(scrape string) string {
	var keep []string
	for _, l := range strings.Split(scrape, "\n") {
		if strings.HasPrefix(l, "otelcol_processor_llmeval_") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestExampleConfigIsValid runs the collector's own validation on the SRE
// kit's config.
func TestExampleConfigIsValid(t *testing.T) {
	bin := binary(t)
	cmd := exec.Command(bin, "validate", "--config", "../examples/otelcol-llmeval-metrics.yaml")
	cmd.Env = append(os.Environ(),
		"JUDGE_ENDPOINT=http://127.0.0.1:4319", "TRACES_ENDPOINT=http://127.0.0.1:4320", "METRICS_ENDPOINT=http://127.0.0.1:4321")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
}
