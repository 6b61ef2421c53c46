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
	// fewer labelled traces, the more it matters. ChooseL2 picks it by
	// cross-validation.
	L2 float64
	// Band, when above 1, keeps every learned weight within [prior/Band,
	// prior×Band]: the data may halve or double a prior (Band 2), not
	// invert or erase it. The shipped defaults use it, so one domain's
	// quirks cannot undo what other domains show; a team tuning on its own
	// traces does not (0: unbounded).
	Band float64
	// Iterations of gradient descent; the fit is deterministic.
	Iterations int
}

// DefaultFitConfig: a pull of 1 per feature is a prior worth a handful of
// traces, right for the tens to hundreds of labelled traces a team has.
func DefaultFitConfig(prior Weights) FitConfig {
	return FitConfig{Prior: prior, L2: 1, Iterations: 2000}
}

// design is the fit's matrix: severities of the features seen, in a
// stable order.
type design struct {
	names []string
	x     [][]entry // per trace, its features seen (most traces have few)
	prior []float64
}

// entry is one feature's severity on a trace.
type entry struct {
	j int
	v float64
}

func newDesign(traces []Counts, prior Weights) design {
	seen := map[string]bool{}
	for _, c := range traces {
		for name, n := range c {
			if n > 0 {
				seen[name] = true
			}
		}
	}
	d := design{names: make([]string, 0, len(seen))}
	for n := range seen {
		d.names = append(d.names, n)
	}
	sort.Strings(d.names)
	index := map[string]int{}
	for i, n := range d.names {
		index[n] = i
	}
	d.x = make([][]entry, len(traces))
	for i, c := range traces {
		for name, n := range c {
			if j, ok := index[name]; ok && n > 0 {
				d.x[i] = append(d.x[i], entry{j, Severity(n)})
			}
		}
		sort.Slice(d.x[i], func(a, b int) bool { return d.x[i][a].j < d.x[i][b].j })
	}
	d.prior = make([]float64, len(d.names))
	for j, n := range d.names {
		d.prior[j] = prior.Of(n)
	}
	return d
}

// Fit learns weights by L2-regularised logistic regression of failed on
// the features' severities: P(failed) = σ(bias + scale × Σ w·severity),
// each weight pulled towards its prior and, with a Band, kept within it
// (projected gradient descent). The free scale (unpenalised, kept
// in (0, 1]) takes up how strongly a system's signals predict failure
// overall, which does not change a ranking: in a system where every
// signal is weak, the weights keep their proportions instead of all
// shrinking to their floor, and the pull towards the prior acts on the
// proportions only. The returned weights (without scale and bias, which
// shift and stretch every score alike) score traces as Weights.Score
// does. Wildcard entries of the prior are kept as they are.
func Fit(traces []Counts, failed []bool, cfg FitConfig) Weights {
	d := newDesign(traces, cfg.Prior)
	w, _, _ := fitDesign(d, failed, cfg)
	out := Weights{}
	for k, v := range cfg.Prior {
		out[k] = v
	}
	for j, n := range d.names {
		out[n] = math.Round(w[j]*100) / 100
	}
	return out
}

