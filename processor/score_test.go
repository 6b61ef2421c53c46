package llmevalprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"
)

// withReplayJudge configures a judge; the test replaces it by a sink.
func withReplayJudge(c *Config) {
	c.Judge.OTLPHTTP = otlphttpexporter.NewFactory().CreateDefaultConfig().(*otlphttpexporter.Config)
	c.Judge.OTLPHTTP.ClientConfig.Endpoint = "http://127.0.0.1:1"
}

// startWithJudgeSink validates cfg and starts the processor on it, with a
// sink for its judge.
func startWithJudgeSink(t *testing.T, cfg *Config) (processor.Traces, *consumertest.TracesSink) {
	t.Helper()
	require.NoError(t, cfg.Validate())
	judge := new(consumertest.TracesSink)
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	p, err := newTraces(context.Background(), metadatatest.NewSettings(tt), cfg, new(consumertest.TracesSink), judge)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	return p, judge
}

// TestTroubleScoreOnJudgeCopies: the signal kinds and failed checks of a
// trace's spans reach the sampler, and its copies carry the score the
// shipped weights give them.
func TestTroubleScoreOnJudgeCopies(t *testing.T) {
	half := 0.5
	cases := []struct {
		name      string
		weights   map[string]float64
		wantScore float64
	}{
		// complaint 0.97 + escalation 0.89 + shouting 0.8 + punctuation 0.5
		// + exhaustion.rate_limit (exhaustion.*) 0.8 + failed.is_json (failed.*) 1
		{"shipped weights", nil, 4.96},
		// A family's wildcard does not override its kinds' own weights:
		// shouting 0.8 + punctuation 0.5 + rate_limit 0.8 + is_json 3.
		{"score_weights over them", map[string]float64{"disengagement.*": 0, "disengagement.complaint": 0, "disengagement.escalation": 0, "failed.is_json": 3}, 5.1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(func(c *Config) {
				withReplayJudge(c)
				c.Sampling.Rules = []sampling.RuleConfig{{Name: "troubled", MinScore: &half}}
				c.Sampling.ScoreWeights = tc.weights
				c.Sampling.DecisionWait = 10 * time.Millisecond
			}, jsonEval)
			p, judge := startWithJudgeSink(t, cfg)
			td, ss := newScope()
			s := chatSpan(ss, "chat", "Let me check.", time.Second)
			s.Attributes().PutStr("gen_ai.input.messages", frustratedInput)
			require.NoError(t, p.ConsumeTraces(context.Background(), td))
			require.NoError(t, p.Shutdown(context.Background()))
			require.Equal(t, 1, judge.SpanCount())
			sp := judge.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			v, ok := sp.Attributes().Get("llmeval.judge.score")
			require.True(t, ok)
			assert.InDelta(t, tc.wantScore, v.Double(), 1e-9)
			r, _ := sp.Attributes().Get("llmeval.judge.reason")
			assert.Equal(t, "troubled", r.Str())
			// What the trace cost: one step, a model call.
			a := sp.Attributes().AsRaw()
			assert.Equal(t, int64(1), a["llmeval.judge.steps"])
			assert.Equal(t, int64(1), a["llmeval.judge.model_calls"])
			assert.Equal(t, int64(0), a["llmeval.judge.tool_calls"])
			assert.Contains(t, a, "llmeval.judge.tokens")
			assert.Contains(t, a, "llmeval.judge.cost_usd")
		})
	}
}

// TestConversationTotalsOnJudgeCopies: a judge copy carries what its trace
// cost and what its conversation cost over the runaway window, as of the
// trace's latest span in it; a trace without a conversation carries no
// conversation totals.
func TestConversationTotalsOnJudgeCopies(t *testing.T) {
	cfg := testConfig(func(c *Config) {
		withReplayJudge(c)
		c.Sampling.BaselineRatio = 1
		c.Sampling.DecisionWait = time.Hour // decided at shutdown, all at once
	}, jsonEval)
	p, judge := startWithJudgeSink(t, cfg)

	inConv := func(s ptrace.Span, trace byte, conv string) {
		s.SetTraceID(pcommon.TraceID{trace})
		if conv != "" {
			s.Attributes().PutStr("gen_ai.conversation.id", conv)
		}
	}
	// Trace 1: two model calls of conv-7.
	td, ss := newScope()
	inConv(chatSpan(ss, "chat", "Let me look that up.", time.Second), 1, "conv-7")
	inConv(chatSpan(ss, "chat", "It shipped yesterday.", time.Second), 1, "conv-7")
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	// Trace 2, a later batch: a tool call of conv-7. Trace 3: a model
	// call with no conversation.
	td, ss = newScope()
	tool := ss.Spans().AppendEmpty()
	tool.SetName("execute_tool lookup_order")
	tool.SetSpanID(pcommon.SpanID{9})
	tool.Attributes().PutStr("gen_ai.operation.name", "execute_tool")
	tool.Attributes().PutStr("gen_ai.tool.name", "lookup_order")
	inConv(tool, 2, "conv-7")
	inConv(chatSpan(ss, "chat", "Hello.", time.Second), 3, "")
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	require.NoError(t, p.Shutdown(context.Background()))

	type totals struct{ steps, model, tools any }
	got := map[byte][2]totals{}
	for _, td := range judge.AllTraces() {
		forEachSpan(td, func(sp ptrace.Span) {
			a := sp.Attributes().AsRaw()
			got[sp.TraceID()[0]] = [2]totals{
				{a["llmeval.judge.steps"], a["llmeval.judge.model_calls"], a["llmeval.judge.tool_calls"]},
				{a["llmeval.judge.conversation.steps"], a["llmeval.judge.conversation.model_calls"], a["llmeval.judge.conversation.tool_calls"]},
			}
			if sp.TraceID()[0] == 3 {
				for k := range a {
					assert.NotContains(t, k, ".judge.conversation.", "no conversation, no conversation totals")
				}
			} else {
				assert.Contains(t, a, "llmeval.judge.conversation.tokens")
				assert.Contains(t, a, "llmeval.judge.conversation.cost_usd")
			}
		})
	}
	i := func(n int64) any { return n }
	assert.Equal(t, map[byte][2]totals{
		1: {{i(2), i(2), i(0)}, {i(2), i(2), i(0)}},
		2: {{i(1), i(0), i(1)}, {i(3), i(2), i(1)}}, // the conversation so far
		3: {{i(1), i(1), i(0)}, {nil, nil, nil}},
	}, got)
}
