package spanmodel

import (
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// The custom message layout: for a producer the view does not know, the
// user declares in config where its messages live (message_layouts). An
// `attribute:` target reads one attribute as text; a message layout makes
// the span's input, output, system text, tool calls, model and tokens
// readable by every check and signal, as a known layout's are.

// MessageLayoutConfig is one custom message layout as the config writes it.
type MessageLayoutConfig struct {
	// Name names the layout in errors.
	Name string `mapstructure:"name"`
	// Match is an attribute key whose presence selects the layout; by
	// default any of the layout's content keys.
	Match string `mapstructure:"match"`
	// Operation is the operation of matching spans (chat, invoke_agent,
	// execute_tool, ...); OperationKey reads it from an attribute instead.
	// Default: execute_tool when only tool keys are present, else chat.
	Operation    string `mapstructure:"operation"`
	OperationKey string `mapstructure:"operation_key"`
	// Input, Output and System: where the messages live and their shape.
	Input  ContentSource `mapstructure:"input"`
	Output ContentSource `mapstructure:"output"`
	System ContentSource `mapstructure:"system"`
	// ToolArguments, ToolResult and ToolName: keys of a tool span's call.
	ToolArguments string `mapstructure:"tool_arguments"`
	ToolResult    string `mapstructure:"tool_result"`
	ToolName      string `mapstructure:"tool_name"`
	// Model, InputTokens and OutputTokens: keys of scalar facts.
	Model        string `mapstructure:"model"`
	InputTokens  string `mapstructure:"input_tokens"`
	OutputTokens string `mapstructure:"output_tokens"`
}

// ContentSource is an attribute holding messages and its shape: auto,
// genai, openai_chat or text.
type ContentSource struct {
	Key   string `mapstructure:"key"`
	Shape string `mapstructure:"shape"`
}

// CustomLayout is the compiled list of custom message layouts; the view
// uses the first whose match key a span has.
type CustomLayout struct {
	entries []customEntry
}

type customEntry struct {
	cfg     MessageLayoutConfig
	match   []string // any of these keys selects the entry
	shapes  [3]Shape // input, output, system
	keys    [5]string
	defOpTl bool // default operation: execute_tool (only tool keys declared)
}

// Custom content sources, indexes into customEntry.keys.
const (
	cInput = iota
	cOutput
	cSystem
	cToolArgs
	cToolResult
)

// BuildCustomLayout validates and compiles the layouts; errors name the
// entry (index and name) and the field, all at once. It returns nil for an
// empty list.
func BuildCustomLayout(list []MessageLayoutConfig) (*CustomLayout, error) {
	if len(list) == 0 {
		return nil, nil
	}
	var errs []error
	seen := map[string]bool{}
	cl := &CustomLayout{}
	for i := range list {
		c := list[i]
		label := fmt.Sprintf("[%d]", i)
		if c.Name != "" {
			label = fmt.Sprintf("[%d] (%s)", i, c.Name)
		}
		fail := func(field, format string, a ...any) {
			errs = append(errs, fmt.Errorf("%s: %s: %s", label, field, fmt.Sprintf(format, a...)))
		}
		switch {
		case c.Name == "":
			fail("name", "required")
		case seen[c.Name]:
			fail("name", "%q is used twice", c.Name)
		}
		seen[c.Name] = true
		e := customEntry{cfg: c, keys: [5]string{c.Input.Key, c.Output.Key, c.System.Key, c.ToolArguments, c.ToolResult}}
		for j, src := range [...]struct {
			field string
			s     ContentSource
		}{{"input", c.Input}, {"output", c.Output}, {"system", c.System}} {
			if src.s.Key == "" {
				if src.s.Shape != "" {
					fail(src.field+".key", "required when shape is set")
				}
				continue
			}
			shape := src.s.Shape
			if shape == "" {
				shape = "auto"
			}
			sh, ok := ParseShape(shape)
			if !ok {
				fail(src.field+".shape", "%q is not one of %s", src.s.Shape, strings.Join(ShapeNames(), ", "))
			}
			e.shapes[j] = sh
		}
		if c.Input.Key == "" && c.Output.Key == "" && c.ToolArguments == "" && c.ToolResult == "" {
			fail("input", "a layout needs at least one of input.key, output.key, tool_arguments, tool_result")
		}
		if c.Operation != "" && c.OperationKey != "" {
			fail("operation", "set operation or operation_key, not both")
		}
		if c.Match != "" {
			e.match = []string{c.Match}
		} else {
			for _, k := range e.keys {
				if k != "" {
					e.match = append(e.match, k)
				}
			}
		}
		e.defOpTl = c.Input.Key == "" && c.Output.Key == ""
		cl.entries = append(cl.entries, e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cl, nil
}

// SetCustomLayout makes the view read spans a custom layout matches with
// it; nil turns it off. It stays set across Reset.
func (v *View) SetCustomLayout(cl *CustomLayout) { v.custom = cl }

// matches finds the entry the span matches, remembering it in v.
func (cl *CustomLayout) matches(v *View) bool {
	attrs := v.span.Attributes()
	for i := range cl.entries {
		for _, k := range cl.entries[i].match {
			if _, ok := attrs.Get(k); ok {
				v.customEntry = &cl.entries[i]
				return true
			}
		}
	}
	v.customEntry = nil
	return false
}

// get is the span's attribute k of the matched entry's source which.
func (cl *CustomLayout) get(v *View, which int) (string, pcommon.Value, bool) {
	if v.customEntry == nil {
		return "", pcommon.Value{}, false
	}
	k := v.customEntry.keys[which]
	if k == "" {
		return "", pcommon.Value{}, false
	}
	val, ok := v.span.Attributes().Get(k)
	return k, val, ok
}

func (cl *CustomLayout) has(v *View, which int) bool {
	_, _, ok := cl.get(v, which)
	return ok
}

// decode reads source which (input or output) into c.
func (cl *CustomLayout) decode(v *View, which int, role string, c *convo) error {
	k, val, _ := cl.get(v, which)
	return v.looseContent(k, val, v.customEntry.shapes[which], role, c)
}

// system appends the system text of the matched entry's system source.
func (cl *CustomLayout) system(v *View, dst []string) ([]string, error) {
	var c convo
	if err := cl.decode(v, cSystem, "system", &c); err != nil {
		return dst, err
	}
	c.seal()
	for i := range c.msgs {
		if t := c.msgs[i].Text; t != "" {
			dst = append(dst, t)
		}
	}
	return dst, nil
}

// toolText is Text for a tool span's arguments or result.
func (cl *CustomLayout) toolText(v *View, which int) (string, bool, error) {
	k, val, ok := cl.get(v, which)
	if !ok {
		return "", false, nil
	}
	s := v.rd.attr(k, val)
	if err := v.rd.take(); err != nil {
		return "", true, err
	}
	return s, true, nil
}

// resolve sets the operation, model, tool name and tokens the matched
// entry declares.
func (cl *CustomLayout) resolve(v *View) {
	e := v.customEntry
	attrs := v.span.Attributes()
	str := func(k string) string {
		if k == "" {
			return ""
		}
		if val, ok := attrs.Get(k); ok && val.Type() == pcommon.ValueTypeStr {
			return val.Str()
		}
		return ""
	}
	switch {
	case e.cfg.OperationKey != "":
		if s := str(e.cfg.OperationKey); s != "" {
			v.operation = NormalizeOperation(s)
		}
	case e.cfg.Operation != "":
		v.operation = NormalizeOperation(e.cfg.Operation)
	case v.operation == "" && e.defOpTl:
		v.operation = "execute_tool"
	case v.operation == "":
		v.operation = "chat"
	}
	if s := str(e.cfg.Model); s != "" {
		v.customModel = s
	}
	v.customTool = str(e.cfg.ToolName)
	tok := func(k string) int64 {
		if k == "" {
			return -1
		}
		if val, ok := attrs.Get(k); ok {
			if n, ok := tokenCount(val); ok {
				return n
			}
		}
		return -1
	}
	v.customTok = [2]int64{tok(e.cfg.InputTokens), tok(e.cfg.OutputTokens)}
}
