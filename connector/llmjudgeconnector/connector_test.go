package llmjudgeconnector

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-llmeval/otelcol-llmeval/connector/llmjudgeconnector/internal/metadatatest"
	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/fakellm"
)

type harness struct {
	c    *judgeConnector
	sink *consumertest.LogsSink
	tel  *componenttest.Telemetry
	logs *observer.ObservedLogs
}

// startConnector runs the connector as the collector would, with its
// telemetry and debug logs observed.
func startConnector(t *testing.T, cfg *Config) *harness {
	t.Helper()
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := metadatatest.NewSettings(tel)
	core, logs := observer.New(zapcore.DebugLevel)
	set.Logger = zap.New(core)
	sink := &consumertest.LogsSink{}
	conn, err := NewFactory().CreateTracesToLogs(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, conn.Start(context.Background(), componenttest.NewNopHost()))
	h := &harness{c: conn.(*judgeConnector), sink: sink, tel: tel, logs: logs}
	t.Cleanup(func() { _ = conn.Shutdown(context.Background()) })
	return h
}

// records waits for n records and returns them, with their resources,
// ordered by span ID and rubric.
func (h *harness) records(t *testing.T, n int) []record {
	t.Helper()
	require.Eventually(t, func() bool { return h.sink.LogRecordCount() >= n }, 10*time.Second, 10*time.Millisecond,
		"want %d records", n)
	var out []record
	for _, ld := range h.sink.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				sl := rl.ScopeLogs().At(j)
				for k := 0; k < sl.LogRecords().Len(); k++ {
					out = append(out, record{rl.Resource(), sl.Scope().Name(), sl.LogRecords().At(k)})
				}
			}
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if sa, sb := out[a].SpanID().String(), out[b].SpanID().String(); sa != sb {
			return sa < sb
		}
		return out[a].attrs()["gen_ai.evaluation.name"].(string) < out[b].attrs()["gen_ai.evaluation.name"].(string)
	})
	return out
}

type record struct {
	resource pcommon.Resource
	scope    string
	plog.LogRecord
}

func (r record) attrs() map[string]any { return r.Attributes().AsRaw() }

func (h *harness) send(t *testing.T, td ptrace.Traces) {
	t.Helper()
	require.NoError(t, h.c.ConsumeTraces(context.Background(), td))
}

