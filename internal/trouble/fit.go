package trouble

import (
	"math"
	"sort"
)

// FitConfig tunes Fit.
type FitConfig struct {
	// Prior is where each weight starts and is pulled back to: the
	// documented defaults, so a feature the training traces never show
	// keeps its prior instead of dropping to zero.
	Prior Weights
	// L2 is the strength of the pull towards the prior, per feature; the
	// fewer labelled traces, the more it matters.
	L2 float64
	// Iterations of gradient descent; the fit is deterministic.
	Iterations int
}

// DefaultFitConfig: a pull of 1 per feature is a prior worth a handful of
// traces, right for the tens to hundreds of labelled traces a team has.
func DefaultFitConfig(prior Weights) FitConfig {
	return FitConfig{Prior: prior, L2: 1, Iterations: 2000}
}

// Fit learns weights by L2-regularised logistic regression of failed on
// the features' severities: P(failed) = σ(bias + Σ w·severity). The
// returned weights score traces as Weights.Score does (the bias only
// shifts every score alike and is left out). Wildcard entries of the
// prior are kept as they are.
func Fit(traces []Counts, failed []bool, cfg FitConfig) Weights {
	// The features: every one seen, in a stable order.
	seen := map[string]bool{}
	for _, c := range traces {
		for name, n := range c {
			if n > 0 {
				seen[name] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	x := make([][]float64, len(traces))
	for i, c := range traces {
		x[i] = make([]float64, len(names))
		for name, n := range c {
			if j, ok := index[name]; ok {
				x[i][j] = Severity(n)
			}
		}
	}
	prior := make([]float64, len(names))
	for j, n := range names {
		prior[j] = cfg.Prior.Of(n)
	}
	w := append([]float64(nil), prior...)
	bias := 0.0
	if n := len(traces); n > 0 {
		pos := 0
		for _, f := range failed {
			if f {
				pos++
			}
		}
		// Start the bias at the base rate's log-odds, clamped.
		p := math.Min(math.Max(float64(pos)/float64(n), 0.01), 0.99)
		bias = math.Log(p / (1 - p))
	}
	grad := make([]float64, len(names))
	const rate = 0.5
	for it := 0; it < cfg.Iterations && len(traces) > 0; it++ {
		for j := range grad {
			grad[j] = 0
		}
		gBias := 0.0
		for i, xi := range x {
			z := bias
			for j, v := range xi {
				z += w[j] * v
			}
			y := 0.0
			if failed[i] {
				y = 1
			}
			d := sigmoid(z) - y
			gBias += d
			for j, v := range xi {
				grad[j] += d * v
			}
		}
		n := float64(len(traces))
		bias -= rate * gBias / n
		for j := range w {
			w[j] -= rate * (grad[j]/n + 2*cfg.L2*(w[j]-prior[j])/n)
		}
	}
	out := Weights{}
	for k, v := range cfg.Prior {
		out[k] = v
	}
	for j, n := range names {
		out[n] = math.Round(w[j]*100) / 100
	}
	return out
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
