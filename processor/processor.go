package llmevalprocessor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/contract"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadata"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"
)

// Semantic-convention names of the optional evaluation event.
const (
	evalEventName   = contract.EvaluationEvent
	evalName        = contract.EvaluationName
	evalScoreValue  = contract.EvaluationScoreValue
	evalScoreLabel  = contract.EvaluationScoreLabel
	evalExplanation = contract.EvaluationExplanation
	errorType       = contract.ErrorType
)

// numVerdicts sizes per-batch counters indexed by evaluators.Verdict.
const numVerdicts = int(evaluators.Error) + 1

// check is a built evaluator with the attribute keys it writes and the
// metric attribute sets it counts under, all made once at start-up.
type check struct {
	*evaluators.Check
	verdictKey, scoreKey, reasonKey string
	verdictAttrs                    [numVerdicts][]metric.AddOption
	evaluatorAttrs                  []metric.AddOption
}

type llmEvalProcessor struct {
	logger       *zap.Logger
	telemetry    *metadata.TelemetryBuilder
	checks       []check
	verdictKey   string
	failedKey    string
	recordPasses bool
	emitEvents   bool
	// untrusted is "<prefix>." when incoming attributes under the prefix
	// are removed (the default), "" when they are trusted.
	untrusted string
	// The metric attributes are option slices made once: a single option
	// passed to Add would be a new slice, allocated per call.
	layoutAttrs [spanmodel.NumLayouts][]metric.AddOption

	// sampler, judge and rules are nil when no judge is configured.
	sampler *sampling.Sampler
	judge   judgeExporter
	rules   sampling.Rules
	// judgeShutdown bounds how long shutdown waits for the judge; 0: only
	// the caller's context does (replay, whose judge is a local consumer).
	judgeShutdown time.Duration

	// detector is nil when signals are off.
	detector      *signals.Detector
	signalKeys    [signals.NumCategories]signalKeys
	categoryAttrs [signals.NumCategories][]metric.AddOption
	evictionsSeen atomic.Int64
	// runawayTracesSeen and runawayConvsSeen: the runaway evictions
	// already reported.
	runawayTracesSeen, runawayConvsSeen atomic.Int64
	// historyEvictionsSeen, historyRememberedSeen, historyWholeSeen: the
	// history memory's counts already reported.
	historyEvictionsSeen, historyRememberedSeen, historyWholeSeen atomic.Int64
	// strataKeys are the attributes the baseline is stratified by.
	strataKeys []string

	// unreadLogged: a layout's first unread span was logged.
	unreadLogged [spanmodel.NumLayouts]atomic.Bool

	// batches are reused across calls; processTraces may run concurrently,
	// and a pool keeps each call on its own state without a shared lock.
	batches sync.Pool
}

// signalKeys are the attribute keys of one signal category.
type signalKeys struct{ count, severity, kinds string }

// batch is the per-call scratch state.
type batch struct {
	view      spanmodel.View
	found     signals.Found
	pending   map[pcommon.TraceID]*pendingTrace // what the sampler is told per trace
	order     []*pendingTrace                   // the trace of each span, in the batch's order
	free      []*pendingTrace                   // emptied ones, for the next batch's traces
	chunks    []sampling.Chunk                  // reused by handOff
	signals   [signals.NumCategories]int64
	verdicts  []int64 // [check*numVerdicts + verdict]; Skip counts skips with a reason
	layouts   [spanmodel.NumLayouts]int64
	unread    [spanmodel.NumLayouts]int64
	evaluated int64
	removed   int64 // incoming attributes under the prefix removed
	failed    []string
	// logMatches are the sampling rules log records matched, per trace.
	logMatches map[pcommon.TraceID]uint64
}

