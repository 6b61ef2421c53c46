package main

import (
	"hash/fnv"
	"math"
	"sort"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"
)

// Weighting down: a feature below minDevLift on dev, fired on at least
// minDevFired dev traces (fewer is one or two traces' noise), keeps
// downWeight of its learned weight.
const (
	minDevLift  = 1.2
	minDevFired = 3
	downWeight  = 0.5
	// defaultsL2 is the prior's pull for the shipped weights: 41 training
	// traces of one domain must not undo what other domains show (on
	// tau-bench retail, escalation and complaints are the strongest kinds).
	defaultsL2 = 10
)

// defaultWeightsFrom is how the shipped weights were made: the priors
// fitted on train, negative weights clamped to 0 (a default must rank
// trouble, not learn from a few dozen traces that a trouble signal means
// success), then the features below minDevLift on dev weighted down.
func defaultWeightsFrom(train []trouble.Counts, trainFailed []bool, dev []*traceFacts, devFailed []bool) trouble.Weights {
	fc := trouble.DefaultFitConfig(trouble.Priors())
	fc.L2 = defaultsL2
	w := trouble.Fit(train, trainFailed, fc)
	rows, _, _ := kindTable(dev, devFailed)
	weak := map[string]bool{}
	for _, r := range rows {
		if r.fired >= minDevFired && r.lift < minDevLift {
			weak[r.name] = true
		}
	}
	for k, v := range w {
		if v < 0 {
			v = 0
		}
		if weak[k] {
			v *= downWeight
		}
		w[k] = float64(int(v*100+0.5)) / 100
	}
	return w
}

// shares are the sampled shares tune and replay report.
var shares = []float64{0.1, 0.2, 0.3, 0.4}

// atShare is what sampling the top share of traces by score finds.
type atShare struct {
	share                   float64
	sampled, failed         int
	precision, lift, recall float64
}

// rankedByScore orders traces by score, highest first, ties by a hash of
// the trace ID (as the sampler breaks them), so a score that says nothing
// ranks like random sampling.
func rankedByScore(traces []*traceFacts, w trouble.Weights) []int {
	order := make([]int, len(traces))
	scores := make([]float64, len(traces))
	hashes := make([]uint64, len(traces))
	for i, tf := range traces {
		order[i] = i
		scores[i] = w.Score(tf.features)
		hashes[i] = idHash(tf.id)
	}
	sort.SliceStable(order, func(a, b int) bool {
		ia, ib := order[a], order[b]
		if scores[ia] != scores[ib] {
			return scores[ia] > scores[ib]
		}
		return hashes[ia] < hashes[ib]
	})
	return order
}

func idHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// sharesTable ranks the traces by w's score and reports each share.
func sharesTable(traces []*traceFacts, failed []bool, w trouble.Weights) []atShare {
	order := rankedByScore(traces, w)
	nFailed := 0
	for _, f := range failed {
		if f {
			nFailed++
		}
	}
	base := ratio(nFailed, len(traces))
	var out []atShare
	for _, sh := range shares {
		k := int(math.Round(sh * float64(len(traces))))
		r := atShare{share: sh, sampled: k}
		for _, i := range order[:k] {
			if failed[i] {
				r.failed++
			}
		}
		r.precision = ratio(r.failed, k)
		r.lift = r.precision / base
		r.recall = ratio(r.failed, nFailed)
		out = append(out, r)
	}
	return out
}
