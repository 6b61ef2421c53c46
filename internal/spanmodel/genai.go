package spanmodel

import (
	"encoding/json"
	"fmt"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// GenAI semconv: gen_ai.input.messages / gen_ai.output.messages /
// gen_ai.system_instructions, each a list of messages (or, for system
// instructions, of parts) given as a JSON string or as a structured
// AnyValue. The schemas (model/gen-ai/gen-ai-*-messages.json in the
// conventions) allow any extra property on every object and any part type
// (GenericPart), and keep adding types (compaction): a property or part
// type the view does not know is skipped, never an error, and a known
// property of an unexpected JSON type (a numeric id) is read as absent.
// Both value forms go through genAIPart, so they give the same view.

type gMsg struct {
	Role         jsonStr `json:"role"`
	Parts        []gPart `json:"parts"`
	FinishReason jsonStr `json:"finish_reason"`
}

// gPart holds the properties of every known part type; those of other
// types are not decoded.
type gPart struct {
	Type       jsonStr  `json:"type"`
	Content    jsonText `json:"content"`
	ID         jsonStr  `json:"id"`
	Name       jsonStr  `json:"name"`
	Arguments  jsonText `json:"arguments"`
	Response   jsonText `json:"response"`
	Result     jsonText `json:"result"`
	Transcript jsonStr  `json:"transcript"`
	ServerCall jsonText `json:"server_tool_call"`
	ServerResp jsonText `json:"server_tool_call_response"`
}

// genAIPart is one part as the view reads it, whichever form it came in.
type genAIPart struct {
	typ, id, name string
	content       string // text, reasoning: content; blob, uri, file: transcript
	args          string // tool_call: arguments; server_tool_call: the call object
	resp          string // tool_call_response: response (or result); server response object
}

func (p *gPart) part() genAIPart {
	resp := p.Response
	if !resp.set {
		resp = p.Result
	}
	g := genAIPart{typ: p.Type.s, id: p.ID.s, name: p.Name.s}
	switch g.typ {
	case "text", "reasoning":
		g.content = p.Content.s
	case "blob", "uri", "file":
		g.content = p.Transcript.s
	case "tool_call":
		g.args = p.Arguments.s
	case "tool_call_response":
		g.resp = resp.s
	case "server_tool_call":
		g.args = p.ServerCall.s
	case "server_tool_call_response":
		g.resp = p.ServerResp.s
	}
	return g
}

// addGenAIPart files one part of the current message where it belongs:
// text and transcripts in the message's text, reasoning in its reasoning,
// tool and server tool calls and their responses in its calls and results.
// Any other part (compaction, generic and unknown types) is counted as a
// part that is not text, so a message made only of such parts has no text,
// and is otherwise skipped.
func (c *convo) addGenAIPart(p *genAIPart) {
	switch p.typ {
	case "text":
		c.addText(p.content)
		return
	case "reasoning":
		c.addReasoning(p.content)
	case "blob", "uri", "file":
		// A transcript is what was said: the audio's text.
		if p.content != "" {
			c.addText(p.content)
			return
		}
	case "tool_call":
		c.addCall(ToolCall{ID: p.id, Name: p.name, Arguments: p.args})
	case "server_tool_call":
		c.addCall(ToolCall{ID: p.id, Name: p.name, Arguments: p.args, Server: true})
	case "tool_call_response":
		c.addResult(ToolResult{ID: p.id, Name: p.name, Content: p.resp})
	case "server_tool_call_response":
		c.addResult(ToolResult{ID: p.id, Name: p.name, Content: p.resp, Server: true})
	}
	c.addOther()
}

// addGenAIMsg appends m; false once MaxMessages is reached.
func (c *convo) addGenAIMsg(m *gMsg) bool {
	if !c.begin(m.Role.s) {
		return false
	}
	c.setFinish(m.FinishReason.s)
	for i := range m.Parts {
		p := m.Parts[i].part()
		c.addGenAIPart(&p)
	}
	return true
}

// genAIMessages decodes a GenAI messages attribute: a JSON string, or a
// pdata slice whose elements are maps (or JSON strings of one message).
func (v *View) genAIMessages(key string, val pcommon.Value, c *convo) error {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		msgs, parts := v.gmsgs[:0], v.gparts[:0]
		var err error
		text := unwrapMessages(val.Str())
		fast := false
		if len(text) <= MaxContentBytes {
			msgs, parts, fast = fastGMsgs(text, msgs, parts)
		}
		if !fast {
			// encoding/json decodes into the elements past the length:
			// they must be zero (see reuse), their Parts not pointing
			// into gparts.
			clear(msgs[:cap(msgs)])
			err = unmarshalLocal(key, text, &msgs)
		}
		if err == nil {
			for i := range msgs {
				if !c.addGenAIMsg(&msgs[i]) {
					break
				}
			}
		}
		v.gmsgs, v.gparts = reuse(msgs, &v.gdirty[0]), reuseParts(parts, &v.gdirty[1])
		return err
	case pcommon.ValueTypeSlice:
		s := val.Slice()
		for i := 0; i < s.Len(); i++ {
			e := s.At(i)
			switch e.Type() {
			case pcommon.ValueTypeMap:
				m := e.Map()
				if !c.begin(mapStr(m, "role")) {
					return nil
				}
				c.setFinish(mapStr(m, "finish_reason"))
				if parts, ok := m.Get("parts"); ok {
					if err := v.genAIPartsSlice(c, key, i, parts); err != nil {
						return err
					}
				}
			case pcommon.ValueTypeStr:
				var m gMsg
				if err := v.decodeGMsg(key, i, e.Str(), &m); err != nil {
					return err
				}
				more := c.addGenAIMsg(&m)
				clear(m.Parts) // v.gparts, reused by the next element
				if !more {
					return nil
				}
			default:
				return typeError(fmt.Sprintf("%s[%d]", key, i), e.Type(), "a map")
			}
		}
		return nil
	}
	return typeError(key, val.Type(), "a JSON string or a slice")
}

