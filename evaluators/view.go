package evaluators

import (
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottlspan"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
)

// Layout is the attribute layout a producer used for a span.
type Layout uint8

const (
	LayoutNone       Layout = iota // not an LLM/agent span
	LayoutGenAI                    // current GenAI semconv (JSON messages)
	LayoutGenAIFlat                // older semconv / OpenLLMetry: gen_ai.prompt.N.*
	LayoutOpenInference            // Arize OpenInference: llm.*, input.value
	LayoutVercelLegacy             // Vercel AI SDK <= 6: ai.*
)

func (l Layout) String() string {
	switch l {
	case LayoutGenAI:
		return "gen_ai"
	case LayoutGenAIFlat:
		return "gen_ai_flat"
	case LayoutOpenInference:
		return "openinference"
	case LayoutVercelLegacy:
		return "vercel_ai_legacy"
	}
	return "none"
}

// ToolCall is a tool invocation requested by a model or executed by a tool span.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string // raw JSON text as the producer sent it
}

// ToolResult is a tool's answer as it appears in a conversation.
type ToolResult struct {
	ID      string
	Name    string
	Content string
}

// Message is one normalized chat message.
type Message struct {
	Role         string // system, user, assistant, tool
	Text         string // text parts joined by "\n"
	ToolCalls    []ToolCall
	ToolResults  []ToolResult
	FinishReason string
}

// Usage holds token counts; a negative value means the span did not say.
type Usage struct {
	Input       int64
	Output      int64
	Total       int64
	CachedInput int64
}

// View is the read-only, layout-independent view of one span that every
// evaluator reads. Cheap fields are read on Reset in one pass over the
// attributes; message content is decoded on first use, at most once.
// A View is reused across spans: call Reset for each.
type View struct {
	resource ptrace.ResourceSpans
	scope    ptrace.ScopeSpans
	span     ptrace.Span

	tctx *ottlspan.TransformContext

	// TODO(normalizer): classified fields and lazily decoded content.
}

// Reset points v at a new span and classifies it.
func (v *View) Reset(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, span ptrace.Span) {
	v.Release()
	v.resource, v.scope, v.span = rs, ss, span
}

// Release frees per-span resources (the OTTL context) held by v.
func (v *View) Release() {
	if v.tctx != nil {
		v.tctx.Close()
		v.tctx = nil
	}
}

// Span is the underlying span.
func (v *View) Span() ptrace.Span { return v.span }

// TransformContext returns the OTTL span context for this span, created once.
func (v *View) TransformContext() *ottlspan.TransformContext {
	if v.tctx == nil {
		v.tctx = ottlspan.NewTransformContext(v.resource, v.scope, v.span)
	}
	return v.tctx
}

// Layout reports which producer layout the span uses; LayoutNone for spans
// that are not LLM/agent spans.
func (v *View) Layout() Layout { return LayoutNone }

// IsGenAI reports whether the span is an LLM/agent span of any layout.
func (v *View) IsGenAI() bool { return v.Layout() != LayoutNone }

// Operation is the normalized operation: chat, text_completion, embeddings,
// execute_tool, invoke_agent, retrieval, ... or "" when unknown.
func (v *View) Operation() string { return "" }

// Provider is the model provider (openai, anthropic, ...), or "".
func (v *View) Provider() string { return "" }

// Model is the response model if the span has one, else the request model.
func (v *View) Model() string { return "" }

// Usage returns the token counts of any layout.
func (v *View) Usage() Usage { return Usage{-1, -1, -1, -1} }

// FinishReasons returns the finish reasons as the producer spelled them.
func (v *View) FinishReasons() []string { return nil }

// Duration is the span's own duration.
func (v *View) Duration() time.Duration {
	return v.span.EndTimestamp().AsTime().Sub(v.span.StartTimestamp().AsTime())
}

// Err reports whether the span has error status, with its message.
func (v *View) Err() (bool, string) {
	return v.span.Status().Code() == ptrace.StatusCodeError, v.span.Status().Message()
}

// ToolName is the tool's name on a tool-execution span, or "".
func (v *View) ToolName() string { return "" }

// Text returns the text a target names. ok is false when the span has no
// such content (then an evaluator gives no verdict). err is set when the
// content is present but cannot be decoded; it names the attribute.
func (v *View) Text(t config.Target) (text string, ok bool, err error) {
	return "", false, nil
}

// InputMessages returns the decoded input conversation, in order.
func (v *View) InputMessages() ([]Message, error) { return nil, nil }

// OutputMessages returns the decoded output messages.
func (v *View) OutputMessages() ([]Message, error) { return nil, nil }

// ToolCalls returns the tool calls the model requested in its output (chat
// spans) or the call a tool span executed.
func (v *View) ToolCalls() ([]ToolCall, error) { return nil, nil }
