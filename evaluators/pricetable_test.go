package evaluators

import (
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
