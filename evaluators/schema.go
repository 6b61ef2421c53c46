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
// the JSON pointer and keyword of the first failure, never a value: object
// keys of the instance are content, so a key (in the pointer, or missing)
// is named only when known holds it (names the configured schema
// declares), else it is "*"; array indexes are positions and are kept.
func validateJSON(sch *jsonschema.Schema, text string, known map[string]bool) (ok bool, explanation string) {
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
		return false, "does not validate"
	}
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	return false, fmt.Sprintf("at %s: %s", jsonPointer(ve.InstanceLocation, known), describeKind(ve.ErrorKind, known))
}

func jsonPointer(loc []string, known map[string]bool) string {
	if len(loc) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, p := range loc {
		b.WriteByte('/')
		if !known[p] && !isIndex(p) {
			b.WriteByte('*')
			continue
		}
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// describeKind names the failing keyword; a missing property is named
// when the schema is known to declare it, unexpected properties are
// counted (they are the instance's keys).
func describeKind(k jsonschema.ErrorKind, known map[string]bool) string {
	switch k := k.(type) {
	case *kind.Required:
		var names []string
		for _, m := range k.Missing {
			if known[m] {
				names = append(names, m)
			}
		}
		if len(names) == len(k.Missing) {
			return "required: missing " + strings.Join(names, ", ")
		}
		return fmt.Sprintf("required: %d missing", len(k.Missing))
	case *kind.AdditionalProperties:
		return fmt.Sprintf("additionalProperties: %d unexpected", len(k.Properties))
	case *kind.Type:
		return fmt.Sprintf("type: got %s, want %s", k.Got, strings.Join(k.Want, " or "))
	}
	return strings.Join(k.KeywordPath(), "/")
}

// schemaNames are the names a configured schema document declares (every
// object key and every string of a "required" list): configuration, not
// content, so reasons may name them.
func schemaNames(doc any) map[string]bool {
	names := map[string]bool{}
	stack := []any{doc}
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch d := d.(type) {
		case map[string]any:
			for k, v := range d {
				names[k] = true
				if req, ok := v.([]any); ok && k == "required" {
					for _, r := range req {
						if s, ok := r.(string); ok {
							names[s] = true
						}
					}
				}
				stack = append(stack, v)
			}
		case []any:
			stack = append(stack, d...)
		}
	}
	return names
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
