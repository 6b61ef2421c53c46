package evaluators

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// containsEvaluator checks the target for literal substrings.
type containsEvaluator struct {
	target spanmodel.Target
	fold   bool
	any    []string
	all    []string
	none   []string
	// lits holds the needles of any, all and none, in that order, in the
	// target's literal automaton.
	lits literals
}

type containsSettings struct {
	Any           []string `mapstructure:"any"`
	All           []string `mapstructure:"all"`
	None          []string `mapstructure:"none"`
	CaseSensitive bool     `mapstructure:"case_sensitive"`
}

func newContains(e config.Evaluator, target spanmodel.Target, set *Settings) (Evaluator, error) {
	var s containsSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	if len(s.Any)+len(s.All)+len(s.None) == 0 {
		return nil, errors.New("any, all or none: at least one list is required")
	}
	ev := &containsEvaluator{target: target, fold: !s.CaseSensitive}
	var err error
	if ev.any, err = needles("any", s.Any, ev.fold); err != nil {
		return nil, err
	}
	if ev.all, err = needles("all", s.All, ev.fold); err != nil {
		return nil, err
	}
	if ev.none, err = needles("none", s.None, ev.fold); err != nil {
		return nil, err
	}
	all := append(append(append([]string(nil), ev.any...), ev.all...), ev.none...)
	ev.lits = set.literals.add(target, all...)
	return ev, nil
}

func needles(field string, in []string, fold bool) ([]string, error) {
	out := make([]string, len(in))
	for i, n := range in {
		if n == "" {
			return nil, fmt.Errorf("%s[%d]: empty string", field, i)
		}
		if fold {
			n = strings.ToLower(n)
		}
		out[i] = n
	}
	return out, nil
}

func (e *containsEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	text, r, ok := textOf(v, e.target)
	if !ok {
		return r
	}
	// A needle the target's literal scan did not hit is absent; one it
	// hit is confirmed here, in the text lower-cased only then.
	hits := e.lits.hits(v, text)
	lowered := !e.fold
	contains := func(i int, n string) bool {
		if !e.lits.may(hits, i) {
			return false
		}
		if !lowered {
			// ToLower returns text itself when it has nothing to lower.
			text, lowered = strings.ToLower(text), true
		}
		return strings.Contains(text, n)
	}
	base := len(e.any) + len(e.all)
	for i, n := range e.none {
		if contains(base+i, n) {
			return Failed("%s contains %q", e.target, n)
		}
	}
	for i, n := range e.all {
		if !contains(len(e.any)+i, n) {
			return Failed("%s lacks %q", e.target, n)
		}
	}
	if len(e.any) > 0 {
		for i, n := range e.any {
			if contains(i, n) {
				return Passed()
			}
		}
		return Failed("%s contains none of any", e.target)
	}
	return Passed()
}
