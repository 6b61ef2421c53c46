package spanmodel

import (
	"encoding/json"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// GenAI events: message content a producer put in span events (Strands
// Agents, Semantic Kernel, Spring AI, older OpenLIT) or in log records
// (the OTel OpenAI instrumentations, Logfire, the latest GenAI
// conventions) instead of span attributes. The same tables serve both
// sources: a span's events, or one log record (see ResetLogRecord).
//
// An event is read only when the view needs a side of the conversation
// and the span has no attribute source for it; Reset only compares the
// events' names with the tables.

// evKind is the kind of GenAI event, from its name.
type evKind uint8

const (
	evNone       evKind = iota
	evDetails           // gen_ai.client.inference.operation.details
	evPrompt            // gen_ai.content.prompt
	evCompletion        // gen_ai.content.completion
	evSystem            // gen_ai.system.message
	evUser              // gen_ai.user.message
	evAssistant         // gen_ai.assistant.message
	evTool              // gen_ai.tool.message
	evChoice            // gen_ai.choice
	numEvKinds
)

// evSet is a set of evKinds.
type evSet uint16

var _ [16 - numEvKinds]struct{}

func evBit(k evKind) evSet { return 1 << k }

// The kinds that carry each side of a conversation.
const (
	evInput  = evSet(1<<evDetails | 1<<evPrompt | 1<<evSystem | 1<<evUser | 1<<evAssistant | 1<<evTool)
	evOutput = evSet(1<<evDetails | 1<<evCompletion | 1<<evChoice)
)

// eventDef declares one GenAI event: its name, kind, the role its message
// has (per-message events) and the attribute keys that carry content (the
// judge copies' default redaction removes them from events of that name).
type eventDef struct {
	name    string
	kind    evKind
	role    string
	content []string
}

// Event attribute keys.
const (
	evKeyContent   = "content"
	evKeyMessage   = "message"
	evKeyToolCalls = "tool_calls"
	evKeyFinish    = "finish_reason"
	evKeyPrompt    = "gen_ai.prompt"
	evKeyCompl     = "gen_ai.completion"
)

// detailsEvents: the current GenAI conventions' event, carrying the same
// attributes a span would (gen_ai.input.messages, gen_ai.output.messages,
// gen_ai.system_instructions, in standard parts). Strands Agents with
// OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental emits it as span
// events (one per side); the OTel OpenAI instrumentation emits it as log
// records for the Responses API.
var detailsEvents = []eventDef{
	{"gen_ai.client.inference.operation.details", evDetails, "", []string{
		keyDefs[kInMsgs].name, keyDefs[kOutMsgs].name, keyDefs[kSysInstr].name}},
}

// contentEvents: the older conventions' prompt and completion events
// (Semantic Kernel, Spring AI, older OpenLIT): one attribute holding the
// prompt or completion as OpenAI-style JSON messages or as plain text.
var contentEvents = []eventDef{
	{"gen_ai.content.prompt", evPrompt, "user", []string{evKeyPrompt}},
	{"gen_ai.content.completion", evCompletion, "assistant", []string{evKeyCompl}},
}

// messageEvents: one event per message, the deprecated GenAI event
// conventions. Two producer families share these names with different
// shapes, both read by the same decoder:
//   - Strands Agents (default conventions), span events: attribute
//     `content` holds a JSON list of Strands content blocks ({"text"},
//     {"toolUse":{...}}, {"toolResult":{...}}); gen_ai.choice has
//     `message` (blocks, or plain text on agent spans) and `finish_reason`
//     (endTurn, toolUse, ...).
//   - @opentelemetry/instrumentation-openai and Logfire, log records: the
//     body is {content, tool_calls, id} or, for gen_ai.choice,
//     {finish_reason, index, message: {role, content, tool_calls}}.
var messageEvents = []eventDef{
	{"gen_ai.system.message", evSystem, "system", []string{evKeyContent}},
	{"gen_ai.user.message", evUser, "user", []string{evKeyContent}},
	{"gen_ai.assistant.message", evAssistant, "assistant", []string{evKeyContent, evKeyToolCalls}},
	{"gen_ai.tool.message", evTool, "tool", []string{evKeyContent}},
	{"gen_ai.choice", evChoice, "assistant", []string{evKeyMessage, evKeyContent, evKeyToolCalls}},
}

// eventDefs indexes the tables by kind.
var eventDefs = func() (defs [numEvKinds]eventDef) {
	for _, table := range [][]eventDef{detailsEvents, contentEvents, messageEvents} {
		for _, d := range table {
			defs[d.kind] = d
		}
	}
	return defs
}()

// eventKind maps an event name to its kind, evNone for other events.
func eventKind(name string) evKind {
	if !strings.HasPrefix(name, "gen_ai.") {
		return evNone
	}
	for k := evKind(1); k < numEvKinds; k++ {
		if eventDefs[k].name == name {
			return k
		}
	}
	return evNone
}

// EventContentKeys maps each GenAI event name the view reads to the event
// attributes that carry its content: what the judge copies' default
// redaction removes from span events of that name.
func EventContentKeys() map[string][]string {
	out := make(map[string][]string, numEvKinds)
	for k := evKind(1); k < numEvKinds; k++ {
		out[eventDefs[k].name] = append([]string(nil), eventDefs[k].content...)
	}
	return out
}

// EventNames lists the GenAI event names the view reads, on spans and as
// log records.
func EventNames() []string {
	out := make([]string, 0, numEvKinds-1)
	for k := evKind(1); k < numEvKinds; k++ {
		out = append(out, eventDefs[k].name)
	}
	return out
}

// scanEvents records which GenAI events the span has, by name only.
func (v *View) scanEvents() {
	evs := v.span.Events()
	for i := 0; i < evs.Len(); i++ {
		if k := eventKind(evs.At(i).Name()); k != evNone {
			v.evKinds |= evBit(k)
		}
	}
}

// noBody is the body of a span event: none. Only read.
var noBody = pcommon.NewValueEmpty()

// eachEvent calls f for every GenAI event of the span in order, or for the
// log record the view was reset to; body is empty for span events. f
// returns false to stop.
func (v *View) eachEvent(want evSet, f func(k evKind, attrs pcommon.Map, body pcommon.Value) bool) {
	if v.log.active {
		if want&evBit(v.log.kind) != 0 {
			f(v.log.kind, v.span.Attributes(), v.log.body)
		}
		return
	}
	evs := v.span.Events()
	for i := 0; i < evs.Len(); i++ {
		ev := evs.At(i)
		if k := eventKind(ev.Name()); k != evNone && want&evBit(k) != 0 {
			if !f(k, ev.Attributes(), noBody) {
				return
			}
		}
	}
}

// eventMessages decodes one side of the conversation from the GenAI events
// of the kinds in want, in event order, and reports whether any event
// holds content for that side. An event without content (a producer not
// capturing content) adds nothing and is noted in v.evBare: the side is
// absent for the checks, not an empty answer. It stops at the first error.
func (v *View) eventMessages(c *convo, want evSet, output bool) bool {
	found := false
	v.eachEvent(want, func(k evKind, attrs pcommon.Map, body pcommon.Value) bool {
		var err error
		switch k {
		case evDetails:
			key := keyDefs[kInMsgs].name
			if output {
				key = keyDefs[kOutMsgs].name
			}
			val, ok := attrs.Get(key)
			if !ok {
				return true
			}
			err = v.genAIMessages(key, val, c)
		case evPrompt, evCompletion:
			if !hasAnyField(attrs, body, eventDefs[k].content) && body.Type() != pcommon.ValueTypeStr {
				v.evBare = true
				return true
			}
			err = v.contentEvent(c, k, attrs, body)
		default:
			if !v.messageHasContent(k, attrs, body) {
				v.evBare = true
				return true
			}
			err = v.messageEvent(c, k, attrs, body)
		}
		found = true
		if err == nil {
			err = v.rd.take()
		}
		if err != nil {
			c.err = err
			return false
		}
		return len(c.msgs) < MaxMessages
	})
	return found
}

// hasAnyField reports whether the event has any of the fields keys.
func hasAnyField(attrs pcommon.Map, body pcommon.Value, keys []string) bool {
	for _, k := range keys {
		if _, ok := eventField(attrs, body, k); ok {
			return true
		}
	}
	return false
}

// messageHasContent reports whether a per-message event carries content:
// a content field, tool calls, or a choice's message with either.
func (v *View) messageHasContent(k evKind, attrs pcommon.Map, body pcommon.Value) bool {
	if k == evChoice {
		m, ok := eventField(attrs, body, evKeyMessage)
		if !ok {
			return hasAnyField(attrs, body, []string{evKeyContent, evKeyToolCalls})
		}
		if m.Type() == pcommon.ValueTypeMap {
			return hasAnyField(pcommon.NewMap(), m, []string{evKeyContent, evKeyToolCalls})
		}
		return true
	}
	return hasAnyField(attrs, body, eventDefs[k].content)
}

// eventSystemInstructions appends the text parts of the
// gen_ai.system_instructions of the span's details events to dst.
func (v *View) eventSystemInstructions(dst []string) ([]string, bool, error) {
	present := false
	var err error
	key := keyDefs[kSysInstr].name
	v.eachEvent(evBit(evDetails), func(_ evKind, attrs pcommon.Map, _ pcommon.Value) bool {
		val, ok := attrs.Get(key)
		if !ok {
			return true
		}
		present = true
		dst, err = v.systemInstructions(key, val, dst)
		return err == nil
	})
	return dst, present, err
}

// eventField is field k of an event: its attribute (span events, Strands),
// else the body map's field (log records, OTel instrumentations).
func eventField(attrs pcommon.Map, body pcommon.Value, k string) (pcommon.Value, bool) {
	if val, ok := attrs.Get(k); ok {
		return val, true
	}
	if body.Type() == pcommon.ValueTypeMap {
		return body.Map().Get(k)
	}
	return pcommon.Value{}, false
}

// messageEvent adds the message of a per-message event or a choice.
func (v *View) messageEvent(c *convo, k evKind, attrs pcommon.Map, body pcommon.Value) error {
	def := &eventDefs[k]
	if v.isTool && (k == evTool || k == evChoice) {
		return v.toolSpanEvent(c, k, attrs, body)
	}
	role, finish := def.role, ""
	msgAttrs, msgBody := attrs, body
	if k == evChoice {
		if val, ok := eventField(attrs, body, evKeyFinish); ok {
			finish = v.rd.part(evKeyFinish, val)
		}
		// The OTel instrumentations nest the message in the body; Strands
		// puts it in the `message` attribute, as blocks or plain text.
		if m, ok := eventField(attrs, body, evKeyMessage); ok && m.Type() == pcommon.ValueTypeMap {
			msgAttrs, msgBody = pcommon.NewMap(), m
			if r := mapStr(m.Map(), "role"); r != "" {
				role = r
			}
		}
	}
	if !c.begin(normalRole(role)) {
		return nil
	}
	c.setFinish(normalFinish(finish))
	content := evKeyContent
	if k == evChoice && msgBody.Type() != pcommon.ValueTypeMap {
		content = evKeyMessage
	}
	if val, ok := eventField(msgAttrs, msgBody, content); ok {
		if k == evTool && val.Type() == pcommon.ValueTypeStr && !strings.HasPrefix(strings.TrimSpace(val.Str()), "[") {
			// The OTel instrumentations: {id, content} answers call id.
			id := ""
			if idv, ok := eventField(msgAttrs, msgBody, "id"); ok {
				id = v.rd.part(def.name+".id", idv)
			}
			c.addResult(ToolResult{ID: id, Content: val.Str()})
		} else if err := v.eventContent(c, def.name+"."+content, val); err != nil {
			return err
		}
	}
	if val, ok := eventField(msgAttrs, msgBody, evKeyToolCalls); ok {
		key := def.name + "." + evKeyToolCalls
		var calls []oaiCall
		if err := v.decodeValue(key, val, &calls); err != nil {
			return err
		}
		for i := range calls {
			c.addCall(calls[i].toolCall())
		}
	}
	return nil
}

// toolSpanEvent reads a Strands tool span's events: gen_ai.tool.message
// holds the tool's input as JSON (the call's arguments), gen_ai.choice
// the result's content blocks.
func (v *View) toolSpanEvent(c *convo, k evKind, attrs pcommon.Map, body pcommon.Value) error {
	key := eventDefs[k].name + "."
	id := ""
	if val, ok := eventField(attrs, body, "id"); ok {
		id = v.rd.part(key+"id", val)
	}
	if !c.begin("tool") {
		return nil
	}
	if k == evTool {
		if val, ok := eventField(attrs, body, evKeyContent); ok {
			c.addCall(ToolCall{ID: id, Name: v.toolName, Arguments: v.rd.part(key+evKeyContent, val)})
		}
		return nil
	}
	if val, ok := eventField(attrs, body, evKeyMessage); ok {
		s := v.rd.part(key+evKeyMessage, val)
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "[") && len(t) <= MaxContentBytes {
			s = blocksText(json.RawMessage(t))
		}
		c.addResult(ToolResult{ID: id, Name: v.toolName, Content: s})
	}
	return nil
}

