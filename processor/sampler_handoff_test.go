package llmevalprocessor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// TestJudgeCopiesAreWholeTraces drives the processor batch by batch with
// every LLM trace sampled (baseline_ratio 1): the judge gets every span of
// a sampled trace, whichever batch brought it (before its first LLM span,
// with it, or after the decision), each exactly as the main stream carries
// it after the processor annotated it, plus the judge marks, under its own
// resource; a trace without an LLM span is never sent.
func TestJudgeCopiesAreWholeTraces(t *testing.T) {
	trace := func(n byte) pcommon.TraceID { return pcommon.TraceID{n, 0xa} }
	// chat is an LLM span; http a plain one. Both under trace n.
	chat := func(ss ptrace.ScopeSpans, n, id, parent byte) {
		sp := chatSpan(ss, "chat gpt-4o", "Your booking holder is jane.roe@fastmail.com.", time.Second)
		sp.SetTraceID(trace(n))
		sp.SetSpanID(pcommon.SpanID{n, id})
		if parent != 0 {
			sp.SetParentSpanID(pcommon.SpanID{n, parent})
		}
	}
	http := func(ss ptrace.ScopeSpans, n, id, parent byte) {
		sp := ss.Spans().AppendEmpty()
		sp.SetName("GET /flights")
		sp.SetTraceID(trace(n))
		sp.SetSpanID(pcommon.SpanID{n, id})
		if parent != 0 {
			sp.SetParentSpanID(pcommon.SpanID{n, parent})
		}
		sp.Attributes().PutStr("http.request.method", "GET")
		sp.Attributes().PutInt("http.response.status_code", 200)
	}
	type step struct {
		build func() ptrace.Traces
		// judgeSpans: wait until the judge has this many spans before the
		// next batch (the trace is decided); 0: go on at once.
		judgeSpans int
	}
	batch := func(add ...func(ss ptrace.ScopeSpans)) func() ptrace.Traces {
		return func() ptrace.Traces {
			td, ss := newScope()
			for _, a := range add {
				a(ss)
			}
			return td
		}
	}
	tests := []struct {
		name  string
		steps []step
		want  map[pcommon.SpanID]bool // the spans the judge gets
	}{
		{
			name: "LLM span after non-LLM spans of its trace, in a later batch",
			steps: []step{
				{build: batch(func(ss ptrace.ScopeSpans) { http(ss, 1, 2, 1) })},
				{build: batch(func(ss ptrace.ScopeSpans) { http(ss, 1, 3, 1) })},
				{build: batch(func(ss ptrace.ScopeSpans) { chat(ss, 1, 1, 0) })},
			},
			want: map[pcommon.SpanID]bool{{1, 1}: true, {1, 2}: true, {1, 3}: true},
		},
		{
			name: "a trace without an LLM span is never sent",
			steps: []step{
				{build: batch(func(ss ptrace.ScopeSpans) { http(ss, 2, 2, 1) })},
				{build: batch(func(ss ptrace.ScopeSpans) { http(ss, 2, 1, 0) })},
			},
			want: map[pcommon.SpanID]bool{},
		},
		{
			name: "late spans of a sampled trace follow it",
			steps: []step{
				{build: batch(func(ss ptrace.ScopeSpans) { http(ss, 3, 2, 1); chat(ss, 3, 1, 0) }), judgeSpans: 2},
				{build: batch(func(ss ptrace.ScopeSpans) { http(ss, 3, 3, 1); chat(ss, 3, 4, 1) })},
			},
			want: map[pcommon.SpanID]bool{{3, 1}: true, {3, 2}: true, {3, 3}: true, {3, 4}: true},
		},
		{
			name: "traces interleaved across resources and scopes in one batch",
			steps: []step{{build: func() ptrace.Traces {
				td := ptrace.NewTraces()
				for r, svc := range []string{"agent", "tools"} {
					rs := td.ResourceSpans().AppendEmpty()
					rs.Resource().Attributes().PutStr("service.name", svc)
					rs.SetSchemaUrl("https://opentelemetry.io/schemas/1.37.0")
					for s := 0; s < 2; s++ {
						ss := rs.ScopeSpans().AppendEmpty()
						ss.Scope().SetName(svc + "-scope")
						ss.Scope().SetVersion(string(rune('1' + s)))
						base := byte(10*r + 2*s + 1)
						if r == 0 {
							chat(ss, 4, base, 0)
							http(ss, 5, base+1, 1)
						} else {
							http(ss, 4, base, 1)
							chat(ss, 5, base+1, 0)
						}
					}
				}
				return td
			}}},
			want: map[pcommon.SpanID]bool{{4, 1}: true, {4, 11}: true, {4, 13}: true, {4, 3}: true, {5, 2}: true, {5, 4}: true, {5, 12}: true, {5, 14}: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(func(c *Config) {
				withReplayJudge(c)
				c.Sampling.BaselineRatio = 1
				c.Sampling.DecisionWait = 20 * time.Millisecond
			}, jsonEval)
			require.NoError(t, cfg.Validate())
			judge, main := new(consumertest.TracesSink), new(consumertest.TracesSink)
			tel := componenttest.NewTelemetry()
			t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
			p, err := newTraces(context.Background(), metadatatest.NewSettings(tel), cfg, main, judge)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
			for _, st := range tt.steps {
				require.NoError(t, p.ConsumeTraces(context.Background(), st.build()))
				if st.judgeSpans > 0 {
					require.Eventually(t, func() bool { return judge.SpanCount() >= st.judgeSpans }, 10*time.Second, 5*time.Millisecond)
				}
			}
			require.NoError(t, p.Shutdown(context.Background()))

			// What the main stream carried, by span.
			type seen struct {
				attrs    map[string]any
				resource map[string]any
				scope    string
			}
			collect := func(tds []ptrace.Traces, drop string) map[pcommon.SpanID]seen {
				out := map[pcommon.SpanID]seen{}
				for _, td := range tds {
					for i := 0; i < td.ResourceSpans().Len(); i++ {
						rs := td.ResourceSpans().At(i)
						for j := 0; j < rs.ScopeSpans().Len(); j++ {
							ss := rs.ScopeSpans().At(j)
							for k := 0; k < ss.Spans().Len(); k++ {
								sp := ss.Spans().At(k)
								a := sp.Attributes().AsRaw()
								for key := range a {
									if drop != "" && strings.HasPrefix(key, drop) {
										delete(a, key)
									}
								}
								_, dup := out[sp.SpanID()]
								assert.False(t, dup, "span %v twice", sp.SpanID())
								out[sp.SpanID()] = seen{a, rs.Resource().Attributes().AsRaw(), rs.SchemaUrl() + " " + ss.Scope().Name() + " " + ss.Scope().Version()}
							}
						}
					}
				}
				return out
			}
			mainSpans := collect(main.AllTraces(), "")
			judged := collect(judge.AllTraces(), "llmeval.judge.")
			assert.Len(t, judged, len(tt.want))
			for id, got := range judged {
				assert.True(t, tt.want[id], "span %v sent to the judge", id)
				assert.Equal(t, mainSpans[id], got, "span %v: the judge's copy is what the main stream carries", id)
			}
			for _, td := range judge.AllTraces() {
				forEachSpan(td, func(sp ptrace.Span) {
					v, ok := sp.Attributes().Get("llmeval.judge.sampled")
					assert.True(t, ok && v.Bool(), "judge marks on %v", sp.SpanID())
				})
			}
		})
	}
}
