package llmjudgeconnector

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBudgetCallsPerMinute(t *testing.T) {
	b := newBudget(BudgetConfig{MaxCallsPerMinute: 3})
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var got []string
	for i := 0; i < 5; i++ {
		got = append(got, b.take(t0))
	}
	assert.Equal(t, []string{"", "", "", skipRateLimit, skipRateLimit}, got, "a minute's calls at once, then none")
	assert.Equal(t, skipRateLimit, b.take(t0.Add(19*time.Second)), "one call refills every 20s")
	assert.Equal(t, "", b.take(t0.Add(20*time.Second)))
	assert.Equal(t, skipRateLimit, b.take(t0.Add(21*time.Second)))
	for i := 0; i < 3; i++ {
		assert.Equal(t, "", b.take(t0.Add(10*time.Minute)), "a quiet period refills the bucket, up to a minute's worth")
	}
	assert.Equal(t, skipRateLimit, b.take(t0.Add(10*time.Minute)))
}

func TestBudgetSpendPerDay(t *testing.T) {
	b := newBudget(BudgetConfig{MaxSpendPerDayUSD: 1})
	day := time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)
	assert.True(t, b.spendLeft(day))
	assert.Equal(t, "", b.take(day))
	b.add(day, 0.6)
	assert.Equal(t, "", b.take(day), "0.60 of 1.00 spent")
	b.add(day, 0.6)
	assert.False(t, b.spendLeft(day))
	assert.Equal(t, skipDailySpend, b.take(day.Add(59*time.Minute)), "1.20 spent: no more calls today")
	next := day.Add(time.Hour)
	assert.True(t, b.spendLeft(next), "a new UTC day starts from zero")
	assert.Equal(t, "", b.take(next))
	b.add(day, 5)
	assert.False(t, b.spendLeft(next), "a cost stamped late counts on the current day")
	assert.True(t, b.spendLeft(next.Add(24*time.Hour)))

	// Days are UTC days whatever the clock's zone.
	c := newBudget(BudgetConfig{MaxSpendPerDayUSD: 1})
	cet := time.FixedZone("CET", 3600)
	c.add(time.Date(2026, 3, 2, 0, 30, 0, 0, cet), 2) // 2026-03-01 23:30 UTC
	assert.False(t, c.spendLeft(time.Date(2026, 3, 2, 0, 59, 0, 0, cet)), "still 1 March in UTC")
	assert.True(t, c.spendLeft(time.Date(2026, 3, 2, 1, 0, 0, 0, cet)), "UTC midnight")
}

func TestBudgetUnlimited(t *testing.T) {
	b := newBudget(BudgetConfig{})
	now := time.Now()
	for i := 0; i < 1000; i++ {
		b.add(now, 100)
		if r := b.take(now); r != "" {
			t.Fatalf("call %d refused: %s", i, r)
		}
	}
}
