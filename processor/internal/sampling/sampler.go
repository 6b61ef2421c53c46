package sampling

import (
	"bytes"
	"container/list"
	"context"
	"math"
	"sort"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/klauspost/compress/s2"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/contract"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadata"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"
)

// Chunk is what the main path hands over for one trace of one batch: its
// spans as OTLP protobuf (compact, exactly counted, and safe from later
// changes downstream), and what the rules saw on them. A chunk from a logs
// pipeline carries no spans (Data empty): only the rules its trace's GenAI
// log records matched, which count toward the trace like a span's.
type Chunk struct {
	TraceID pcommon.TraceID
	Data    []byte
	Spans   int
	Mask    uint64 // rules matched
	LLM     bool   // holds an LLM/agent span
	Root    bool   // holds the root span (no parent)
	// Features counts the spans carrying each signal kind and failed
	// check: what the trouble score reads. nil when none.
	Features trouble.Counts
	// Cost is what the chunk's LLM/agent spans cost, and their
	// conversation's sums over the runaway window (signals on).
	Cost signals.Totals
	// Stratum is a hash of the baseline_strata values of the chunk's
	// first LLM span; 0 when none.
	Stratum uint64
	// Refs are the chunk's spans inside their batch's serialised bytes
	// (OfferBatch); the sampler's goroutine puts Data together from them.
	Refs  []Ref
	batch *Batch
}

// trace is the buffered state of one undecided trace.
type trace struct {
	id        pcommon.TraceID
	chunks    [][]byte
	spans     int
	bytes     int64 // compressed, held in the buffer
	raw       int64 // uncompressed, what sending it will hold
	mask      uint64
	features  trouble.Counts // nil until a chunk brings some
	cost      signals.Totals
	stratum   uint64
	llm       bool
	rootEnded bool
	first     time.Time
	last      time.Time
	elem      *list.Element // in Sampler.order, oldest first
}

// decision is what the later spans of a decided trace follow: the reason
// it was sampled ("" when not) and the rules that had matched it, so that
// a rule matching only after the decision is told apart, and counted once.
type decision struct {
	reason  string
	matched uint64
	score   float64 // written on the copies of late spans too
}

// Settings are what a sampler needs besides its config.
type Settings struct {
	Rules     Rules
	Judge     consumer.Traces
	Telemetry *metadata.TelemetryBuilder
	Logger    *zap.Logger
	// Prefix is the attribute prefix; copies get <prefix>.judge.sampled
	// and <prefix>.judge.reason.
	Prefix string
	Redact RedactConfig
	// Senders is how many sampled traces are handed to the judge at once
	// (the judge exporter's num_consumers); at least 1.
	Senders int
	// Weights score traces (trouble.Defaults() with the config's
	// score_weights); nil means the defaults.
	Weights trouble.Weights
	// Now is the clock; tests pass a fake one.
	Now func() time.Time
}