// contentEvent adds the messages of gen_ai.content.prompt or .completion:
// a JSON array of OpenAI-style messages (or choices), a list of strings,
// or plain text.
func (v *View) contentEvent(c *convo, k evKind, attrs pcommon.Map, body pcommon.Value) error {
	def := &eventDefs[k]
	key := def.content[0]
	val, ok := eventField(attrs, body, key)
	if !ok {
		if body.Type() != pcommon.ValueTypeStr {
			return nil
		}
		val = body
	}
	var items []looseMsg
	switch val.Type() {
	case pcommon.ValueTypeStr:
		s := val.Str()
		if t := strings.TrimSpace(s); !strings.HasPrefix(t, "[") || unmarshalContent(key, t, &items) != nil {
			// Plain text (older OpenLIT, Spring AI), or text that only
			// looks like JSON.
			if c.begin(def.role) {
				c.addText(s)
			}
			return nil
		}
	case pcommon.ValueTypeSlice, pcommon.ValueTypeMap:
		if err := v.decodeValue(key, val, &items); err != nil {
			return err
		}
	default:
		if c.begin(def.role) {
			c.addText(val.AsString())
		}
		return nil
	}
	for i := range items {
		if !items[i].add(c, def.role) {
			break
		}
	}
	return nil
}

// decodeValue decodes a structured event value into out: a JSON string as
// it is, a map or slice through its JSON rendering (depth and size checked
// by the span's value reader).
func (v *View) decodeValue(key string, val pcommon.Value, out any) error {
	var s string
	if val.Type() == pcommon.ValueTypeStr {
		s = val.Str()
	} else {
		s = v.rd.attr(key, val)
		if err := v.rd.take(); err != nil {
			return err
		}
	}
	if val.Type() == pcommon.ValueTypeMap {
		// One object where a list is expected: a list of one.
		s = "[" + s + "]"
	}
	return unmarshalContent(key, s, out)
}

