// Package config holds the configuration types shared by the llmeval
// processor, its evaluators and the command-line tools, and the rules that
// validate them.
package config

import (
	"fmt"
	"reflect"
	"regexp"

	"go.opentelemetry.io/collector/confmap"
)

// Evaluator is one entry of the processor's `evaluators` list. The keys every
// type shares are fields; the keys of one type stay in Settings and are
// decoded strictly by that type, so a key that belongs to another type is an
// error instead of being silently ignored.
type Evaluator struct {
	// Name becomes the attribute key segment: <prefix>.<name>.verdict.
	Name string `mapstructure:"name"`
	// Type selects the check, e.g. regex, json, latency.
	Type string `mapstructure:"type"`
	// When lists OTTL span conditions; the evaluator runs on a span if any is
	// true. Empty means every LLM/agent span.
	When []string `mapstructure:"when"`
	// Target names the text the check reads (see ParseTarget). Empty means the
	// type's default.
	Target string `mapstructure:"target"`
	// Settings are the type-specific keys.
	Settings map[string]any `mapstructure:",remain"`
}

var nameRE = regexp.MustCompile(`^[a-z0-9_]+$`)

// Entries is the evaluator list a processor runs: the built-in default set
// (when enabled) followed by the user's own `evaluators`. Errors name an
// entry by the list the user wrote it in and its index there.
type Entries struct {
	Defaults []Evaluator
	User     []Evaluator
}

// All is every entry, defaults first.
func (es Entries) All() []Evaluator {
	if len(es.Defaults) == 0 {
		return es.User
	}
	return append(append(make([]Evaluator, 0, len(es.Defaults)+len(es.User)), es.Defaults...), es.User...)
}

// Label names entry i of All: `default_evaluators[1] "pii"`,
// `evaluators[2] "no_competitor"`, or `evaluators[3]` when it has no name.
func (es Entries) Label(i int) string {
	block, ev := "evaluators", Evaluator{}
	if i < len(es.Defaults) {
		block, ev = "default_evaluators", es.Defaults[i]
	} else {
		i -= len(es.Defaults)
		ev = es.User[i]
	}
	if ev.Name == "" {
		return fmt.Sprintf("%s[%d]", block, i)
	}
	return fmt.Sprintf("%s[%d] %q", block, i, ev.Name)
}

// ValidateNames checks that every entry has a valid, unique name and a
// type, and reports every mistake, each naming its entry. Type-specific keys
// are checked when the evaluator is built.
func (es Entries) ValidateNames() []error {
	var errs []error
	all := es.All()
	seen := make(map[string]int, len(all))
	for i, ev := range all {
		switch {
		case ev.Name == "":
			errs = append(errs, fmt.Errorf("%s: name: required", es.Label(i)))
		case !nameRE.MatchString(ev.Name):
			errs = append(errs, fmt.Errorf("%s: name: must match [a-z0-9_]+", es.Label(i)))
		default:
			if j, dup := seen[ev.Name]; dup {
				errs = append(errs, fmt.Errorf("%s: name: duplicate of %s", es.Label(i), es.Label(j)))
			}
			seen[ev.Name] = i
		}
		if ev.Type == "" {
			errs = append(errs, fmt.Errorf("%s: type: required", es.Label(i)))
		}
	}
	return errs
}

// DecodeSettings decodes the type-specific keys into out, rejecting unknown
// keys. It uses the Collector's own decoder, so durations, byte sizes and
// other hooks behave as in any component config.
func (ev Evaluator) DecodeSettings(out any) error {
	if len(ev.Settings) == 0 {
		return nil
	}
	if err := RequireDurationUnits(ev.Settings, reflect.TypeOf(out)); err != nil {
		return err
	}
	return confmap.NewFromStringMap(ev.Settings).Unmarshal(out)
}

// StringList accepts either one string or a list of strings in YAML, e.g.
// `fail_when: 'cond'` and `fail_when: ['a', 'b']`.
func StringList(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case []string:
		return x, nil
	case []any:
		out := make([]string, 0, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("[%d]: must be a string, got %T", i, e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("must be a string or a list of strings, got %T", v)
}