// Sampler buffers copies of undecided traces and decides them on its own
// goroutine; the main path only offers chunks and never waits.
type Sampler struct {
	cfg    Config
	set    Settings
	redact *redactor
	in     chan Chunk
	mem    *memory
	out    *outbox

	// started: the loop and the senders run; before Start (tests drive
	// the step methods) sampled traces are sent inline.
	started     bool
	senders     sync.WaitGroup
	stopSending context.CancelFunc
	sendCtx     context.Context

	// Owned by the loop goroutine (or by the caller of the step methods
	// in tests).
	traces    map[pcommon.TraceID]*trace
	order     *list.List
	decisions *lru.Cache[pcommon.TraceID, decision]
	budget    *budget
	window    *scoreWindow
	strata    *strata // nil without baseline_strata

	sampledAttrs map[string]metric.MeasurementOption
	sampledKey   string
	reasonKey    string
	scoreKey     string
	costKeys     measureKeys // <prefix>.judge.*: the trace's sums
	convKeys     measureKeys // <prefix>.judge.conversation.*: its conversation's

	// scratch and enc are the loop's reused buffers: a chunk put together
	// from its batch, and its compressed form before it is cut to size.
	scratch, enc []byte

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// New builds a sampler for a validated config.
func New(cfg Config, set Settings) (*Sampler, error) {
	if set.Now == nil {
		set.Now = time.Now
	}
	decisions, err := lru.New[pcommon.TraceID, decision](cfg.DecisionCacheSize)
	if err != nil {
		return nil, err
	}
	if set.Senders < 1 {
		set.Senders = 1
	}
	if set.Weights == nil {
		set.Weights = trouble.Defaults()
	}
	s := &Sampler{
		cfg: cfg, set: set, redact: newRedactor(set.Redact, set.Prefix),
		in:           make(chan Chunk, cfg.HandoffQueue),
		mem:          newMemory(cfg.MaxBytes),
		out:          newOutbox(),
		traces:       map[pcommon.TraceID]*trace{},
		order:        list.New(),
		decisions:    decisions,
		budget:       newBudget(cfg.Budget, cfg.Rules, set.Now()),
		window:       newScoreWindow(max(cfg.TargetWindow, 1)),
		strata:       newStrataIf(len(cfg.BaselineStrata) > 0),
		sampledAttrs: map[string]metric.MeasurementOption{},
		sampledKey:   set.Prefix + "." + contract.Judge + "." + contract.JudgeSampled,
		reasonKey:    set.Prefix + "." + contract.Judge + "." + contract.JudgeReason,
		scoreKey:     set.Prefix + "." + contract.Judge + "." + contract.JudgeScore,
		costKeys:     newMeasureKeys(set.Prefix + "." + contract.Judge + "."),
		convKeys:     newMeasureKeys(set.Prefix + "." + contract.Judge + "." + contract.JudgeConversation + "."),
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	s.sendCtx, s.stopSending = context.WithCancel(context.Background())
	for _, r := range set.Rules {
		s.sampledAttrs[r.Name] = metric.WithAttributeSet(attribute.NewSet(attribute.String("rule", r.Name)))
	}
	s.sampledAttrs[contract.BaselineRule] = metric.WithAttributeSet(attribute.NewSet(attribute.String("rule", contract.BaselineRule)))
	s.sampledAttrs[contract.TargetRule] = metric.WithAttributeSet(attribute.NewSet(attribute.String("rule", contract.TargetRule)))
	return s, nil
}

// Offer hands a chunk to the sampler without waiting; false means the
// handoff queue was full (handoff_queue copies, or its share of max_bytes)
// and the copy was dropped (and counted).
func (s *Sampler) Offer(ctx context.Context, c Chunk) bool {
	n := int64(len(c.Data))
	if s.mem.takeHandoff(n) {
		select {
		case s.in <- c:
			return true
		default:
			s.mem.handoff.Add(-n)
		}
	}
	s.set.Telemetry.ProcessorLlmevalJudgeHandoffDrops.Add(ctx, int64(c.Spans))
	return false
}

// OfferBatch hands the chunks of one serialised batch to the sampler
// without waiting. The batch's bytes are held, and charged to the handoff
// queue, whole until its last chunk is taken: a batch that does not fit
// is dropped whole, and chunks beyond handoff_queue each; every dropped
// span is counted.
func (s *Sampler) OfferBatch(ctx context.Context, b *Batch, chunks []Chunk) {
	n := b.bytes()
	if !s.mem.takeHandoff(n) {
		var spans int64
		for _, c := range chunks {
			spans += int64(c.Spans)
		}
		s.set.Telemetry.ProcessorLlmevalJudgeHandoffDrops.Add(ctx, spans)
		return
	}
	b.refs.Store(int32(len(chunks)) + 1) // +1: this call's own, released last
	var dropped int64
	for _, c := range chunks {
		c.batch = b
		select {
		case s.in <- c:
		default:
			dropped += int64(c.Spans)
			s.release(b)
		}
	}
	s.release(b)
	if dropped > 0 {
		s.set.Telemetry.ProcessorLlmevalJudgeHandoffDrops.Add(ctx, dropped)
	}
}

// release gives the batch's bytes back to the handoff queue once nothing
// refers to them any more.
func (s *Sampler) release(b *Batch) {
	if b.refs.Add(-1) == 0 {
		s.mem.handoff.Add(-b.bytes())
	}
}

// Start runs the decision loop and the senders until Shutdown.
func (s *Sampler) Start() {
	s.started = true
	for i := 0; i < s.set.Senders; i++ {
		s.senders.Add(1)
		go s.send()
	}
	go s.loop()
}

func (s *Sampler) loop() {
	defer close(s.done)
	tick := time.NewTicker(max(s.cfg.DecisionWait/4, 50*time.Millisecond))
	defer tick.Stop()
	ctx := context.Background()
	for {
		select {
		case c := <-s.in:
			s.take(ctx, c)
		case <-tick.C:
			s.decideDue(ctx)
		case <-s.stop:
			return
		}
	}
}

// take is Add for a chunk that came through the handoff queue. A chunk
// of a batch is put together in the loop's scratch buffer: add keeps only
// its compressed copy.
func (s *Sampler) take(ctx context.Context, c Chunk) {
	if b := c.batch; b != nil {
		s.scratch = b.Append(s.scratch[:0], c.Refs)
		c.Data, c.Refs, c.batch = s.scratch, nil, nil
		s.release(b)
	} else {
		s.mem.handoff.Add(-int64(len(c.Data)))
	}
	s.add(ctx, c)
	if cap(s.scratch) > maxScratch {
		s.scratch = nil
	}
}

// maxScratch bounds the reused buffers kept between chunks: a rare huge
// chunk is not held for the life of the sampler.
const maxScratch = 4 << 20

// Shutdown stops the loop, decides every buffered trace with what is known
// and lets the senders hand the sampled ones to the judge until ctx is
// done; what is still waiting then, or still inside the exporter, is
// dropped and counted. It returns by ctx's deadline whatever the judge
// does: the main stream must not wait for it.
func (s *Sampler) Shutdown(ctx context.Context) error {
	s.once.Do(func() {
		close(s.stop)
		if !s.started {
			close(s.done)
		}
	})
	<-s.done // the loop never waits for the judge: it stops at once
	for {
		select {
		case c := <-s.in:
			s.take(ctx, c)
			continue
		default:
		}
		break
	}
	for s.order.Len() > 0 {
		s.decide(ctx, s.order.Front().Value.(*trace))
	}
	s.out.close()
	sent := make(chan struct{})
	go func() { s.senders.Wait(); close(sent) }()
	select {
	case <-sent:
		return nil
	case <-ctx.Done():
	}
	// The deadline passed: what is queued is dropped, and senders waiting
	// for the exporter give up (counting their copies) and stop.
	s.stopSending()
	var spans int64
	for _, it := range s.out.takeAll() {
		spans += int64(it.spans)
		s.mem.judge.Add(-it.raw)
	}
	if spans > 0 {
		s.set.Telemetry.ProcessorLlmevalJudgeSpansDropped.Add(context.Background(), spans, dropShutdown)
	}
	s.set.Logger.Warn("shutdown deadline passed before the judge took every sampled trace; the rest was dropped",
		zap.Int64("queued_spans_dropped", spans))
	return nil
}

// add takes in one chunk. Tests call it directly to drive the sampler
// step by step with a fake clock.
func (s *Sampler) add(ctx context.Context, c Chunk) {
	now := s.set.Now()
	if d, ok := s.decisions.Get(c.TraceID); ok {
		if c.Spans > 0 {
			s.set.Telemetry.ProcessorLlmevalJudgeLateSpans.Add(ctx, int64(c.Spans))
		}
		if d.reason == "" && c.Mask&^d.matched != 0 {
			d = s.lateMatch(ctx, c, d)
		}
		if d.reason != "" && len(c.Data) > 0 {
			s.enqueue(ctx, sendItem{chunks: [][]byte{s.compress(c.Data)}, raw: int64(len(c.Data)), spans: c.Spans, reason: d.reason, score: d.score})
			s.evict(ctx)
		}
		return
	}
	t, ok := s.traces[c.TraceID]
	if !ok {
		t = &trace{id: c.TraceID, first: now}
		t.elem = s.order.PushBack(t)
		s.traces[c.TraceID] = t
		s.set.Telemetry.ProcessorLlmevalJudgeBufferedTraces.Add(ctx, 1)
	}
	if len(c.Data) > 0 {
		// Kept compressed: span copies are mostly message text, which S2
		// shrinks several times over at memory speed, off the main path.
		data := s.compress(c.Data)
		t.chunks = append(t.chunks, data)
		t.spans += c.Spans
		t.raw += int64(len(c.Data))
		t.bytes += int64(len(data))
		s.mem.buffer.Add(int64(len(data)))
		s.set.Telemetry.ProcessorLlmevalJudgeBufferedBytes.Add(ctx, int64(len(data)))
	}
	t.mask |= c.Mask
	t.cost.Add(c.Cost)
	if t.stratum == 0 {
		t.stratum = c.Stratum
	}
	if len(c.Features) > 0 {
		if t.features == nil {
			t.features = trouble.Counts{}
		}
		t.features.Merge(c.Features)
	}
	t.llm = t.llm || c.LLM
	t.rootEnded = t.rootEnded || c.Root
	t.last = now
	if s.decidesEarly(t) {
		s.decide(ctx, t)
	}
	s.evict(ctx)
}

// evict decides the oldest traces until the buffer is within max_traces
// and within what max_bytes leaves it (see memory).
func (s *Sampler) evict(ctx context.Context) {
	for s.order.Len() > 0 && (len(s.traces) > s.cfg.MaxTraces || s.mem.buffer.Load() > s.mem.bufferLimit()) {
		oldest := s.order.Front().Value.(*trace)
		s.set.Telemetry.ProcessorLlmevalJudgeEvictions.Add(ctx, 1)
		s.decide(ctx, oldest)
	}
}

// lateMatch handles a chunk of a trace decided not sampled on which rules
// matched that had not before: those that would have kept the trace (within
// their ratio) were missed by the decision, and are counted once per trace.
// With late_matches: send the trace is sampled from this chunk on, within
// the budget; its spans from before the decision are gone, which the reason
// says ("late:<rules>").
func (s *Sampler) lateMatch(ctx context.Context, c Chunk, d decision) decision {
	missed := c.Mask &^ d.matched
	first := -1
	for i := range s.set.Rules {
		if missed&(1<<i) == 0 {
			continue
		}
		if !s.set.Rules.InRatio(i, c.TraceID) {
			missed &^= 1 << i
			continue
		}
		if first < 0 {
			first = i
		}
		s.set.Telemetry.ProcessorLlmevalJudgeLateMatches.Add(ctx, 1, s.sampledAttrs[s.set.Rules[i].Name])
	}
	if missed == 0 {
		return d
	}
	d.matched |= missed
	if s.cfg.LateMatches == LateSend {
		if s.budget.allow(first, s.set.Now(), 1) {
			d.reason = "late:" + s.set.Rules.Names(missed)
		} else {
			s.set.Telemetry.ProcessorLlmevalJudgeBudgetDrops.Add(ctx, 1, s.sampledAttrs[s.ruleName(first)])
		}
	}
	s.decisions.Add(c.TraceID, d)
	return d
}

// compress returns data S2-compressed in a buffer of its own size. The
// encoder writes into the loop's reused buffer, sized for the worst case,
// which would otherwise be allocated (and cleared) for every chunk.
func (s *Sampler) compress(data []byte) []byte {
	need := s2.MaxEncodedLen(len(data))
	if need < 0 {
		return bytes.Clone(s2.Encode(nil, data))
	}
	if cap(s.enc) < need {
		s.enc = make([]byte, need)
	}
	out := bytes.Clone(s2.Encode(s.enc[:need], data))
	if cap(s.enc) > maxScratch {
		s.enc = nil
	}
	return out
}

// decidesEarly: a rule that keeps every trace it matches (ratio 1) has
// matched, so waiting cannot change the outcome. Later spans follow the
// decision. A trace known only from its log records waits for its spans.
func (s *Sampler) decidesEarly(t *trace) bool {
	if t.spans == 0 {
		return false
	}
	for i, r := range s.set.Rules {
		if t.mask&(1<<i) != 0 && r.ratio >= 1 {
			return true
		}
	}
	return false
}

// decideDue decides the traces whose root ended decision_wait ago with no
// span since, and those older than max_trace_duration.
func (s *Sampler) decideDue(ctx context.Context) {
	now := s.set.Now()
	var due []*trace
	for e := s.order.Front(); e != nil; e = e.Next() {
		t := e.Value.(*trace)
		if (t.rootEnded && now.Sub(t.last) >= s.cfg.DecisionWait) || now.Sub(t.first) >= s.cfg.MaxTraceDuration {
			due = append(due, t)
		}
	}
	// Traces due together are decided highest score first, so that under a
	// burst the budget's tokens go to the worst traces, not the first. Equal
	// scores are ordered by trace-ID hash, not arrival: a burst that comes
	// whole within one refill must not hand every token to its first part.
	if len(due) > 1 && !s.budget.unlimited {
		type order struct{ score, hash float64 }
		keys := make(map[*trace]order, len(due))
		for _, t := range due {
			keys[t] = order{s.set.Weights.Score(t.features), uniform(t.id)}
		}
		sort.Slice(due, func(i, j int) bool {
			ki, kj := keys[due[i]], keys[due[j]]
			if ki.score != kj.score {
				return ki.score > kj.score
			}
			return ki.hash < kj.hash
		})
	}
	for _, t := range due {
		s.decide(ctx, t)
	}
	s.evict(ctx) // sampled traces moved to the judge's share
}

// decide chooses for t, sends it if sampled, and forgets its buffer.
func (s *Sampler) decide(ctx context.Context, t *trace) {
	s.order.Remove(t.elem)
	delete(s.traces, t.id)
	s.mem.buffer.Add(-t.bytes)
	s.set.Telemetry.ProcessorLlmevalJudgeBufferedTraces.Add(ctx, -1)
	s.set.Telemetry.ProcessorLlmevalJudgeBufferedBytes.Add(ctx, -t.bytes)

	score := s.set.Weights.Score(t.features)
	// rank: the share of recent LLM traces ranking above this one.
	rank := 0.0
	if t.llm {
		rank = s.window.rank(score, uniform(t.id))
		s.window.add(score)
		if s.strata != nil {
			s.strata.add(t.stratum)
		}
	}
	reason, first := s.choose(t, score, rank)
	// Must-send rules come first at the budget; the target share and the
	// baseline by score, so it refuses lower scores first.
	priority := 1 - rank
	if first >= 0 || len(s.window.scores) < minRankWindow {
		priority = 1
	}
	if reason != "" && !s.budget.allow(first, s.set.Now(), priority) {
		s.set.Telemetry.ProcessorLlmevalJudgeBudgetDrops.Add(ctx, 1, s.sampledAttrs[s.ruleName(first)])
		reason = ""
	}
	s.decisions.Add(t.id, decision{reason: reason, matched: t.mask, score: score})
	if reason == "" {
		s.set.Telemetry.ProcessorLlmevalJudgeTracesNotSampled.Add(ctx, 1)
		return
	}
	s.set.Telemetry.ProcessorLlmevalJudgeTracesSampled.Add(ctx, 1, s.sampledAttrs[s.ruleName(first)])
	if t.spans > 0 {
		// A trace known only from log records has nothing to send yet;
		// its spans follow the decision when they come.
		s.enqueue(ctx, sendItem{chunks: t.chunks, raw: t.raw, spans: t.spans, reason: reason, score: score, cost: t.cost})
	}
}

// Rule indices of the sampled traces no rule chose.
const (
	byBaseline = -1
	byTarget   = -2
)

func (s *Sampler) ruleName(i int) string {
	switch i {
	case byBaseline:
		return contract.BaselineRule
	case byTarget:
		return contract.TargetRule
	}
	return s.set.Rules[i].Name
}

// choose returns the reason a trace is sampled (matched rule names within
// their ratio, or "baseline"), and the first such rule (-1: baseline);
// "" when it is not. Score rules (min_score) match here, on the whole
// trace's score; then target_ratio, by the trace's rank among the recent
// ones (byTarget); then the baseline (byBaseline).
func (s *Sampler) choose(t *trace, score, rank float64) (string, int) {
	if !t.llm {
		return "", byBaseline
	}
	kept := t.mask | s.set.Rules.MatchScore(score)
	first := -1
	for i := range s.set.Rules {
		if kept&(1<<i) == 0 {
			continue
		}
		if !s.set.Rules.InRatio(i, t.id) {
			kept &^= 1 << i
			continue
		}
		if first < 0 {
			first = i
		}
	}
	if kept != 0 {
		return s.set.Rules.Names(kept), first
	}
	if inTarget(score, rank, s.cfg.TargetRatio) {
		return contract.TargetRule, byTarget
	}
	ratio := s.cfg.BaselineRatio
	if s.strata != nil {
		ratio = s.strata.ratio(t.stratum, ratio)
	}
	if inBaseline(t.id, ratio) {
		return contract.BaselineRule, byBaseline
	}
	return "", byBaseline
}

// readChunk decompresses and decodes one buffered copy.
func readChunk(um *ptrace.ProtoUnmarshaler, c []byte) (ptrace.Traces, error) {
	raw, err := s2.Decode(nil, c)
	if err != nil {
		return ptrace.Traces{}, err
	}
	return um.UnmarshalTraces(raw)
}

// enqueue passes a sampled copy to the senders if the judge's share of
// max_bytes has room for it; else it is dropped and counted.
func (s *Sampler) enqueue(ctx context.Context, it sendItem) {
	if !s.mem.takeJudge(it.raw) {
		s.set.Telemetry.ProcessorLlmevalJudgeSpansDropped.Add(ctx, int64(it.spans), dropMemory)
		return
	}
	if !s.started {
		s.deliver(ctx, it)
		return
	}
	s.out.push(it)
}

// Bounds of one export to the judge: the sampled traces that queued
// together go in one request, at most this many and, beyond the first,
// this many raw bytes.
const (
	maxExportTraces = 64
	maxExportBytes  = 4 << 20
)

// send is one sender: it hands sampled copies to the judge exporter, the
// ones queued together in one export, until the outbox closes or the
// shutdown deadline passes.
func (s *Sampler) send() {
	defer s.senders.Done()
	var items []sendItem
	for {
		var ok bool
		if items, ok = s.out.pop(s.sendCtx, items, maxExportTraces, maxExportBytes); !ok {
			return
		}
		s.deliver(s.sendCtx, items...)
		clear(items)
	}
}

// deliver merges each trace's chunks, marks its spans, redacts, and hands
// the copies to the judge exporter in one export, waiting for its result;
// a refusal drops the copies and counts their spans. The copies' bytes
// leave the judge's share when the exporter is done with them.
func (s *Sampler) deliver(ctx context.Context, items ...sendItem) {
	td := ptrace.NewTraces()
	var raw int64
	for i := range items {
		raw += items[i].raw
		s.mark(ctx, items[i]).ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	}
	defer s.mem.judge.Add(-raw)
	n := int64(td.SpanCount())
	if err := s.set.Judge.ConsumeTraces(ctx, td); err != nil {
		cause := dropRefused
		if ctx.Err() != nil {
			cause = dropShutdown
		}
		s.set.Telemetry.ProcessorLlmevalJudgeSpansDropped.Add(context.Background(), n, cause)
		s.set.Logger.Debug("judge did not take a sampled trace", zap.Error(err))
		return
	}
	s.set.Telemetry.ProcessorLlmevalJudgeSpansSent.Add(ctx, n)
}

// mark decodes one sampled copy, marks every span and redacts it.
func (s *Sampler) mark(ctx context.Context, it sendItem) ptrace.Traces {
	td := ptrace.NewTraces()
	var um ptrace.ProtoUnmarshaler
	for _, c := range it.chunks {
		part, err := readChunk(&um, c)
		if err != nil {
			s.set.Telemetry.ProcessorLlmevalJudgeCopyErrors.Add(ctx, 1)
			s.set.Logger.Error("cannot read a buffered trace copy", zap.Error(err))
			continue
		}
		part.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	}
	score := trouble.Round(it.score)
	eachSpan(td, func(sp ptrace.Span) {
		sp.Attributes().PutBool(s.sampledKey, true)
		sp.Attributes().PutStr(s.reasonKey, it.reason)
		a := sp.Attributes()
		a.PutDouble(s.scoreKey, score)
		// What the trace cost, when the signals measured it (a late
		// copy carries its own spans' part only: unknown, left out), and
		// its conversation over the runaway window, when it has one.
		s.costKeys.put(a, it.cost.Trace)
		s.convKeys.put(a, it.cost.Conversation)
	})
	if s.redact != nil {
		s.redact.apply(td)
	}
	return td
}

// Why a sampled copy did not reach the judge exporter.
var (
	dropRefused  = metric.WithAttributeSet(attribute.NewSet(attribute.String("cause", "refused")))
	dropMemory   = metric.WithAttributeSet(attribute.NewSet(attribute.String("cause", "memory")))
	dropShutdown = metric.WithAttributeSet(attribute.NewSet(attribute.String("cause", "shutdown")))
)

// Buffered reports the traces and bytes held (tests).
func (s *Sampler) Buffered() (traces int, bytes int64) { return len(s.traces), s.mem.buffer.Load() }

// Held reports the bytes counted against max_bytes: the handoff queue, the
// buffer and the judge's share. Safe while the sampler runs (tests).
func (s *Sampler) Held() (handoff, buffer, judge int64) {
	return s.mem.handoff.Load(), s.mem.buffer.Load(), s.mem.judge.Load()
}

// measureKeys are the keys of the five runaway measures under one prefix:
// steps, model calls, tool calls, tokens, USD.
type measureKeys [5]string

func newMeasureKeys(prefix string) measureKeys {
	return measureKeys{
		prefix + contract.JudgeSteps,
		prefix + contract.JudgeModelCalls,
		prefix + contract.JudgeToolCalls,
		prefix + contract.JudgeTokens,
		prefix + contract.JudgeCostUSD,
	}
}

// put writes m under the keys, unless nothing was measured (no step).
func (k measureKeys) put(a pcommon.Map, m signals.Measures) {
	if m.Steps == 0 {
		return
	}
	a.PutInt(k[0], m.Steps)
	a.PutInt(k[1], m.ModelCalls)
	a.PutInt(k[2], m.ToolCalls)
	a.PutInt(k[3], m.Tokens)
	a.PutDouble(k[4], math.Round(m.CostUSD*1e6)/1e6)
}
