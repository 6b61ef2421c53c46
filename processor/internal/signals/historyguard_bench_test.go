package signals

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zeebo/xxh3"
)

// BenchmarkHistoryGuard is the edit guard's read alone: the seeded XXH3
// the history memory runs over an input's bytes before its mark, on a
// 449 KB history (320 turns of BenchmarkHistoryLength) wherever the bytes
// are: one string read again and again (cached, as in the shared batch of
// BenchmarkHistoryLength), strings made just before in requests of 4 MiB as a receiver
// decodes them (received), and 400 copies made once (memory: 180 MB, more
// than any cache). Whatever reads every byte costs at least this; the
// figures bound how flat the per-span cost can be (BENCHMARKS.md).
func BenchmarkHistoryGuard(b *testing.B) {
	const size = 449 << 10
	const unit = `{"role":"tool","parts":[{"type":"tool_call_response","id":"call_7","response":"{\"status\":\"shipped\"}"}]},`
	src := strings.Repeat(unit, size/len(unit))
	h := xxh3.NewSeed(historySeed)
	var sum uint64
	guard := func(s string) {
		h.Reset()
		_, _ = h.WriteString(s)
		sum += h.Sum64()
	}
	copies := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strings.Clone(src)
		}
		return out
	}
	var memory []string
	for _, c := range []struct {
		name  string
		batch func() []string // the strings of one round, made untimed
	}{
		{"cached", func() []string { return slices.Repeat([]string{src}, 100) }},
		// A 4 MiB request holds 9 such spans; the decoder allocates and
		// copies each string just before the processor reads it.
		{"received", func() []string { return copies(9) }},
		{"memory", func() []string {
			if memory == nil {
				memory = copies(400)
			}
			return memory
		}},
	} {
		b.Run(fmt.Sprintf("%dKB/%s", len(src)>>10, c.name), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ResetTimer()
			for done := 0; done < b.N; {
				b.StopTimer()
				batch := c.batch()
				b.StartTimer()
				for _, s := range batch {
					if done == b.N {
						break
					}
					guard(s)
					done++
				}
			}
		})
	}
	if sum == 1 {
		b.Log(sum) // keeps the sums
	}
}
