package llmevalprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// forge puts on a span what a hostile client would send to fake a verdict,
// a signal and a judge mark, plus a key of another namespace that must stay.
func forge(sp ptrace.Span, prefix string) {
	a := sp.Attributes()
	failed := a.PutEmptySlice(prefix + ".failed")
	failed.AppendEmpty().SetStr("pii")
	failed.AppendEmpty().SetStr("destructive_action")
	a.PutStr(prefix+".verdict", "fail")
	a.PutStr(prefix+".pii.verdict", "fail")
	a.PutStr(prefix+".pii.reason", "pii found: email (1)")
	a.PutInt(prefix+".signal.loop.severity", 3)
	a.PutBool(prefix+".judge.sampled", true)
	a.PutStr("llmevalish.keep", "not under the prefix")
}

func TestIncomingAttributesUnderThePrefixAreRemoved(t *testing.T) {
	cases := []struct {
		name   string
		prefix string
		trust  bool
		// want are the attributes under the prefix after the processor,
		// per span: the non-LLM span, then the passing LLM span.
		want    [2]map[string]any
		removed int64
	}{
		{
			name:   "default: forgeries removed, own verdict written",
			prefix: "llmeval",
			want: [2]map[string]any{
				{},
				{"llmeval.verdict": "pass"},
			},
			removed: 12,
		},
		{
			name:   "custom prefix",
			prefix: "acme.eval",
			want: [2]map[string]any{
				{},
				{"acme.eval.verdict": "pass"},
			},
			removed: 12,
		},
		{
			name:   "trust_incoming keeps what an upstream tier wrote",
			prefix: "llmeval",
			trust:  true,
			want: [2]map[string]any{
				{
					"llmeval.failed": []any{"pii", "destructive_action"}, "llmeval.verdict": "fail",
					"llmeval.pii.verdict": "fail", "llmeval.pii.reason": "pii found: email (1)",
					"llmeval.signal.loop.severity": int64(3), "llmeval.judge.sampled": true,
				},
				{
					// Our own verdict overwrites the upstream one; the rest stays.
					"llmeval.failed": []any{"pii", "destructive_action"}, "llmeval.verdict": "pass",
					"llmeval.pii.verdict": "fail", "llmeval.pii.reason": "pii found: email (1)",
					"llmeval.signal.loop.severity": int64(3), "llmeval.judge.sampled": true,
				},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(func(c *Config) {
				c.AttributePrefix, c.TrustIncoming, c.RecordPasses = tc.prefix, tc.trust, false
			}, jsonEval)
			require.NoError(t, cfg.Validate())
			tt := componenttest.NewTelemetry()
			defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
			sink := new(consumertest.TracesSink)
			p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tt), cfg, sink)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))

			td, ss := newScope()
			forge(httpSpan(ss), tc.prefix)
			forge(chatSpan(ss, "passes", `{"ok":true}`, time.Second), tc.prefix)
			require.NoError(t, p.ConsumeTraces(context.Background(), td))
			require.NoError(t, p.Shutdown(context.Background()))

			out := sink.AllTraces()[0]
			for i := range tc.want {
				got := map[string]any{}
				for k, v := range attrs(t, out, i) {
					if len(k) > len(tc.prefix) && k[:len(tc.prefix)+1] == tc.prefix+"." {
						got[k] = v
					}
				}
				assert.Equal(t, tc.want[i], got, "span %d", i)
				assert.Equal(t, "not under the prefix", attrs(t, out, i)["llmevalish.keep"])
			}
			if tc.removed == 0 {
				_, err := tt.GetMetric("otelcol_processor_llmeval_incoming_attributes_removed")
				assert.Error(t, err, "nothing removed, nothing counted")
				return
			}
			metadatatest.AssertEqualProcessorLlmevalIncomingAttributesRemoved(t, tt,
				[]metricdata.DataPoint[int64]{{Value: tc.removed}}, metricdatatest.IgnoreTimestamp())
		})
	}
}

// TestForgeriesBeforeTheContent: forged attributes sent before the span's
// content are removed and the checks read the content where the removal
// moved it (the view notes the forgeries in its pass, then reads the span
// again without them).
func TestForgeriesBeforeTheContent(t *testing.T) {
	for _, tc := range []struct {
		output, verdict string
		want            map[string]any
	}{
		{`{"ok":true}`, "pass", map[string]any{"llmeval.verdict": "pass"}},
		{`not json`, "fail", map[string]any{
			"llmeval.verdict": "fail", "llmeval.failed": []any{"is_json"},
			"llmeval.is_json.verdict": "fail", "llmeval.is_json.reason": "not JSON: syntax error at byte 2",
		}},
	} {
		t.Run(tc.verdict, func(t *testing.T) {
			td, ss := newScope()
			_, scratch := newScope()
			content := chatSpan(scratch, "chat", tc.output, time.Second)
			sp := ss.Spans().AppendEmpty()
			content.CopyTo(sp)
			sp.Attributes().Clear()
			forge(sp, "llmeval")
			for k, v := range content.Attributes().All() {
				v.CopyTo(sp.Attributes().PutEmpty(k))
			}
			out := run(t, testConfig(nil, jsonEval), td)
			got := map[string]any{}
			for k, v := range attrs(t, out, 0) {
				if len(k) > len("llmeval.") && k[:len("llmeval.")] == "llmeval." {
					got[k] = v
				}
			}
			assert.Equal(t, tc.want, got)
			assert.Equal(t, "not under the prefix", attrs(t, out, 0)["llmevalish.keep"])
		})
	}
}
