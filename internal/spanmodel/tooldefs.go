package spanmodel

import (
	"encoding/json"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// ToolDefinition is a tool the request declared to the model.
type ToolDefinition struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the arguments as raw JSON text, ""
	// when the definition gives none.
	Parameters string
}

// toolDefs is the lazily decoded tool list of a span.
type toolDefs struct {
	done bool
	defs []ToolDefinition
	err  error
}

// toolDefJSON reads the shapes producers use for one tool: GenAI semconv and
// the Vercel AI SDK ({type, name, parameters | inputSchema}), OpenAI
// ({type: function, function: {name, parameters}}) and Anthropic
// ({name, input_schema}).
//
// As in messages, a property of an unexpected JSON type (a numeric name,
// an object as description) is read as absent, not an error.
type toolDefJSON struct {
	Name        jsonStr         `json:"name"`
	Description jsonStr         `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
	InputSchema json.RawMessage `json:"inputSchema"`
	InputSnake  json.RawMessage `json:"input_schema"`
	Function    *struct {
		Name        jsonStr         `json:"name"`
		Description jsonStr         `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
	} `json:"function"`
}

// UnmarshalJSON also reads a bare string as a tool's name: Mastra lists
// its agent's tools by name only (["get_weather"]).
func (d *toolDefJSON) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		*d = toolDefJSON{}
		return d.Name.UnmarshalJSON(b)
	}
	type plain toolDefJSON // without this method
	return json.Unmarshal(b, (*plain)(d))
}

func (d toolDefJSON) definition() ToolDefinition {
	if d.Function != nil {
		return ToolDefinition{Name: d.Function.Name.s, Description: d.Function.Description.s, Parameters: string(d.Function.Parameters)}
	}
	params := d.Parameters
	if len(params) == 0 {
		params = d.InputSchema
	}
	if len(params) == 0 {
		params = d.InputSnake
	}
	return ToolDefinition{Name: d.Name.s, Description: d.Description.s, Parameters: string(params)}
}

// suffixOIJSONSchema ends the OpenInference key of one tool's schema.
const suffixOIJSONSchema = ".tool.json_schema"

// ToolDefinitions returns the tools the span's request declared, from
// gen_ai.tool.definitions (a JSON array), OpenInference
// llm.tools.N.tool.json_schema (one JSON object each) or Vercel
// ai.prompt.tools (an array of JSON strings). It is decoded on first use,
// at most once per span; nil when the span declares none.
func (v *View) ToolDefinitions() ([]ToolDefinition, error) {
	td := &v.tools
	if td.done {
		return td.defs, td.err
	}
	td.done = true
	td.defs = td.defs[:0]
	v.rd.reset()
	if k, ok := v.firstKey(kToolDefs, kAIPromptTools); ok {
		td.err = v.decodeToolArray(keyDefs[k].name, v.vals[k])
		return td.defs, td.err
	}
	if v.indexed&idxOITools == 0 {
		return nil, nil
	}
	type indexed struct {
		n   int
		def ToolDefinition
	}
	var found []indexed
	for k, val := range v.span.Attributes().All() {
		if !strings.HasPrefix(k, oiToolsPrefix) || !strings.HasSuffix(k, suffixOIJSONSchema) {
			continue
		}
		n, err := strconv.Atoi(k[len(oiToolsPrefix) : len(k)-len(suffixOIJSONSchema)])
		if err != nil || len(found) >= MaxToolCalls {
			continue
		}
		var d toolDefJSON
		s := v.rd.attr(k, val)
		err = v.rd.take()
		if err == nil {
			err = unmarshalContent(k, s, &d)
		}
		if err != nil {
			td.err = err
			return nil, err
		}
		found = append(found, indexed{n, d.definition()})
	}
	for i := 1; i < len(found); i++ { // few tools: insertion sort by index
		for j := i; j > 0 && found[j].n < found[j-1].n; j-- {
			found[j], found[j-1] = found[j-1], found[j]
		}
	}
	for _, f := range found {
		td.defs = append(td.defs, f.def)
	}
	return td.defs, nil
}

// decodeToolArray reads a JSON array of tool objects, or a slice whose
// items are tool objects as JSON strings.
func (v *View) decodeToolArray(key string, val pcommon.Value) error {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		var defs []toolDefJSON
		if err := unmarshalContent(key, val.Str(), &defs); err != nil {
			return err
		}
		for i, d := range defs {
			if i == MaxToolCalls {
				break
			}
			v.tools.defs = append(v.tools.defs, d.definition())
		}
	case pcommon.ValueTypeSlice:
		s := val.Slice()
		for i := 0; i < s.Len() && i < MaxToolCalls; i++ {
			var d toolDefJSON
			text := v.rd.part(key, s.At(i))
			if err := v.rd.take(); err != nil {
				return err
			}
			if err := unmarshalContent(key, text, &d); err != nil {
				return err
			}
			v.tools.defs = append(v.tools.defs, d.definition())
		}
	default:
		return typeError(key, val.Type(), "a JSON string or a slice")
	}
	return nil
}
