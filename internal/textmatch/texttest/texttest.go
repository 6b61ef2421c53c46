// Package texttest makes test texts dense in chosen pieces, for the
// differential tests of readers that skip ahead eight bytes at a time:
// random sequences put each piece at every offset of those words.
package texttest

import (
	"math/rand/v2"
	"strings"
)

// Mixes returns n texts, each of fewer than most pieces drawn at random
// (the same texts for the same seed).
func Mixes(seed uint64, n, most int, pieces []string) []string {
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for range r.IntN(most) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		out[i] = b.String()
	}
	return out
}