// newLLMEvalProcessor builds the processor; judge, when not nil, replaces
// the configured judge exporter (replay).
func newLLMEvalProcessor(ctx context.Context, set processor.Settings, cfg *Config, judge consumer.Traces) (*llmEvalProcessor, error) {
	parts, err := cfg.build(ctx, set, judge)
	if err != nil {
		return nil, err
	}
	built := parts.checks
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p := &llmEvalProcessor{
		logger:       set.Logger,
		telemetry:    tb,
		checks:       make([]check, len(built)),
		verdictKey:   cfg.AttributePrefix + "." + contract.Verdict,
		failedKey:    cfg.AttributePrefix + "." + contract.Failed,
		recordPasses: cfg.RecordPasses,
		emitEvents:   cfg.EmitEvents,
	}
	if !cfg.TrustIncoming {
		p.untrusted = cfg.AttributePrefix + "."
	}
	for i, c := range built {
		base := cfg.AttributePrefix + "." + c.Name
		p.checks[i] = check{
			Check:          c,
			verdictKey:     base + "." + contract.Verdict,
			scoreKey:       base + "." + contract.Score,
			reasonKey:      base + "." + contract.Reason,
			evaluatorAttrs: addAttrs(attribute.String("evaluator", c.Name)),
		}
		for v := evaluators.Pass; v <= evaluators.Error; v++ {
			p.checks[i].verdictAttrs[v] = addAttrs(attribute.String("evaluator", c.Name), attribute.String("verdict", v.String()))
		}
	}
	for l := spanmodel.LayoutNone + 1; l < spanmodel.NumLayouts; l++ {
		p.layoutAttrs[l] = addAttrs(attribute.String("layout", l.String()))
	}
	if p.detector = parts.detector; p.detector != nil {
		for c := signals.Category(0); c < signals.NumCategories; c++ {
			base := cfg.AttributePrefix + "." + contract.Signal + "." + c.String()
			p.signalKeys[c] = signalKeys{count: base + ".count", severity: base + ".severity", kinds: base + ".kinds"}
			p.categoryAttrs[c] = addAttrs(attribute.String("category", c.String()))
		}
	}
	if parts.judge != nil {
		p.rules, p.judge = parts.rules, parts.judge
		p.strataKeys = cfg.Sampling.BaselineStrata
		senders := 1
		if judge == nil { // the embedded exporter; a replay judge is a local consumer
			senders, p.judgeShutdown = cfg.Judge.senders(), cfg.Judge.ShutdownTimeout
		}
		p.sampler, err = sampling.New(cfg.effectiveSampling(), sampling.Settings{
			Rules: p.rules, Judge: p.judge, Telemetry: tb, Logger: set.Logger,
			Prefix: cfg.AttributePrefix, Redact: cfg.Judge.Redact, Senders: senders,
			Weights: cfg.Sampling.Weights(),
		})
		if err != nil {
			return nil, err
		}
	}
	p.batches.New = func() any {
		b := &batch{verdicts: make([]int64, len(p.checks)*numVerdicts), pending: map[pcommon.TraceID]*pendingTrace{}}
		b.view.SetCustomLayout(parts.layout)
		b.view.SetReservedPrefix(p.untrusted)
		return b
	}
	set.Logger.Info("llmeval processor built", zap.Int("evaluators", len(p.checks)))
	return p, nil
}

// processTraces annotates every LLM/agent span in place. It never drops or
// reorders spans and never fails the batch.
func (p *llmEvalProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	b := p.batches.Get().(*batch)
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				b.view.Reset(rs, ss, span)
				if b.view.Reserved() { // p.untrusted is the view's reserved prefix
					b.removed += removeUntrusted(span.Attributes(), p.untrusted)
					// The removal moved the attributes the view points
					// at: read the span again without them.
					b.view.Reset(rs, ss, span)
				}
				p.evaluateSpan(ctx, b)
				if p.sampler != nil {
					p.noteForSampler(ctx, b)
				}
			}
		}
	}
	b.view.Release()
	if p.sampler != nil {
		p.handOff(ctx, td, b)
	}
	p.flushCounts(ctx, b)
	p.batches.Put(b)
	return td, nil
}

