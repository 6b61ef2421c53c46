package review

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spans"
)

// Bounds on what one trace sends to the page: a conversation that resends
// a long history on every call must not make a page of hundreds of MB.
const (
	maxTextBytes     = 32 << 10 // one message text, argument or result
	maxMessages      = 200      // messages per side of a step (the last ones)
	maxAttrBytes     = 4 << 10  // one raw attribute value
	maxSteps         = 2000     // spans per trace
	maxEventsPerStep = 50
)

// TraceDoc is one trace as the page shows it: its steps in time order.
type TraceDoc struct {
	Summary  *Summary `json:"summary"`
	Steps    []Step   `json:"steps"`
	Omitted  int      `json:"omitted_steps,omitempty"`
	Redacted bool     `json:"redacted"`
}

// Step is one span: what the model or tool saw and did, and what our
// checks, signals and judges said about it.
type Step struct {
	SpanID      string  `json:"span_id"`
	ParentID    string  `json:"parent_id,omitempty"`
	Depth       int     `json:"depth"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Service     string  `json:"service,omitempty"`
	Start       int64   `json:"start_unix_nano"`
	DurationMS  float64 `json:"duration_ms"`
	Layout      string  `json:"layout,omitempty"`
	Operation   string  `json:"operation,omitempty"`
	Provider    string  `json:"provider,omitempty"`
	Model       string  `json:"model,omitempty"`
	Tool        string  `json:"tool,omitempty"`
	Error       bool    `json:"error,omitempty"`
	ErrorMsg    string  `json:"error_message,omitempty"`
	Usage       *usage  `json:"usage,omitempty"`
	System      string  `json:"system,omitempty"`
	Input       []msg   `json:"input,omitempty"`
	InputFrom   int     `json:"input_from,omitempty"` // messages left out before Input
	Output      []msg   `json:"output,omitempty"`
	ToolCall    *call   `json:"tool_call,omitempty"`
	ToolResult  *string `json:"tool_result,omitempty"`
	DecodeError string  `json:"decode_error,omitempty"`

	Verdicts []verdict     `json:"verdicts"`
	Signals  []signal      `json:"signals"`
	Judge    []judgeRecord `json:"judge"`
	// Hidden lists the attribute keys redaction hid on this step.
	Hidden     []string `json:"hidden,omitempty"`
	Attributes []kv     `json:"attributes"`
	Resource   []kv     `json:"resource"`
	Events     []event  `json:"events,omitempty"`
}

type usage struct {
	Input  int64 `json:"input"`
	Output int64 `json:"output"`
}

type msg struct {
	Role         string   `json:"role"`
	Text         string   `json:"text,omitempty"`
	ToolCalls    []call   `json:"tool_calls,omitempty"`
	ToolResults  []result `json:"tool_results,omitempty"`
	FinishReason string   `json:"finish_reason,omitempty"`
}

type call struct {
	ID        string `json:"id,omitempty"`
	Name      string `json:"name"`
	Arguments string `json:"arguments,omitempty"`
}

type result struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Content string `json:"content"`
}

type verdict struct {
	Name    string   `json:"name"`
	Verdict string   `json:"verdict"`
	Score   *float64 `json:"score,omitempty"`
	Reason  string   `json:"reason,omitempty"`
}

type kv struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type event struct {
	Name       string `json:"name"`
	Attributes []kv   `json:"attributes"`
}

// Trace reads a trace back from the files and renders it through the span
// model's View, the decoder the processor evaluates with.
func (ix *Index) Trace(traceID string) (*TraceDoc, error) {
	s, ok := ix.Get(traceID)
	if !ok {
		return nil, fmt.Errorf("no trace %q in the queue", traceID)
	}
	td, judged, err := ix.load(s)
	if err != nil {
		return nil, err
	}
	doc := &TraceDoc{Summary: s, Steps: []Step{}, Redacted: ix.opts.Redactor != nil}
	if r := ix.opts.Redactor; r != nil {
		// Which keys are hidden is read before they go.
		hidden := map[string][]string{}
		spans.Each(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) {
			for k := range sp.Attributes().All() {
				if r.Hides(k) {
					id := sp.SpanID().String()
					hidden[id] = append(hidden[id], k)
				}
			}
		})
		r.Apply(td)
		defer func() {
			for i := range doc.Steps {
				st := &doc.Steps[i]
				st.Hidden = hidden[st.SpanID]
				sort.Strings(st.Hidden)
			}
		}()
	}
	var view spanmodel.View
	defer view.Release()
	var found []evalrecord.Verdict
	prefix := ix.opts.Prefix
	spans.Each(td, func(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, sp ptrace.Span) {
		if len(doc.Steps) >= maxSteps {
			doc.Omitted++
			return
		}
		st := Step{
			SpanID: sp.SpanID().String(), Name: sp.Name(), Kind: sp.Kind().String(),
			Start:      int64(sp.StartTimestamp()),
			DurationMS: float64(int64(sp.EndTimestamp())-int64(sp.StartTimestamp())) / 1e6,
			Verdicts:   []verdict{}, Signals: []signal{}, Judge: []judgeRecord{},
			Attributes: attrList(sp.Attributes()), Resource: attrList(rs.Resource().Attributes()),
		}
		if !sp.ParentSpanID().IsEmpty() {
			st.ParentID = sp.ParentSpanID().String()
		}
		if v, ok := rs.Resource().Attributes().Get("service.name"); ok {
			st.Service = v.AsString()
		}
		if sp.Status().Code() == ptrace.StatusCodeError {
			st.Error, st.ErrorMsg = true, bound(sp.Status().Message(), maxTextBytes)
		}
		view.Reset(rs, ss, sp)
		readView(&view, &st)
		found = evalrecord.Verdicts(sp.Attributes(), prefix, found[:0])
		for _, f := range found {
			v := verdict{Name: f.Name, Verdict: f.Verdict, Reason: f.Reason}
			if f.HasScore {
				score := f.Score
				v.Score = &score
			}
			st.Verdicts = append(st.Verdicts, v)
		}
		sort.Slice(st.Verdicts, func(a, b int) bool { return st.Verdicts[a].Name < st.Verdicts[b].Name })
		st.Signals = append(st.Signals, readSignals(sp.Attributes(), prefix)...)
		for _, ev := range sp.Events().All() {
			if r, ok := judgeFrom(ev.Name(), ev.Attributes(), prefix); ok {
				st.Judge = append(st.Judge, r)
			}
			if len(st.Events) < maxEventsPerStep {
				st.Events = append(st.Events, event{Name: ev.Name(), Attributes: attrList(ev.Attributes())})
			}
		}
		for _, r := range judged[st.SpanID] {
			if doc.Redacted {
				// The judge's explanation may quote the content.
				r.Explanation = ""
			}
			st.Judge = append(st.Judge, r)
		}
		doc.Steps = append(doc.Steps, st)
	})
	order(doc.Steps)
	return doc, nil
}

// readView fills the conversation part of a step from the View.
func readView(v *spanmodel.View, st *Step) {
	st.Operation, st.Provider, st.Model, st.Tool = v.Operation(), v.Provider(), v.Model(), v.ToolName()
	if v.IsGenAI() {
		st.Layout = v.Layout().String()
	}
	if u := v.Usage(); u.Input >= 0 || u.Output >= 0 {
		st.Usage = &usage{Input: u.Input, Output: u.Output}
	}
	var errs []string
	note := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	if text, ok, err := v.Text(spanmodel.Target{Kind: spanmodel.TargetSystem}); ok {
		st.System = bound(text, maxTextBytes)
		note(err)
	}
	in, err := v.InputMessages()
	note(err)
	if n := len(in); n > maxMessages {
		st.InputFrom, in = n-maxMessages, in[n-maxMessages:]
	}
	st.Input = messages(in)
	out, err := v.OutputMessages()
	note(err)
	if len(out) > maxMessages {
		out = out[:maxMessages]
	}
	st.Output = messages(out)
	if v.IsToolSpan() {
		calls, err := v.ToolCalls()
		note(err)
		if len(calls) > 0 {
			c := calls[0]
			st.ToolCall = &call{ID: c.ID, Name: c.Name, Arguments: bound(c.Arguments, maxTextBytes)}
		}
		if text, ok, err := v.Text(spanmodel.Target{Kind: spanmodel.TargetToolResult}); ok {
			note(err)
			text = bound(text, maxTextBytes)
			st.ToolResult = &text
		}
	}
	st.DecodeError = strings.Join(errs, "; ")
}

func messages(in []spanmodel.Message) []msg {
	out := make([]msg, 0, len(in))
	for _, m := range in {
		o := msg{Role: m.Role, Text: bound(m.Text, maxTextBytes), FinishReason: m.FinishReason}
		for _, c := range m.ToolCalls {
			o.ToolCalls = append(o.ToolCalls, call{ID: c.ID, Name: c.Name, Arguments: bound(c.Arguments, maxTextBytes)})
		}
		for _, r := range m.ToolResults {
			o.ToolResults = append(o.ToolResults, result{ID: r.ID, Name: r.Name, Content: bound(r.Content, maxTextBytes)})
		}
		out = append(out, o)
	}
	return out
}

// order sorts steps by start time, and gives each its depth in the tree.
func order(steps []Step) {
	sort.SliceStable(steps, func(a, b int) bool { return steps[a].Start < steps[b].Start })
	parent := make(map[string]string, len(steps))
	for _, st := range steps {
		parent[st.SpanID] = st.ParentID
	}
	for i := range steps {
		d := 0
		for p := steps[i].ParentID; p != "" && d < 64; p = parent[p] {
			if _, ok := parent[p]; !ok {
				break
			}
			d++
		}
		steps[i].Depth = d
	}
}

// attrList renders attributes in key order, each value bounded.
func attrList(m pcommon.Map) []kv {
	out := make([]kv, 0, m.Len())
	for k, v := range m.All() {
		out = append(out, kv{Key: k, Value: bound(v.AsString(), maxAttrBytes)})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Key < out[b].Key })
	return out
}

// bound cuts s to max bytes on a rune boundary, saying how much was cut.
func bound(s string, max int) string {
	if len(s) <= max {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.ToValidUTF8(s[:cut], "\uFFFD") + fmt.Sprintf(" … [%d more bytes]", len(s)-cut)
}
