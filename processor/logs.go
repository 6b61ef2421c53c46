package llmevalprocessor

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"
)

// processLogs annotates the GenAI events among the log records (by event
// name: see spanmodel.EventNames) with the same evaluators and signals as
// spans, writing the verdict attributes onto each record. Other records
// pass untouched, except that attributes under the prefix are removed from
// every record as from every span (trust_incoming). It never drops, delays
// or reorders records and never fails the batch.
//
// With a judge configured, the sampling rules a record matches count
// toward its trace: the sampler gets them as a chunk without spans, and
// the trace's spans, from a traces pipeline using this same component ID,
// are judged as if the verdict had been on one of them.
func (p *llmEvalProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	b := p.batches.Get().(*batch)
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			lrs := sl.LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				if p.untrusted != "" {
					b.removed += removeUntrusted(lr.Attributes(), p.untrusted)
				}
				if !b.view.ResetLogRecord(rl, sl, lr) {
					continue
				}
				p.evaluateSpan(ctx, b)
				if p.sampler != nil {
					p.matchForSampler(ctx, b)
				}
				// Gives the record its attributes back, verdicts included.
				b.view.Release()
			}
		}
	}
	if p.sampler != nil {
		p.offerLogMatches(ctx, b)
	}
	p.flushCounts(ctx, b)
	p.batches.Put(b)
	return ld, nil
}

// matchForSampler matches the sampling rules on the current log record and
// remembers, per trace, which matched.
func (p *llmEvalProcessor) matchForSampler(ctx context.Context, b *batch) {
	v := &b.view
	id := v.Span().TraceID()
	if id.IsEmpty() {
		return
	}
	facts := sampling.SpanFacts{Failed: b.failed, View: v}
	if p.detector != nil {
		facts.Found = &b.found
	}
	if mask := p.rules.Match(ctx, &facts); mask != 0 {
		if b.logMatches == nil {
			b.logMatches = map[pcommon.TraceID]uint64{}
		}
		b.logMatches[id] |= mask
	}
}

// offerLogMatches hands each trace's matches to the sampler, without
// waiting, as a chunk holding no spans.
func (p *llmEvalProcessor) offerLogMatches(ctx context.Context, b *batch) {
	for id, mask := range b.logMatches {
		p.sampler.Offer(ctx, sampling.Chunk{TraceID: id, Mask: mask, LLM: true})
		delete(b.logMatches, id)
	}
}

// isLogRecord reports whether the view holds a log record.
func isLogRecord(v *spanmodel.View) bool {
	_, ok := v.LogRecord()
	return ok
}