// TestRecords: span- and trace-level rubrics give one record per rubric
// and judged span, parented to it, with the judged trace's resource, the
// verdict and the provenance.
func TestRecords(t *testing.T) {
	f := newFakeJudge(t, func(_ int, req fakellm.Request) fakellm.Reply {
		prompt := req.Prompt()
		switch {
		case strings.HasPrefix(prompt, "TRACE") && strings.Contains(prompt, "No idea"):
			return ok(`{"explanation":"The task was not done.","score":2}`)
		case strings.HasPrefix(prompt, "TRACE"):
			return ok(`{"explanation":"Done and confirmed.","score":5}`)
		case strings.Contains(prompt, "No idea"):
			return ok("```json\n{\"explanation\":\"Does not answer.\",\"verdict\":\"fail\"}\n```")
		}
		return ok(`{"explanation":"Answers the question.","verdict":"pass"}`)
	})
	cfg := testConfig(f.URL+"/v1",
		RubricConfig{Name: "quality", When: []string{`span.name == "chat final"`}, Prompt: "{{.Span.LastUserText}} -> {{.Span.OutputText}}"},
		RubricConfig{Name: "task_done", Level: "trace", Prompt: "TRACE{{range .Trace.Steps}} {{.OutputText}}{{end}}",
			Scale: &ScaleConfig{Min: 1, Max: 5, PassThreshold: 4}},
	)
	cfg.Prices = map[string]evaluators.Price{"judge-model*": {InputPerMillion: 1, OutputPerMillion: 10}}
	h := startConnector(t, cfg)

	td := ptrace.NewTraces()
	agentTrace(td, 1, "shop", "It shipped today.")
	agentTrace(td, 2, "billing", "No idea.")
	h.send(t, td)
	recs := h.records(t, 4)
	require.Len(t, recs, 4)
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, 4, h.sink.LogRecordCount(), "nothing more")

	quality := version(t, "judge-model", cfg.Rubrics[0])
	taskDone := h.c.judge.rubrics[1].version
	want := []struct {
		trace   byte
		span    pcommon.SpanID
		service string
		attrs   map[string]any
	}{
		{1, pcommon.SpanID{1, 1}, "shop", map[string]any{
			"gen_ai.evaluation.name": "task_done", "gen_ai.evaluation.score.label": "pass", "gen_ai.evaluation.score.value": 5.0,
			"gen_ai.evaluation.explanation": "Done and confirmed.",
			"llmeval.evaluation.source":     "judge", "llmeval.judge.rubric.version": taskDone, "llmeval.judge.rubric.level": "trace",
			"llmeval.judge.model": "judge-model-2025", "llmeval.judge.usage.input_tokens": int64(1000), "llmeval.judge.usage.output_tokens": int64(100),
		}},
		{1, pcommon.SpanID{1, 4}, "shop", map[string]any{
			"gen_ai.evaluation.name": "quality", "gen_ai.evaluation.score.label": "pass",
			"gen_ai.evaluation.explanation": "Answers the question.", "gen_ai.response.id": "chatcmpl-final-1",
			"llmeval.evaluation.source": "judge", "llmeval.judge.rubric.version": quality, "llmeval.judge.rubric.level": "span",
			"llmeval.judge.model": "judge-model-2025", "llmeval.judge.usage.input_tokens": int64(1000), "llmeval.judge.usage.output_tokens": int64(100),
		}},
		{2, pcommon.SpanID{2, 1}, "billing", map[string]any{
			"gen_ai.evaluation.name": "task_done", "gen_ai.evaluation.score.label": "fail", "gen_ai.evaluation.score.value": 2.0,
			"gen_ai.evaluation.explanation": "The task was not done.",
			"llmeval.evaluation.source":     "judge", "llmeval.judge.rubric.version": taskDone, "llmeval.judge.rubric.level": "trace",
			"llmeval.judge.model": "judge-model-2025", "llmeval.judge.usage.input_tokens": int64(1000), "llmeval.judge.usage.output_tokens": int64(100),
		}},
		{2, pcommon.SpanID{2, 4}, "billing", map[string]any{
			"gen_ai.evaluation.name": "quality", "gen_ai.evaluation.score.label": "fail",
			"gen_ai.evaluation.explanation": "Does not answer.", "gen_ai.response.id": "chatcmpl-final-2",
			"llmeval.evaluation.source": "judge", "llmeval.judge.rubric.version": quality, "llmeval.judge.rubric.level": "span",
			"llmeval.judge.model": "judge-model-2025", "llmeval.judge.usage.input_tokens": int64(1000), "llmeval.judge.usage.output_tokens": int64(100),
		}},
	}
	for i, w := range want {
		r := recs[i]
		assert.Equal(t, "gen_ai.evaluation.result", r.EventName())
		assert.Equal(t, pcommon.TraceID{0xa, w.trace}, r.TraceID())
		assert.Equal(t, w.span, r.SpanID())
		assert.Equal(t, w.service, r.resource.Attributes().AsRaw()["service.name"])
		assert.Equal(t, "github.com/otelcol-llmeval/otelcol-llmeval/connector/llmjudgeconnector", r.scope)
		assert.NotZero(t, r.Timestamp())
		assert.Equal(t, w.attrs, r.attrs(), "record %d", i)
	}

	rubric := func(name string, kv ...attribute.KeyValue) attribute.Set {
		return attribute.NewSet(append(kv, attribute.String("rubric", name))...)
	}
	opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars()}
	metadatatest.AssertEqualConnectorLlmjudgeCalls(t, h.tel, []metricdata.DataPoint[int64]{
		{Attributes: rubric("quality"), Value: 2}, {Attributes: rubric("task_done"), Value: 2},
	}, opts...)
	metadatatest.AssertEqualConnectorLlmjudgeVerdicts(t, h.tel, []metricdata.DataPoint[int64]{
		{Attributes: rubric("quality", attribute.String("label", "pass")), Value: 1},
		{Attributes: rubric("quality", attribute.String("label", "fail")), Value: 1},
		{Attributes: rubric("task_done", attribute.String("label", "pass")), Value: 1},
		{Attributes: rubric("task_done", attribute.String("label", "fail")), Value: 1},
	}, opts...)
	metadatatest.AssertEqualConnectorLlmjudgeTokens(t, h.tel, []metricdata.DataPoint[int64]{
		{Attributes: rubric("quality", attribute.String("token_type", "input")), Value: 2000},
		{Attributes: rubric("quality", attribute.String("token_type", "output")), Value: 200},
		{Attributes: rubric("task_done", attribute.String("token_type", "input")), Value: 2000},
		{Attributes: rubric("task_done", attribute.String("token_type", "output")), Value: 200},
	}, opts...)
	// 1000 input tokens at $1/M and 100 output at $10/M: $0.002 a call.
	metadatatest.AssertEqualConnectorLlmjudgeSpend(t, h.tel, []metricdata.DataPoint[float64]{
		{Attributes: rubric("quality"), Value: 0.004}, {Attributes: rubric("task_done"), Value: 0.004},
	}, opts...)
	metadatatest.AssertEqualConnectorLlmjudgeQueueLength(t, h.tel, []metricdata.DataPoint[int64]{{Value: 0}}, opts...)
}

