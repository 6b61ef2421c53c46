package spanmodel

import (
	"fmt"

	"github.com/tidwall/gjson"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Message shapes of the SDK-level layouts (Langfuse, Mastra, Traceloop
// entities, Google ADK, OpenAI Responses in output.value, the custom
// layout). Their content attributes hold whatever the application or the
// SDK serialised: a plain string, an OpenAI chat message or list of them,
// Responses items, Gemini contents, AI SDK parts, or an object wrapping
// those. They are read with gjson, which walks the JSON text in place
// without decoding the parts nobody asked for (a Gemini request carries
// the whole tool schema list next to the messages).

// Shape names how a content attribute lays out its messages.
type Shape uint8

const (
	// ShapeAuto recognises the shape from the JSON itself: see looseValue.
	ShapeAuto Shape = iota
	// ShapeGenAI is GenAI semconv messages ([{role, parts}]).
	ShapeGenAI
	// ShapeOpenAIChat is OpenAI chat messages ([{role, content, tool_calls}]).
	ShapeOpenAIChat
	// ShapeText is the whole value as one message's text.
	ShapeText
)

// shapeNames spells each shape as the config writes it.
var shapeNames = map[string]Shape{"auto": ShapeAuto, "genai": ShapeGenAI, "openai_chat": ShapeOpenAIChat, "text": ShapeText}

// ParseShape reads a shape name of the custom message layout.
func ParseShape(s string) (Shape, bool) {
	sh, ok := shapeNames[s]
	return sh, ok
}

// ShapeNames lists the shape names, for error messages and docs.
func ShapeNames() []string { return []string{"auto", "genai", "openai_chat", "text"} }

// looseMaxDepth bounds how deeply loose content may nest: gjson's
// validation recurses, so deeper text is refused before it is parsed.
const looseMaxDepth = 256

// looseContent decodes content attribute key into c. role is the role of
// text that says none (user for inputs, assistant for outputs).
func (v *View) looseContent(key string, val pcommon.Value, shape Shape, role string, c *convo) error {
	if shape == ShapeGenAI {
		return v.genAIMessages(key, val, c)
	}
	s := v.rd.attr(key, val)
	if err := v.rd.take(); err != nil {
		return err
	}
	if len(s) > MaxContentBytes {
		return sizeError(key, len(s))
	}
	if shape == ShapeText {
		c.begin(role)
		c.addText(s)
		return nil
	}
	r, isJSON, err := parseLoose(key, s)
	if err != nil {
		return err
	}
	if !isJSON {
		c.begin(role)
		c.addText(s)
		return nil
	}
	c.looseValue(r, role, 0)
	return nil
}

// parseLoose parses s as JSON when it looks like an object or array; text
// that does not is plain text (isJSON false). Text that starts like JSON
// but is broken or nests too deeply is an error naming key.
func parseLoose(key, s string) (r gjson.Result, isJSON bool, err error) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
		i++
	}
	if i == len(s) {
		return r, false, nil
	}
	switch s[i] {
	case '{', '[':
	case '"':
		// A JSON string: its text. Anything else starting with a quote
		// is plain text.
		if gjson.Valid(s) {
			return gjson.Parse(s), true, nil
		}
		return r, false, nil
	default:
		return r, false, nil
	}
	if d, at := jsonDepth(s); d > looseMaxDepth {
		return r, true, fmt.Errorf("%s: JSON nested too deeply at byte %d", key, at)
	}
	if !gjson.Valid(s) {
		return r, true, fmt.Errorf("%s: invalid JSON", key)
	}
	return gjson.Parse(s), true, nil
}

// jsonDepth is the deepest nesting of objects and arrays in s, and the
// offset where it was first exceeded past looseMaxDepth; strings are
// skipped. A linear scan, no recursion.
func jsonDepth(s string) (max, at int) {
	depth := 0
	in, esc := false, false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if in {
			switch {
			case esc:
				esc = false
			case ch == '\\':
				esc = true
			case ch == '"':
				in = false
			}
			continue
		}
		switch ch {
		case '"':
			in = true
		case '{', '[':
			depth++
			if depth > max {
				max = depth
				if max > looseMaxDepth {
					return max, i
				}
			}
		case '}', ']':
			depth--
		}
	}
	return max, 0
}

