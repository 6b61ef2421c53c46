package main

import (
	"strings"
	"testing"
)

func TestReportRatiosPerRound(t *testing.T) {
	steady := func(base, checks, sampling float64) []result {
		return []result{
			{name: "no llmeval", rate: 2000, cpuPer10k: base, seconds: 1},
			{name: "llmeval checks", rate: 2000, cpuPer10k: checks, seconds: 1},
			{name: "llmeval checks + sampling + judge", rate: 2000, cpuPer10k: sampling, seconds: 1},
		}
	}
	burst := []result{
		{name: "burst 10x, no llmeval", rate: 20000, cpuPer10k: 0.1, seconds: 1, peakRSS: 80 << 20},
		{name: "burst 10x, sampling + judge", rate: 20000, cpuPer10k: 0.3, seconds: 1, peakRSS: 200 << 20},
	}
	for _, tc := range []struct {
		name      string
		rows      []result
		want      []string
		wantBurst bool
	}{
		{"one round", steady(0.2, 0.3, 0.4), []string{"checks 1.50x, checks + sampling + judge 2.00x"}, false},
		{"three rounds, median", append(append(steady(0.2, 0.3, 0.4), steady(0.2, 0.28, 0.5)...), steady(0.1, 0.16, 0.3)...),
			[]string{"checks 1.50x (median of 1.50x, 1.40x, 1.60x)", "checks + sampling + judge 2.50x (median of 2.00x, 2.50x, 3.00x)"}, false},
		{"two rounds and the burst", append(append(steady(0.2, 0.3, 0.4), steady(0.2, 0.32, 0.4)...), burst...),
			[]string{"checks 1.55x (median of 1.50x, 1.60x)", "llmeval added 120 MiB"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			report(&b, tc.rows, 2000, 64<<20)
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, b.String())
				}
			}
			if got := strings.Contains(b.String(), "burst: peak RSS"); got != tc.wantBurst {
				t.Errorf("burst line present = %v, want %v:\n%s", got, tc.wantBurst, b.String())
			}
		})
	}
}
