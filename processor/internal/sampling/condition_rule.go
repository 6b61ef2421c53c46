package sampling

import (
	"context"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// conditionRule matches spans for which an OTTL span condition is true.
type conditionRule struct {
	cond *spanmodel.Condition
}

func newConditionRule(conds []string, parser *spanmodel.ConditionParser) (*conditionRule, error) {
	c, err := parser.Parse(conds)
	if err != nil {
		return nil, err
	}
	return &conditionRule{cond: c}, nil
}

// match treats an evaluation error as no match: sampling is best effort.
func (r *conditionRule) match(ctx context.Context, f *SpanFacts) bool {
	ok, err := r.cond.Match(ctx, f.View)
	return err == nil && ok
}