// looseValue adds the messages r holds. It recognises, in order:
//   - a string: one message of role role with that text;
//   - an array: each element a message (objects) or text (strings);
//   - an object wrapping messages: "messages" (Microsoft Agent 365, Mastra,
//     chat requests), "contents" (Gemini requests), "output" and "input"
//     items (OpenAI Responses), "choices" (chat completions), "candidates"
//     or "content" with "parts" (Gemini responses);
//   - a message object: "role", "parts" (Gemini), "type" of a Responses
//     item;
//   - an AI SDK / Mastra result: "text" and "toolCalls";
//   - anything else: its JSON text, so that checks still read it.
func (c *convo) looseValue(r gjson.Result, role string, depth int) {
	switch {
	case r.Type == gjson.String:
		c.begin(role)
		c.addText(r.Str)
		return
	case r.IsArray():
		r.ForEach(func(_, e gjson.Result) bool {
			if e.Type == gjson.String {
				c.begin(role)
				c.addText(e.Str)
			} else if e.IsObject() {
				c.looseMessage(e, role, depth)
			}
			return len(c.msgs) < MaxMessages
		})
		return
	case !r.IsObject():
		if r.Raw != "" && r.Type != gjson.Null {
			c.begin(role)
			c.addText(r.Raw)
		}
		return
	}
	if depth < 2 {
		for _, k := range [...]string{"messages", "contents", "output", "input"} {
			if w := r.Get(k); w.IsArray() || (k == "input" && w.Type == gjson.String) {
				c.looseValue(w, role, depth+1)
				return
			}
		}
		if choices := r.Get("choices"); choices.IsArray() {
			// A chat completion: each choice's message.
			choices.ForEach(func(_, ch gjson.Result) bool {
				c.looseMessage(ch.Get("message"), role, 2)
				if f := ch.Get("finish_reason").String(); f != "" && len(c.msgs) > 0 {
					c.setFinish(f)
				}
				return len(c.msgs) < MaxMessages
			})
			return
		}
		if cands := r.Get("candidates"); cands.IsArray() {
			cands.ForEach(func(_, cand gjson.Result) bool {
				c.geminiContent(cand.Get("content"), cand.Get("finishReason").String())
				return len(c.msgs) < MaxMessages
			})
			return
		}
		if content := r.Get("content"); content.IsObject() && content.Get("parts").Exists() {
			c.geminiContent(content, r.Get("finishReason").String())
			return
		}
	}
	c.looseMessage(r, role, depth)
}