// decodeGMsg decodes element i of attribute key, the JSON string s of one
// message, into m (zero).
func (v *View) decodeGMsg(key string, i int, s string, m *gMsg) error {
	if len(s) <= MaxContentBytes {
		var ok bool
		if v.gparts, ok = fastGMsg(s, m, reuseParts(v.gparts, &v.gdirty[1])); ok {
			return nil // m.Parts is in v.gparts
		}
	}
	return unmarshalLocal(fmt.Sprintf("%s[%d]", key, i), s, m)
}

// genAIPartsSlice adds the parts of message i given as a pdata slice. Their
// text counts against the span's budget for structured content, and a part
// whose value is a map or slice is rendered only if it is shallow enough.
// Only the properties the part's type defines are read.
func (v *View) genAIPartsSlice(c *convo, key string, i int, parts pcommon.Value) error {
	if parts.Type() != pcommon.ValueTypeSlice {
		return typeError(fmt.Sprintf("%s[%d].parts", key, i), parts.Type(), "a slice")
	}
	ps := parts.Slice()
	for j := 0; j < ps.Len(); j++ {
		pv := ps.At(j)
		if pv.Type() != pcommon.ValueTypeMap {
			return typeError(fmt.Sprintf("%s[%d].parts[%d]", key, i, j), pv.Type(), "a map")
		}
		part := v.mapPart(key, pv.Map())
		if err := v.rd.take(); err != nil {
			return err
		}
		c.addGenAIPart(&part)
	}
	return nil
}

// mapPart reads one part given as a pdata map; an error is left in v.rd.
func (v *View) mapPart(key string, p pcommon.Map) genAIPart {
	g := genAIPart{typ: mapStr(p, "type"), id: mapStr(p, "id"), name: mapStr(p, "name")}
	switch g.typ {
	case "text", "reasoning":
		g.content = v.mapText(key, p, "content")
	case "blob", "uri", "file":
		g.content = v.mapTextStr(key, p, "transcript")
	case "tool_call":
		g.args = v.mapText(key, p, "arguments")
	case "tool_call_response":
		// null counts as absent, as in the JSON form
		if r, ok := p.Get("response"); ok && r.Type() != pcommon.ValueTypeEmpty {
			g.resp = v.mapText(key, p, "response")
		} else {
			g.resp = v.mapText(key, p, "result")
		}
	case "server_tool_call":
		g.args = v.mapText(key, p, "server_tool_call")
	case "server_tool_call_response":
		g.resp = v.mapText(key, p, "server_tool_call_response")
	}
	return g
}

// mapStr is a string field of a pdata map, "" when absent or not a string.
func mapStr(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// mapText is field k of a pdata map inside attribute key as text (maps and
// slices as JSON, an empty value or null as ""); an error is left in v.rd.
func (v *View) mapText(key string, m pcommon.Map, k string) string {
	if val, ok := m.Get(k); ok {
		return v.rd.part(key, val)
	}
	return ""
}

// mapTextStr is mapText for a field the schema types as a string: any
// other type is read as absent, as the JSON form reads it.
func (v *View) mapTextStr(key string, m pcommon.Map, k string) string {
	if val, ok := m.Get(k); ok && val.Type() == pcommon.ValueTypeStr {
		return v.rd.part(key, val)
	}
	return ""
}

// systemInstructions decodes gen_ai.system_instructions, a JSON array of
// parts (or a pdata slice of maps), appending its text parts to dst. Other
// parts (generic ones such as cache_control) are skipped.
func (v *View) systemInstructions(key string, val pcommon.Value, dst []string) ([]string, error) {
	v.rd.reset()
	switch val.Type() {
	case pcommon.ValueTypeStr:
		parts, fast := v.gparts[:0], false
		if s := val.Str(); len(s) <= MaxContentBytes {
			parts, fast = fastGParts(s, parts)
		}
		if !fast {
			clear(parts[:cap(parts)]) // encoding/json decodes into them (see reuse)
			if err := unmarshalLocal(key, val.Str(), &parts); err != nil {
				v.gparts = reuseParts(parts, &v.gdirty[1])
				return dst, err
			}
		}
		for i := range parts {
			if parts[i].Type.s == "text" && len(dst) < MaxMessages {
				dst = append(dst, parts[i].Content.s)
			}
		}
		v.gparts = reuseParts(parts, &v.gdirty[1])
		return dst, nil
	case pcommon.ValueTypeSlice:
		s := val.Slice()
		for i := 0; i < s.Len() && len(dst) < MaxMessages; i++ {
			e := s.At(i)
			if e.Type() != pcommon.ValueTypeMap {
				return dst, typeError(fmt.Sprintf("%s[%d]", key, i), e.Type(), "a map")
			}
			if mapStr(e.Map(), "type") == "text" {
				dst = append(dst, v.mapText(key, e.Map(), "content"))
				if err := v.rd.take(); err != nil {
					return dst, err
				}
			}
		}
		return dst, nil
	}
	return dst, typeError(key, val.Type(), "a JSON string or a slice")
}

// jsonStr is a JSON property the schema types as a string (or null): a
// string is kept, any other JSON value is read as absent rather than
// failing the whole attribute.
type jsonStr struct{ s string }

func (t *jsonStr) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '"' {
		t.s = ""
		return nil
	}
	if !slices.Contains(b, '\\') {
		t.s = string(b[1 : len(b)-1])
		return nil
	}
	if err := json.Unmarshal(b, &t.s); err != nil {
		return errNestedShape
	}
	return nil
}
