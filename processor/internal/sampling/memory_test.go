package sampling

import (
	"context"
	"crypto/rand"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/memtest"
)

// hangingJudge never answers until released; with honourCtx false it also
// ignores cancellation, the worst an exporter could do.
type hangingJudge struct {
	release   chan struct{}
	honourCtx bool
	calls     atomic.Int64
}

func newHangingJudge(t *testing.T, honourCtx bool) (*hangingJudge, consumer.Traces) {
	j := &hangingJudge{release: make(chan struct{}), honourCtx: honourCtx}
	t.Cleanup(func() { close(j.release) })
	c, err := consumer.NewTraces(func(ctx context.Context, _ ptrace.Traces) error {
		j.calls.Add(1)
		if j.honourCtx {
			select {
			case <-j.release:
			case <-ctx.Done():
				return ctx.Err()
			}
			return nil
		}
		<-j.release
		return nil
	})
	require.NoError(t, err)
	return j, c
}

// noiseChunk is one span of trace id carrying size bytes of random,
// incompressible content.
func noiseChunk(t testing.TB, id uint32, size int, root bool) Chunk {
	t.Helper()
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	tid := pcommon.TraceID{byte(id), byte(id >> 8), byte(id >> 16), 1}
	sp.SetTraceID(tid)
	sp.SetSpanID(pcommon.SpanID{byte(id), byte(id >> 8), byte(id >> 16), 1})
	noise := make([]byte, size)
	_, _ = rand.Read(noise)
	sp.Attributes().PutEmptyBytes("gen_ai.output.messages").FromRaw(noise)
	data, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	return Chunk{TraceID: tid, Data: data, Spans: 1, LLM: true, Root: root}
}

// TestOneBudgetHoldsWithAHangingJudge: with the judge hanging, incompressible
// copies and traces that never complete, the handoff queue, the buffer and
// the copies waiting for or inside the judge together stay within
// max_bytes at every moment; what does not fit is dropped and counted, and
// Offer never waits.
func TestOneBudgetHoldsWithAHangingJudge(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.MaxBytes = 4 << 20
	cfg.BaselineRatio = 1
	judge, c := newHangingJudge(t, true)
	h := newHarness(t, cfg, nil, nil, func(s *Settings) { s.Judge, s.Now, s.Senders = c, time.Now, 4 })
	h.s.Start()
	ctx := context.Background()

	var peak int64
	offered, refused := 0, 0
	for i := uint32(0); i < 400; i++ {
		chunk := noiseChunk(t, i, 64<<10, false)
		began := time.Now()
		if !h.s.Offer(ctx, chunk) {
			refused++
		}
		offered++
		// The judge hangs for good: an Offer that waited on it would take
		// the whole test; seconds only allow for a loaded machine.
		require.Less(t, time.Since(began), 5*time.Second, "Offer never waits")
		handoff, buffer, inJudge := h.s.Held()
		peak = max(peak, handoff+buffer+inJudge)
		require.LessOrEqual(t, handoff+buffer+inJudge, cfg.MaxBytes, "after offer %d: handoff %d + buffer %d + judge %d", i, handoff, buffer, inJudge)
		require.LessOrEqual(t, inJudge, cfg.MaxBytes/4)
		require.LessOrEqual(t, handoff, cfg.MaxBytes/8)
	}
	require.Eventually(t, func() bool { h2, _, _ := h.s.Held(); return h2 == 0 }, 10*time.Second, 10*time.Millisecond)
	handoff, buffer, inJudge := h.s.Held()
	assert.LessOrEqual(t, handoff+buffer+inJudge, cfg.MaxBytes)
	assert.Positive(t, judge.calls.Load(), "the senders are waiting for the judge")
	assert.Positive(t, inJudge, "copies inside the hanging judge are counted")
	assert.Positive(t, droppedSpans(t, h.tel, "memory"), "copies beyond the judge's share are dropped and counted")
	t.Logf("offered %d, refused at handoff %d, peak held %d of %d bytes", offered, refused, peak, cfg.MaxBytes)

	sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	require.NoError(t, h.s.Shutdown(sctx))
}