// looseMessage adds one message object.
func (c *convo) looseMessage(m gjson.Result, role string, depth int) {
	if r := m.Get("role").String(); r != "" {
		role = r
	}
	switch m.Get("type").String() {
	case "function_call": // Responses: a tool call item
		c.begin("assistant")
		c.addCall(ToolCall{ID: m.Get("call_id").String(), Name: m.Get("name").String(), Arguments: rawOrString(m.Get("arguments"))})
		return
	case "function_call_output": // Responses: a tool result item
		c.begin("tool")
		c.addResult(ToolResult{ID: m.Get("call_id").String(), Content: rawOrString(m.Get("output"))})
		return
	case "reasoning":
		return
	}
	if parts := m.Get("parts"); parts.IsArray() {
		switch {
		case role == "model":
			role = "assistant"
		case parts.Get("0.functionResponse").Exists():
			role = "tool" // Gemini sends function responses as user content
		}
		if !c.begin(role) {
			return
		}
		c.setFinish(m.Get("finish_reason").String())
		parts.ForEach(func(_, p gjson.Result) bool {
			c.loosePart(p, role)
			return true
		})
		return
	}
	content, text, calls := m.Get("content"), m.Get("text"), m.Get("toolCalls")
	if !content.Exists() && !m.Get("role").Exists() && !m.Get("tool_calls").Exists() && (text.Exists() || calls.Exists()) {
		// AI SDK / Mastra result: {"text": ..., "toolCalls": [...]}.
		if !c.begin(role) {
			return
		}
		if text.Type == gjson.String {
			c.addText(text.Str)
		}
		calls.ForEach(func(_, tc gjson.Result) bool {
			c.addCall(ToolCall{ID: tc.Get("toolCallId").String(), Name: tc.Get("toolName").String(), Arguments: rawOrString(firstOf(tc, "args", "input"))})
			return true
		})
		c.setFinish(m.Get("finishReason").String())
		return
	}
	if !content.Exists() && !m.Get("role").Exists() && !m.Get("tool_calls").Exists() {
		// An object of unknown shape: its JSON text.
		c.begin(role)
		c.addText(m.Raw)
		return
	}
	if !c.begin(role) {
		return
	}
	c.setFinish(m.Get("finish_reason").String())
	switch {
	case role == "tool" && content.Type == gjson.String:
		c.addResult(ToolResult{ID: m.Get("tool_call_id").String(), Name: m.Get("name").String(), Content: content.Str})
	case content.Type == gjson.String:
		c.addText(content.Str)
	case content.IsArray():
		content.ForEach(func(_, p gjson.Result) bool {
			if p.Type == gjson.String {
				c.addText(p.Str)
				return true
			}
			c.loosePart(p, role)
			return true
		})
	case content.IsObject():
		c.addText(content.Raw)
	}
	m.Get("tool_calls").ForEach(func(_, tc gjson.Result) bool {
		fn := tc.Get("function")
		c.addCall(ToolCall{ID: tc.Get("id").String(), Name: fn.Get("name").String(), Arguments: rawOrString(fn.Get("arguments"))})
		return true
	})
}

// loosePart adds one content part: OpenAI text parts (text, input_text,
// output_text), GenAI parts (content), AI SDK tool-call / tool-result
// parts and Gemini parts (text, functionCall, functionResponse).
func (c *convo) loosePart(p gjson.Result, role string) {
	switch typ := p.Get("type").String(); typ {
	case "text", "input_text", "output_text", "":
		if t := p.Get("text"); t.Exists() {
			if !p.Get("thought").Bool() { // Gemini thought summaries are not the answer
				c.addText(t.String())
			}
			return
		}
		if t := p.Get("content"); t.Exists() {
			c.addText(t.String())
			return
		}
		if fc := p.Get("functionCall"); fc.Exists() {
			c.addCall(ToolCall{ID: fc.Get("id").String(), Name: fc.Get("name").String(), Arguments: rawOrString(fc.Get("args"))})
			return
		}
		if fr := p.Get("functionResponse"); fr.Exists() {
			c.addResult(ToolResult{ID: fr.Get("id").String(), Name: fr.Get("name").String(), Content: rawOrString(fr.Get("response"))})
		}
	case "tool_call", "tool-call":
		c.addCall(ToolCall{
			ID:        firstOf(p, "id", "toolCallId").String(),
			Name:      firstOf(p, "name", "toolName").String(),
			Arguments: rawOrString(firstOf(p, "arguments", "args", "input")),
		})
	case "tool_call_response", "tool-result":
		c.addResult(ToolResult{
			ID:      firstOf(p, "id", "toolCallId").String(),
			Name:    p.Get("toolName").String(),
			Content: rawOrString(firstOf(p, "response", "result", "output")),
		})
	}
}

// geminiContent adds a Gemini Content ({role, parts}) with its finish
// reason.
func (c *convo) geminiContent(content gjson.Result, finish string) {
	if !content.IsObject() {
		return
	}
	c.looseMessage(content, "assistant", 2)
	if finish != "" && len(c.msgs) > 0 {
		c.setFinish(finish)
	}
}

// rawOrString is a JSON string's text, or any other value's JSON text.
func rawOrString(r gjson.Result) string {
	switch r.Type {
	case gjson.String:
		return r.Str
	case gjson.Null:
		return ""
	}
	return r.Raw
}

// firstOf is the first of keys m has.
func firstOf(m gjson.Result, keys ...string) gjson.Result {
	for _, k := range keys {
		if r := m.Get(k); r.Exists() {
			return r
		}
	}
	return gjson.Result{}
}
