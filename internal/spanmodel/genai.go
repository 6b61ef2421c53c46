package spanmodel

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// GenAI semconv: gen_ai.input.messages / gen_ai.output.messages /
// gen_ai.system_instructions.

type gMsg struct {
	Role         string  `json:"role"`
	Parts        []gPart `json:"parts"`
	FinishReason string  `json:"finish_reason"`
}

type gPart struct {
	Type      string   `json:"type"`
	Content   jsonText `json:"content"`
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Arguments jsonText `json:"arguments"`
	Response  jsonText `json:"response"`
	Result    jsonText `json:"result"` // pydantic-ai spells the response "result"
}

func (c *convo) addGenAIPart(p *gPart) {
	switch p.Type {
	case "text":
		c.addText(p.Content.s)
	case "tool_call":
		c.addCall(ToolCall{ID: p.ID, Name: p.Name, Arguments: p.Arguments.s})
	case "tool_call_response":
		c.addResult(ToolResult{ID: p.ID, Name: p.Name, Content: either(p.Response, p.Result)})
	}
}

// addGenAIMsg appends m; false once MaxMessages is reached.
func (c *convo) addGenAIMsg(m *gMsg) bool {
	if !c.begin(m.Role) {
		return false
	}
	c.setFinish(m.FinishReason)
	for i := range m.Parts {
		c.addGenAIPart(&m.Parts[i])
	}
	return true
}

// genAIMessages decodes a GenAI messages attribute: a JSON string, or a
// pdata slice whose elements are maps (or JSON strings of one message).
func (v *View) genAIMessages(key string, val pcommon.Value, c *convo) error {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		msgs := v.gmsgs[:0]
		err := unmarshalContent(key, unwrapMessages(val.Str()), &msgs)
		if err == nil {
			for i := range msgs {
				if !c.addGenAIMsg(&msgs[i]) {
					break
				}
			}
		}
		v.gmsgs = resetBuf(msgs)
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
				if err := unmarshalContent(fmt.Sprintf("%s[%d]", key, i), e.Str(), &m); err != nil {
					return err
				}
				if !c.addGenAIMsg(&m) {
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

// genAIPartsSlice adds the parts of message i given as a pdata slice. Their
// text counts against the span's budget for structured content, and a part
// whose value is a map or slice is rendered only if it is shallow enough.
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
		p := pv.Map()
		part := gPart{Type: mapStr(p, "type"), ID: mapStr(p, "id"), Name: mapStr(p, "name")}
		part.Content.s = v.mapText(key, p, "content")
		part.Arguments.s = v.mapText(key, p, "arguments")
		part.Response.s = v.mapText(key, p, "response")
		if part.Response.s == "" {
			part.Response.s = v.mapText(key, p, "result")
		}
		if err := v.rd.take(); err != nil {
			return err
		}
		c.addGenAIPart(&part)
	}
	return nil
}

// mapStr is a string field of a pdata map, "" when absent or not a string.
func mapStr(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// mapText is field k of a pdata map inside attribute key as text (maps and
// slices as JSON); an error is left in v.rd.
func (v *View) mapText(key string, m pcommon.Map, k string) string {
	if val, ok := m.Get(k); ok {
		return v.rd.part(key, val)
	}
	return ""
}

// systemInstructions decodes gen_ai.system_instructions, a JSON array of
// parts (or a pdata slice of maps), appending its text parts to dst.
func (v *View) systemInstructions(key string, val pcommon.Value, dst []string) ([]string, error) {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		var parts []gPart
		if err := unmarshalContent(key, val.Str(), &parts); err != nil {
			return dst, err
		}
		for i := range parts {
			if parts[i].Type == "text" && len(dst) < MaxMessages {
				dst = append(dst, parts[i].Content.s)
			}
		}
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