// TestErrorRecords: a failed call or an answer without a verdict is an
// error record naming the error type, never a guessed verdict.
func TestErrorRecords(t *testing.T) {
	f := newFakeJudge(t, func(_ int, req fakellm.Request) fakellm.Reply {
		if strings.Contains(req.Prompt(), "No idea") {
			return fakellm.Reply{Status: 500}
		}
		return ok("I'd rather not say.")
	})
	cfg := testConfig(f.URL)
	cfg.Model.RetryOnFailure.Enabled = false
	h := startConnector(t, cfg)
	td := ptrace.NewTraces()
	agentTrace(td, 1, "shop", "It shipped today.")
	agentTrace(td, 2, "shop", "No idea.")
	h.send(t, td)
	recs := h.records(t, 2)
	assert.Equal(t, map[string]any{
		"gen_ai.evaluation.name": "quality", "gen_ai.evaluation.score.label": "error", "error.type": "unparseable_answer",
		"gen_ai.response.id":        "chatcmpl-final-1",
		"llmeval.evaluation.source": "judge", "llmeval.judge.rubric.version": h.c.judge.rubrics[0].version, "llmeval.judge.rubric.level": "span",
		"llmeval.judge.model": "judge-model-2025", "llmeval.judge.usage.input_tokens": int64(1000), "llmeval.judge.usage.output_tokens": int64(100),
	}, recs[0].attrs())
	assert.Equal(t, map[string]any{
		"gen_ai.evaluation.name": "quality", "gen_ai.evaluation.score.label": "error", "error.type": "server_error",
		"gen_ai.response.id":        "chatcmpl-final-2",
		"llmeval.evaluation.source": "judge", "llmeval.judge.rubric.version": h.c.judge.rubrics[0].version, "llmeval.judge.rubric.level": "span",
		"llmeval.judge.model": "judge-model",
	}, recs[1].attrs())
	opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp()}
	metadatatest.AssertEqualConnectorLlmjudgeErrors(t, h.tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(attribute.String("rubric", "quality"), attribute.String("error_type", "unparseable_answer")), Value: 1},
		{Attributes: attribute.NewSet(attribute.String("rubric", "quality"), attribute.String("error_type", "server_error")), Value: 1},
	}, opts...)
}

// TestSlowJudgeNeverBlocks: with a judge taking seconds, ConsumeTraces
// returns at once; what the queue cannot hold is skipped and counted, and
// shutdown drops the rest, counted, without waiting for the judge.
func TestSlowJudgeNeverBlocks(t *testing.T) {
	f := newFakeJudge(t, func(int, fakellm.Request) fakellm.Reply {
		return fakellm.Reply{Delay: 10 * time.Second, Body: fakellm.Completion(`{"explanation":"x","verdict":"pass"}`)}
	})
	cfg := testConfig(f.URL)
	cfg.QueueSize, cfg.MaxConcurrency = 1, 1
	h := startConnector(t, cfg)
	began := time.Now()
	for i := byte(1); i <= 6; i++ {
		td := ptrace.NewTraces()
		agentTrace(td, i, "shop", "fine")
		h.send(t, td)
		if i == 1 {
			require.Eventually(t, func() bool { return f.Count() == 1 }, 5*time.Second, 5*time.Millisecond, "the first call is in flight")
		}
	}
	assert.Less(t, time.Since(began), time.Second, "consuming never waits for the judge")
	skips := func(reason string, n int64) metricdata.DataPoint[int64] {
		return metricdata.DataPoint[int64]{Attributes: attribute.NewSet(attribute.String("rubric", "quality"), attribute.String("reason", reason)), Value: n}
	}
	opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp()}
	metadatatest.AssertEqualConnectorLlmjudgeSkips(t, h.tel, []metricdata.DataPoint[int64]{skips("queue_full", 4)}, opts...)
	metadatatest.AssertEqualConnectorLlmjudgeQueueLength(t, h.tel, []metricdata.DataPoint[int64]{{Value: 1}}, opts...)

	began = time.Now()
	require.NoError(t, h.c.Shutdown(context.Background()))
	assert.Less(t, time.Since(began), time.Second, "shutdown ends the call in flight")
	metadatatest.AssertEqualConnectorLlmjudgeSkips(t, h.tel, []metricdata.DataPoint[int64]{skips("queue_full", 4), skips("shutdown", 2)}, opts...)
	assert.Zero(t, h.sink.LogRecordCount(), "no record for a judgement not made")
	assert.Equal(t, 1, f.Count())
}

