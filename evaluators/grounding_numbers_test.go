package evaluators

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGroundingFigures(t *testing.T) {
	cases := []struct {
		ctx, answer string
		want        bool
	}{
		// separators, decimal marks, currency
		{`{"n": 1284}`, "1,284 staff", true},
		{`Umsatz 1.234,56 EUR`, "€1,234.56", true},
		{`loyer 1 250 € par mois`, "€1,250 a month", true},
		{`{"total_eur": 129.9}`, "€129.90", true},
		{`{"a": 18233,"b":1523904.12}`, "1,523,904.12", true},
		{`{"total": 198.9}`, "$208.90", false},
		// percent and fractions
		{`{"growth": 0.125}`, "up 12.5%", true},
		{`{"change": -0.0231}`, "down 2.31%", true},
		{`fee: 15%`, "a fee of 0.15", true},
		{`{"precip": 0.2}`, "a 40% chance", false},
		// scale words, rounding at the written precision
		{`{"revenue": 4187332}`, "$4.19 million", true},
		{`{"revenue": 4187332}`, "$4.2M", true},
		{`{"net": 612450}`, "$612K", true},
		{`market cap 48.2B`, "$48.2 billion", true},
		{`Umsatz 1,28 Mrd. Euro`, "€1.28 billion", true},
		{`{"revenue": 702315}`, "$7.0M", false},
		{`{"availability": 0.99953}`, "99.95%", true},
		// hedges round trailing zeros, bare round numbers do not
		{`{"population": 652503}`, "roughly 650,000", true},
		{`{"population": 652503}`, "roughly 800,000", false},
		{`{"attendance": 60383}`, "just over 60,000", true},
		{`{"timeout_s": 30}`, "60 seconds", false},
		{`{"limit": 500}`, "500 results", true},
		// units from the text or the key
		{`{"high_c": 31}`, "about 88 °F", true},
		{`Bake at 230 °C`, "450 °F", true},
		{`{"weight_g": 187}`, "6.6 oz", true},
		{`{"duration_s": 1134}`, "about 19 minutes", true},
		{`{"p99_latency_ms": 842}`, "0.84 s", true},
		{`Parental leave is 16 weeks`, "112 days", true},
		{`{"kwh": 184250}`, "184 MWh", true},
		{`{"distance_km": 840}`, "522 miles", true},
		{`{"requests_per_minute": 600}`, "600 requests", true},
		{`after 12 weeks, 8.4 mmHg`, "12 mmHg", false},
		// dates
		{`{"eta": "2024-08-14T15:20:00Z"}`, "on August 14", true},
		{`{"eta": "2024-08-14"}`, "14/08/2024", true},
		{`Last reviewed 12 March 2024.`, "2024-03-12", true},
		{`Disponible à partir du 1er octobre 2024.`, "1 October 2024", true},
		{`{"eta": "2024-08-14"}`, "by August 15", false},
		// times and zones
		{`{"start": "2024-09-03T16:00:00Z"}`, "9:00 AM PDT", true},
		{`{"start": "2024-09-03T16:00:00Z"}`, "18:00 CEST", true},
		{`{"eta": "2024-08-16T18:00:00-04:00"}`, "22:00 UTC", true},
		{`open 9:00-17:00 CET`, "08:00 UTC", true},
		{`{"start": "2024-09-03T16:00:00Z"}`, "10:00 AM PDT", false},
		// codes and named numbers
		{`gate F12`, "gate F14", false},
		{`{"room": "Atlas 4"}`, "in Atlas 6", false},
		{`{"order": 1042}`, "Order 1042", true},
		{`failed: integration-tests`, "e2e-smoke failed", false},
		{`{"sunny_days": 24}`, "24 sunny days", true},
		{`{"cpu_pct": 87.5}`, "only 9% of it", false},
	}
	for _, tc := range cases {
		g := newGroundingContext(tc.ctx)
		claims := extractClaims(tc.answer)
		ok := len(claims) > 0
		for _, c := range claims {
			if c.number && !g.supports(c) {
				ok = false
			}
		}
		assert.Equal(t, tc.want, ok, "%s | %s", tc.ctx, tc.answer)
	}
}

func FuzzGroundingContext(f *testing.F) {
	for _, s := range []string{`{"a_kg": 1,234.5}`, "2024-08-14T15:20:00-04:00 9:00-17:00 CET", "1.234,56 Mrd. 12%", "1er octobre", "$4.2M ~88 °F"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, ctx, answer string) {
		g := newGroundingContext(ctx)
		for _, c := range extractClaims(answer) {
			if !strings.Contains(answer, c.text) {
				t.Fatalf("claim %q is not part of the answer", c.text)
			}
			g.supports(c)
		}
		// The context always supports its own figures.
		for _, c := range extractClaims(ctx) {
			if c.kind == claimNumber && !g.supports(c) {
				t.Fatalf("context %q does not support its own %q", ctx, c.text)
			}
		}
	})
}

// Inputs the fuzzer found where a context did not support its own figures
// (or, for the list of 13 groups, crashed the number reader).
func TestContextSupportsItsOwnFigures(t *testing.T) {
	for _, ctx := range []string{
		"0%0,1B",                       // digits after a separator the figure before did not take
		"kB:10AA",                      // the figure's own label wins over its key's unit
		"1" + strings.Repeat("0", 320), // too long for a float64
		"0,0,0,0,0,0,0,0,0,0,0,0,0",    // more digit groups than one number holds
		"sizes: 1,2,3,4,5,6,7,8,9,10,11,12,13,14",
		"1 000,0", // the readers split the digits differently
	} {
		g := newGroundingContext(ctx)
		for _, c := range extractClaims(ctx) {
			if c.kind == claimNumber {
				assert.True(t, g.supports(c), "%q does not support its own %q", ctx, c.text)
			}
		}
	}
}
