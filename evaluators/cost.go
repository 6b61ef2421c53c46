package evaluators

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// costEvaluator prices a span's token usage. Its score is the cost in USD;
// with max_usd it also fails spans above that. A span whose model has no
// price gets no verdict, and the processor counts it as not evaluated.
type costEvaluator struct {
	maxUSD float64
	exact  map[string]Price
	globs  []priceGlob // longest literal first
}

type priceGlob struct {
	pattern string
	parts   []string // the literal parts between '*'
	price   Price
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
	ev := &costEvaluator{maxUSD: s.MaxUSD, exact: map[string]Price{}}
	all := make(map[string]Price, len(DefaultPrices)+len(s.Prices))
	for m, p := range DefaultPrices {
		all[m] = p
	}
	for m, p := range s.Prices {
		if strings.TrimSpace(m) == "" {
			return nil, fmt.Errorf("prices: empty model name")
		}
		if p.InputPerMillion < 0 || p.OutputPerMillion < 0 || p.CachedInputPerMillion < 0 {
			return nil, fmt.Errorf("prices[%s]: prices must not be negative", m)
		}
		all[m] = p
	}
	for m, p := range all {
		if !strings.Contains(m, "*") {
			ev.exact[m] = p
			continue
		}
		ev.globs = append(ev.globs, priceGlob{pattern: m, parts: strings.Split(m, "*"), price: p})
	}
	sort.Slice(ev.globs, func(i, j int) bool {
		li, lj := literalLen(ev.globs[i].pattern), literalLen(ev.globs[j].pattern)
		if li != lj {
			return li > lj
		}
		return ev.globs[i].pattern < ev.globs[j].pattern
	})
	return ev, nil
}

func literalLen(p string) int { return len(p) - strings.Count(p, "*") }

// match reports whether name matches a pattern whose only wildcard is '*'.
func (g *priceGlob) match(name string) bool {
	parts := g.parts
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return strings.HasSuffix(name, last)
}

// price finds the model's price: exact name, then the most specific
// pattern; then the same for the name without a provider prefix
// ("openai/gpt-4o", "models/gemini-2.5-pro").
func (e *costEvaluator) price(model string) (Price, bool) {
	for {
		if p, ok := e.exact[model]; ok {
			return p, true
		}
		for i := range e.globs {
			if e.globs[i].match(model) {
				return e.globs[i].price, true
			}
		}
		slash := strings.LastIndexByte(model, '/')
		if slash < 0 {
			return Price{}, false
		}
		model = model[slash+1:]
	}
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
	p, ok := e.price(model)
	if !ok {
		return Result{Verdict: Skip, Reason: fmt.Sprintf("no price for model %q", boundLang(model))}
	}
	usd := costUSD(u, p)
	if e.maxUSD > 0 && usd > e.maxUSD {
		return Failed("cost $%.6f > max_usd $%g", usd, e.maxUSD).WithScore(usd)
	}
	return Passed().WithScore(usd)
}

// costUSD prices usage; input tokens include cached ones, which are billed
// at the cached price when the model has one.
func costUSD(u spanmodel.Usage, p Price) float64 {
	in, out, cached := max(u.Input, 0), max(u.Output, 0), max(u.CachedInput, 0)
	cached = min(cached, in)
	cachedPrice := p.CachedInputPerMillion
	if cachedPrice == 0 {
		cachedPrice = p.InputPerMillion
	}
	return (float64(in-cached)*p.InputPerMillion + float64(cached)*cachedPrice + float64(out)*p.OutputPerMillion) / 1e6
}