func TestBudgetEnforced(t *testing.T) {
	tests := []struct {
		name   string
		budget BudgetConfig
		calls  int
		reason string
	}{
		// Each call: 1000 input tokens at $1000/M and 100 output at $1000/M = $1.10.
		{"per day", BudgetConfig{MaxSpendPerDayUSD: 2}, 2, "daily_spend"},
		{"per minute", BudgetConfig{MaxCallsPerMinute: 3}, 3, "rate_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeJudge(t, nil)
			cfg := testConfig(f.URL)
			cfg.MaxConcurrency = 1
			cfg.Budget = tt.budget
			cfg.Prices = map[string]evaluators.Price{"judge-model": {InputPerMillion: 1000, OutputPerMillion: 1000}}
			h := startConnector(t, cfg)
			td := ptrace.NewTraces()
			for i := byte(1); i <= 6; i++ {
				agentTrace(td, i, "shop", "fine")
			}
			h.send(t, td)
			h.records(t, tt.calls)
			opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp()}
			require.Eventually(t, func() bool {
				m, err := h.tel.GetMetric("otelcol_connector_llmjudge_skips")
				return err == nil && m.Data.(metricdata.Sum[int64]).DataPoints[0].Value == int64(6-tt.calls)
			}, 5*time.Second, 10*time.Millisecond)
			metadatatest.AssertEqualConnectorLlmjudgeSkips(t, h.tel, []metricdata.DataPoint[int64]{
				{Attributes: attribute.NewSet(attribute.String("rubric", "quality"), attribute.String("reason", tt.reason)), Value: int64(6 - tt.calls)},
			}, opts...)
			assert.Equal(t, tt.calls, f.Count())
			assert.Equal(t, tt.calls, h.sink.LogRecordCount())
			if tt.budget.MaxSpendPerDayUSD > 0 {
				metadatatest.AssertEqualConnectorLlmjudgeSpend(t, h.tel, []metricdata.DataPoint[float64]{
					{Attributes: attribute.NewSet(attribute.String("rubric", "quality")), Value: 2.2},
				}, opts...)
			}
		})
	}
}

func TestNoModelJudgesNothing(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Rubrics = []RubricConfig{{Name: "quality", Prompt: "{{.Span.OutputText}}"}}
	h := startConnector(t, cfg)
	td := ptrace.NewTraces()
	agentTrace(td, 1, "shop", "x")
	h.send(t, td)
	assert.Zero(t, h.sink.LogRecordCount())
	warn := h.logs.FilterMessageSnippet("no judge model configured").All()
	require.Len(t, warn, 1)
	assert.Equal(t, zapcore.WarnLevel, warn[0].Level)
}

// TestNoContentInLogs: at debug level, through errors and drops, the
// collector's logs never carry the prompt, the judged content or the
// judge's answer.
func TestNoContentInLogs(t *testing.T) {
	f := newFakeJudge(t, func(n int, _ fakellm.Request) fakellm.Reply {
		switch n % 3 {
		case 0:
			return fakellm.Reply{Status: 400, Body: `{"error":{"message":"bad request: SECRET-ANSWER Where is order 42?"}}`}
		case 1:
			return ok("SECRET-ANSWER no verdict here")
		}
		return ok(`{"explanation":"SECRET-ANSWER","verdict":"pass"}`)
	})
	cfg := testConfig(f.URL)
	cfg.Model.RetryOnFailure.Enabled = false
	h := startConnector(t, cfg)
	h.c.next = consumertest.NewErr(assert.AnError)
	td := ptrace.NewTraces()
	for i := byte(1); i <= 6; i++ {
		agentTrace(td, i, "shop", "PRIVATE-CONTENT")
	}
	h.send(t, td)
	require.Eventually(t, func() bool { return f.Count() == 6 }, 5*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		return len(h.logs.FilterMessageSnippet("refused a record").All()) == 6
	}, 5*time.Second, 10*time.Millisecond)
	for _, e := range h.logs.All() {
		line := e.Message + fmt.Sprint(e.ContextMap())
		for _, secret := range []string{"PRIVATE-CONTENT", "SECRET-ANSWER", "Where is order", "sk-test"} {
			assert.NotContains(t, line, secret)
		}
	}
	metadatatest.AssertEqualConnectorLlmjudgeRecordsDropped(t, h.tel, []metricdata.DataPoint[int64]{{Value: 6}}, metricdatatest.IgnoreTimestamp())
}
