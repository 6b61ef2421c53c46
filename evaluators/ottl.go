package evaluators

import (
	"context"
	"errors"
	"fmt"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottlspan"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// ottlEvaluator fails a span when any of the user's OTTL conditions is true:
// a team's own metric, written over its own traces.
type ottlEvaluator struct {
	conditions []*ottl.Condition[*ottlspan.TransformContext]
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
	ev := &ottlEvaluator{conditions: make([]*ottl.Condition[*ottlspan.TransformContext], len(conds))}
	for i, c := range conds {
		if ev.conditions[i], err = set.parser.ParseCondition(c); err != nil {
			return nil, fmt.Errorf("fail_when[%d]: %w", i, err)
		}
	}
	return ev, nil
}

func (e *ottlEvaluator) Evaluate(ctx context.Context, v *spanmodel.View) Result {
	tctx := v.TransformContext()
	for i, c := range e.conditions {
		match, err := c.Eval(ctx, tctx)
		if err != nil {
			return Errored(fmt.Errorf("fail_when[%d]: %w", i, err))
		}
		if match {
			return Failed("fail_when[%d] is true", i)
		}
	}
	return Passed()
}
