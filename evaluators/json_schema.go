package evaluators

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// jsonSchemaEvaluator validates the target against a JSON Schema compiled
// once at start-up.
type jsonSchemaEvaluator struct {
	target spanmodel.Target
	schema *jsonschema.Schema
	names  map[string]bool // names the schema declares, which reasons may quote
}

type jsonSchemaSettings struct {
	Schema     map[string]any `mapstructure:"schema"`
	SchemaFile string         `mapstructure:"schema_file"`
}

func newJSONSchema(e config.Evaluator, target spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s jsonSchemaSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	var doc any
	field := "schema"
	switch {
	case s.Schema != nil && s.SchemaFile != "":
		return nil, errors.New("schema, schema_file: set exactly one")
	case s.Schema != nil:
		// Round-trip through JSON: YAML maps carry Go types the validator
		// does not know (int, map[string]any from confmap).
		b, err := json.Marshal(s.Schema)
		if err != nil {
			return nil, fmt.Errorf("schema: %w", err)
		}
		if doc, err = jsonschema.UnmarshalJSON(strings.NewReader(string(b))); err != nil {
			return nil, fmt.Errorf("schema: %w", err)
		}
	case s.SchemaFile != "":
		field = "schema_file"
		f, err := os.Open(s.SchemaFile)
		if err != nil {
			return nil, fmt.Errorf("schema_file: %w", err)
		}
		defer func() { _ = f.Close() }() // read only
		if doc, err = jsonschema.UnmarshalJSON(f); err != nil {
			return nil, fmt.Errorf("schema_file: %s: %w", s.SchemaFile, err)
		}
	default:
		return nil, errors.New("schema or schema_file: one is required")
	}
	sch, err := compileSchema(doc, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return &jsonSchemaEvaluator{target: target, schema: sch, names: schemaNames(doc)}, nil
}

func (e *jsonSchemaEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	text, r, ok := textOf(v, e.target)
	if !ok {
		return r
	}
	doc, err := ExtractJSON(text)
	if err != nil {
		return Failed("not JSON: %v", err)
	}
	if ok, why := validateJSON(e.schema, doc, e.names); !ok {
		return Failed("schema: %s", why)
	}
	return Passed()
}
