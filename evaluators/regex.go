package evaluators

import (
	"context"
	"errors"
	"fmt"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// regexEvaluator checks the target against RE2 patterns, which run in time
// linear in the input whatever the pattern.
type regexEvaluator struct {
	target      spanmodel.Target
	mustMatch   *filteredRegexp
	mustntMatch *filteredRegexp
	// lits is the handle to the target's literal scan (any of the two
	// patterns' literals; zero when neither has a prefilter).
	lits literals
}

type regexSettings struct {
	MustMatch    string `mapstructure:"must_match"`
	MustNotMatch string `mapstructure:"must_not_match"`
}

func newRegex(e config.Evaluator, target spanmodel.Target, set *Settings) (Evaluator, error) {
	var s regexSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	if s.MustMatch == "" && s.MustNotMatch == "" {
		return nil, errors.New("must_match or must_not_match: at least one is required")
	}
	ev := &regexEvaluator{target: target}
	var err error
	if s.MustMatch != "" {
		if ev.mustMatch, err = compileFiltered(s.MustMatch, target, set.literals); err != nil {
			return nil, fmt.Errorf("must_match: %w", err)
		}
	}
	if s.MustNotMatch != "" {
		if ev.mustntMatch, err = compileFiltered(s.MustNotMatch, target, set.literals); err != nil {
			return nil, fmt.Errorf("must_not_match: %w", err)
		}
	}
	for _, f := range []*filteredRegexp{ev.mustMatch, ev.mustntMatch} {
		if f != nil && f.lits.x != nil {
			ev.lits = f.lits
		}
	}
	return ev, nil
}

func (e *regexEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	text, r, ok := textOf(v, e.target)
	if !ok {
		return r
	}
	// Reasons never quote the matched text: it may be the very secret or
	// personal data the pattern looks for.
	var lower string
	lowered := func() string {
		if lower == "" {
			lower = lowerForPrefilter(text)
		}
		return lower
	}
	hits := e.lits.hits(v, text)
	if e.mustMatch != nil && e.mustMatch.find(text, lowered, hits) < 0 {
		return Failed("%s does not match must_match", e.target)
	}
	if e.mustntMatch != nil {
		if at := e.mustntMatch.find(text, lowered, hits); at >= 0 {
			return Failed("%s matches must_not_match at byte %d", e.target, at)
		}
	}
	return Passed()
}
