package evaluators

import (
	"fmt"
	"sort"
	"strings"
)

// PriceTable finds a model's price: DefaultPrices merged with a config's
// own `prices`, which win entry by entry. The cost check prices spans with
// it and the llmjudge connector prices its own calls, so one table format
// and one lookup rule serve both.
type PriceTable struct {
	exact map[string]Price
	globs []priceGlob // longest literal first
	// byFirst lists, in the order of globs, the patterns a name starting
	// with a byte may match: those whose literal start begins with it and
	// those that start with '*'. noStart lists the latter alone, for the
	// empty name. A pattern that starts with another byte cannot match
	// (priceGlob.match requires its literal start), so Lookup tries only
	// these (TestPriceLookupDifferential): the signals price every model
	// call.
	byFirst [256][]int
	noStart []int
	memo    priceMemo // the last models' answers
}

type priceGlob struct {
	pattern string
	parts   []string // the literal parts between '*'
	price   Price
}

// NewPriceTable merges overrides into DefaultPrices. Errors name the entry.
func NewPriceTable(overrides map[string]Price) (*PriceTable, error) {
	all := make(map[string]Price, len(DefaultPrices)+len(overrides))
	for m, p := range DefaultPrices {
		all[m] = p
	}
	for m, p := range overrides {
		if strings.TrimSpace(m) == "" {
			return nil, fmt.Errorf("prices: empty model name")
		}
		if p.InputPerMillion < 0 || p.OutputPerMillion < 0 || p.CachedInputPerMillion < 0 {
			return nil, fmt.Errorf("prices[%s]: prices must not be negative", m)
		}
		all[m] = p
	}
	t := &PriceTable{exact: map[string]Price{}}
	for m, p := range all {
		if !strings.Contains(m, "*") {
			t.exact[m] = p
			continue
		}
		t.globs = append(t.globs, priceGlob{pattern: m, parts: strings.Split(m, "*"), price: p})
	}
	sort.Slice(t.globs, func(i, j int) bool {
		li, lj := literalLen(t.globs[i].pattern), literalLen(t.globs[j].pattern)
		if li != lj {
			return li > lj
		}
		return t.globs[i].pattern < t.globs[j].pattern
	})
	for i := range t.globs {
		if lead := t.globs[i].parts[0]; lead != "" {
			t.byFirst[lead[0]] = append(t.byFirst[lead[0]], i)
			continue
		}
		t.noStart = append(t.noStart, i)
		for c := range t.byFirst {
			t.byFirst[c] = append(t.byFirst[c], i)
		}
	}
	return t, nil
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

// Lookup finds the model's price: exact name, then the most specific
// pattern; then the same for the name without a provider prefix
// ("openai/gpt-4o", "models/gemini-2.5-pro"). The last models' answers are
// remembered (pricememo.go).
func (t *PriceTable) Lookup(model string) (Price, bool) { return t.memo.price(t, model) }

// lookup is Lookup without the memo.
func (t *PriceTable) lookup(model string) (Price, bool) {
	for {
		if p, ok := t.exact[model]; ok {
			return p, true
		}
		candidates := t.noStart
		if model != "" {
			candidates = t.byFirst[model[0]]
		}
		for _, i := range candidates {
			if t.globs[i].match(model) {
				return t.globs[i].price, true
			}
		}
		slash := strings.LastIndexByte(model, '/')
		if slash < 0 {
			return Price{}, false
		}
		model = model[slash+1:]
	}
}

// USD prices token counts. Input tokens include cached ones, which are
// billed at the cached price when the model has one; negative counts (not
// reported) count as zero.
func (p Price) USD(input, cachedInput, output int64) float64 {
	in, out, cached := max(input, 0), max(output, 0), max(cachedInput, 0)
	cached = min(cached, in)
	cachedPrice := p.CachedInputPerMillion
	if cachedPrice == 0 {
		cachedPrice = p.InputPerMillion
	}
	return (float64(in-cached)*p.InputPerMillion + float64(cached)*cachedPrice + float64(out)*p.OutputPerMillion) / 1e6
}
