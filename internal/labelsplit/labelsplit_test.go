package labelsplit

import (
	"hash/fnv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestSplitIsDeterministicAndProportional(t *testing.T) {
	counts := map[string]int{}
	for i := 0; i < 10000; i++ {
		id := pcommon.TraceID{byte(i), byte(i >> 8), 3}.String()
		s := Of(id)
		require.Equal(t, s, Of(strings.ToUpper(id)), "same ID, same split")
		counts[s]++
	}
	assert.InDelta(t, 2000, counts["train"], 250)
	assert.InDelta(t, 4000, counts["dev"], 300)
	assert.InDelta(t, 4000, counts["test"], 300)
}

// TestSplitBoundaries pins the rule: a changed hash or boundary would move
// labelled IDs between dev and test and invalidate every reported figure.
func TestSplitBoundaries(t *testing.T) {
	bucket := func(id string) uint32 {
		h := fnv.New32a()
		h.Write([]byte(id))
		return h.Sum32() % 100
	}
	want := map[string][2]uint32{"train": {0, 19}, "dev": {20, 59}, "test": {60, 99}}
	seen := map[uint32]bool{}
	for i := 0; len(seen) < 100 && i < 100000; i++ {
		id := pcommon.SpanID{byte(i), byte(i >> 8), byte(i >> 16)}.String()
		b := bucket(id)
		seen[b] = true
		r := want[Of(id)]
		require.True(t, b >= r[0] && b <= r[1], "%s: bucket %d in %s", id, b, Of(id))
	}
	assert.Len(t, seen, 100)
}
