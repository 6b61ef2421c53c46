package sampling

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// perTraceCopies is what the main path used to hand over: each trace's
// spans copied into a Traces of their own, a new resource (scope) whenever
// the batch's resource (scope) changes, serialised.
func perTraceCopies(t *testing.T, td ptrace.Traces) map[pcommon.TraceID][]byte {
	t.Helper()
	type pending struct {
		td           ptrace.Traces
		rs           ptrace.ResourceSpans
		ss           ptrace.ScopeSpans
		srcRS, srcSS int
	}
	byID := map[pcommon.TraceID]*pending{}
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				sp := ss.Spans().At(k)
				pt := byID[sp.TraceID()]
				if pt == nil {
					pt = &pending{td: ptrace.NewTraces(), srcRS: -1, srcSS: -1}
					byID[sp.TraceID()] = pt
				}
				if pt.srcRS != i {
					pt.rs = pt.td.ResourceSpans().AppendEmpty()
					rs.Resource().CopyTo(pt.rs.Resource())
					pt.rs.SetSchemaUrl(rs.SchemaUrl())
					pt.srcRS, pt.srcSS = i, -1
				}
				if pt.srcSS != j {
					pt.ss = pt.rs.ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(pt.ss.Scope())
					pt.ss.SetSchemaUrl(ss.SchemaUrl())
					pt.srcSS = j
				}
				sp.CopyTo(pt.ss.Spans().AppendEmpty())
			}
		}
	}
	out := map[pcommon.TraceID][]byte{}
	for id, pt := range byID {
		data, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(pt.td)
		require.NoError(t, err)
		out[id] = data
	}
	return out
}

// traceOrder is the trace ID of each span of td, in the batch's order.
func traceOrder(td ptrace.Traces) []pcommon.TraceID {
	var ids []pcommon.TraceID
	eachSpan(td, func(sp ptrace.Span) { ids = append(ids, sp.TraceID()) })
	return ids
}

// splitChunks serialises td once and puts each trace's chunk together
// from the batch, as the sampler does.
func splitChunks(t *testing.T, td ptrace.Traces) map[pcommon.TraceID][]byte {
	t.Helper()
	data, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	refs := map[pcommon.TraceID][]Ref{}
	ids := traceOrder(td)
	n := 0
	b, err := SplitBatch(data, func(r Ref) { refs[ids[n]] = append(refs[ids[n]], r); n++ })
	require.NoError(t, err)
	require.Equal(t, len(ids), n, "every span, once")
	out := map[pcommon.TraceID][]byte{}
	for id, rr := range refs {
		chunk := b.Append([]byte("prefix"), rr)[len("prefix"):]
		assert.Len(t, chunk, b.Size(rr), "Size must be what Append writes")
		// Canonical form: decoded and serialised again by pdata (the
		// chunk's fields may come in another order, which decodes the
		// same).
		got, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(chunk)
		require.NoError(t, err)
		out[id], err = (&ptrace.ProtoMarshaler{}).MarshalTraces(got)
		require.NoError(t, err)
	}
	return out
}

func span(ss ptrace.ScopeSpans, trace, n byte, attrs map[string]string) {
	sp := ss.Spans().AppendEmpty()
	if trace != 0 {
		sp.SetTraceID(pcommon.TraceID{trace, 1})
	}
	sp.SetSpanID(pcommon.SpanID{trace, n})
	sp.SetName(fmt.Sprintf("span %d", n))
	sp.SetStartTimestamp(1_700_000_000_000_000_000)
	sp.SetEndTimestamp(1_700_000_001_000_000_000)
	sp.Status().SetCode(ptrace.StatusCodeOk)
	for k, v := range attrs {
		sp.Attributes().PutStr(k, v)
	}
	sp.Events().AppendEmpty().SetName("gen_ai.client.inference.operation.details")
	sp.Links().AppendEmpty().SetTraceID(pcommon.TraceID{9, 9})
}

