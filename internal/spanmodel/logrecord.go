package spanmodel

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Log records as views. A GenAI event sent through the Logs API (the OTel
// OpenAI instrumentations, Logfire, the latest GenAI conventions) is one
// log record: its name says what it holds, its attributes and body carry
// the content, and its trace and span IDs link it to the LLM call. The
// view reads it like a span with that one event, through the same event
// tables as span events.
//
// Evaluators, signals and OTTL conditions read a span (Span(),
// TransformContext()); for a log record the view lends them a scratch span
// named after the event, with the record's IDs and timestamp and the
// record's own attribute map (no start time: an event has no duration), moved in (not copied) by ResetLogRecord and
// moved back by the next Reset or Release. What they write onto
// Span().Attributes() therefore lands on the log record.

// logSource is the log record a view was reset to.
type logSource struct {
	active bool
	kind   evKind
	body   pcommon.Value
	rec    plog.LogRecord
	rl     plog.ResourceLogs
	sl     plog.ScopeLogs
	copied bool // resource and scope copied into the scratch span's

	scratch ptrace.Traces // one resource, scope and span, reused
}

// EventAttribute is the log-record attribute older Logs API producers
// name the event with; newer ones set the record's EventName.
const EventAttribute = "event.name"

// LogEventName is the GenAI event name of a log record: its EventName, or
// its event.name attribute.
func LogEventName(lr plog.LogRecord) string {
	if n := lr.EventName(); n != "" {
		return n
	}
	if val, ok := lr.Attributes().Get(EventAttribute); ok && val.Type() == pcommon.ValueTypeStr {
		return val.Str()
	}
	return ""
}

// IsGenAIEvent reports whether the log record is a GenAI event the view
// reads. It costs a name comparison.
func IsGenAIEvent(lr plog.LogRecord) bool { return eventKind(LogEventName(lr)) != evNone }

// ResetLogRecord points v at a log record. It reports false, leaving v as
// it was, when the record is not a GenAI event. Until the next Reset or
// Release the record's attributes live in Span().Attributes().
func (v *View) ResetLogRecord(rl plog.ResourceLogs, sl plog.ScopeLogs, lr plog.LogRecord) bool {
	kind := eventKind(LogEventName(lr))
	if kind == evNone {
		return false
	}
	v.release()
	l := &v.log
	if l.scratch == (ptrace.Traces{}) {
		l.scratch = ptrace.NewTraces()
		l.scratch.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	}
	rs := l.scratch.ResourceSpans().At(0)
	ss := rs.ScopeSpans().At(0)
	span := ss.Spans().At(0)
	span.SetName(eventDefs[kind].name)
	span.SetTraceID(lr.TraceID())
	span.SetSpanID(lr.SpanID())
	ts := lr.Timestamp()
	if ts == 0 {
		ts = lr.ObservedTimestamp()
	}
	// An event has a time, not a duration: no start, so that latency
	// checks skip it.
	span.SetStartTimestamp(0)
	span.SetEndTimestamp(ts)
	span.Events().RemoveIf(func(ptrace.SpanEvent) bool { return true })
	lr.Attributes().MoveTo(span.Attributes())
	*l = logSource{active: true, kind: kind, body: lr.Body(), rec: lr, rl: rl, sl: sl, scratch: l.scratch}

	v.resource, v.scope, v.span = rs, ss, span
	v.clear()
	v.scanAttributes()
	v.evKinds = evBit(kind)
	v.resolve()
	return true
}

// LogRecord is the log record the view was reset to, if any.
func (v *View) LogRecord() (plog.LogRecord, bool) { return v.log.rec, v.log.active }

// endLogRecord gives the record its attributes back.
func (v *View) endLogRecord() {
	l := &v.log
	if !l.active {
		return
	}
	v.span.Attributes().MoveTo(l.rec.Attributes())
	scratch := l.scratch
	if l.copied {
		rs := scratch.ResourceSpans().At(0)
		rs.Resource().Attributes().Clear()
		rs.ScopeSpans().At(0).Scope().Attributes().Clear()
	}
	*l = logSource{scratch: scratch}
}

// logContext copies the record's resource and scope into the scratch
// span's, once, for an OTTL context.
func (v *View) logContext() {
	l := &v.log
	if !l.active || l.copied {
		return
	}
	l.copied = true
	l.rl.Resource().CopyTo(v.resource.Resource())
	v.resource.SetSchemaUrl(l.rl.SchemaUrl())
	l.sl.Scope().CopyTo(v.scope.Scope())
	v.scope.SetSchemaUrl(l.sl.SchemaUrl())
}

// eventToolText is the arguments (args) or the result of a tool span read
// from its GenAI events: Strands' gen_ai.tool.message and gen_ai.choice,
// or the tool_call and tool_call_response parts of its details events.
func (v *View) eventToolText(args bool) (string, bool, error) {
	if v.evKinds == 0 {
		return "", false, nil
	}
	c := v.output()
	if args {
		c = v.input()
	}
	if c.err != nil {
		return "", true, c.err
	}
	if args && len(c.calls) > 0 {
		return c.calls[0].Arguments, true, nil
	}
	if !args && len(c.results) > 0 {
		return c.results[0].Content, true, nil
	}
	return "", false, nil
}

// ContentUnread reports an LLM/agent span (or log record) whose content
// sources are present but yielded nothing: no text, no tool call, no tool
// result, content that could not be decoded, or GenAI events without
// their content (a producer not capturing it). It decodes the output,
// and the input only when the output gave nothing, so a span evaluators
// already read costs nothing more.
func (v *View) ContentUnread() bool {
	if v.layout == LayoutNone {
		return false
	}
	if v.isTool {
		present := false
		for _, t := range [...]Target{{Kind: TargetToolArguments}, {Kind: TargetToolResult}} {
			s, ok, err := v.Text(t)
			if err == nil && s != "" {
				return false
			}
			present = present || ok || err != nil
		}
		if !present && v.evKinds != 0 {
			present = v.output().present || v.input().present || v.evBare
		}
		return present
	}
	// The output decides when present: an answer read means the span is
	// read, without decoding the history in its input.
	// An explicitly empty list (Strands' first agent-loop cycle sends
	// `[]`) holds nothing to read, so it is not a miss.
	for _, side := range [...]func() *convo{v.output, v.input} {
		if c := side(); c.present {
			return c.err != nil || (len(c.msgs) > 0 && !c.hasContent())
		}
	}
	s, ok, err := v.systemText()
	return err != nil || (ok && s == "") || (!ok && v.evBare)
}

// hasContent reports whether a decoded side holds any text, tool call or
// tool result.
func (c *convo) hasContent() bool {
	if len(c.calls) > 0 || len(c.results) > 0 {
		return true
	}
	for i := range c.msgs {
		if c.msgs[i].Text != "" {
			return true
		}
	}
	return false
}
