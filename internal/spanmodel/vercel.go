package spanmodel

// Vercel AI SDK <= 6: ai.operationId, ai.prompt.messages, ai.prompt,
// ai.response.*, ai.toolCall.*.

import (
	"encoding/json"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// vercelOperation maps an ai.operationId: the provider calls
// (ai.X.doGenerate, ai.X.doStream) are chat, ai.toolCall is a tool
// execution, embeddings are embeddings and the other outer spans
// (ai.generateText, ai.streamObject, ...) are agent invocations.
func vercelOperation(id string) string {
	rest, ok := strings.CutPrefix(id, "ai.")
	if !ok {
		return ""
	}
	if rest == "toolCall" {
		return "execute_tool"
	}
	fn, sub, _ := strings.Cut(rest, ".")
	switch sub {
	case "doGenerate", "doStream":
		return "chat"
	case "doEmbed":
		return "embeddings"
	}
	switch fn {
	case "embed", "embedMany":
		return "embeddings"
	}
	return "invoke_agent"
}

type vMsg struct {
	Role    string   `json:"role"`
	Content vContent `json:"content"`
}

// textOr is a JSON value that is either a string or an array of T.
type textOr[T any] struct {
	text   string
	isText bool
	items  []T
}

func (c *textOr[T]) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '"':
		var t jsonText
		if err := t.UnmarshalJSON(b); err != nil {
			return err
		}
		c.text, c.isText = t.s, true
	case '[':
		if err := json.Unmarshal(b, &c.items); err != nil {
			return errNestedShape
		}
	case 'n':
	default:
		return errNestedShape
	}
	return nil
}

// vContent is a message content: a string or an array of parts.
type vContent = textOr[vPart]

type vPart struct {
	Type       string   `json:"type"`
	Text       jsonText `json:"text"`
	ToolCallID string   `json:"toolCallId"`
	ToolName   string   `json:"toolName"`
	Args       jsonText `json:"args"`
	Input      jsonText `json:"input"`
	Result     jsonText `json:"result"`
	Output     jsonText `json:"output"`
}

// vPrompt is ai.prompt on the outer spans.
type vPrompt struct {
	System   jsonText     `json:"system"`
	Prompt   vPromptField `json:"prompt"`
	Messages []vMsg       `json:"messages"`
}

// vPromptField is ai.prompt's prompt: a string or a message array.
type vPromptField = textOr[vMsg]

type vToolCall struct {
	ToolCallID string   `json:"toolCallId"`
	ToolName   string   `json:"toolName"`
	Args       jsonText `json:"args"`
	Input      jsonText `json:"input"`
}

func either(a, b jsonText) string {
	if a.set {
		return a.s
	}
	return b.s
}

// addVercelMsgs appends messages; false once MaxMessages is reached.
func (c *convo) addVercelMsgs(msgs []vMsg) bool {
	for i := range msgs {
		m := &msgs[i]
		if !c.begin(m.Role) {
			return false
		}
		if m.Content.isText {
			c.addText(m.Content.text)
			continue
		}
		for j := range m.Content.items {
			p := &m.Content.items[j]
			switch p.Type {
			case "text":
				c.addText(p.Text.s)
			case "tool-call":
				c.addCall(ToolCall{ID: p.ToolCallID, Name: p.ToolName, Arguments: either(p.Args, p.Input)})
			case "tool-result":
				c.addResult(ToolResult{ID: p.ToolCallID, Name: p.ToolName, Content: either(p.Result, p.Output)})
			}
		}
	}
	return true
}

func vercelString(key string, val pcommon.Value) (string, error) {
	if val.Type() != pcommon.ValueTypeStr {
		return "", typeError(key, val.Type(), "a JSON string")
	}
	return val.Str(), nil
}

func (c *convo) vercelPromptMessages(key string, val pcommon.Value) error {
	s, err := vercelString(key, val)
	if err != nil {
		return err
	}
	var msgs []vMsg
	if err := unmarshalContent(key, s, &msgs); err != nil {
		return err
	}
	c.addVercelMsgs(msgs)
	return nil
}

func (c *convo) vercelPrompt(key string, val pcommon.Value) error {
	s, err := vercelString(key, val)
	if err != nil {
		return err
	}
	var p vPrompt
	if err := unmarshalContent(key, s, &p); err != nil {
		return err
	}
	if p.System.set && c.begin("system") {
		c.addText(p.System.s)
	}
	if p.Prompt.isText && c.begin("user") {
		c.addText(p.Prompt.text)
	}
	if c.addVercelMsgs(p.Prompt.items) {
		c.addVercelMsgs(p.Messages)
	}
	return nil
}

func (c *convo) vercelToolCalls(key string, val pcommon.Value) error {
	s, err := vercelString(key, val)
	if err != nil {
		return err
	}
	var calls []vToolCall
	if err := unmarshalContent(key, s, &calls); err != nil {
		return err
	}
	for i := range calls {
		tc := &calls[i]
		c.addCall(ToolCall{ID: tc.ToolCallID, Name: tc.ToolName, Arguments: either(tc.Args, tc.Input)})
	}
	return nil
}

// vercelResponse reads the output of a Vercel call span: ai.response.text
// (or .object) and ai.response.toolCalls, with ai.response.finishReason.
func (v *View) vercelResponse(c *convo) error {
	c.begin("assistant")
	c.setFinish(v.str(kAIFinish))
	if k, ok := v.firstKey(kAIRespText, kAIRespObject); ok {
		c.addText(v.rd.attr(keyDefs[k].name, v.vals[k]))
	}
	if v.has.has(kAIRespToolCalls) {
		return c.vercelToolCalls(keyDefs[kAIRespToolCalls].name, v.vals[kAIRespToolCalls])
	}
	return nil
}
