package evaluators

import (
	"context"
	"errors"
	"fmt"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// ottlEvaluator fails a span when any of the user's OTTL conditions is true:
// a team's own metric, written over its own traces.
type ottlEvaluator struct {
	conditions []*spanmodel.Condition
}

type ottlSettings struct {
	FailWhen any `mapstructure:"fail_when"`
}

func newOTTL(e config.Evaluator, _ spanmodel.Target, set *Settings) (Evaluator, error) {
	var s ottlSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	conds, err := config.StringList(s.FailWhen)
	if err != nil {
		return nil, fmt.Errorf("fail_when: %w", err)
	}
	if len(conds) == 0 {
		return nil, errors.New("fail_when: required, one OTTL span condition or a list")
	}
	ev := &ottlEvaluator{conditions: make([]*spanmodel.Condition, len(conds))}
	for i, c := range conds {
		if ev.conditions[i], err = set.conditions.Parse([]string{c}); err != nil {
			return nil, fmt.Errorf("fail_when[%d]: %w", i, err)
		}
	}
	return ev, nil
}

// ErrOTTLRuntime stands for an OTTL condition's run-time error (a value it
// could not convert, a function that failed), whose own message quotes
// span content.
var ErrOTTLRuntime = errors.New("OTTL condition failed at run time")

func (e *ottlEvaluator) Evaluate(ctx context.Context, v *spanmodel.View) Result {
	for i, c := range e.conditions {
		match, err := c.Match(ctx, v)
		if err != nil {
			// OTTL's run-time errors quote the values they could not
			// convert or parse: span content, which a reason never holds.
			return Errored(fmt.Errorf("fail_when[%d]: %w", i, ErrOTTLRuntime))
		}
		if match {
			return Failed("fail_when[%d] is true", i)
		}
	}
	return Passed()
}
