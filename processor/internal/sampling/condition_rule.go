package sampling

import (
	"context"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
)

// conditionRule matches spans for which an OTTL span condition is true.
type conditionRule struct {
	cond *evaluators.Condition
}

func newConditionRule(conds []string, tel component.TelemetrySettings) (*conditionRule, error) {
	c, err := evaluators.ParseConditions(conds, tel)
	if err != nil {
		return nil, err
	}
	return &conditionRule{cond: c}, nil
}

// match treats an evaluation error as no match: sampling is best effort.
func (r *conditionRule) match(ctx context.Context, f *SpanFacts) bool {
	ok, err := r.cond.Eval(ctx, f.View.TransformContext())
	return err == nil && ok
}
