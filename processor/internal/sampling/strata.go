package sampling

// strataWindow is how many recent LLM traces the stratified baseline
// counts per stratum (8 bytes each, and at most one map entry each).
const strataWindow = 10_000

// strata shares the baseline equally among the strata seen among the
// recent traces: a stratum's ratio is baseline_ratio × recent traces /
// (strata × its recent traces), at most 1. A segment with 1% of the
// traffic gets as many baseline traces as one with 90%, so what reviewers
// see covers the rare ones; the baseline's total stays baseline_ratio
// while no stratum is capped at 1.
type strata struct {
	ring   []uint64
	next   int
	counts map[uint64]int
}

func newStrataIf(on bool) *strata {
	if !on {
		return nil
	}
	return &strata{ring: make([]uint64, 0, strataWindow), counts: map[uint64]int{}}
}

// add counts a decided trace's stratum, forgetting the oldest when full.
func (s *strata) add(st uint64) {
	if len(s.ring) < cap(s.ring) {
		s.ring = append(s.ring, st)
	} else {
		old := s.ring[s.next]
		if s.counts[old]--; s.counts[old] == 0 {
			delete(s.counts, old)
		}
		s.ring[s.next] = st
		s.next = (s.next + 1) % len(s.ring)
	}
	s.counts[st]++
}

// ratio is the baseline ratio of stratum st (counted already).
func (s *strata) ratio(st uint64, baseline float64) float64 {
	c := s.counts[st]
	if c == 0 || len(s.counts) == 0 {
		return baseline
	}
	return min(1, baseline*float64(len(s.ring))/(float64(len(s.counts))*float64(c)))
}
