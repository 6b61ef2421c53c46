package llmevalprocessor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// frustratedInput is a conversation whose last user turn asks for a human
// in capitals, after a tool answered with a rate limit.
const frustratedInput = `[{"role":"user","parts":[{"type":"text","content":"Change my seat"}]},` +
	`{"role":"assistant","parts":[{"type":"tool_call","id":"1","name":"seat_map","arguments":{}}]},` +
	`{"role":"tool","parts":[{"type":"tool_call_response","id":"1","response":"429 Too Many Requests"}]},` +
	`{"role":"user","parts":[{"type":"text","content":"THIS IS RIDICULOUS, LET ME TALK TO A HUMAN!!!"}]}]`

func TestSignalAttributes(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Config)
		want map[string]any
	}{
		{"default prefix", nil, map[string]any{
			"llmeval.signal.disengagement.count":    int64(4),
			"llmeval.signal.disengagement.severity": int64(2),
			"llmeval.signal.disengagement.kinds":    []any{"complaint", "escalation", "shouting", "punctuation"},
			"llmeval.signal.exhaustion.count":       int64(1),
			"llmeval.signal.exhaustion.severity":    int64(1),
			"llmeval.signal.exhaustion.kinds":       []any{"rate_limit"},
		}},
		{"signals off", func(c *Config) { f := false; c.Signals.Enabled = &f }, map[string]any{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			td, ss := newScope()
			s := chatSpan(ss, "chat", "Let me check.", time.Second)
			s.Attributes().PutStr("gen_ai.input.messages", frustratedInput)
			out := run(t, testConfig(tc.mod, jsonEval), td)
			got := map[string]any{}
			for k, v := range attrs(t, out, 0) {
				if len(k) > len("llmeval.signal.") && k[:len("llmeval.signal.")] == "llmeval.signal." {
					got[k] = v
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestSignalMetrics(t *testing.T) {
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tt), testConfig(nil, jsonEval), consumertest.NewNop())
	require.NoError(t, err)
	td, ss := newScope()
	for i := 0; i < 2; i++ {
		s := chatSpan(ss, "chat", "ok", time.Second)
		s.Attributes().PutStr("gen_ai.input.messages", frustratedInput)
	}
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	metadatatest.AssertEqualProcessorLlmevalSignals(t, tt, []metricdata.DataPoint[int64]{
		{Value: 8, Attributes: attribute.NewSet(attribute.String("category", "disengagement"))},
		{Value: 2, Attributes: attribute.NewSet(attribute.String("category", "exhaustion"))},
	}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestSignalsConfigErrorsNameTheBlock(t *testing.T) {
	cfg := testConfig(func(c *Config) { c.Signals.NearDuplicate = 3; c.Signals.LoopRepeats = 1 })
	err := confmap.Validate(cfg) // what the collector and `llmeval check` run
	require.Error(t, err)
	for _, want := range []string{"signals: near_duplicate_similarity: 3 is outside [0, 1]", "signals: loop_repeats: must be at least 2"} {
		assert.Equal(t, 1, strings.Count(err.Error(), want), "%q once in %q", want, err)
	}
}

// TestRunawaySignalAndEvictions: a trace over its step bound gets the
// runaway kind on the span that crosses it and after; the bounded sums
// count what they forget.
func TestRunawaySignalAndEvictions(t *testing.T) {
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	cfg := testConfig(func(c *Config) {
		c.Signals.Runaway.Trace.MaxSteps = 2
		c.Signals.Runaway.MaxTraces = 1
	}, jsonEval)
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tt), cfg, sink)
	require.NoError(t, err)
	td, ss := newScope()
	for i := 0; i < 3; i++ {
		chatSpan(ss, "chat", "ok", time.Second) // one trace
	}
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	out := sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i, want := range []any{nil, nil, []any{"trace_steps"}} {
		got, _ := out.At(i).Attributes().AsRaw()["llmeval.signal.runaway.kinds"]
		assert.Equal(t, want, got, "span %d", i)
	}
	td2, ss2 := newScope()
	other := chatSpan(ss2, "chat", "ok", time.Second)
	other.SetTraceID([16]byte{0xee})
	require.NoError(t, p.ConsumeTraces(context.Background(), td2))
	metadatatest.AssertEqualProcessorLlmevalRunawayStateEvictions(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("scope", "trace"))},
	}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.Shutdown(context.Background()))
}
