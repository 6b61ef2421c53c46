package sampling

import "sync/atomic"

// memory is the one byte budget, max_bytes, that everything the judge path
// keeps is counted against:
//
//   - the handoff queue: batches the main path serialised (protobuf) and
//     offered, each counted whole until the sampler took its last
//     trace's chunk, at most max_bytes/8;
//   - the judge's share: sampled copies waiting for a sender or inside the
//     judge exporter, at most max_bytes/4 (their uncompressed protobuf
//     bytes, which is what a sender holds while the exporter works);
//   - the buffer of undecided traces (compressed): what is left, i.e.
//     max_bytes - max_bytes/8 - the judge's current use.
//
// The handoff share is reserved whole, so the three never add up to more
// than max_bytes. Beyond a share a copy is refused and counted, never
// waited for.
type memory struct {
	max        int64
	handoffCap int64
	judgeCap   int64
	handoff    atomic.Int64
	judge      atomic.Int64
	// buffer is changed by the decision loop only; atomic so that it can
	// be read while the loop runs.
	buffer atomic.Int64
}

func newMemory(maxBytes int64) *memory {
	return &memory{max: maxBytes, handoffCap: maxBytes / 8, judgeCap: maxBytes / 4}
}

// take adds n to used if that stays within limit.
func take(used *atomic.Int64, limit, n int64) bool {
	for {
		cur := used.Load()
		if cur+n > limit {
			return false
		}
		if used.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

func (m *memory) takeHandoff(n int64) bool { return take(&m.handoff, m.handoffCap, n) }
func (m *memory) takeJudge(n int64) bool   { return take(&m.judge, m.judgeCap, n) }

// bufferLimit is what undecided traces may hold now.
func (m *memory) bufferLimit() int64 { return m.max - m.handoffCap - m.judge.Load() }
