package signals

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// TestTraceKey: one key per trace ID (the empty ID's included), none a
// conversation's named after the ID.
func TestTraceKey(t *testing.T) {
	ids := []pcommon.TraceID{{}, {}, {1, 2, 3, 0xff}, {1, 2, 3, 0xff}, {1, 2, 3, 0xfe}, {0: 0, 15: 1}, {0xde, 0xad, 0xbe, 0xef, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0xab, 0xcd}}
	for _, a := range ids {
		for _, b := range ids {
			assert.Equal(t, a == b, traceKey(a) == traceKey(b), "%s %s", a, b)
		}
		for _, conv := range []string{a.String(), "trace:" + a.String(), string(a[:])} {
			assert.NotEqual(t, hashKey(conv), traceKey(a), "%q", conv)
		}
	}
}

// refLRU is the least-recently-used bound as a list of keys, most recent
// first: the model the reused entries must follow.
type refLRU struct {
	max       int
	keys      []uint64
	evictions int64
}

// touch makes key the most recent; new reports whether it was not kept
// (its sums or calls start empty).
func (r *refLRU) touch(key uint64) (new bool) {
	if i := slices.Index(r.keys, key); i >= 0 {
		r.keys = slices.Delete(r.keys, i, i+1)
	} else {
		new = true
		if len(r.keys) == r.max {
			r.keys = r.keys[:len(r.keys)-1]
			r.evictions++
		}
	}
	r.keys = slices.Insert(r.keys, 0, key)
	return new
}

// TestFullStatesReuseEntries: once max_conversations (max_traces) is
// reached, the forgotten entry serves the new key; what is remembered,
// the sums and calls returned and the evictions counted are those of
// forgetting the least recently seen and starting the new key empty. The
// smallest bound, 1, is full from the first key on; a full state takes new
// keys without allocating.
func TestFullStatesReuseEntries(t *testing.T) {
	for _, max := range []int{1, 4} {
		t.Run(strconv.Itoa(max), func(t *testing.T) {
			const keys, steps = 9, 3000
			r := rand.New(rand.NewPCG(1, 2))
			conv := newConversations(max, time.Hour)
			cost := newTraceCosts(max)
			refConv, refCost := &refLRU{max: max}, &refLRU{max: max}
			wantCalls := map[uint64][]call{}
			wantSteps := map[uint64]int64{}
			t0 := time.Now()
			for i := 0; i < steps; i++ {
				key := uint64(r.IntN(keys)) + 1
				cl := call{name: uint64(r.IntN(3)), args: 1}
				if refConv.touch(key) {
					wantCalls[key] = nil
				}
				wantCalls[key] = append(wantCalls[key], cl)
				if n := len(wantCalls[key]); n > maxRememberedCalls {
					wantCalls[key] = wantCalls[key][n-maxRememberedCalls:]
				}
				got := conv.record(key, cl, t0, nil)
				require.Equal(t, wantCalls[key], got, "step %d", i)

				if refCost.touch(key) {
					wantSteps[key] = 0
				}
				wantSteps[key]++
				require.Equal(t, Measures{Steps: wantSteps[key]}, cost.add(key, Measures{Steps: 1}), "step %d", i)
			}
			assert.Equal(t, refConv.evictions, conv.evictions.Load())
			assert.Equal(t, refCost.evictions, cost.evictions.Load())
			assert.Equal(t, max, conv.len())
			assert.Equal(t, max, cost.lru.len())
			assert.Positive(t, refConv.evictions)

			// Full: every new key evicts one and reuses its entry.
			var buf [maxRememberedCalls + 1]call
			next := uint64(keys + 1)
			allocs := testing.AllocsPerRun(100, func() {
				next++
				conv.record(next, call{name: 1}, t0, buf[:0])
				cost.add(next, Measures{Steps: 1})
			})
			assert.Zero(t, allocs, "a full state allocates for a new key")
			assert.Equal(t, max, conv.len())
			assert.Equal(t, max, cost.lru.len())
		})
	}
}
