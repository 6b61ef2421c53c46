package llmevalprocessor

import (
	"context"
	"hash/fnv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"
)

// pendingTrace gathers what the rules saw on one trace's spans in one
// batch; handOff adds where its spans lie in the serialised batch.
type pendingTrace struct {
	refs      []sampling.Ref
	spans     int
	mask      uint64
	llm, root bool
	features  trouble.Counts // nil until a span brings some
	cost      signals.Totals
	stratum   uint64
}

// maxFreeTraces bounds the pendingTraces a batch keeps for reuse.
const maxFreeTraces = 256

// noteForSampler matches the sampling rules on the current span, once it
// is annotated, and notes it under its trace. The span is not copied:
// handOff serialises the whole batch once it is all annotated.
func (p *llmEvalProcessor) noteForSampler(ctx context.Context, b *batch) {
	v := &b.view
	span := v.Span()
	pt, ok := b.pending[span.TraceID()]
	if !ok {
		if n := len(b.free); n > 0 {
			pt, b.free = b.free[n-1], b.free[:n-1]
		} else {
			pt = &pendingTrace{}
		}
		b.pending[span.TraceID()] = pt
	}
	pt.spans++
	b.order = append(b.order, pt)
	if span.ParentSpanID().IsEmpty() {
		pt.root = true
	}
	if v.Layout() == spanmodel.LayoutNone {
		return
	}
	pt.llm = true
	facts := sampling.SpanFacts{Failed: b.failed, View: v}
	if p.detector != nil {
		facts.Found = &b.found
	}
	pt.mask |= p.rules.Match(ctx, &facts)
	p.countFeatures(pt, b)
	if pt.stratum == 0 && len(p.strataKeys) > 0 {
		pt.stratum = stratumOf(v, p.strataKeys)
	}
}

// stratumOf hashes the span's values of the baseline_strata attributes
// (the span's own, else its resource's; absent is a value too), so the
// sampler keeps 8 bytes a trace whatever clients send.
func stratumOf(v *spanmodel.View, keys []string) uint64 {
	h := fnv.New64a()
	for _, k := range keys {
		val, ok := v.Span().Attributes().Get(k)
		if !ok {
			val, ok = v.Resource().Resource().Attributes().Get(k)
		}
		// Scalars only: a map or slice there is not rendered (it could be
		// nested as deep as a client likes).
		if ok {
			switch val.Type() {
			case pcommon.ValueTypeStr:
				h.Write([]byte(val.Str()))
			case pcommon.ValueTypeInt, pcommon.ValueTypeDouble, pcommon.ValueTypeBool:
				h.Write([]byte(val.AsString()))
			}
		}
		h.Write([]byte{0})
	}
	return h.Sum64() | 1 // never 0, which means "none yet"
}

// countFeatures adds the span's signal kinds and failed checks to its
// trace's trouble-score features.
func (p *llmEvalProcessor) countFeatures(pt *pendingTrace, b *batch) {
	add := func(name string) {
		if pt.features == nil {
			pt.features = trouble.Counts{}
		}
		pt.features[name]++
	}
	for _, name := range b.failed {
		add(trouble.Failed(name))
	}
	if p.detector == nil {
		return
	}
	pt.cost.Add(signals.Totals{Trace: b.found.Cost, Conversation: b.found.Conversation})
	for c := signals.Category(0); c < signals.NumCategories; c++ {
		for _, kind := range b.found.Kinds(c) {
			add(trouble.Kind(c.String(), kind))
		}
	}
}

// handOff serialises the annotated batch once, as the copy of every trace
// in it (spans are never changed after the processor annotated them, and
// the bytes are safe from what later components do to the batch), and
// offers each trace's chunk to the sampler without waiting: a full queue
// drops copies, counted, never the batch. Putting each trace's chunk
// together and compressing it happen on the sampler's goroutine.
func (p *llmEvalProcessor) handOff(ctx context.Context, td ptrace.Traces, b *batch) {
	defer func() {
		// The chunks hold their refs and features, not the pendingTraces:
		// those are kept for the next batch.
		for _, pt := range b.pending {
			if len(b.free) < maxFreeTraces {
				*pt = pendingTrace{}
				b.free = append(b.free, pt)
			}
		}
		clear(b.pending)
		clear(b.order)
		b.order = b.order[:0]
	}()
	// One array of refs for the batch, each trace's run of it sized to its
	// spans.
	all := make([]sampling.Ref, len(b.order))
	off := 0
	for _, pt := range b.pending {
		pt.refs = all[off : off : off+pt.spans]
		off += pt.spans
	}
	var m ptrace.ProtoMarshaler
	data, err := m.MarshalTraces(td)
	var sb *sampling.Batch
	n := 0
	if err == nil {
		// The bytes hold the spans in the order noteForSampler saw them.
		sb, err = sampling.SplitBatch(data, func(r sampling.Ref) {
			if n < len(b.order) {
				pt := b.order[n]
				pt.refs = append(pt.refs, r)
			}
			n++
		})
	}
	if err != nil || n != len(b.order) {
		p.telemetry.ProcessorLlmevalJudgeCopyErrors.Add(ctx, 1)
		return
	}
	chunks := b.chunks[:0]
	for id, pt := range b.pending {
		chunks = append(chunks, sampling.Chunk{TraceID: id, Refs: pt.refs, Spans: pt.spans, Mask: pt.mask, LLM: pt.llm, Root: pt.root, Features: pt.features, Cost: pt.cost, Stratum: pt.stratum})
	}
	p.sampler.OfferBatch(ctx, sb, chunks)
	clear(chunks)
	b.chunks = chunks[:0]
}
