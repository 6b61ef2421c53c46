package evaluators

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// maxCachedToolSchemas bounds the compiled parameter schemas kept: a
// service sends the same tool list on every call, so each is compiled once.
const maxCachedToolSchemas = 256

// toolCallEvaluator checks the tool calls a model requested: arguments are
// a JSON object, the tool was declared, and the arguments satisfy the
// declared parameter schema.
type toolCallEvaluator struct {
	requireDeclared bool

	mu      sync.Mutex
	schemas map[string]compiledSchema // by the parameters' JSON text
}

type compiledSchema struct {
	schema *jsonschema.Schema
	err    error
}

type toolCallSettings struct {
	RequireDeclared *bool `mapstructure:"require_declared"`
}

func newToolCall(e config.Evaluator, _ spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s toolCallSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	ev := &toolCallEvaluator{requireDeclared: true, schemas: map[string]compiledSchema{}}
	if s.RequireDeclared != nil {
		ev.requireDeclared = *s.RequireDeclared
	}
	return ev, nil
}

// requestsTools reports whether the span is a model call, whose output
// tool calls are requests; agent and tool spans only report calls.
func requestsTools(v *spanmodel.View) bool {
	switch op := v.Operation(); {
	case IsAgentOperation(op), op == "execute_tool", op == "embeddings":
		return false
	}
	return true
}

func (e *toolCallEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	if !requestsTools(v) {
		return Skipped()
	}
	calls, err := v.ToolCalls()
	if err != nil {
		return Errored(err)
	}
	if len(calls) == 0 {
		return Skipped()
	}
	defs, err := v.ToolDefinitions()
	if err != nil {
		return Errored(err)
	}
	// Calls are named by position: a tool's name, like the declared tools
	// and their schemas, comes from the span.
	for i, c := range calls {
		if c.Server {
			// A built-in tool the provider ran (code interpreter, web
			// search): declared by its provider type, not as a function,
			// and its arguments are the provider's call object.
			continue
		}
		args := strings.TrimSpace(c.Arguments)
		if args == "" {
			args = "{}"
		}
		if args[0] != '{' || !jsonValidOn(v, args) {
			return Failed("call %d of %d: arguments are not a JSON object", i+1, len(calls))
		}
		if len(defs) == 0 {
			continue
		}
		def, declared := findTool(defs, c.Name)
		if !declared {
			if e.requireDeclared {
				return Failed("call %d of %d: tool not declared", i+1, len(calls))
			}
			continue
		}
		if def.Parameters == "" || def.Parameters == "null" {
			continue
		}
		sch, err := e.schema(def.Parameters)
		if err != nil {
			return Errored(err)
		}
		if ok, why := validateJSON(sch, args, nil); !ok {
			return Failed("call %d of %d: arguments fail the declared schema %s", i+1, len(calls), why)
		}
	}
	return Passed()
}

func findTool(defs []spanmodel.ToolDefinition, name string) (spanmodel.ToolDefinition, bool) {
	for _, d := range defs {
		if d.Name == name {
			return d, true
		}
	}
	return spanmodel.ToolDefinition{}, false
}

func (e *toolCallEvaluator) schema(params string) (*jsonschema.Schema, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.schemas[params]; ok {
		return c.schema, c.err
	}
	var c compiledSchema
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(params))
	if err == nil {
		c.schema, err = compileSchema(doc, true)
	}
	if err != nil {
		c.err = errToolSchema
	}
	if len(e.schemas) >= maxCachedToolSchemas {
		clear(e.schemas)
	}
	e.schemas[params] = c
	return c.schema, c.err
}

var errToolSchema = errors.New("a declared tool's parameter schema does not compile")
