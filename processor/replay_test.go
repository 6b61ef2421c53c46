package llmevalprocessor

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/taubench"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// replayStats are the per-evaluator counts of one replay.
type replayStats struct {
	failSpans  int
	failByOp   map[string]int
	failSpansR [2]int          // failing spans in reward-0 / reward-1 trajectories
	failTrajs  [2]map[int]bool // trajectories (record index) with at least one failing span
	errors     int
	errSamples []string
}

// TestReplayTauBenchDefaultSet replays the 200 real GPT-4o tau-bench airline
// trajectories through the processor with its default configuration. An
// error verdict here means our own decoding broke on real data.
func TestReplayTauBenchDefaultSet(t *testing.T) {
	path := taubench.DefaultPath()
	if path == "" {
		t.Skipf("tau-bench airline dataset not found; looked for:\n  %s", strings.Join(taubench.SearchPaths(), "\n  "))
	}
	recs, err := taubench.Load(path)
	require.NoError(t, err)
	require.NotEmpty(t, recs)

	inputs := make([]ptrace.Traces, len(recs))
	recordOf := map[pcommon.TraceID]int{}
	spansIn := 0
	for i, r := range recs {
		inputs[i] = r.Traces()
		spansIn += inputs[i].SpanCount()
		recordOf[r.TraceID()] = i
	}
	rewardIdx := func(rec int) int {
		if recs[rec].Reward > 0 {
			return 1
		}
		return 0
	}
	var trajsByReward [2]int
	for i := range recs {
		trajsByReward[rewardIdx(i)]++
	}

	cfg := createDefaultConfig().(*Config)
	require.NoError(t, cfg.Validate())
	prefix := cfg.AttributePrefix
	sink := new(consumertest.TracesSink)
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tt), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	began := time.Now()
	for _, td := range inputs {
		require.NoError(t, p.ConsumeTraces(context.Background(), td))
	}
	took := time.Since(began)
	require.NoError(t, p.Shutdown(context.Background()))

	require.Equal(t, spansIn, sink.SpanCount(), "every span that went in came out")

	// Evaluator names in config order, from the effective config, not a
	// hard-coded list: the default set grows.
	var names []string
	stats := map[string]*replayStats{}
	stat := func(name string) *replayStats {
		s, ok := stats[name]
		if !ok {
			s = &replayStats{failByOp: map[string]int{}, failTrajs: [2]map[int]bool{{}, {}}}
			stats[name] = s
			names = append(names, name)
		}
		return s
	}
	for _, e := range cfg.EffectiveEvaluators() {
		stat(e.Name)
	}

	var chats, chatsWithVerdict, evaluated, failing int
	var noVerdict []string
	for _, td := range sink.AllTraces() {
		forEachSpan(td, func(span ptrace.Span) {
			rec, ok := recordOf[span.TraceID()]
			require.True(t, ok, "span of an unknown trace")
			rw := rewardIdx(rec)
			a := span.Attributes()
			op := ""
			if v, ok := a.Get("gen_ai.operation.name"); ok {
				op = v.Str()
			}
			verdict, hasVerdict := a.Get(prefix + ".verdict")
			if hasVerdict {
				evaluated++
			}
			if op == "chat" {
				chats++
				if hasVerdict {
					chatsWithVerdict++
				} else if len(noVerdict) < 5 {
					noVerdict = append(noVerdict, fmt.Sprintf("%s span %s", recs[rec].ConversationID(), span.SpanID()))
				}
			}
			if hasVerdict && verdict.Str() == "fail" {
				failing++
				failed, ok := a.Get(prefix + ".failed")
				require.True(t, ok, "a failing span lists its failed evaluators")
				for i := 0; i < failed.Slice().Len(); i++ {
					s := stat(failed.Slice().At(i).Str())
					s.failSpans++
					s.failByOp[op]++
					s.failSpansR[rw]++
					s.failTrajs[rw][rec] = true
				}
			}
			a.Range(func(k string, v pcommon.Value) bool {
				name, ok := strings.CutPrefix(k, prefix+".")
				if !ok {
					return true
				}
				name, ok = strings.CutSuffix(name, ".verdict")
				if !ok || name == "" || v.Str() != "error" {
					return true
				}
				s := stat(name)
				s.errors++
				if len(s.errSamples) < 3 {
					reason, _ := a.Get(prefix + "." + name + ".reason")
					s.errSamples = append(s.errSamples, fmt.Sprintf("%s %s span %s: %q",
						recs[rec].ConversationID(), op, span.SpanID(), reason.AsString()))
				}
				return true
			})
		})
	}

	// Verdict totals per evaluator from the internal metric: the denominators
	// the span attributes do not carry (passes are not recorded by default).
	totals := map[string]map[string]int64{}
	if m, err := tt.GetMetric("otelcol_processor_llmeval_verdicts"); err == nil {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
			for _, dp := range sum.DataPoints {
				ev, _ := dp.Attributes.Value("evaluator")
				vd, _ := dp.Attributes.Value("verdict")
				if totals[ev.AsString()] == nil {
					totals[ev.AsString()] = map[string]int64{}
				}
				totals[ev.AsString()][vd.AsString()] += dp.Value
			}
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "replayed %d trajectories (%d reward 0, %d reward 1), %d spans (%d chat), in %v; %d spans with a verdict, %d failing\n\n",
		len(recs), trajsByReward[0], trajsByReward[1], spansIn, chats, took.Round(time.Millisecond), evaluated, failing)
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "evaluator\tverdicts\tpass\tfail\terror\tfail spans by op\tfail spans r0\tfail spans r1\tfail trajs r0\tfail trajs r1\t")
	for _, name := range names {
		s, tot := stats[name], totals[name]
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%s\t%d\t%d\t%d/%d\t%d/%d\t\n", name,
			tot["pass"]+tot["fail"]+tot["error"], tot["pass"], tot["fail"], tot["error"],
			byOp(s.failByOp), s.failSpansR[0], s.failSpansR[1],
			len(s.failTrajs[0]), trajsByReward[0], len(s.failTrajs[1]), trajsByReward[1])
	}
	require.NoError(t, w.Flush())
	t.Logf("\n%s", b.String())

	for _, name := range names {
		s := stats[name]
		assert.Zero(t, s.errors, "evaluator %q gave %d error verdicts on real data, e.g.\n  %s",
			name, s.errors, strings.Join(s.errSamples, "\n  "))
	}
	assert.Positive(t, chats)
	assert.Equal(t, chats, chatsWithVerdict, "every chat span gets %s.verdict; missing on e.g. %v", prefix, noVerdict)
}

func forEachSpan(td ptrace.Traces, f func(ptrace.Span)) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				f(spans.At(k))
			}
		}
	}
}

// byOp formats fail counts by operation, e.g. "chat=3 execute_tool=1".
func byOp(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	ops := make([]string, 0, len(m))
	for op := range m {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	parts := make([]string, len(ops))
	for i, op := range ops {
		name := op
		if name == "" {
			name = "other"
		}
		parts[i] = fmt.Sprintf("%s=%d", name, m[op])
	}
	return strings.Join(parts, " ")
}