// TestShutdownHasADeadline: thousands of undecided traces and a judge that
// never answers and ignores cancellation: Shutdown returns by its deadline,
// and every sampled span is accounted for, sent or dropped with a cause.
func TestShutdownHasADeadline(t *testing.T) {
	for _, honour := range []bool{true, false} {
		name := "judge ignores cancellation"
		if honour {
			name = "judge honours cancellation"
		}
		t.Run(name, func(t *testing.T) {
			cfg := NewDefaultConfig()
			cfg.BaselineRatio = 1
			cfg.DecisionWait, cfg.MaxTraceDuration = time.Hour, time.Hour
			_, c := newHangingJudge(t, honour)
			h := newHarness(t, cfg, nil, nil, func(s *Settings) { s.Judge, s.Now, s.Senders = c, time.Now, 10 })
			h.s.Start()
			const traces = 5000
			for i := uint32(0); i < traces; i++ {
				require.True(t, h.s.Offer(context.Background(), noiseChunk(t, i, 256, true)))
			}
			// Whatever the loop has not taken yet, Shutdown takes itself.

			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			began := time.Now()
			require.NoError(t, h.s.Shutdown(ctx))
			took := time.Since(began)
			// The judge would hold it for an hour; seconds allow for a loaded
			// machine under -race dropping 5,000 queued copies.
			assert.Less(t, took, 5*time.Second, "Shutdown returns by its deadline")

			n, b := h.s.Buffered()
			assert.Zero(t, n, "every buffered trace was decided")
			assert.Zero(t, b)
			dropped := droppedSpans(t, h.tel, "shutdown") + droppedSpans(t, h.tel, "memory")
			if honour {
				// Cancelled senders count their copies too.
				require.Eventually(t, func() bool {
					return droppedSpans(t, h.tel, "shutdown")+droppedSpans(t, h.tel, "memory") == traces
				}, 5*time.Second, 10*time.Millisecond)
				return
			}
			// Held by the senders inside the judge: an export each, of the
			// copies queued together (all the same size), still charged
			// to the judge's share.
			_, _, held := h.s.Held()
			inFlight := held / int64(len(noiseChunk(t, 0, 256, true).Data))
			assert.Positive(t, inFlight)
			assert.LessOrEqual(t, inFlight, int64(10*maxExportTraces))
			assert.Equal(t, int64(traces)-inFlight, dropped, "queued copies dropped and counted at the deadline")
		})
	}
}

// TestBookkeepingIsWhatTheREADMESays measures what a buffered trace costs
// beside its copy, and what a remembered decision costs: the figures the
// documented memory bound uses (README, "Memory": 400 B and 160 B).
func TestBookkeepingIsWhatTheREADMESays(t *testing.T) {
	const n = 20_000
	cfg := NewDefaultConfig()
	cfg.DecisionCacheSize = n
	h := newHarness(t, cfg, nil, new(consumertest.TracesSink), nil)
	ctx := context.Background()
	chunks := make([]Chunk, n)
	for i := range chunks {
		chunks[i] = Chunk{TraceID: pcommon.TraceID{byte(i), byte(i >> 8), 9}, Data: []byte{}, Spans: 1}
	}
	before := memtest.LiveHeap()
	for _, c := range chunks {
		h.s.add(ctx, c)
	}
	buffered, copies := memtest.LiveHeap()-before, int64(0)
	_, copies = h.s.Buffered()
	perTrace := (buffered - copies) / n
	t.Logf("a buffered trace: %d B beside its copy", perTrace)
	assert.LessOrEqual(t, perTrace, int64(400))

	h.clock.advance(time.Hour)
	before = memtest.LiveHeap()
	h.s.decideDue(ctx) // every trace decided, none sampled: n decisions remembered
	n2, _ := h.s.Buffered()
	require.Zero(t, n2)
	// The buffer's bookkeeping is gone; what is left is the decisions.
	decisions := memtest.LiveHeap() - before + buffered - copies
	perDecision := decisions / n
	t.Logf("a remembered decision: %d B", perDecision)
	assert.LessOrEqual(t, perDecision, int64(160))
	runtime.KeepAlive(h)
}
