package evaluators

import (
	"context"
	"errors"
	"time"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// latencyEvaluator fails spans that took longer than max. Its score is the
// span's duration in seconds.
type latencyEvaluator struct {
	max time.Duration
}

type latencySettings struct {
	Max time.Duration `mapstructure:"max"`
}

func newLatency(e config.Evaluator, _ spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s latencySettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	if s.Max <= 0 {
		return nil, errors.New("max: required, a positive duration such as 30s")
	}
	return &latencyEvaluator{max: s.Max}, nil
}

func (e *latencyEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	span := v.Span()
	if span.StartTimestamp() == 0 || span.EndTimestamp() == 0 {
		return Skipped()
	}
	if span.EndTimestamp() < span.StartTimestamp() {
		return Errored(errors.New("span ends before it starts"))
	}
	d := v.Duration()
	if d > e.max {
		return Failed("took %s, max %s", d.Round(time.Millisecond), e.max).WithScore(d.Seconds())
	}
	return Passed().WithScore(d.Seconds())
}
