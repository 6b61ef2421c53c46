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

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"
)

// withReplayJudge configures a judge; the test replaces it by a sink.
func withReplayJudge(c *Config) {
	c.Judge.OTLPHTTP = otlphttpexporter.NewFactory().CreateDefaultConfig().(*otlphttpexporter.Config)
	c.Judge.OTLPHTTP.ClientConfig.Endpoint = "http://127.0.0.1:1"
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
		// complaint 0.89 + escalation 0.43 + shouting 0.8 + punctuation 0.5
		// + exhaustion.rate_limit (exhaustion.*) 0.8 + failed.is_json (failed.*) 1
		{"shipped weights", nil, 4.42},
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
			require.NoError(t, cfg.Validate())
			judge := new(consumertest.TracesSink)
			tt := componenttest.NewTelemetry()
			t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
			p, err := newTraces(context.Background(), metadatatest.NewSettings(tt), cfg, new(consumertest.TracesSink), judge)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
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
