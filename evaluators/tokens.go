package evaluators

import (
	"context"
	"errors"
	"fmt"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// tokensEvaluator bounds the token usage a span reports, in any layout. A
// bound whose count the span does not report is not checked. Its score is
// the total when known.
type tokensEvaluator struct {
	maxInput, maxOutput, maxTotal int64
}

type tokensSettings struct {
	MaxInput  int64 `mapstructure:"max_input"`
	MaxOutput int64 `mapstructure:"max_output"`
	MaxTotal  int64 `mapstructure:"max_total"`
}

func newTokens(e config.Evaluator, _ spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s tokensSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	if s.MaxInput == 0 && s.MaxOutput == 0 && s.MaxTotal == 0 {
		return nil, errors.New("max_input, max_output or max_total: at least one is required")
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"max_input", s.MaxInput}, {"max_output", s.MaxOutput}, {"max_total", s.MaxTotal}} {
		if f.v < 0 {
			return nil, fmt.Errorf("%s: must be positive", f.name)
		}
	}
	return &tokensEvaluator{maxInput: s.MaxInput, maxOutput: s.MaxOutput, maxTotal: s.MaxTotal}, nil
}

// total is the reported total, else input + output when both are known.
func total(u spanmodel.Usage) int64 {
	if u.Total >= 0 {
		return u.Total
	}
	if u.Input >= 0 && u.Output >= 0 {
		return u.Input + u.Output
	}
	return -1
}

func (e *tokensEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	u := v.Usage()
	tot := total(u)
	checked := false
	var fail Result
	check := func(name string, count, max int64) {
		if max == 0 || count < 0 {
			return
		}
		checked = true
		if count > max && fail.Verdict != Fail {
			fail = Failed("%s tokens %d > max_%s %d", name, count, name, max)
		}
	}
	check("input", u.Input, e.maxInput)
	check("output", u.Output, e.maxOutput)
	check("total", tot, e.maxTotal)
	if !checked {
		return Skipped()
	}
	r := Passed()
	if fail.Verdict == Fail {
		r = fail
	}
	if tot >= 0 {
		r = r.WithScore(float64(tot))
	}
	return r
}