// fitDesign runs the descent on d's rows (all of them when rows is nil)
// and returns the weights and the bias.
func fitDesign(d design, failed []bool, cfg FitConfig, rows ...int) (w []float64, bias, scale float64) {
	if rows == nil {
		rows = make([]int, len(d.x))
		for i := range rows {
			rows[i] = i
		}
	}
	w = append([]float64(nil), d.prior...)
	scale = 1
	lo, hi := make([]float64, len(w)), make([]float64, len(w))
	for j, p := range d.prior {
		lo[j], hi[j] = math.Inf(-1), math.Inf(1)
		if cfg.Band > 1 {
			lo[j], hi[j] = math.Min(p/cfg.Band, p*cfg.Band), math.Max(p/cfg.Band, p*cfg.Band)
		}
	}
	if n := len(rows); n > 0 {
		pos := 0
		for _, i := range rows {
			if failed[i] {
				pos++
			}
		}
		// Start the bias at the base rate's log-odds, clamped.
		p := math.Min(math.Max(float64(pos)/float64(n), 0.01), 0.99)
		bias = math.Log(p / (1 - p))
	}
	grad := make([]float64, len(w))
	const rate = 0.5
	for it := 0; it < cfg.Iterations && len(rows) > 0; it++ {
		for j := range grad {
			grad[j] = 0
		}
		gBias, gScale, ss := 0.0, 0.0, 0.0
		for _, i := range rows {
			xi := d.x[i]
			s := 0.0
			for _, e := range xi {
				s += w[e.j] * e.v
			}
			y := 0.0
			if failed[i] {
				y = 1
			}
			diff := sigmoid(bias+scale*s) - y
			gBias += diff
			gScale += diff * s
			ss += s * s
			for _, e := range xi {
				grad[e.j] += diff * scale * e.v
			}
		}
		n := float64(len(rows))
		step := math.Abs(rate * gBias / n)
		bias -= rate * gBias / n
		// Steps divided by the curvature's scale (the scale's by the mean
		// squared score, the weights' by scale²), so the descent stays
		// stable however large scores or the scale get.
		prev := scale
		scale -= rate * gScale / n / math.Max(ss/n, 1)
		scale = math.Min(math.Max(scale, minScale), maxScale)
		step = math.Max(step, math.Abs(scale-prev))
		// The pull towards the prior is taken as a proximal step (exact for
		// the L2 term), stable however strong the pull and few the traces.
		wRate := rate / math.Max(scale*scale, 1)
		pull := wRate * 2 * cfg.L2 / n
		for j := range w {
			prev := w[j]
			w[j] = (w[j] - wRate*grad[j]/n + pull*d.prior[j]) / (1 + pull)
			w[j] = math.Min(math.Max(w[j], lo[j]), hi[j])
			step = math.Max(step, math.Abs(w[j]-prev))
		}
		// Converged: nothing moves in the digits anyone reads.
		if step < converged {
			break
		}
	}
	return w, bias, scale
}

// minScale keeps the fit's scale positive (a score ranks trouble first).
// maxScale 1: the priors are already strong (a weight of 1 is e times the
// odds); the scale says a system's signals are weaker than that, never
// stronger. A signal stronger than its prior raises its own weight,
// against the pull; a scale free to rise let a few dozen traces overfit
// (cross-validated log-loss on the 41 airline train traces at pull 0.3:
// 1.10 with the scale up to 5, 0.71 with it up to 1).
const (
	minScale = 0.01
	maxScale = 1
)

// ChooseL2 picks, from grid, the pull towards the prior with the lowest
// held-out log-loss over folds-fold cross-validation (fold of trace i:
// i mod folds, so callers pass traces in a stable order such as by ID).
// It returns the choice and each candidate's mean loss. Fewer traces than
// folds, or an empty grid, return cfg.L2 unchanged.
func ChooseL2(traces []Counts, failed []bool, cfg FitConfig, grid []float64, folds int) (float64, []float64) {
	if len(grid) == 0 || folds < 2 || len(traces) < folds {
		return cfg.L2, nil
	}
	d := newDesign(traces, cfg.Prior)
	losses := make([]float64, len(grid))
	for g, l2 := range grid {
		c := cfg
		c.L2 = l2
		total := 0.0
		for k := 0; k < folds; k++ {
			var train []int
			for i := range traces {
				if i%folds != k {
					train = append(train, i)
				}
			}
			w, bias, scale := fitDesign(d, failed, c, train...)
			for i := k; i < len(traces); i += folds {
				s := 0.0
				for _, e := range d.x[i] {
					s += w[e.j] * e.v
				}
				p := math.Min(math.Max(sigmoid(bias+scale*s), 1e-6), 1-1e-6)
				if failed[i] {
					total -= math.Log(p)
				} else {
					total -= math.Log(1 - p)
				}
			}
		}
		losses[g] = total / float64(len(traces))
	}
	best := 0
	for g := range grid {
		if losses[g] < losses[best]-1e-9 {
			best = g
		}
	}
	return grid[best], losses
}

// converged: the largest step of any parameter below which the descent
// stops early (weights are reported to 0.01).
const converged = 1e-7

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
