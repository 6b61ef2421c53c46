package evaluators

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// schemaURL names the one resource a compiler holds; nothing else loads.
const schemaURL = "file:///llmeval/schema.json"

// compileSchema compiles one JSON Schema document (draft 2020-12 unless
// its $schema says otherwise). References resolve only inside the
// document: remote and file $refs are refused, so evaluation never touches
// the network or disk.
//
// lenient accepts patterns Go's RE2 cannot compile (lookarounds, which zod
// emits for e-mail and similar formats in tool schemas) as always matching,
// so a declared tool is still checked for everything else; users' own
// json_schema schemas stay strict.
func compileSchema(doc any, lenient bool) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(jsonschema.SchemeURLLoader{})
	if lenient {
		c.UseRegexpEngine(lenientRegexp)
	}
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
}

// validateJSON validates JSON text against a schema. The explanation names
// the JSON pointer and keyword of the first failure, never the value.
func validateJSON(sch *jsonschema.Schema, text string) (ok bool, explanation string) {
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return false, "not JSON: " + jsonError(text).Error()
	}
	err = sch.Validate(inst)
	if err == nil {
		return true, ""
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return false, err.Error()
	}
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	return false, fmt.Sprintf("at %s: %s", jsonPointer(ve.InstanceLocation), describeKind(ve.ErrorKind))
}

func jsonPointer(loc []string) string {
	if len(loc) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, p := range loc {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// describeKind names the failing keyword; for required and
// additionalProperties it adds the property names, which come from the
// schema or are keys, not values.
func describeKind(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Required:
		return "required: missing " + strings.Join(k.Missing, ", ")
	case *kind.AdditionalProperties:
		return "additionalProperties: unexpected " + strings.Join(k.Properties, ", ")
	case *kind.Type:
		return fmt.Sprintf("type: got %s, want %s", k.Got, strings.Join(k.Want, " or "))
	}
	return strings.Join(k.KeywordPath(), "/")
}

// anyString matches everything: the stand-in for a pattern RE2 rejects.
type anyString string

func (a anyString) MatchString(string) bool { return true }
func (a anyString) String() string          { return string(a) }

func lenientRegexp(pattern string) (jsonschema.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return anyString(pattern), nil
	}
	return re, nil
}
