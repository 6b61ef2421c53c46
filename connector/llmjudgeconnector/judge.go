package llmjudgeconnector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spans"
)

// BytesPerToken is the estimate used where a token count is not known:
// dry runs, and spend when the server reports no usage.
const BytesPerToken = 4

// Judge is the connector's core without the pipeline: rubrics, prompt
// rendering and the model client. The connector runs it behind a queue
// and a budget; `llmeval judge` runs it over trace files.
type Judge struct {
	cfg     *Config
	rubrics []*rubric
	price   evaluators.Price
	priced  bool
	client  *client
	views   sync.Pool
}

// NewJudge builds the rubrics and the price lookup of cfg; Start makes the
// client.
func NewJudge(cfg *Config, tel component.TelemetrySettings) (*Judge, error) {
	errs := cfg.validateSettings()
	rubrics, err := buildRubrics(cfg, tel)
	if err != nil {
		errs = append(errs, err)
	}
	j := &Judge{cfg: cfg, rubrics: rubrics}
	j.views.New = func() any { return new(spanmodel.View) }
	prices, err := evaluators.NewPriceTable(cfg.Prices)
	switch {
	case err != nil:
		errs = append(errs, err)
	case cfg.Model.Name != "":
		j.price, j.priced = prices.Lookup(cfg.Model.Name)
		if !j.priced && cfg.Budget.MaxSpendPerDayUSD > 0 {
			errs = append(errs, fmt.Errorf("budget: max_spend_per_day_usd: no price for model %q; add it under prices", cfg.Model.Name))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return j, nil
}

// Start builds the HTTP client (auth extensions come from host).
func (j *Judge) Start(ctx context.Context, host component.Host, tel component.TelemetrySettings) error {
	c, err := newClient(ctx, &j.cfg.Model, host, tel)
	if err != nil {
		return err
	}
	j.client = c
	return nil
}

// Rubrics names the configured rubrics, in order.
func (j *Judge) Rubrics() []string {
	out := make([]string, len(j.rubrics))
	for i, r := range j.rubrics {
		out[i] = r.name
	}
	return out
}

// RubricInfo describes a built rubric.
type RubricInfo struct {
	Name, Level, Version string
	// Numeric rubrics score from Min to Max; PassThreshold and above pass.
	Numeric       bool
	Min, Max      int
	PassThreshold float64
}

// Rubric describes the rubric named name.
func (j *Judge) Rubric(name string) (RubricInfo, bool) {
	for _, r := range j.rubrics {
		if r.name != name {
			continue
		}
		info := RubricInfo{Name: r.name, Level: r.level, Version: r.version}
		if r.scale != nil {
			info.Numeric, info.Min, info.Max, info.PassThreshold = true, r.scale.min, r.scale.max, r.scale.pass
		}
		return info, true
	}
	return RubricInfo{}, false
}

// Price is the judge model's price, if the table has one.
func (j *Judge) Price() (evaluators.Price, bool) { return j.price, j.priced }

// Task is one judgement: a rubric on a span, or on a trace (parented to a
// span), with the request to send.
type Task struct {
	rubric     *rubric
	TraceID    pcommon.TraceID
	SpanID     pcommon.SpanID
	ResponseID string
	// Resource is the judged trace's resource (a copy the task owns).
	Resource pcommon.Resource
	messages []chatMessage
	// skip, when set, is why no call is made and no record written.
	skip string
	// errType, when set, is why no call is made and an error record is.
	errType string
	rs      ptrace.ResourceSpans // valid only while tasks are made
}

// Rubric and Level name the task's rubric.
func (t *Task) Rubric() string { return t.rubric.name }
func (t *Task) Level() string  { return t.rubric.level }

// Skipped is why no call will be made and no record written, or "".
func (t *Task) Skipped() string { return t.skip }

// Messages are the chat messages of the request, in order.
func (t *Task) Messages() []ChatMessage { return t.messages }

// PromptBytes is the size of the request's message contents.
func (t *Task) PromptBytes() int {
	n := 0
	for _, m := range t.messages {
		n += len(m.Content)
	}
	return n
}

// Tasks renders the judgements td calls for. admit sees each task before
// its prompt is rendered (IDs and rubric set) and may refuse it, having
// counted why; emit receives the admitted ones, with the request rendered
// or with a skip or error reason. Both run on the caller's goroutine.
func (j *Judge) Tasks(ctx context.Context, td ptrace.Traces, admit func(*Task) bool, emit func(*Task)) {
	j.forEachTask(ctx, td, j.rubrics, false, func(t *Task, data *PromptData) {
		if !admit(t) {
			return
		}
		t.Resource = pcommon.NewResource()
		t.rs.Resource().CopyTo(t.Resource)
		t.rs = ptrace.ResourceSpans{}
		if t.errType == "" {
			j.prepare(t, data)
		}
		emit(t)
	})
}

// prepare renders the task's request.
func (j *Judge) prepare(t *Task, data *PromptData) {
	r := t.rubric
	prompt, err := r.render(data, j.cfg.MaxPromptBytes-r.fixedBytes)
	var ce errContent
	switch {
	case errors.Is(err, errPromptTooLarge):
		t.skip = skipPromptTooLarge
	case errors.As(err, &ce):
		t.errType = errUndecodable
	case err != nil:
		t.errType = errTemplate
	default:
		t.messages = append(append(make([]chatMessage, 0, len(r.fixed)+1), r.fixed...), chatMessage{Role: "user", Content: prompt})
	}
}

// Outcome is what a judgement gave.
type Outcome struct {
	// Label is pass, fail or error; ErrorType says why for error.
	Label       string
	ErrorType   string
	Score       float64
	HasScore    bool
	Explanation string
	// Model is the model that answered (the response's, else the
	// configured name).
	Model string
	// InputTokens and OutputTokens as the server reported them; -1 when
	// it did not.
	InputTokens, OutputTokens int64
	// CostUSD prices the reported tokens, else estimates; 0 without a price.
	CostUSD  float64
	Retries  int
	Duration time.Duration
	// Called reports whether a request was made.
	Called bool
}

// Evaluate asks the judge. It never returns without an outcome: a failed
// call or an answer without a verdict is an error outcome, never a guess.
func (j *Judge) Evaluate(ctx context.Context, t *Task) Outcome {
	o := Outcome{Model: j.cfg.Model.Name, InputTokens: -1, OutputTokens: -1}
	if t.errType != "" {
		o.Label, o.ErrorType = evalrecord.LabelError, t.errType
		return o
	}
	body, err := json.Marshal(chatRequest{
		Model:          j.cfg.Model.Name,
		Messages:       t.messages,
		Temperature:    j.cfg.Model.Temperature,
		MaxTokens:      j.cfg.Model.MaxTokens,
		ResponseFormat: t.rubric.responseFormat,
	})
	if err != nil { // only strings and numbers: cannot happen
		o.Label, o.ErrorType = evalrecord.LabelError, errMalformed
		return o
	}
	began := time.Now()
	ans, err := j.client.complete(ctx, body)
	o.Duration, o.Retries, o.Called = time.Since(began), ans.retries, true
	if ans.model != "" {
		o.Model = ans.model
	}
	if ans.hasUsage {
		o.InputTokens, o.OutputTokens = ans.inputTokens, ans.outputTokens
	}
	if j.priced && (err == nil || ans.hasUsage) {
		in, out := o.InputTokens, o.OutputTokens
		if !ans.hasUsage {
			in, out = int64(t.PromptBytes()/BytesPerToken), int64(len(ans.content)/BytesPerToken)
		}
		o.CostUSD = j.price.USD(in, -1, out)
	}
	var ce *callError
	switch {
	case errors.As(err, &ce):
		o.Label, o.ErrorType = evalrecord.LabelError, ce.typ
		return o
	case err != nil:
		o.Label, o.ErrorType = evalrecord.LabelError, errTransport
		return o
	case ans.refusal != "" || ans.finishReason == "content_filter":
		o.Label, o.ErrorType = evalrecord.LabelError, errRefused
		return o
	}
	v, ok := parseAnswer(ans.content, t.rubric.scale)
	if !ok {
		o.Label, o.ErrorType = evalrecord.LabelError, errUnparseable
		return o
	}
	o.Label, o.Explanation = evalrecord.LabelFail, v.explanation
	if v.pass {
		o.Label = evalrecord.LabelPass
	}
	o.Score, o.HasScore = v.score, v.hasScore
	return o
}

// spanRef is a span with its resource and scope.
type spanRef struct {
	rs   ptrace.ResourceSpans
	ss   ptrace.ScopeSpans
	span ptrace.Span
}

// groupByTrace splits a batch into traces, in order of first appearance.
func groupByTrace(td ptrace.Traces) [][]spanRef {
	index := map[pcommon.TraceID]int{}
	var groups [][]spanRef
	spans.Each(td, func(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, sp ptrace.Span) {
		i, ok := index[sp.TraceID()]
		if !ok {
			i = len(groups)
			index[sp.TraceID()] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], spanRef{rs, ss, sp})
	})
	return groups
}

// forEachTask finds, per trace of td, the judgements rubrics call for and
// gives each to fn with its prompt data, which is valid only during fn.
// With all, every rubric applies to every LLM/agent span whatever its
// `when` (tryPrompt renders every branch it can).
func (j *Judge) forEachTask(ctx context.Context, td ptrace.Traces, rubrics []*rubric, all bool, fn func(*Task, *PromptData)) {
	for _, group := range groupByTrace(td) {
		j.traceTasks(ctx, group, rubrics, all, fn)
	}
}

func (j *Judge) traceTasks(ctx context.Context, group []spanRef, rubrics []*rubric, all bool, fn func(*Task, *PromptData)) {
	scratch := j.views.Get().(*spanmodel.View)
	held := []*spanmodel.View{scratch}
	defer func() {
		for _, v := range held {
			v.Release()
			j.views.Put(v)
		}
	}()
	view := func(ref spanRef) *spanmodel.View {
		v := j.views.Get().(*spanmodel.View)
		v.Reset(ref.rs, ref.ss, ref.span)
		held = append(held, v)
		return v
	}

	var llm []spanRef
	ids := make(map[pcommon.SpanID]bool, len(group))
	root := -1
	for i, ref := range group {
		ids[ref.span.SpanID()] = true
		if root < 0 && ref.span.ParentSpanID().IsEmpty() {
			root = i
		}
		scratch.Reset(ref.rs, ref.ss, ref.span)
		if scratch.IsGenAI() {
			llm = append(llm, ref)
		}
	}
	if len(llm) == 0 {
		return
	}
	sort.SliceStable(llm, func(a, b int) bool { return llm[a].span.StartTimestamp() < llm[b].span.StartTimestamp() })
	n := min(len(llm), j.cfg.MaxSteps)
	trace := &Trace{id: llm[0].span.TraceID().String(), steps: make([]*Span, n), omitted: len(llm) - n}
	for i := range n {
		trace.steps[i] = &Span{v: view(llm[i]), prefix: j.cfg.AttributePrefix}
	}
	// spanAt is the i-th LLM span; past max_steps it borrows the scratch view.
	spanAt := func(i int) *Span {
		if i < n {
			return trace.steps[i]
		}
		scratch.Reset(llm[i].rs, llm[i].ss, llm[i].span)
		return &Span{v: scratch, prefix: j.cfg.AttributePrefix}
	}
	task := func(r *rubric, ref spanRef, s *Span) *Task {
		t := &Task{rubric: r, TraceID: ref.span.TraceID(), SpanID: ref.span.SpanID(), rs: ref.rs}
		if s != nil {
			t.ResponseID = s.Attr("gen_ai.response.id")
		}
		return t
	}

	for i, ref := range llm {
		var s *Span
		for _, r := range rubrics {
			if r.level != levelSpan {
				continue
			}
			if s == nil {
				s = spanAt(i)
			}
			ok, err := r.selects(ctx, s.v, all)
			switch {
			case err != nil:
				t := task(r, ref, s)
				t.errType = errCondition
				fn(t, nil)
			case ok:
				fn(task(r, ref, s), &PromptData{Rubric: r.name, Level: r.level, Span: s, Trace: trace})
			}
		}
	}

	// The trace-level record is parented to the root span, else to the
	// earliest LLM/agent span whose parent did not arrive.
	var parent spanRef
	var parentSpan *Span
	if root >= 0 {
		parent = group[root]
	} else {
		for _, ref := range llm {
			if !ids[ref.span.ParentSpanID()] {
				parent = ref
				break
			}
		}
	}
	for _, r := range rubrics {
		if r.level != levelTrace {
			continue
		}
		selected, failed := false, false
		for i := range llm {
			ok, err := r.selects(ctx, spanAt(i).v, all)
			if err != nil {
				failed = true
				break
			}
			if ok {
				selected = true
				break
			}
		}
		if parentSpan == nil {
			parentSpan = &Span{v: view(parent), prefix: j.cfg.AttributePrefix}
		}
		switch {
		case failed:
			t := task(r, parent, parentSpan)
			t.errType = errCondition
			fn(t, nil)
		case selected:
			fn(task(r, parent, parentSpan), &PromptData{Rubric: r.name, Level: r.level, Span: parentSpan, Trace: trace})
		}
	}
}

// selects reports whether the rubric applies to the span.
func (r *rubric) selects(ctx context.Context, v *spanmodel.View, all bool) (bool, error) {
	if all || r.when == nil {
		return true, nil
	}
	return r.when.Match(ctx, v)
}

// logTask names a task in logs without content.
func logTask(t *Task) []zap.Field {
	return []zap.Field{zap.String("rubric", t.rubric.name), zap.Stringer("trace_id", t.TraceID), zap.Stringer("span_id", t.SpanID)}
}
