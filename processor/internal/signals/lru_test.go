package signals

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLRU: random uses, takes and removals of the oldest against refLRU:
// the same keys kept in the same order (each), the same oldest, the same
// evictions; an entry comes back with what it held, a taken key is gone,
// and the lru never holds more than max nodes.
func TestLRU(t *testing.T) {
	for _, max := range []int{1, 2, 5} {
		r := rand.New(rand.NewPCG(uint64(max), 3))
		l := newLRU[uint64](max) // an entry holds its own key
		ref := &refLRU{max: max}
		for i := 0; i < 5000; i++ {
			if r.IntN(8) == 0 && len(ref.keys) > 0 {
				require.Equal(t, ref.keys[len(ref.keys)-1], *l.oldest(), "step %d", i)
				l.removeOldest()
				ref.keys = ref.keys[:len(ref.keys)-1]
				continue
			}
			key := uint64(r.IntN(3*max)) + 1
			if r.IntN(8) == 0 {
				at := slices.Index(ref.keys, key)
				got, ok := l.take(key)
				require.Equal(t, at >= 0, ok, "step %d: take %d", i, key)
				if ok {
					require.Equal(t, key, got, "step %d: taken entry", i)
					ref.keys = slices.Delete(ref.keys, at, at+1)
					require.Nil(t, l.get(key), "step %d: taken key %d still kept", i, key)
				}
				continue
			}
			evictionsBefore := ref.evictions
			isNew := ref.touch(key)
			e := l.get(key)
			require.Equal(t, isNew, e == nil, "step %d: key %d kept", i, key)
			if e == nil {
				var evicted bool
				e, evicted = l.add(key)
				require.Equal(t, ref.evictions > evictionsBefore, evicted, "step %d", i)
				*e = key
			}
			require.Equal(t, key, *e, "step %d: key %d's entry", i, key)
			require.Equal(t, len(ref.keys), l.len())
			var order []uint64
			l.each(func(e *uint64) { order = append(order, *e) })
			require.Equal(t, ref.keys, order, "step %d: most recent first", i)
			require.LessOrEqual(t, cap(l.nodes), max, "nodes made")
		}
		assert.Nil(t, newLRU[int](max).oldest())
	}
}

// each (for tests) calls f with every kept entry, most recently used first.
func (l *lru[E]) each(f func(*E)) {
	for i := l.head; i >= 0; i = l.nodes[i].next {
		f(&l.nodes[i].val)
	}
}
