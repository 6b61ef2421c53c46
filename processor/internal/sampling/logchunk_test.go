package sampling

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// logChunk is what a logs pipeline offers: the rules a trace's GenAI log
// records matched, without spans.
func logChunk(id byte, mask uint64) Chunk {
	return Chunk{TraceID: pcommon.TraceID{id}, Mask: mask, LLM: true}
}

// Rules matched on log records count toward their trace, whichever
// arrives first, and a trace known only from log records sends nothing
// until its spans come.
func TestLogRecordMatchesCountTowardTheTrace(t *testing.T) {
	tests := []struct {
		name string
		run  func(ctx context.Context, h *harness)
		want map[byte]int
	}{
		{
			name: "log record after the spans, before the decision",
			run: func(ctx context.Context, h *harness) {
				h.s.add(ctx, chunk(t, 1, 2, 0, true, true))
				h.s.add(ctx, logChunk(1, 1))
			},
			want: map[byte]int{1: 2},
		},
		{
			name: "log record before the spans",
			run: func(ctx context.Context, h *harness) {
				h.s.add(ctx, logChunk(1, 1))
				h.clock.advance(time.Hour) // a log-only trace is decided at max_trace_duration ...
				h.s.decideDue(ctx)
				h.s.add(ctx, chunk(t, 1, 3, 0, true, true)) // ... and its spans follow that decision
			},
			want: map[byte]int{1: 3},
		},
		{
			name: "log record first, spans before the deadline: decided at once",
			run: func(ctx context.Context, h *harness) {
				h.s.add(ctx, logChunk(1, 1))
				h.s.add(ctx, chunk(t, 1, 2, 0, true, false))
			},
			want: map[byte]int{1: 2},
		},
		{
			name: "no rule matched on the record",
			run: func(ctx context.Context, h *harness) {
				h.s.add(ctx, chunk(t, 1, 2, 0, true, true))
				h.s.add(ctx, logChunk(1, 0))
				h.clock.advance(time.Hour)
				h.s.decideDue(ctx)
			},
			want: map[byte]int{},
		},
		{
			name: "log record only: nothing to send",
			run: func(ctx context.Context, h *harness) {
				h.s.add(ctx, logChunk(2, 1))
				h.clock.advance(time.Hour)
				h.s.decideDue(ctx)
			},
			want: map[byte]int{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			h := newHarness(t, NewDefaultConfig(), failedPII, new(consumertest.TracesSink), nil)
			tt.run(ctx, h)
			assert.Equal(t, tt.want, sampledIDs(h.judge))
			for _, td := range h.judge.AllTraces() {
				assert.Positive(t, td.SpanCount(), "no empty copy reaches the judge")
			}
		})
	}
}
