package llmevalprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// chatSpan appends a GenAI-semconv chat span whose output is text.
func chatSpan(ss ptrace.ScopeSpans, name, output string, took time.Duration) ptrace.Span {
	s := ss.Spans().AppendEmpty()
	s.SetName(name)
	s.SetTraceID(pcommon.TraceID{1})
	s.SetSpanID(pcommon.SpanID{byte(ss.Spans().Len())})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(took)))
	a := s.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.provider.name", "openai")
	a.PutStr("gen_ai.request.model", "gpt-4o")
	a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":`+quote(output)+`}],"finish_reason":"stop"}]`)
	return s
}

func quote(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch r {
		case '"', '\\':
			b = append(b, '\\', byte(r))
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}

func httpSpan(ss ptrace.ScopeSpans) ptrace.Span {
	s := ss.Spans().AppendEmpty()
	s.SetName("GET /health")
	s.Attributes().PutStr("http.request.method", "GET")
	s.Attributes().PutInt("http.response.status_code", 200)
	return s
}

func newScope() (ptrace.Traces, ptrace.ScopeSpans) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "agent")
	return td, rs.ScopeSpans().AppendEmpty()
}

func testConfig(mod func(*Config), evs ...config.Evaluator) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Evaluators = evs
	if mod != nil {
		mod(cfg)
	}
	return cfg
}

var (
	jsonEval  = config.Evaluator{Name: "is_json", Type: "json"}
	regexEval = config.Evaluator{Name: "no_secret", Type: "regex", Settings: map[string]any{"must_not_match": `sk-[a-z0-9]{8}`}}
	slowEval  = config.Evaluator{Name: "slow", Type: "latency", Settings: map[string]any{"max": "1s"}}
)

// run feeds td through a processor built from cfg and returns what came out.
func run(t *testing.T, cfg *Config, td ptrace.Traces) ptrace.Traces {
	t.Helper()
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.TracesSink)
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tt), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	require.NoError(t, p.Shutdown(context.Background()))
	require.Len(t, sink.AllTraces(), 1)
	return sink.AllTraces()[0]
}

func attrs(t *testing.T, td ptrace.Traces, i int) map[string]any {
	t.Helper()
	return td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(i).Attributes().AsRaw()
}

