package llmjudgeconnector

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Skip reasons: a judgement not made, counted, with no record.
const (
	skipQueueFull      = "queue_full"
	skipRateLimit      = "rate_limit"
	skipDailySpend     = "daily_spend"
	skipPromptTooLarge = "prompt_too_large"
	skipShutdown       = "shutdown"
)

// skipReasons is every skip reason (metadata.yaml's reason values).
var skipReasons = []string{skipQueueFull, skipRateLimit, skipDailySpend, skipPromptTooLarge, skipShutdown}

// budget caps judge calls per minute and spend per UTC day. Over budget,
// a judgement is skipped, never delayed: waiting would only fill the
// queue.
type budget struct {
	mu       sync.Mutex
	calls    *rate.Limiter // nil: no cap
	maxSpend float64       // 0: no cap
	day      time.Time     // the UTC day spent is for
	spent    float64
}

func newBudget(cfg BudgetConfig) *budget {
	b := &budget{maxSpend: cfg.MaxSpendPerDayUSD}
	if cfg.MaxCallsPerMinute > 0 {
		// A bucket of a minute's calls, refilled continuously.
		b.calls = rate.NewLimiter(rate.Limit(float64(cfg.MaxCallsPerMinute)/60), cfg.MaxCallsPerMinute)
	}
	return b
}

// spendLeft reports whether today's spend is under the cap; it takes
// nothing, so a prompt is not rendered when the day's money is gone.
func (b *budget) spendLeft(now time.Time) bool {
	if b.maxSpend <= 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover(now)
	return b.spent < b.maxSpend
}

// take admits one call at now, or says why not.
func (b *budget) take(now time.Time) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.maxSpend > 0 {
		b.rollover(now)
		if b.spent >= b.maxSpend {
			return skipDailySpend
		}
	}
	if b.calls != nil && !b.calls.AllowN(now, 1) {
		return skipRateLimit
	}
	return ""
}

// add records a call's cost.
func (b *budget) add(now time.Time, usd float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover(now)
	b.spent += usd
}

// rollover starts a new day's spend at UTC midnight. Days only move
// forward: a cost stamped a little late counts on the current day.
func (b *budget) rollover(now time.Time) {
	day := now.UTC().Truncate(24 * time.Hour)
	if day.After(b.day) {
		b.day, b.spent = day, 0
	}
}
