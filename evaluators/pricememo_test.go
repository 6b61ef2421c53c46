package evaluators

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// priceMemoTables are the default price table and one with configured
// prices and patterns.
func priceMemoTables(t testing.TB) []*PriceTable {
	def, err := NewPriceTable(nil)
	require.NoError(t, err)
	own, err := NewPriceTable(map[string]Price{
		"acme-large": {InputPerMillion: 3, OutputPerMillion: 15},
		"acme-*":     {InputPerMillion: 1, OutputPerMillion: 2},
		"gpt-4o":     {InputPerMillion: 9, OutputPerMillion: 9},
	})
	require.NoError(t, err)
	return []*PriceTable{def, own}
}

// checkPriceMemo prices every model in order through each table's memo,
// each answer the table's own lookup.
func checkPriceMemo(t testing.TB, models []string) {
	for _, table := range priceMemoTables(t) {
		for _, model := range models {
			want, wantOK := table.lookup(model)
			got, gotOK := table.Lookup(model)
			require.Equal(t, wantOK, gotOK, "%q", model)
			require.Equal(t, want, got, "%q", model)
		}
	}
}

// TestPriceMemo: models priced again, models sharing a slot (same length
// and last byte), unknown ones, names longer than a slot holds and the
// empty name are each priced as the table prices them.
func TestPriceMemo(t *testing.T) {
	long := strings.Repeat("x", memoModelBytes) + "gpt-4o"
	checkPriceMemo(t, []string{
		"gpt-4o-mini", "gpt-4o-mini", "gpt-4o", "gpt-4o-mini",
		"claude-sonnet-4", "gpt-4o", "gpt-4x", "gpt-4o", "gpt-4x", // one slot, three names
		"openai/gpt-4o", "openai/gpt-4o", "models/gemini-2.5-pro",
		"acme-large", "acme-small", "acme-large", "unknown-model", "unknown-model",
		"", "", long, long, long[:memoModelBytes], long[:memoModelBytes],
	})
}

// FuzzPriceMemo: any names, each priced twice and interleaved, are priced
// as the table prices them.
func FuzzPriceMemo(f *testing.F) {
	f.Add("gpt-4o-mini", "gpt-4o")
	f.Add("acme-large", "acme-small")
	f.Add("openai/gpt-4o", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		checkPriceMemo(t, []string{a, b, a, a, b, b, a})
	})
}

// TestPriceMemoSize: the memo is the fixed size the README gives (1.5 KiB).
func TestPriceMemoSize(t *testing.T) {
	require.LessOrEqual(t, int(unsafe.Sizeof(priceMemo{})), priceMemoBytes)
	require.LessOrEqual(t, priceMemoBytes, 1536)
}
