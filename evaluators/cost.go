package evaluators

import (
	"context"
	"fmt"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// costEvaluator prices a span's token usage. Its score is the cost in USD;
// with max_usd it also fails spans above that. A span whose model has no
// price gets no verdict, and the processor counts it as not evaluated.
type costEvaluator struct {
	maxUSD float64
	prices *PriceTable
}

type costSettings struct {
	MaxUSD float64          `mapstructure:"max_usd"`
	Prices map[string]Price `mapstructure:"prices"`
}

func newCost(e config.Evaluator, _ spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s costSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	if s.MaxUSD < 0 {
		return nil, fmt.Errorf("max_usd: must be positive")
	}
	prices, err := NewPriceTable(s.Prices)
	if err != nil {
		return nil, err
	}
	return &costEvaluator{maxUSD: s.MaxUSD, prices: prices}, nil
}

func (e *costEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	u := v.Usage()
	if u.Input < 0 && u.Output < 0 {
		return Skipped()
	}
	model := v.Model()
	if model == "" {
		return Result{Verdict: Skip, Reason: "span names no model"}
	}
	p, ok := e.prices.Lookup(model)
	if !ok {
		return Result{Verdict: Skip, Reason: fmt.Sprintf("no price for model %q", boundLang(model))}
	}
	usd := p.USD(u.Input, u.CachedInput, u.Output)
	if e.maxUSD > 0 && usd > e.maxUSD {
		return Failed("cost $%.6f > max_usd $%g", usd, e.maxUSD).WithScore(usd)
	}
	return Passed().WithScore(usd)
}