// TestSplitBatchMatchesPerTraceCopies: every trace's chunk put together
// from the batch serialised once is the copy the main path used to make of
// it span by span, resources, scopes, schema URLs and all.
func TestSplitBatchMatchesPerTraceCopies(t *testing.T) {
	chat := map[string]string{"gen_ai.operation.name": "chat", "gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Your flight is booked."}]}]`}
	tests := []struct {
		name  string
		build func(td ptrace.Traces)
	}{
		{"empty batch", func(ptrace.Traces) {}},
		{"one resource, interleaved traces", func(td ptrace.Traces) {
			ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
			for i := byte(1); i <= 6; i++ {
				span(ss, i%3+1, i, chat)
			}
		}},
		{"a trace across resources and scopes, with schema URLs", func(td ptrace.Traces) {
			for r := 0; r < 2; r++ {
				rs := td.ResourceSpans().AppendEmpty()
				rs.Resource().Attributes().PutStr("service.name", fmt.Sprintf("agent-%d", r))
				rs.Resource().SetDroppedAttributesCount(uint32(r))
				rs.SetSchemaUrl("https://opentelemetry.io/schemas/1.37.0")
				for s := 0; s < 2; s++ {
					ss := rs.ScopeSpans().AppendEmpty()
					ss.Scope().SetName(fmt.Sprintf("scope-%d", s))
					ss.Scope().SetVersion("1.2.3")
					ss.Scope().Attributes().PutInt("n", int64(s))
					ss.SetSchemaUrl("https://opentelemetry.io/schemas/1.36.0")
					span(ss, 1, byte(10*r+s), chat)
					span(ss, byte(2+r), byte(10*r+s+5), nil)
				}
			}
		}},
		{"empty resource and scope, empty scope list", func(td ptrace.Traces) {
			td.ResourceSpans().AppendEmpty()
			rs := td.ResourceSpans().AppendEmpty()
			rs.ScopeSpans().AppendEmpty()
			span(rs.ScopeSpans().AppendEmpty(), 4, 1, chat)
		}},
		{"span without a trace ID", func(td ptrace.Traces) {
			ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
			span(ss, 0, 1, chat)
			span(ss, 5, 2, nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := ptrace.NewTraces()
			tt.build(td)
			want := perTraceCopies(t, td)
			got := splitChunks(t, td)
			require.Len(t, got, len(want))
			for id, w := range want {
				assert.Equal(t, w, got[id], "trace %v", id)
			}
		})
	}
}

// TestSplitBatchRefusesMalformedBytes: bytes that are not a TracesData
// give an error, never a panic.
func TestSplitBatchRefusesMalformedBytes(t *testing.T) {
	td := ptrace.NewTraces()
	span(td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty(), 1, 1, nil)
	good, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	for name, data := range map[string][]byte{
		"truncated":        good[:len(good)-3],
		"bad tag":          {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"length too long":  {0x0a, 0x7f, 0x01},
		"truncated span":   {0x0a, 0x08, 0x12, 0x06, 0x12, 0x05, 0x0a, 0x02, 0x01, 0x02},
		"truncated varint": {0x0a},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := SplitBatch(data, func(Ref) {})
			assert.Error(t, err)
		})
	}
}

// batchOf serialises td and splits it into chunks, one per trace, as the
// processor's handOff does.
func batchOf(t testing.TB, td ptrace.Traces, llm bool) (*Batch, []Chunk) {
	data, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	byID := map[pcommon.TraceID]*Chunk{}
	var order []pcommon.TraceID
	ids := traceOrder(td)
	n := 0
	b, err := SplitBatch(data, func(r Ref) {
		id := ids[n]
		n++
		c := byID[id]
		if c == nil {
			c = &Chunk{TraceID: id, LLM: llm}
			byID[id] = c
			order = append(order, id)
		}
		c.Refs = append(c.Refs, r)
		c.Spans++
	})
	require.NoError(t, err)
	var chunks []Chunk
	for _, id := range order {
		chunks = append(chunks, *byID[id])
	}
	return b, chunks
}

// TestOfferBatch: a batch's bytes are charged to the handoff queue whole
// until its last chunk is taken; a batch beyond the queue's share is
// dropped whole and chunks beyond handoff_queue one by one, every span
// counted; the chunks the sampler takes are the traces' spans.
func TestOfferBatch(t *testing.T) {
	ids := func(n int) ptrace.Traces {
		td := ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		for i := 1; i <= n; i++ {
			span(ss, byte(i), 1, map[string]string{"gen_ai.operation.name": "chat"})
			span(ss, byte(i), 2, nil)
		}
		return td
	}
	tests := []struct {
		name          string
		maxBytes      int64
		queue         int
		traces        int
		wantQueued    int
		wantDrops     int64
		wantHeldBytes bool
	}{
		{"fits", 1 << 20, 100, 3, 3, 0, true},
		{"beyond handoff_queue: the rest dropped one by one", 1 << 20, 2, 5, 2, 6, true},
		{"beyond the queue's share of max_bytes: dropped whole", 800, 100, 5, 0, 10, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := NewDefaultConfig()
			cfg.MaxBytes, cfg.HandoffQueue = tt.maxBytes, tt.queue
			cfg.BaselineRatio = 1
			sink := new(consumertest.TracesSink)
			h := newHarness(t, cfg, nil, sink, nil)
			b, chunks := batchOf(t, ids(tt.traces), true)
			for i := range chunks {
				chunks[i].Root = true
			}
			// The loop is not running: what is queued stays there.
			h.s.OfferBatch(context.Background(), b, chunks)
			assert.Len(t, h.s.in, tt.wantQueued)
			assert.Equal(t, tt.wantDrops, counter(t, h.tel, "otelcol_processor_llmeval_judge_handoff_drops"))
			handoff, _, _ := h.s.Held()
			if tt.wantHeldBytes {
				assert.Equal(t, b.bytes(), handoff, "the whole batch is charged while a chunk of it waits")
			} else {
				assert.Zero(t, handoff)
			}
			for len(h.s.in) > 0 {
				h.s.take(context.Background(), <-h.s.in)
			}
			handoff, _, _ = h.s.Held()
			assert.Zero(t, handoff, "released with the last chunk taken")
			h.clock.advance(time.Hour)
			h.s.decideDue(context.Background())
			got := sampledIDs(sink)
			assert.Len(t, got, tt.wantQueued)
			for id, n := range got {
				assert.Equal(t, 2, n, "trace %d whole", id)
			}
		})
	}
}

// counter reads a counter without attributes; 0 when never incremented.
func counter(t *testing.T, tel *componenttest.Telemetry, name string) int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return 0
	}
	var n int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		n += dp.Value
	}
	return n
}

// TestOfferBatchBurst: four producers offer batches of incompressible
// chunks as fast as they can to a running sampler with a small max_bytes:
// the handoff queue's bytes never pass its share, no offer waits, and
// every span is either taken (then decided) or dropped and counted.
func TestOfferBatchBurst(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.MaxBytes, cfg.HandoffQueue = 1<<20, 64
	h := newHarness(t, cfg, nil, new(consumertest.TracesSink), func(s *Settings) { s.Now = time.Now })
	h.s.Start()
	const producers, batches, perBatch = 4, 50, 20
	// One batch template per producer: perBatch traces of one 4 KiB span.
	templates := make([]ptrace.Traces, producers)
	for p := range templates {
		td := ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		for i := 0; i < perBatch; i++ {
			c := noiseChunk(t, uint32(p*perBatch+i), 4<<10, true)
			one, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(c.Data)
			require.NoError(t, err)
			one.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).CopyTo(ss.Spans().AppendEmpty())
		}
		templates[p] = td
	}
	var peak atomic.Int64
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if handoff, _, _ := h.s.Held(); handoff > peak.Load() {
				peak.Store(handoff)
			}
		}
	}()
	var wg sync.WaitGroup
	var slowest atomic.Int64
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < batches; n++ {
				td := ptrace.NewTraces()
				templates[p].CopyTo(td)
				// A new trace ID per span, so that no chunk is a late span.
				spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
				for i := 0; i < spans.Len(); i++ {
					spans.At(i).SetTraceID(pcommon.TraceID{byte(p), byte(n), byte(i), 0xb})
				}
				b, chunks := batchOf(t, td, true)
				began := time.Now()
				h.s.OfferBatch(context.Background(), b, chunks)
				if d := int64(time.Since(began)); d > slowest.Load() {
					slowest.Store(d)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-watched
	require.NoError(t, h.s.Shutdown(context.Background()))
	assert.LessOrEqual(t, peak.Load(), cfg.MaxBytes/8, "handoff queue within its share")
	assert.Less(t, time.Duration(slowest.Load()), time.Second, "an offer never waits for the sampler")
	dropped := counter(t, h.tel, "otelcol_processor_llmeval_judge_handoff_drops")
	decided := counter(t, h.tel, "otelcol_processor_llmeval_judge_traces_not_sampled")
	assert.Positive(t, dropped, "the burst overflows the queue")
	assert.Positive(t, decided, "and the sampler took some")
	assert.Equal(t, int64(producers*batches*perBatch), dropped+decided, "every span taken or counted as dropped")
	handoff, _, _ := h.s.Held()
	assert.Zero(t, handoff)
}

// FuzzSplitBatch: whatever the bytes, splitting never panics, and what it
// accepts can be put back together (Size is what Append writes).
func FuzzSplitBatch(f *testing.F) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "agent")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("scope")
	span(ss, 1, 1, map[string]string{"gen_ai.operation.name": "chat"})
	span(ss, 2, 2, nil)
	good, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x08, 0x12, 0x06, 0x12, 0x04, 0x0a, 0x02, 0x01, 0x02})
	f.Fuzz(func(t *testing.T, data []byte) {
		var refs []Ref
		b, err := SplitBatch(data, func(r Ref) { refs = append(refs, r) })
		if err != nil {
			return
		}
		for i := range refs {
			assert.Len(t, b.Append(nil, refs[i:i+1]), b.Size(refs[i:i+1]))
		}
		assert.Len(t, b.Append(nil, refs), b.Size(refs))
	})
}