// removeUntrusted removes the attributes under prefix that a span arrived
// with, on every span, LLM or not: only this processor writes there, so
// whatever a client sent there is a forgery (a verdict, a failed list, a
// signal severity, a judge mark) that alerts and span metrics would trust.
// Spans are first looked at by the view's pass (View.Reserved); log
// records here.
func removeUntrusted(attrs pcommon.Map, prefix string) int64 {
	// Almost no record carries one: look before rewriting the map.
	found := false
	for k := range attrs.All() {
		if strings.HasPrefix(k, prefix) {
			found = true
			break
		}
	}
	if !found {
		return 0
	}
	var n int64
	attrs.RemoveIf(func(k string, _ pcommon.Value) bool {
		if strings.HasPrefix(k, prefix) {
			n++
			return true
		}
		return false
	})
	return n
}

func (p *llmEvalProcessor) evaluateSpan(ctx context.Context, b *batch) {
	v := &b.view
	layout := v.Layout()
	if layout == spanmodel.LayoutNone {
		return
	}
	b.layouts[layout]++
	span := v.Span()
	attrs := span.Attributes()
	if p.detector != nil {
		p.writeSignals(b, attrs)
	}
	b.failed = b.failed[:0]
	gotVerdict := false
	for i := range p.checks {
		c := &p.checks[i]
		r, ran := p.run(ctx, c, v)
		if !ran {
			continue
		}
		if r.Verdict == evaluators.Skip {
			if r.Reason != "" {
				b.verdicts[i*numVerdicts+int(evaluators.Skip)]++
			}
			continue
		}
		gotVerdict = true
		b.verdicts[i*numVerdicts+int(r.Verdict)]++
		if r.Verdict == evaluators.Fail {
			b.failed = append(b.failed, c.Name)
		}
		if r.Verdict != evaluators.Pass || p.recordPasses {
			attrs.PutStr(c.verdictKey, r.Verdict.String())
			if r.HasScore {
				attrs.PutDouble(c.scoreKey, r.Score)
			}
			if r.Reason != "" {
				attrs.PutStr(c.reasonKey, evaluators.BoundReason(r.Reason))
			}
		}
		if p.emitEvents && !isLogRecord(v) {
			appendEvalEvent(span, c.Name, r)
		}
	}
	if v.ContentUnread() {
		p.noteUnread(b, layout)
	}
	if !gotVerdict {
		return
	}
	b.evaluated++
	if len(b.failed) == 0 {
		attrs.PutStr(p.verdictKey, "pass")
		return
	}
	attrs.PutStr(p.verdictKey, "fail")
	failed := attrs.PutEmptySlice(p.failedKey)
	failed.EnsureCapacity(len(b.failed))
	for _, name := range b.failed {
		failed.AppendEmpty().SetStr(name)
	}
}

// noteUnread counts a span whose content was present but yielded nothing
// and, once per layout, says so at debug level, without content.
func (p *llmEvalProcessor) noteUnread(b *batch, layout spanmodel.Layout) {
	b.unread[layout]++
	if p.unreadLogged[layout].CompareAndSwap(false, true) {
		v := &b.view
		p.logger.Debug("LLM content present but nothing read from it; checks on such items pass or skip in silence (counted in processor_llmeval_unread_content; logged once per layout)",
			zap.String("layout", layout.String()), zap.String("operation", v.Operation()),
			zap.String("provider", v.Provider()), zap.Bool("log_record", isLogRecord(v)))
	}
}

// writeSignals detects the span's signals and writes, per category seen,
// its count, severity (0-3) and leaf kinds.
func (p *llmEvalProcessor) writeSignals(b *batch, attrs pcommon.Map) {
	p.detector.Detect(&b.view, &b.found)
	for c := signals.Category(0); c < signals.NumCategories; c++ {
		n := b.found.Count(c)
		if n == 0 {
			continue
		}
		b.signals[c] += int64(n)
		k := &p.signalKeys[c]
		attrs.PutInt(k.count, int64(n))
		attrs.PutInt(k.severity, int64(signals.Severity(n)))
		kinds := attrs.PutEmptySlice(k.kinds)
		for _, kind := range b.found.Kinds(c) {
			kinds.AppendEmpty().SetStr(kind)
		}
	}
}

