package sampling

import (
	"context"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/contract"
)

// verdictRule matches spans that failed any of the named evaluators, or any
// evaluator at all.
type verdictRule struct {
	any   bool
	names map[string]bool
}

func newVerdictRule(names []string) *verdictRule {
	r := &verdictRule{names: map[string]bool{}}
	for _, n := range names {
		if n == contract.AnyEvaluator {
			r.any = true
		}
		r.names[n] = true
	}
	return r
}

func (r *verdictRule) match(_ context.Context, f *SpanFacts) bool {
	if r.any {
		return len(f.Failed) > 0
	}
	for _, n := range f.Failed {
		if r.names[n] {
			return true
		}
	}
	return false
}
