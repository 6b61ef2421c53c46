package sampling

import "time"

// bucket is a token bucket: rate tokens per second, holding at most burst.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

// take takes a token for a trace of the given priority (0..1): the last
// token goes to priority 1, a full bucket serves priority 0. A trace may
// take a token only while the bucket holds at least 1 + (burst-1) ×
// (1 - priority), so when traces come faster than the rate the bucket
// runs low and the lower-priority ones are refused first, whatever their
// order of arrival.
func (b *bucket) take(now time.Time, priority float64) bool {
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	priority = min(max(priority, 0), 1)
	if b.tokens >= 1+(b.burst-1)*(1-priority) {
		b.tokens--
		return true
	}
	return false
}

// budget caps the traces sent to the judge. A rule with a share draws only
// from its own bucket (rate * share); every other rule and the baseline
// share the rest, so a noisy rule cannot starve the others.
type budget struct {
	unlimited bool
	shared    *bucket
	byRule    map[int]*bucket
}

func newBudget(c BudgetConfig, rules []RuleConfig, now time.Time) *budget {
	if c.MaxTracesPerSecond <= 0 {
		return &budget{unlimited: true}
	}
	burst := float64(c.Burst)
	if burst < 1 {
		burst = max(1, c.MaxTracesPerSecond)
	}
	b := &budget{byRule: map[int]*bucket{}}
	rest := 1.0
	for i, r := range rules {
		if share, ok := c.RuleShares[r.Name]; ok {
			b.byRule[i] = &bucket{rate: c.MaxTracesPerSecond * share, burst: max(1, burst*share), tokens: max(1, burst*share), last: now}
			rest -= share
		}
	}
	b.shared = &bucket{rate: c.MaxTracesPerSecond * rest, burst: max(1, burst*rest), tokens: max(1, burst*rest), last: now}
	return b
}

// allow takes a token for a trace chosen by rule (negative: the baseline
// or the target share) with the given priority (see take).
func (b *budget) allow(rule int, now time.Time, priority float64) bool {
	if b.unlimited {
		return true
	}
	if own, ok := b.byRule[rule]; ok {
		return own.take(now, priority)
	}
	return b.shared.take(now, priority)
}