// run applies one check to the span. A panic in an evaluator becomes an
// error verdict for that evaluator alone: the span and the others go on.
func (p *llmEvalProcessor) run(ctx context.Context, c *check, v *spanmodel.View) (r evaluators.Result, ran bool) {
	defer func() {
		if rec := recover(); rec != nil {
			p.logger.Error("evaluator panicked; recorded as an error verdict",
				zap.String("evaluator", c.Name), zap.String("panic", fmt.Sprint(rec)))
			r, ran = evaluators.Result{Verdict: evaluators.Error, Reason: "internal error in evaluator"}, true
		}
	}()
	selected, err := c.Selects(ctx, v)
	if err != nil {
		return evaluators.Errored(fmt.Errorf("when: %w", evaluators.ErrOTTLRuntime)), true
	}
	if !selected {
		return evaluators.Result{}, false
	}
	return c.Evaluate(ctx, v), true
}

func appendEvalEvent(span ptrace.Span, name string, r evaluators.Result) {
	ev := span.Events().AppendEmpty()
	ev.SetName(evalEventName)
	ev.SetTimestamp(span.EndTimestamp())
	a := ev.Attributes()
	a.PutStr(evalName, name)
	a.PutStr(evalScoreLabel, r.Verdict.String())
	if r.HasScore {
		a.PutDouble(evalScoreValue, r.Score)
	}
	if r.Reason != "" {
		a.PutStr(evalExplanation, evaluators.BoundReason(r.Reason))
	}
	if r.Verdict == evaluators.Error {
		a.PutStr(errorType, "llmeval.evaluator_error")
	}
}

// flushCounts adds the batch's counts to the internal metrics once per
// batch instead of once per span.
func (p *llmEvalProcessor) flushCounts(ctx context.Context, b *batch) {
	t := p.telemetry
	if b.removed > 0 {
		t.ProcessorLlmevalIncomingAttributesRemoved.Add(ctx, b.removed)
		b.removed = 0
	}
	for l, n := range b.layouts {
		if n > 0 {
			t.ProcessorLlmevalLlmSpans.Add(ctx, n, p.layoutAttrs[spanmodel.Layout(l)]...)
			b.layouts[l] = 0
		}
	}
	for l, n := range b.unread {
		if n > 0 {
			t.ProcessorLlmevalUnreadContent.Add(ctx, n, p.layoutAttrs[spanmodel.Layout(l)]...)
			b.unread[l] = 0
		}
	}
	if b.evaluated > 0 {
		t.ProcessorLlmevalSpansEvaluated.Add(ctx, b.evaluated)
		b.evaluated = 0
	}
	for c, n := range b.signals {
		if n > 0 {
			t.ProcessorLlmevalSignals.Add(ctx, n, p.categoryAttrs[c]...)
			b.signals[c] = 0
		}
	}
	if p.detector != nil {
		// Evictions happen inside the detector; report the growth since
		// the last batch.
		if n := growth(&p.evictionsSeen, p.detector.Evictions()); n > 0 {
			t.ProcessorLlmevalSignalStateEvictions.Add(ctx, n)
		}
		traces, convs := p.detector.RunawayEvictions()
		remembered, whole := p.detector.HistoryReads()
		for _, c := range [...]struct {
			seen    *atomic.Int64
			total   int64
			counter metric.Int64Counter
			attrs   []metric.AddOption
		}{
			{&p.runawayTracesSeen, traces, t.ProcessorLlmevalRunawayStateEvictions, scopeTrace},
			{&p.runawayConvsSeen, convs, t.ProcessorLlmevalRunawayStateEvictions, scopeConversation},
			{&p.historyEvictionsSeen, p.detector.HistoryEvictions(), t.ProcessorLlmevalSignalHistoryEvictions, nil},
			{&p.historyRememberedSeen, remembered, t.ProcessorLlmevalSignalHistoryReads, readRemembered},
			{&p.historyWholeSeen, whole, t.ProcessorLlmevalSignalHistoryReads, readWhole},
		} {
			if n := growth(c.seen, c.total); n > 0 {
				c.counter.Add(ctx, n, c.attrs...)
			}
		}
	}
	for i := range p.checks {
		c := &p.checks[i]
		for v := evaluators.Skip; v <= evaluators.Error; v++ {
			n := b.verdicts[i*numVerdicts+int(v)]
			if n == 0 {
				continue
			}
			b.verdicts[i*numVerdicts+int(v)] = 0
			switch v {
			case evaluators.Skip:
				t.ProcessorLlmevalNotEvaluated.Add(ctx, n, c.evaluatorAttrs...)
				continue
			case evaluators.Error:
				t.ProcessorLlmevalEvaluatorErrors.Add(ctx, n, c.evaluatorAttrs...)
			}
			t.ProcessorLlmevalVerdicts.Add(ctx, n, c.verdictAttrs[v]...)
		}
	}
}

