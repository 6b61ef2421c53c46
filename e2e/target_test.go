package e2e

import (
	be "encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// troubleLevels are user turns of rising trouble: none; a complaint; a
// complaint and a request for a human; the same shouted with !!!.
var troubleLevels = []string{
	"What is my order status?",
	"This is useless.",
	"This is useless, let me talk to a human.",
	"THIS IS USELESS, LET ME TALK TO A HUMAN!!!",
}

// levelTrace appends trace n (root agent span and a chat span) whose user
// turn is troubleLevels[level].
func levelTrace(td ptrace.Traces, n uint32, level int) {
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	var trace pcommon.TraceID
	be.BigEndian.PutUint32(trace[:], 0xb0000000|n)
	be.BigEndian.PutUint32(trace[8:], n*2654435761)
	root := ss.Spans().AppendEmpty()
	root.SetTraceID(trace)
	root.SetSpanID(pcommon.SpanID{1, byte(n >> 16), byte(n >> 8), byte(n)})
	root.SetName("invoke_agent")
	root.Attributes().PutStr("gen_ai.operation.name", "invoke_agent")
	chat := ss.Spans().AppendEmpty()
	chat.SetTraceID(trace)
	chat.SetSpanID(pcommon.SpanID{2, byte(n >> 16), byte(n >> 8), byte(n)})
	chat.SetParentSpanID(root.SpanID())
	chat.SetName("chat")
	a := chat.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"`+troubleLevels[level]+`"}]}]`)
	a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"One moment."}]}]`)
}

func levelOf(n uint32) int { return int(n*7919) % len(troubleLevels) }

// judgedTraces waits until the judge's output stops growing and returns
// each judged trace's level and reason.
func judgedTraces(t *testing.T, judgeOut *sink, quiet time.Duration) map[uint32]string {
	t.Helper()
	last, since := -1, time.Now()
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		judgeOut.read(t)
		judgeOut.mu.Lock()
		n := judgeOut.spans
		judgeOut.mu.Unlock()
		if n != last {
			last, since = n, time.Now()
		} else if time.Since(since) > quiet {
			break
		}
	}
	out := map[uint32]string{}
	judgeOut.mu.Lock()
	defer judgeOut.mu.Unlock()
	for _, td := range judgeOut.traces {
		forEachSpan(td, func(sp ptrace.Span) {
			id := sp.TraceID()
			r, _ := sp.Attributes().Get("llmeval.judge.reason")
			out[be.BigEndian.Uint32(id[:])&^0xb0000000] = r.Str()
		})
	}
	return out
}

// sendLevels sends n traces in requests of 100.
func sendLevels(t *testing.T, c *collector, n int, pace time.Duration) {
	t.Helper()
	for i := 0; i < n; i += 100 {
		if i > 0 {
			time.Sleep(pace)
		}
		td := ptrace.NewTraces()
		for j := i; j < i+100 && j < n; j++ {
			levelTrace(td, uint32(j), levelOf(uint32(j)))
		}
		c.send(t, td)
	}
}

// replayLevels runs a judge collector and the collector under test with
// the given sampling block, sends n traces of troubleLevels in batches of
// 100, pace apart, and returns what the judge got.
func replayLevels(t *testing.T, sampling string, n int, pace time.Duration) map[uint32]string {
	t.Helper()
	judgeOut := newSink(t)
	judgePort := freePort(t)
	startConfig(t, judgeConfig(judgePort, freePort(t), judgeOut.path), judgePort, 0)
	main := newSink(t)
	c := start(t, judgeProcessor(judgePort, sampling), main)
	sendLevels(t, c, n, pace)
	main.waitSpans(t, 2*n)
	return judgedTraces(t, judgeOut, 3*time.Second)
}

func judgeProcessor(judgePort int, sampling string) string {
	return fmt.Sprintf(`evaluators:
  - { name: pii, type: pii }
%sjudge:
  otlp_http:
    endpoint: http://127.0.0.1:%d
    compression: none
    sending_queue: { queue_size: 5000 }
`, sampling, judgePort)
}