// eventContent adds a message's content: Strands blocks (a JSON list in a
// string, or a pdata slice of maps), or plain text.
func (v *View) eventContent(c *convo, key string, val pcommon.Value) error {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		s := val.Str()
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "[") {
			var blocks []evBlock
			if len(t) <= MaxContentBytes && json.Unmarshal(viewBytes(t), &blocks) == nil {
				for i := range blocks {
					blocks[i].add(c)
				}
				return nil
			}
		}
		// Plain text, or a JSON object (a tool's input): read as it is.
		c.addText(s)
	case pcommon.ValueTypeSlice:
		var blocks []evBlock
		if err := v.decodeValue(key, val, &blocks); err != nil {
			return err
		}
		for i := range blocks {
			blocks[i].add(c)
		}
	case pcommon.ValueTypeEmpty:
	default:
		c.addText(v.rd.part(key, val))
	}
	return nil
}

// evBlock is a content block: a Strands block ({"text"}, {"toolUse"},
// {"toolResult"}, {"json"}, or the flat {"type":"toolUse",...} form of
// gen_ai.choice), or an OpenAI-style part ({"type":"text","text"}).
type evBlock struct {
	Type       string          `json:"type"`
	Text       jsonText        `json:"text"`
	JSON       jsonText        `json:"json"`
	ToolUse    *evToolUse      `json:"toolUse"`
	ToolResult *evToolResult   `json:"toolResult"`
	Name       string          `json:"name"`
	ToolUseID  string          `json:"toolUseId"`
	Input      jsonText        `json:"input"`
	Content    json.RawMessage `json:"content"`
}

