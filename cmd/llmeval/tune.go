package main

import (
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"go.opentelemetry.io/collector/pdata/ptrace"

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
// fitted on train, negative weights and those of features with a prior of
// 0 clamped to 0 (a default must rank trouble, not learn from a few dozen
// traces that a trouble signal means success), then the features below
// minDevLift on dev weighted down.
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
	prior := trouble.Priors()
	for k, v := range w {
		// A prior of 0 says the feature is no sign of trouble
		// (satisfaction): a fit on a few dozen traces does not make it one,
		// and a tiny weight would make every trace carrying it "troubled".
		if v < 0 || prior.Of(k) == 0 {
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

// tuneL2 is the pull towards the shipped weights when a team tunes on its
// own labels: weaker than for the defaults, the data is the team's own.
const tuneL2 = 1

// tune learns trouble-score weights from labelled traces: it replays the
// files through the processor config, fits on the train split only, and
// reports on dev (or, once, on test) against random sampling and the
// shipped weights; then it prints a sampling block to paste.
func tune(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("tune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "collector or processor config the traces are replayed through")
	id := fs.String("processor", "", "processor ID when the config has several")
	outcome := fs.String("outcome", "", "numeric span attribute holding each trace's outcome (e.g. a reward)")
	failBelow := fs.Float64("fail-below", 1, "a trace failed when its --outcome is below this")
	labelsPath := fs.String("labels", "", "CSV of trace outcomes: trace ID, any name, pass|fail (instead of --outcome)")
	onTest := fs.Bool("test", false, "report on the test split instead of dev: do it once, after tuning on dev")
	target := fs.Float64("target-ratio", 0.2, "target_ratio of the printed sampling block")
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	if *path == "" || fs.NArg() == 0 {
		return 2, errors.New("--config and at least one file are required")
	}
	if *outcome == "" && *labelsPath == "" {
		return 2, errors.New("--outcome or --labels is required")
	}
	if *target <= 0 || *target > 1 {
		return 2, fmt.Errorf("--target-ratio: %g is outside (0, 1]", *target)
	}
	spec, err := readOutcomeSpec(*outcome, *failBelow, *labelsPath, "")
	if err != nil {
		return 2, err
	}
	cfg, _, err := loadConfig(*path, *id)
	if err != nil {
		return 2, err
	}
	tt := newTraceTally(cfg.AttributePrefix, spec)
	var bad []*lineError
	var read int64
	err = replayInto(cfg, tt.span, func(emit func(ptrace.Traces) error) error {
		for _, f := range fs.Args() {
			if err := readTraces(f, &read, emit, func(e *lineError) { bad = append(bad, e) }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 2, err
	}
	train, trainFailed := tt.labelled("train")
	split := "dev"
	if *onTest {
		split = "test"
	}
	eval, evalFailed := tt.labelled(split)
	if len(train) == 0 || len(eval) == 0 {
		return 2, fmt.Errorf("no labelled traces in the train or %s split (%d and %d): check --outcome / --labels", split, len(train), len(eval))
	}
	fc := trouble.DefaultFitConfig(trouble.Defaults())
	fc.L2 = tuneL2
	tuned := trouble.Fit(counts(train), trainFailed, fc)
	printTune(stdout, split, train, trainFailed, eval, evalFailed, tuned)
	fmt.Fprintln(stdout, "\nsampling block (paste under your llmeval processor; score_weights where they differ from the shipped ones):")
	fmt.Fprint(stdout, samplingBlock(tuned, *target))
	for _, e := range bad {
		fmt.Fprintf(stderr, "bad line: %v\n", e)
	}
	if len(bad) > 0 {
		return 1, nil
	}
	return 0, nil
}

func counts(ts []*traceFacts) []trouble.Counts {
	out := make([]trouble.Counts, len(ts))
	for i, t := range ts {
		out[i] = t.features
	}
	return out
}

func printTune(w io.Writer, split string, train []*traceFacts, trainFailed []bool, eval []*traceFacts, evalFailed []bool, tuned trouble.Weights) {
	nf := func(f []bool) int {
		n := 0
		for _, x := range f {
			if x {
				n++
			}
		}
		return n
	}
	base := ratio(nf(evalFailed), len(eval))
	fmt.Fprintf(w, "trained on train: %d traces, %d failed; reported on %s: %d traces, %d failed (base rate %s)\n\n",
		len(train), nf(trainFailed), split, len(eval), nf(evalFailed), fmtPct(base))
	shipped := sharesTable(eval, evalFailed, trouble.Defaults())
	mine := sharesTable(eval, evalFailed, tuned)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "sampled\ttraces\trandom precision\tshipped precision\tshipped lift\tshipped recall\ttuned precision\ttuned lift\ttuned recall")
	for i, r := range mine {
		s := shipped[i]
		fmt.Fprintf(tw, "%.0f%%\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", 100*r.share, r.sampled, fmtRate(base),
			fmtRate(s.precision), fmtLift(s.lift), fmtRate(s.recall), fmtRate(r.precision), fmtLift(r.lift), fmtRate(r.recall))
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nrandom sampling: precision is the base rate, lift 1.00x, recall the share sampled.")
}

// samplingBlock is the YAML a team pastes: target_ratio and the weights
// that differ from the shipped ones.
func samplingBlock(w trouble.Weights, target float64) string {
	def := trouble.Defaults()
	var b strings.Builder
	fmt.Fprintf(&b, "sampling:\n  target_ratio: %g\n", target)
	var lines []string
	for _, k := range sortedKeys(w) {
		if w[k] != def.Of(k) {
			lines = append(lines, fmt.Sprintf("    %s: %g\n", yamlKey(k), w[k]))
		}
	}
	if len(lines) > 0 {
		b.WriteString("  score_weights:\n")
		for _, l := range lines {
			b.WriteString(l)
		}
	}
	return b.String()
}

// yamlKey quotes a feature name when YAML would read it otherwise
// ("loop.*" starts an alias only at the start, but quoting is harmless).
func yamlKey(k string) string {
	if strings.ContainsAny(k, "*:#&!|>'\"%@`{}[],") {
		return strconv.Quote(k)
	}
	return k
}
