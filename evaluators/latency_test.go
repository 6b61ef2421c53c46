package evaluators

import (
	"testing"
	"time"
)

func TestLatencyEvaluator(t *testing.T) {
	l := entry("l", "latency", map[string]any{"max": "2s"})
	runEvalCases(t, []evalCase{
		{name: "fast", entry: l, attrs: []kv{chat}, duration: 1500 * time.Millisecond, verdict: Pass, score: ptr(1.5)},
		{name: "at the bound", entry: l, attrs: []kv{chat}, duration: 2 * time.Second, verdict: Pass, score: ptr(2)},
		{name: "slow", entry: l, attrs: []kv{chat}, duration: 3250 * time.Millisecond, verdict: Fail, reason: "took 3.25s, max 2s", score: ptr(3.25)},
		{name: "no timestamps", entry: l, attrs: []kv{chat}, verdict: Skip},
		{name: "ends before it starts", entry: l, attrs: []kv{chat}, duration: -time.Second, verdict: Error, reason: "span ends before it starts"},
	})
}