type evToolUse struct {
	Name      string   `json:"name"`
	ToolUseID string   `json:"toolUseId"`
	Input     jsonText `json:"input"`
}

type evToolResult struct {
	ToolUseID string          `json:"toolUseId"`
	Status    string          `json:"status"`
	Content   json.RawMessage `json:"content"`
}

func (b *evBlock) add(c *convo) {
	switch {
	case b.ToolUse != nil:
		c.addCall(ToolCall{ID: b.ToolUse.ToolUseID, Name: b.ToolUse.Name, Arguments: b.ToolUse.Input.s})
	case b.ToolResult != nil:
		c.addResult(ToolResult{ID: b.ToolResult.ToolUseID, Content: blocksText(b.ToolResult.Content)})
	case b.Type == "toolUse":
		c.addCall(ToolCall{ID: b.ToolUseID, Name: b.Name, Arguments: b.Input.s})
	case b.Type == "toolResult":
		c.addResult(ToolResult{ID: b.ToolUseID, Content: blocksText(b.Content)})
	case b.Text.set && (b.Type == "" || b.Type == "text" || b.Type == "input_text" || b.Type == "output_text"):
		c.addText(b.Text.s)
	}
}

// blocksText is the text of a tool result's content: its text and json
// blocks, one per line; a string as it is.
func blocksText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var t jsonText
	if raw[0] == '"' && t.UnmarshalJSON(raw) == nil {
		return t.s
	}
	var blocks []evBlock
	if json.Unmarshal(raw, &blocks) != nil {
		return string(raw)
	}
	parts := make([]string, 0, len(blocks))
	for i := range blocks {
		switch {
		case blocks[i].Text.set:
			parts = append(parts, blocks[i].Text.s)
		case blocks[i].JSON.set:
			parts = append(parts, blocks[i].JSON.s)
		}
	}
	return joinNonEmpty(parts)
}

