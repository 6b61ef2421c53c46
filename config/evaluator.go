// Package config holds the configuration types shared by the llmeval
// processor, its evaluators and the command-line tools, and the rules that
// validate them.
package config

import (
	"errors"
	"fmt"
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

// ValidateNames checks that every evaluator has a valid, unique name and a
// type. Type-specific keys are checked when the evaluator is built.
func ValidateNames(evs []Evaluator) error {
	var errs []error
	seen := make(map[string]int, len(evs))
	for i, ev := range evs {
		switch {
		case ev.Name == "":
			errs = append(errs, fmt.Errorf("evaluators[%d]: name: required", i))
		case !nameRE.MatchString(ev.Name):
			errs = append(errs, fmt.Errorf("evaluators[%d] %q: name: must match [a-z0-9_]+", i, ev.Name))
		default:
			if j, dup := seen[ev.Name]; dup {
				errs = append(errs, fmt.Errorf("evaluators[%d] %q: name: duplicate of evaluators[%d]", i, ev.Name, j))
			}
			seen[ev.Name] = i
		}
		if ev.Type == "" {
			errs = append(errs, fmt.Errorf("%s: type: required", ev.Label(i)))
		}
	}
	return errors.Join(errs...)
}

// Label names an entry in error messages: `evaluators[2] "no_competitor"`.
func (ev Evaluator) Label(index int) string {
	if ev.Name == "" {
		return fmt.Sprintf("evaluators[%d]", index)
	}
	return fmt.Sprintf("evaluators[%d] %q", index, ev.Name)
}

// DecodeSettings decodes the type-specific keys into out, rejecting unknown
// keys. It uses the Collector's own decoder, so durations, byte sizes and
// other hooks behave as in any component config.
func (ev Evaluator) DecodeSettings(out any) error {
	if len(ev.Settings) == 0 {
		return nil
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
