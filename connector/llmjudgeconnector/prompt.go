package llmjudgeconnector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// The prompt data: what a rubric's template sees. Content is read through
// the span view, decoded on first use, so a template pays only for what it
// prints. README ("Prompt data") documents every field; keep the two in
// step.

// PromptData is the template's dot.
type PromptData struct {
	// Rubric and Level name the rubric being asked.
	Rubric string
	Level  string
	// Span is the judged span; at trace level, the span the record is
	// parented to (the root span, else the earliest LLM/agent span).
	Span *Span
	// Trace is the judged span's trace, as far as it arrived together.
	Trace *Trace
}

// Trace is the LLM/agent spans of one trace in start order.
type Trace struct {
	id      string
	steps   []*Span
	omitted int
}

// TraceID is the trace ID in hex.
func (t *Trace) TraceID() string { return t.id }

// Steps are the trace's LLM/agent spans (model calls, tool calls, agent
// steps) ordered by start time, at most max_steps.
func (t *Trace) Steps() []*Span { return t.steps }

// OmittedSteps counts the steps beyond max_steps, left out.
func (t *Trace) OmittedSteps() int { return t.omitted }

// Span is one span as a template sees it.
type Span struct {
	v      *spanmodel.View
	prefix string
}

// errContent marks content the view cannot decode: the judge cannot judge
// what it cannot read, so the judgement is an error record, not a call.
type errContent struct{ err error }

func (e errContent) Error() string { return e.err.Error() }
func (e errContent) Unwrap() error { return e.err }

func content[T any](v T, err error) (T, error) {
	if err != nil {
		return v, errContent{err}
	}
	return v, nil
}

func (s *Span) TraceID() string      { return s.v.Span().TraceID().String() }
func (s *Span) SpanID() string       { return s.v.Span().SpanID().String() }
func (s *Span) ParentSpanID() string { return s.v.Span().ParentSpanID().String() }
func (s *Span) Name() string         { return s.v.Span().Name() }

// Kind is the span kind in lower case: internal, server, client, producer,
// consumer or unspecified.
func (s *Span) Kind() string { return strings.ToLower(s.v.Span().Kind().String()) }

// Operation is the normalised operation (chat, execute_tool,
// invoke_agent, ...) or "".
func (s *Span) Operation() string { return s.v.Operation() }
func (s *Span) Provider() string  { return s.v.Provider() }
func (s *Span) Model() string     { return s.v.Model() }
func (s *Span) IsTool() bool      { return s.v.IsToolSpan() }
func (s *Span) ToolName() string  { return s.v.ToolName() }

// Duration is the span's own duration (prints as 1.5s).
func (s *Span) Duration() time.Duration { return s.v.Duration() }

// Status is ok, error or unset; StatusMessage the error's message.
func (s *Span) Status() string {
	switch s.v.Span().Status().Code() {
	case ptrace.StatusCodeOk:
		return "ok"
	case ptrace.StatusCodeError:
		return "error"
	}
	return "unset"
}
func (s *Span) StatusMessage() string { return s.v.Span().Status().Message() }

// System is the system instructions and system messages, joined.
func (s *Span) System() (string, error) { return s.text(spanmodel.TargetSystem) }

// Input and Output are the decoded conversation and answer.
func (s *Span) Input() ([]spanmodel.Message, error)  { return content(s.v.InputMessages()) }
func (s *Span) Output() ([]spanmodel.Message, error) { return content(s.v.OutputMessages()) }

// InputText is the input's text without system and tool messages;
// OutputText the answer's text.
func (s *Span) InputText() (string, error)  { return s.text(spanmodel.TargetInput) }
func (s *Span) OutputText() (string, error) { return s.text(spanmodel.TargetOutput) }

// LastUserText is the last user message of the input: the turn the span
// answers.
func (s *Span) LastUserText() (string, error) {
	msgs, err := s.Input()
	if err != nil {
		return "", err
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "user" {
			return msgs[i].Text, nil
		}
	}
	return "", nil
}

// ToolCalls are the calls the model requested, or the call a tool span
// executed.
func (s *Span) ToolCalls() ([]spanmodel.ToolCall, error) { return content(s.v.ToolCalls()) }

// ToolArguments and ToolResult are a tool span's arguments and result.
func (s *Span) ToolArguments() (string, error) { return s.text(spanmodel.TargetToolArguments) }
func (s *Span) ToolResult() (string, error)    { return s.text(spanmodel.TargetToolResult) }

// Usage is the token counts; -1 where the span does not say.
func (s *Span) Usage() spanmodel.Usage { return s.v.Usage() }

// FinishReasons as the producer spelled them.
func (s *Span) FinishReasons() []string { return s.v.FinishReasons() }

// Verdicts are the llmeval processor's verdicts on the span.
func (s *Span) Verdicts() []evalrecord.Verdict {
	return evalrecord.Verdicts(s.v.Span().Attributes(), s.prefix, nil)
}

// Failed names the evaluators that failed the span.
func (s *Span) Failed() []string {
	var out []string
	for _, v := range s.Verdicts() {
		if v.Verdict == evalrecord.LabelFail {
			out = append(out, v.Name)
		}
	}
	return out
}

// Signal is one signal category the processor found on the span.
type Signal struct {
	Category string
	Count    int64
	Severity int64
	Kinds    []string
}

