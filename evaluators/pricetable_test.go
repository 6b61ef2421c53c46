package evaluators

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPriceTableLookup(t *testing.T) {
	table, err := NewPriceTable(map[string]Price{
		"gpt-4o":           {InputPerMillion: 1, OutputPerMillion: 2},
		"llama-*-instruct": {InputPerMillion: 0.2, OutputPerMillion: 0.3},
	})
	require.NoError(t, err)
	tests := []struct {
		model string
		want  Price
		ok    bool
	}{
		{"gpt-4o", Price{1, 2, 0}, true},                                // an override wins over the default
		{"gpt-4o-2024-08-06", DefaultPrices["gpt-4o*"], true},           // dated snapshot by pattern
		{"gpt-4o-mini-2024-07-18", DefaultPrices["gpt-4o-mini*"], true}, // the longer pattern wins
		{"openai/gpt-4o", Price{1, 2, 0}, true},                         // provider prefix dropped
		{"llama-3.1-70b-instruct", Price{0.2, 0.3, 0}, true},            // a pattern with an inner '*'
		{"llama-3.1-70b", Price{}, false},
		{"", Price{}, false},
	}
	for _, tt := range tests {
		got, ok := table.Lookup(tt.model)
		assert.Equal(t, tt.ok, ok, tt.model)
		assert.Equal(t, tt.want, got, tt.model)
	}
}

func TestPriceTableErrors(t *testing.T) {
	_, err := NewPriceTable(map[string]Price{" ": {}})
	assert.EqualError(t, err, "prices: empty model name")
	_, err = NewPriceTable(map[string]Price{"m": {InputPerMillion: -1}})
	assert.EqualError(t, err, "prices[m]: prices must not be negative")
}

func TestPriceUSD(t *testing.T) {
	p := Price{InputPerMillion: 2, OutputPerMillion: 8, CachedInputPerMillion: 0.5}
	tests := []struct {
		in, cached, out int64
		want            float64
	}{
		{1_000_000, 0, 0, 2},
		{1_000_000, 500_000, 1_000_000, 1 + 0.25 + 8}, // cached part of input at the cached price
		{100, 200, 0, 100 * 0.5 / 1e6},                // cached capped at input
		{-1, -1, 1_000_000, 8},                        // unreported counts are zero
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, p.USD(tt.in, tt.cached, tt.out), 1e-12, "%+v", tt)
	}
	assert.InDelta(t, 3.0, Price{InputPerMillion: 1, OutputPerMillion: 2}.USD(1_000_000, 1_000_000, 1_000_000), 1e-12,
		"no cached price: cached tokens at the input price")
}

// lookupEveryGlob is PriceTable.Lookup trying every pattern in order,
// whatever the name's first byte.
func lookupEveryGlob(t *PriceTable, model string) (Price, bool) {
	every := &PriceTable{exact: t.exact, globs: t.globs}
	for i := range t.globs {
		every.noStart = append(every.noStart, i)
	}
	for c := range every.byFirst {
		every.byFirst[c] = every.noStart
	}
	return every.Lookup(model)
}

// priceLookupTables are the default table and one whose overrides start
// with '*', match every name, and share first bytes with the defaults.
func priceLookupTables(t testing.TB) []*PriceTable {
	plain, err := NewPriceTable(nil)
	require.NoError(t, err)
	wild, err := NewPriceTable(map[string]Price{
		"*-instruct": {InputPerMillion: 1}, "*": {InputPerMillion: 2}, "gpt-*-preview": {InputPerMillion: 3},
		"g*": {InputPerMillion: 4}, "*mini*": {InputPerMillion: 5}, "llama-3": {InputPerMillion: 6},
	})
	require.NoError(t, err)
	return []*PriceTable{plain, wild}
}

// TestPriceLookupDifferential: trying only the patterns a name's first
// byte allows finds what trying every pattern finds.
func TestPriceLookupDifferential(t *testing.T) {
	names := []string{"", "*", "g", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "openai/gpt-4o", "models/gemini-2.5-pro", "o3", "o3-mini-high",
		"claude-opus-4-5-20251101", "mistral-small-latest", "llama-3.1-70b-instruct", "llama-3", "x/y/gpt-5-nano", "gpt-4.1-preview", "GPT-4o", "\xffmini"}
	for m := range DefaultPrices {
		names = append(names, m, strings.TrimSuffix(m, "*"), strings.TrimSuffix(m, "*")+"-2025", "vendor/"+m)
	}
	for _, table := range priceLookupTables(t) {
		for _, name := range names {
			got, gotOK := table.Lookup(name)
			want, wantOK := lookupEveryGlob(table, name)
			assert.Equal(t, wantOK, gotOK, name)
			assert.Equal(t, want, got, name)
		}
	}
}

func FuzzPriceLookup(f *testing.F) {
	for _, m := range []string{"gpt-4o-mini", "openai/gpt-4o", "llama-3.1-70b-instruct", "", "*"} {
		f.Add(m)
	}
	tables := priceLookupTables(f)
	f.Fuzz(func(t *testing.T, name string) {
		for _, table := range tables {
			got, gotOK := table.Lookup(name)
			want, wantOK := lookupEveryGlob(table, name)
			if got != want || gotOK != wantOK {
				t.Fatalf("%q: %v %v, every pattern %v %v", name, got, gotOK, want, wantOK)
			}
		}
	})
}