// TestJudgeWithoutSamplingBlock: a judge configured with no sampling block
// starts and samples with the default: a failed safety check is sent at
// once, with its score.
func TestJudgeWithoutSamplingBlock(t *testing.T) {
	judgeOut := newSink(t)
	judgePort := freePort(t)
	startConfig(t, judgeConfig(judgePort, freePort(t), judgeOut.path), judgePort, 0)
	main := newSink(t)
	c := start(t, judgeProcessor(judgePort, ""), main)
	td := ptrace.NewTraces()
	agentTrace(td, 1, "This is useless, let me talk to a human", "Write to jane.roe@fastmail.com.")
	c.send(t, td)
	main.waitSpans(t, 3)
	got := judgeOut.waitSpans(t, 3)
	assert.Equal(t, map[byte]int{1: 3}, tracesOf(got))
	for _, sp := range got {
		a := sp.Attributes().AsRaw()
		assert.Equal(t, "failed_safety", a["llmeval.judge.reason"])
		assert.Greater(t, a["llmeval.judge.score"], 2.0, "pii 2 + complaint + escalation")
	}
}

// TestTargetRatioOnAReplay: 2,000 traces, three quarters with some
// trouble; target_ratio 0.2 sends 20% of them (±5 points), the most
// troubled.
func TestTargetRatioOnAReplay(t *testing.T) {
	const n = 2000
	judged := replayLevels(t, "sampling:\n  decision_wait: 200ms\n  target_ratio: 0.2\n  target_window: 500\n", n, 0)
	share := float64(len(judged)) / n
	t.Logf("target_ratio 0.2: %d of %d traces judged (%.1f%%)", len(judged), n, 100*share)
	assert.InDelta(t, 0.2, share, 0.05)
	byLevel := map[int]int{}
	for id, reason := range judged {
		assert.Equal(t, "target", reason)
		byLevel[levelOf(id)]++
	}
	assert.Zero(t, byLevel[0], "traces without trouble are not in the target share")
	assert.Greater(t, byLevel[3], len(judged)*3/4, "most judged traces are the most troubled: %v", byLevel)
}

// TestBudgetRefusesLowerScoresFirst: 2,000 troubled-or-not traces at once
// against a budget of 20 traces a second: what the budget lets through is
// the most troubled, not the first to arrive.
func TestBudgetRefusesLowerScoresFirst(t *testing.T) {
	const n = 2000
	// The replay is paced over about a second, so the budget refills while
	// it comes: a burst that arrives whole within one refill leaves nothing
	// for its later part, whatever the scores (processor README, "Budget").
	judged := replayLevels(t, "sampling:\n  decision_wait: 200ms\n  target_ratio: 1\n  budget: { max_traces_per_second: 20, burst: 20 }\n", n, 50*time.Millisecond)
	total, sent := map[int]int{}, map[int]int{}
	for i := uint32(0); i < n; i++ {
		total[levelOf(i)]++
		if _, ok := judged[i]; ok {
			sent[levelOf(i)]++
		}
	}
	share := func(l int) float64 { return float64(sent[l]) / float64(total[l]) }
	t.Logf("judged %d of %d; share sent by level: 1 %.2f, 2 %.2f, 3 %.2f", len(judged), n, share(1), share(2), share(3))
	require.NotEmpty(t, judged)
	assert.Less(t, len(judged), n*3/4, "the budget refused some")
	assert.Greater(t, share(3), share(2), "higher scores first")
	assert.GreaterOrEqual(t, share(2), share(1), "higher scores first")
	assert.Greater(t, sent[3], len(judged)/2, "the most troubled take most of the budget")
	// Not first come, first served: traces sent late get their share.
	late := 0
	for id := range judged {
		if id >= n/2 {
			late++
		}
	}
	assert.Positive(t, late, "traces of the second half are judged too")
}