func (p *llmEvalProcessor) start(ctx context.Context, host component.Host) error {
	if p.judge == nil {
		return nil
	}
	if err := p.judge.Start(ctx, host); err != nil {
		return fmt.Errorf("judge: %w", err)
	}
	p.sampler.Start()
	return nil
}

// shutdown decides the traces still buffered, hands the sampled ones to
// the judge and stops it, all by the judge's deadline (see README,
// "Shutdown"): the processors and exporters after llmeval, which carry the
// main stream, are shut down only when this returns.
func (p *llmEvalProcessor) shutdown(ctx context.Context) error {
	var errs []error
	if p.sampler != nil {
		jctx, cancel := p.judgeDeadline(ctx)
		defer cancel()
		errs = append(errs, p.sampler.Shutdown(jctx))
		stopped := make(chan error, 1)
		go func() { stopped <- p.judge.Shutdown(jctx) }()
		select {
		case err := <-stopped:
			errs = append(errs, err)
		case <-jctx.Done():
			// The exporter drains its queue at its own pace, ignoring the
			// deadline; the main stream does not wait for it.
			p.logger.Warn("judge exporter still busy at the shutdown deadline; not waiting for it")
		}
	}
	p.telemetry.Shutdown()
	return errors.Join(errs...)
}

// judgeDeadline is when shutdown stops waiting for the judge:
// judge.shutdown_timeout from now, or half of what the caller's own
// deadline leaves, whichever is sooner, so the pipeline after llmeval
// keeps time to flush the main stream.
func (p *llmEvalProcessor) judgeDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	limit := p.judgeShutdown
	if d, ok := ctx.Deadline(); ok {
		if half := time.Until(d) / 2; limit == 0 || half < limit {
			limit = half
		}
	}
	if limit == 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, limit)
}

// growth returns how far total moved past what seen holds, and moves seen
// there; concurrent batches report each increment once.
func growth(seen *atomic.Int64, total int64) int64 {
	for {
		old := seen.Load()
		if total <= old {
			return 0
		}
		if seen.CompareAndSwap(old, total) {
			return total - old
		}
	}
}

// The scope attribute of the runaway evictions and the read attribute of
// the history reads.
var (
	scopeTrace        = addAttrs(attribute.String("scope", "trace"))
	scopeConversation = addAttrs(attribute.String("scope", "conversation"))
	readRemembered    = addAttrs(attribute.String("read", "remembered"))
	readWhole         = addAttrs(attribute.String("read", "whole"))
)

// addAttrs is the options of Add with the attribute set of kvs.
func addAttrs(kvs ...attribute.KeyValue) []metric.AddOption {
	return []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(kvs...))}
}