func TestVerdictAttributes(t *testing.T) {
	tests := []struct {
		name   string
		cfg    *Config
		output string
		took   time.Duration
		want   map[string]any // llmeval.* attributes expected, exactly
	}{
		{
			name:   "all pass, passes not recorded",
			cfg:    testConfig(nil, jsonEval, regexEval, slowEval),
			output: `{"ok":true}`,
			took:   100 * time.Millisecond,
			want:   map[string]any{"llmeval.verdict": "pass"},
		},
		{
			name:   "all pass, passes recorded with scores",
			cfg:    testConfig(func(c *Config) { c.RecordPasses = true }, jsonEval, slowEval),
			output: `{"ok":true}`,
			took:   500 * time.Millisecond,
			want: map[string]any{
				"llmeval.verdict":         "pass",
				"llmeval.is_json.verdict": "pass",
				"llmeval.slow.verdict":    "pass",
				"llmeval.slow.score":      0.5,
			},
		},
		{
			name:   "two fail",
			cfg:    testConfig(nil, jsonEval, regexEval, slowEval),
			output: "here is the key sk-abcdef12",
			took:   2 * time.Second,
			want: map[string]any{
				"llmeval.verdict":           "fail",
				"llmeval.failed":            []any{"is_json", "no_secret", "slow"},
				"llmeval.is_json.verdict":   "fail",
				"llmeval.is_json.reason":    "not JSON: syntax error at byte 1",
				"llmeval.no_secret.verdict": "fail",
				"llmeval.no_secret.reason":  "output matches must_not_match at byte 16",
				"llmeval.slow.verdict":      "fail",
				"llmeval.slow.score":        2.0,
				"llmeval.slow.reason":       "took 2s, max 1s",
			},
		},
		{
			name:   "custom prefix",
			cfg:    testConfig(func(c *Config) { c.AttributePrefix = "eval" }, slowEval),
			output: "x",
			took:   3 * time.Second,
			want: map[string]any{
				"eval.verdict":      "fail",
				"eval.failed":       []any{"slow"},
				"eval.slow.verdict": "fail",
				"eval.slow.score":   3.0,
				"eval.slow.reason":  "took 3s, max 1s",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td, ss := newScope()
			chatSpan(ss, "chat gpt-4o", tt.output, tt.took)
			out := run(t, tt.cfg, td)
			got := map[string]any{}
			for k, v := range attrs(t, out, 0) {
				if len(k) > len(tt.cfg.AttributePrefix) && k[:len(tt.cfg.AttributePrefix)+1] == tt.cfg.AttributePrefix+"." {
					got[k] = v
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNonLLMSpansUntouchedAndOrderKept(t *testing.T) {
	td, ss := newScope()
	httpSpan(ss)
	chatSpan(ss, "chat a", "plain text", time.Second)
	httpSpan(ss)
	chatSpan(ss, "chat b", `{"a":1}`, time.Second)
	before := ptrace.NewTraces()
	td.CopyTo(before)

	out := run(t, testConfig(nil, jsonEval), td)

	spans := out.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	require.Equal(t, 4, spans.Len())
	orig := before.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := 0; i < 4; i++ {
		assert.Equal(t, orig.At(i).Name(), spans.At(i).Name(), "order kept")
	}
	assert.Equal(t, orig.At(0).Attributes().AsRaw(), spans.At(0).Attributes().AsRaw(), "non-LLM span untouched")
	assert.Equal(t, orig.At(2).Attributes().AsRaw(), spans.At(2).Attributes().AsRaw(), "non-LLM span untouched")
	assert.Equal(t, "fail", attrs(t, out, 1)["llmeval.verdict"])
	assert.Equal(t, "pass", attrs(t, out, 3)["llmeval.verdict"])
}

func TestAbsentTargetGivesNoVerdict(t *testing.T) {
	td, ss := newScope()
	s := ss.Spans().AppendEmpty()
	s.SetName("execute_tool lookup")
	s.Attributes().PutStr("gen_ai.operation.name", "execute_tool")
	s.Attributes().PutStr("gen_ai.tool.name", "lookup")

	out := run(t, testConfig(nil, jsonEval), td)

	for k := range attrs(t, out, 0) {
		assert.NotContains(t, k, "llmeval.", "a span without the target gets no verdict")
	}
}

func TestEmitEvents(t *testing.T) {
	td, ss := newScope()
	chatSpan(ss, "chat", "not json", 2*time.Second)
	cfg := testConfig(func(c *Config) { c.EmitEvents = true }, jsonEval, slowEval)

	out := run(t, cfg, td)

	span := out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	require.Equal(t, 2, span.Events().Len())
	got := map[string]map[string]any{}
	for i := 0; i < span.Events().Len(); i++ {
		ev := span.Events().At(i)
		assert.Equal(t, "gen_ai.evaluation.result", ev.Name())
		assert.Equal(t, span.EndTimestamp(), ev.Timestamp())
		a := ev.Attributes().AsRaw()
		got[a["gen_ai.evaluation.name"].(string)] = a
	}
	assert.Equal(t, "fail", got["is_json"]["gen_ai.evaluation.score.label"])
	assert.NotContains(t, got["is_json"], "gen_ai.evaluation.score.value")
	assert.Equal(t, 2.0, got["slow"]["gen_ai.evaluation.score.value"])
	assert.Equal(t, "took 2s, max 1s", got["slow"]["gen_ai.evaluation.explanation"])
}

type panicEvaluator struct{}

func (panicEvaluator) Evaluate(context.Context, *spanmodel.View) evaluators.Result {
	panic("boom")
}

func TestPanickingEvaluatorIsAnErrorVerdictAndOthersRun(t *testing.T) {
	cfg := testConfig(nil, jsonEval, slowEval)
	require.NoError(t, cfg.Validate())
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	p, err := newLLMEvalProcessor(context.Background(), metadatatest.NewSettings(tt), cfg, nil)
	require.NoError(t, err)
	p.checks[0].Evaluator = panicEvaluator{}

	td, ss := newScope()
	chatSpan(ss, "chat", `{}`, 2*time.Second)
	out, err := p.processTraces(context.Background(), td)
	require.NoError(t, err)

	a := attrs(t, out, 0)
	assert.Equal(t, "error", a["llmeval.is_json.verdict"])
	assert.Equal(t, "internal error in evaluator", a["llmeval.is_json.reason"])
	assert.Equal(t, "fail", a["llmeval.slow.verdict"], "the other evaluator still ran")
	assert.Equal(t, []any{"slow"}, a["llmeval.failed"])

	metadatatest.AssertEqualProcessorLlmevalEvaluatorErrors(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("evaluator", "is_json"))},
	}, metricdatatest.IgnoreTimestamp())
}

func TestInternalMetrics(t *testing.T) {
	cfg := testConfig(nil, jsonEval)
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tt), cfg, consumertest.NewNop())
	require.NoError(t, err)

	td, ss := newScope()
	chatSpan(ss, "a", `{}`, time.Second)
	chatSpan(ss, "b", `nope`, time.Second)
	chatSpan(ss, "c", `nope`, time.Second)
	httpSpan(ss)
	require.NoError(t, p.ConsumeTraces(context.Background(), td))

	metadatatest.AssertEqualProcessorLlmevalLlmSpans(t, tt, []metricdata.DataPoint[int64]{
		{Value: 3, Attributes: attribute.NewSet(attribute.String("layout", "gen_ai"))},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorLlmevalSpansEvaluated(t, tt, []metricdata.DataPoint[int64]{{Value: 3}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorLlmevalVerdicts(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("evaluator", "is_json"), attribute.String("verdict", "pass"))},
		{Value: 2, Attributes: attribute.NewSet(attribute.String("evaluator", "is_json"), attribute.String("verdict", "fail"))},
	}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestDefaultSetRunsWithoutConfig(t *testing.T) {
	td, ss := newScope()
	chatSpan(ss, "refuses", "I'm sorry, but I can't help with that.", time.Second)
	chatSpan(ss, "answers", "Paris is the capital of France.", time.Second)
	chatSpan(ss, "curly apostrophe", "I’m sorry, but I can’t assist with that request.", time.Second)
	chatSpan(ss, "stalls", "Done.", 3*time.Minute)

	out := run(t, createDefaultConfig().(*Config), td)

	assert.Equal(t, []any{"refusal"}, attrs(t, out, 0)["llmeval.failed"])
	assert.Equal(t, "pass", attrs(t, out, 1)["llmeval.verdict"])
	assert.Equal(t, []any{"refusal"}, attrs(t, out, 2)["llmeval.failed"])
	assert.Equal(t, []any{"latency"}, attrs(t, out, 3)["llmeval.failed"])
	assert.Equal(t, 180.0, attrs(t, out, 3)["llmeval.latency.score"])
}

func TestConcurrentBatches(t *testing.T) {
	cfg := testConfig(nil, jsonEval, regexEval, slowEval)
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, sink)
	require.NoError(t, err)
	const workers, batches = 8, 50
	done := make(chan struct{})
	for w := 0; w < workers; w++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < batches; i++ {
				td, ss := newScope()
				chatSpan(ss, "a", "nope", time.Second)
				chatSpan(ss, "b", `{"x":1}`, 2*time.Second)
				httpSpan(ss)
				assert.NoError(t, p.ConsumeTraces(context.Background(), td))
			}
		}()
	}
	for w := 0; w < workers; w++ {
		<-done
	}
	require.Equal(t, workers*batches*3, sink.SpanCount())
	for _, td := range sink.AllTraces() {
		spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		assert.Equal(t, []any{"is_json"}, spans.At(0).Attributes().AsRaw()["llmeval.failed"])
		assert.Equal(t, []any{"slow"}, spans.At(1).Attributes().AsRaw()["llmeval.failed"])
	}
	require.NoError(t, p.Shutdown(context.Background()))
}

// TestCustomMessageLayout: spans of a producer the view does not know are
// checked once config says where their messages live.
func TestCustomMessageLayout(t *testing.T) {
	td, ss := newScope()
	sp := ss.Spans().AppendEmpty()
	sp.SetName("acme.llm")
	sp.Attributes().PutStr("acme.prompt", `[{"role":"user","content":"Who is the customer on order 1042?"}]`)
	sp.Attributes().PutStr("acme.completion", "Jane Roe, SSN 529-41-8863, jane.roe@fastmail.com")
	plain := ss.Spans().AppendEmpty()
	plain.SetName("acme.other")
	plain.Attributes().PutStr("acme.completion.v2", "SSN 529-41-8863")

	cfg := createDefaultConfig().(*Config)
	cfg.MessageLayouts = []spanmodel.MessageLayoutConfig{{
		Name:   "acme",
		Input:  spanmodel.ContentSource{Key: "acme.prompt", Shape: "openai_chat"},
		Output: spanmodel.ContentSource{Key: "acme.completion", Shape: "text"},
	}}
	out := run(t, cfg, td)
	assert.Contains(t, attrs(t, out, 0)["llmeval.failed"], "pii")
	assert.NotContains(t, attrs(t, out, 1), "llmeval.verdict", "a span no layout matches is not an LLM span")

	// Without the layout the same span is not read at all.
	td2, ss2 := newScope()
	sp.CopyTo(ss2.Spans().AppendEmpty())
	out = run(t, createDefaultConfig().(*Config), td2)
	assert.NotContains(t, attrs(t, out, 0), "llmeval.verdict")
}