// Signals are the processor's signals on the span, by category.
func (s *Span) Signals() []Signal {
	attrs := s.v.Span().Attributes()
	p := s.prefix + ".signal."
	var out []Signal
	for k, val := range attrs.All() {
		cat, ok := strings.CutPrefix(k, p)
		if !ok {
			continue
		}
		if cat, ok = strings.CutSuffix(cat, ".count"); !ok || strings.Contains(cat, ".") {
			continue
		}
		if val.Type() != pcommon.ValueTypeInt {
			continue
		}
		sig := Signal{Category: cat, Count: val.Int()}
		if v, ok := attrs.Get(p + cat + ".severity"); ok && v.Type() == pcommon.ValueTypeInt {
			sig.Severity = v.Int()
		}
		if v, ok := attrs.Get(p + cat + ".kinds"); ok && v.Type() == pcommon.ValueTypeSlice {
			for _, kind := range v.Slice().All() {
				sig.Kinds = append(sig.Kinds, kind.AsString())
			}
		}
		out = append(out, sig)
	}
	return out
}

// Attr is any span attribute as a string, "" when absent.
func (s *Span) Attr(key string) string {
	if v, ok := s.v.Span().Attributes().Get(key); ok {
		return v.AsString()
	}
	return ""
}

func (s *Span) text(kind spanmodel.TargetKind) (string, error) {
	text, _, err := s.v.Text(spanmodel.Target{Kind: kind})
	if err != nil {
		return "", errContent{err}
	}
	return text, nil
}

// templateFuncs are the functions a prompt may call besides text/template's.
var templateFuncs = template.FuncMap{
	// json renders a value as JSON: {{json .Span.ToolCalls}}.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
	"truncate": func(n int, s string) string { return evalrecord.Bound(s, max(n, len("…"))) },
	// join joins strings: {{join .Span.Failed ", "}}.
	"join": func(elems []string, sep string) string { return strings.Join(elems, sep) },
}

func parsePrompt(name, source string) (*template.Template, error) {
	return template.New(name).Option("missingkey=error").Funcs(templateFuncs).Parse(source)
}

// errPromptTooLarge stops rendering at max_prompt_bytes.
var errPromptTooLarge = errors.New("prompt too large")

// boundedBuffer is a strings.Builder that refuses to grow past limit.
type boundedBuffer struct {
	b     strings.Builder
	limit int
}

func (w *boundedBuffer) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > w.limit {
		return 0, errPromptTooLarge
	}
	return w.b.Write(p)
}

// render executes the rubric's template with at most limit bytes of
// output. The prompt must be valid UTF-8 to be sent as JSON text, so
// invalid bytes from spans are replaced.
func (r *rubric) render(data *PromptData, limit int) (string, error) {
	w := &boundedBuffer{limit: limit}
	if err := r.tmpl.Execute(w, data); err != nil {
		return "", err
	}
	s := w.b.String()
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s, nil
}

// tryPrompt renders the rubric on a sample trace, so a misspelt field or
// function stops start-up instead of failing every call.
func tryPrompt(r *rubric) error {
	j := &Judge{cfg: &Config{AttributePrefix: "llmeval", MaxSteps: 100}}
	j.views.New = func() any { return new(spanmodel.View) }
	var failure error
	j.forEachTask(context.Background(), sampleTrace(), []*rubric{r}, true, func(_ *Task, data *PromptData) {
		if data == nil || failure != nil {
			return
		}
		if _, err := r.render(data, 1<<30); err != nil {
			failure = err
		}
	})
	return failure
}

// sampleTrace is a small agent trace with every field the prompt data
// offers: an agent span, a chat span that calls a tool, the tool span and
// the final answer, with verdicts and signals.
func sampleTrace() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "sample")
	ss := rs.ScopeSpans().AppendEmpty()
	trace := [16]byte{1}
	start := time.Unix(1700000000, 0)
	add := func(id byte, parent byte, offset time.Duration, attrs map[string]any) {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(trace)
		sp.SetSpanID([8]byte{id})
		if parent != 0 {
			sp.SetParentSpanID([8]byte{parent})
		}
		sp.SetName(fmt.Sprint(attrs["gen_ai.operation.name"]))
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start.Add(offset)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(offset + time.Second)))
		_ = sp.Attributes().FromRaw(attrs)
	}
	add(1, 0, 0, map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "support"})
	add(2, 1, time.Second, map[string]any{
		"gen_ai.operation.name":      "chat",
		"gen_ai.request.model":       "gpt-4o-mini",
		"gen_ai.system_instructions": `[{"type":"text","content":"You are a support agent."}]`,
		"gen_ai.input.messages":      `[{"role":"user","parts":[{"type":"text","content":"Where is my order 42?"}]}]`,
		"gen_ai.output.messages":     `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"order_status","arguments":{"id":42}}],"finish_reason":"tool_calls"}]`,
		"gen_ai.usage.input_tokens":  int64(20), "gen_ai.usage.output_tokens": int64(5),
		"gen_ai.response.id": "chatcmpl-1",
	})
	add(3, 1, 2*time.Second, map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "order_status",
		"gen_ai.tool.call.id": "c1", "gen_ai.tool.call.arguments": `{"id":42}`, "gen_ai.tool.call.result": `{"status":"shipped"}`,
	})
	add(4, 1, 3*time.Second, map[string]any{
		"gen_ai.operation.name": "chat",
		"gen_ai.request.model":  "gpt-4o-mini",
		"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"Where is my order 42?"}]},` +
			`{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"order_status","arguments":{"id":42}}]},` +
			`{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":{"status":"shipped"}}]}]`,
		"gen_ai.output.messages":               `[{"role":"assistant","parts":[{"type":"text","content":"It shipped today."}],"finish_reason":"stop"}]`,
		"llmeval.verdict":                      "fail",
		"llmeval.pii.verdict":                  "fail",
		"llmeval.pii.reason":                   "pii found: email (1)",
		"llmeval.signal.satisfaction.count":    int64(1),
		"llmeval.signal.satisfaction.severity": int64(1),
		"llmeval.signal.satisfaction.kinds":    []any{"gratitude"},
	})
	return td
}