// oaiCall is an OpenAI-style tool call: {id, type, function:{name, arguments}}.
type oaiCall struct {
	ID       string `json:"id"`
	Function struct {
		Name      string   `json:"name"`
		Arguments jsonText `json:"arguments"`
	} `json:"function"`
}

func (tc *oaiCall) toolCall() ToolCall {
	return ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments.s}
}

// looseMsg is one item of gen_ai.prompt / gen_ai.completion: a string, an
// OpenAI-style message {role, content, tool_calls}, or a choice
// {index, message, finish_reason}.
type looseMsg struct {
	text         jsonText
	Role         string          `json:"role"`
	Content      textOr[evBlock] `json:"content"`
	ToolCalls    []oaiCall       `json:"tool_calls"`
	Message      *looseMsgFields `json:"message"`
	FinishReason string          `json:"finish_reason"`
	ToolCallID   string          `json:"tool_call_id"`
}

// looseMsgFields is a choice's message.
type looseMsgFields struct {
	Role       string          `json:"role"`
	Content    textOr[evBlock] `json:"content"`
	ToolCalls  []oaiCall       `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
}

func (m *looseMsg) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return m.text.UnmarshalJSON(b)
	}
	type plain looseMsg
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return errNestedShape
	}
	*m = looseMsg(p)
	return nil
}

// add appends the item as a message; false once MaxMessages is reached.
func (m *looseMsg) add(c *convo, defaultRole string) bool {
	if m.text.set {
		if !c.begin(defaultRole) {
			return false
		}
		c.addText(m.text.s)
		return true
	}
	f := looseMsgFields{Role: m.Role, Content: m.Content, ToolCalls: m.ToolCalls, ToolCallID: m.ToolCallID}
	if m.Message != nil {
		f = *m.Message
	}
	role := normalRole(f.Role)
	if role == "" {
		role = defaultRole
	}
	if !c.begin(role) {
		return false
	}
	c.setFinish(normalFinish(m.FinishReason))
	switch {
	case f.Content.isText && role == "tool":
		c.addResult(ToolResult{ID: f.ToolCallID, Content: f.Content.text})
	case f.Content.isText:
		c.addText(f.Content.text)
	default:
		for i := range f.Content.items {
			f.Content.items[i].add(c)
		}
	}
	for i := range f.ToolCalls {
		c.addCall(f.ToolCalls[i].toolCall())
	}
	return true
}

// normalRole lower-cases a role (Semantic Kernel writes "Assistant").
func normalRole(r string) string {
	for i := 0; i < len(r); i++ {
		if r[i] >= 'A' && r[i] <= 'Z' {
			return strings.ToLower(r)
		}
	}
	return r
}

// normalFinish maps the finish reasons of Strands (Bedrock's stop
// reasons, camel- or snake-cased) and Semantic Kernel ("Stop") to the
// standard ones; others are kept as they are.
func normalFinish(r string) string {
	switch r {
	case "endTurn", "end_turn", "stopSequence", "stop_sequence", "Stop":
		return "stop"
	case "toolUse", "tool_use", "ToolCalls":
		return "tool_calls"
	case "maxTokens", "max_tokens", "Length":
		return "length"
	case "contentFiltered", "content_filtered", "guardrailIntervened", "guardrail_intervened", "ContentFilter":
		return "content_filter"
	}
	return r
}
