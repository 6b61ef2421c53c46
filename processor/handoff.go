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

// pendingTrace gathers one trace's span copies from one batch, with the
// resource and scope they came from, and what the rules saw.
type pendingTrace struct {
	td        ptrace.Traces
	rs        ptrace.ResourceSpans
	ss        ptrace.ScopeSpans
	srcRS     int // indices of the batch's resource and scope last copied
	srcSS     int
	spans     int
	mask      uint64
	llm, root bool
	features  trouble.Counts // nil until a span brings some
	cost      signals.Totals
	stratum   uint64
}

// copyForSampler copies the current span into its trace's pending copy and
// matches the sampling rules on it. The batch itself goes on untouched.
func (p *llmEvalProcessor) copyForSampler(ctx context.Context, b *batch, rsIdx, ssIdx int) {
	v := &b.view
	span := v.Span()
	pt, ok := b.pending[span.TraceID()]
	if !ok {
		pt = &pendingTrace{td: ptrace.NewTraces(), srcRS: -1, srcSS: -1}
		b.pending[span.TraceID()] = pt
	}
	if pt.srcRS != rsIdx {
		pt.rs = pt.td.ResourceSpans().AppendEmpty()
		v.Resource().Resource().CopyTo(pt.rs.Resource())
		pt.rs.SetSchemaUrl(v.Resource().SchemaUrl())
		pt.srcRS, pt.srcSS = rsIdx, -1
	}
	if pt.srcSS != ssIdx {
		pt.ss = pt.rs.ScopeSpans().AppendEmpty()
		v.Scope().Scope().CopyTo(pt.ss.Scope())
		pt.ss.SetSchemaUrl(v.Scope().SchemaUrl())
		pt.srcSS = ssIdx
	}
	span.CopyTo(pt.ss.Spans().AppendEmpty())
	pt.spans++
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

// handOff serialises each trace's copy and offers it to the sampler,
// without waiting: a full queue drops the copy, counted, never the batch.
func (p *llmEvalProcessor) handOff(ctx context.Context, b *batch) {
	var m ptrace.ProtoMarshaler
	for id, pt := range b.pending {
		data, err := m.MarshalTraces(pt.td)
		if err == nil {
			p.sampler.Offer(ctx, sampling.Chunk{TraceID: id, Data: data, Spans: pt.spans, Mask: pt.mask, LLM: pt.llm, Root: pt.root, Features: pt.features, Cost: pt.cost, Stratum: pt.stratum})
		} else {
			p.telemetry.ProcessorLlmevalJudgeCopyErrors.Add(ctx, 1)
		}
		delete(b.pending, id)
	}
}
