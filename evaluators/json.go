package evaluators

import (
	"context"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// jsonEvaluator fails when the target is not valid JSON.
type jsonEvaluator struct {
	target spanmodel.Target
}

func newJSON(e config.Evaluator, target spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s struct{}
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	return &jsonEvaluator{target: target}, nil
}

func (e *jsonEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	text, r, ok := textOf(v, e.target)
	if !ok {
		return r
	}
	doc, err := ExtractJSON(text)
	if err != nil {
		return Failed("not JSON: %v", err)
	}
	if !jsonValid(doc) {
		return Failed("not JSON: %v", jsonError(doc))
	}
	return Passed()
}
