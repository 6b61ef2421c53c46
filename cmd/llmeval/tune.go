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
	llmevalprocessor "github.com/otelcol-llmeval/otelcol-llmeval/processor"
)

// How the shipped weights are made (defaultWeightsFrom).
const (
	// defaultsBand: the airline data may halve or double a prior, not
	// invert or erase it. One domain's quirks (its simulated users ask for
	// a human in solved conversations; its agent declines out-of-policy
	// requests correctly) must not undo what other domains show (on
	// tau-bench retail escalation and complaints are the strongest kinds).
	defaultsBand = 2
	// cvFolds: folds of the cross-validation that picks the pull towards
	// the prior, for the defaults and for tune.
	cvFolds = 5
)

// l2Grid is the pulls towards the prior cross-validation chooses from:
// from "the data decides" to "the prior decides".
var l2Grid = []float64{0.3, 1, 3, 10, 30, 100}

// defaultWeightsFrom is how the shipped weights were made: the priors
// fitted on the labelled airline traces (train and dev; test is kept for
// the report), each weight kept within defaultsBand of its prior, the pull
// towards the prior chosen by cvFolds-fold cross-validation from l2Grid.
// A prior of 0 (satisfaction) stays 0. It returns the weights and the
// chosen pull.
func defaultWeightsFrom(traces []trouble.Counts, failed []bool) (trouble.Weights, float64) {
	fc := trouble.DefaultFitConfig(trouble.Priors())
	fc.Band = defaultsBand
	fc.L2, _ = trouble.ChooseL2(traces, failed, fc, l2Grid, cvFolds)
	w := trouble.Fit(traces, failed, fc)
	for k, v := range w {
		w[k] = float64(int(v*100+0.5)) / 100
	}
	return w, fc.L2
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
	for i, tf := range traces {
		order[i] = i
		scores[i] = w.Score(tf.features)
	}
	sortByScore(order, scores, traces)
	return order
}

// sortByScore sorts order (indexes into scores and traces) by score,
// highest first, ties by trace-ID hash.
func sortByScore(order []int, scores []float64, traces []*traceFacts) {
	hashes := make([]uint64, len(traces))
	for i, tf := range traces {
		hashes[i] = idHash(tf.id)
	}
	sort.SliceStable(order, func(a, b int) bool {
		ia, ib := order[a], order[b]
		if scores[ia] != scores[ib] {
			return scores[ia] > scores[ib]
		}
		return hashes[ia] < hashes[ib]
	})
}

func idHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// sharesTable ranks the traces by w's score and reports each share.
func sharesTable(traces []*traceFacts, failed []bool, w trouble.Weights) []atShare {
	return sharesOf(rankedByScore(traces, w), failed)
}

// sharesOf reports, for each share, what taking the top of order finds.
func sharesOf(order []int, failed []bool) []atShare {
	nFailed := 0
	for _, f := range failed {
		if f {
			nFailed++
		}
	}
	base := ratio(nFailed, len(order))
	var out []atShare
	for _, sh := range shares {
		k := int(math.Round(sh * float64(len(order))))
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
	bound, l2 := chooseToolBound(train, trainFailed, fc)
	fc.L2 = l2
	tuned := trouble.Fit(counts(withToolBound(train, bound)), trainFailed, fc)
	printTune(stdout, split, train, trainFailed, eval, withToolBound(eval, bound), evalFailed, tuned)
	fmt.Fprintf(stdout, "pull towards the shipped weights chosen by %d-fold cross-validation on train: %g (of %v)\n", cvFolds, fc.L2, l2Grid)
	if bound >= 0 {
		fmt.Fprintf(stdout, "length: a trace above %d tool calls is marked %s (bound chosen by the same cross-validation; none is a choice too)\n", bound, toolBoundKind)
	} else {
		fmt.Fprintln(stdout, "length: no tool-call bound helps on train (cross-validation); the config's runaway bounds stay")
	}
	fmt.Fprintln(stdout, "\nconfig to paste under your llmeval processor (score_weights where they differ from the shipped ones):")
	fmt.Fprint(stdout, samplingBlock(tuned, *target))
	if bound >= 0 {
		fmt.Fprintf(stdout, "signals:\n  runaway:\n    trace: { max_tool_calls: %d }\n", bound)
	}
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

// printTune reports on eval: the shipped weights on eval as the config
// replayed it, the tuned ones on evalTuned (eval with the learned
// tool-call bound's kind, when there is one).
func printTune(w io.Writer, split string, train []*traceFacts, trainFailed []bool, eval, evalTuned []*traceFacts, evalFailed []bool, tuned trouble.Weights) {
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
	mine := sharesTable(evalTuned, evalFailed, tuned)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "sampled\ttraces\trandom precision\tshipped precision\tshipped lift\tshipped recall\ttuned precision\ttuned lift\ttuned recall")
	for i, r := range mine {
		s := shipped[i]
		fmt.Fprintf(tw, "%.0f%%\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", 100*r.share, r.sampled, fmtRate(base),
			fmtRate(s.precision), fmtLift(s.lift), fmtRate(s.recall), fmtRate(r.precision), fmtLift(r.lift), fmtRate(r.recall))
	}
	// The default sampling sends its own share: traces scoring 0 are not
	// in its target share.
	ds, dt := sentShare(defaultSampled(eval, trouble.Defaults()), evalFailed), sentShare(defaultSampled(evalTuned, tuned), evalFailed)
	fmt.Fprintf(tw, "default sampling: %s shipped, %s tuned\t%d / %d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", fmtPct(ds.share), fmtPct(dt.share), ds.sampled, dt.sampled, fmtRate(base),
		fmtRate(ds.precision), fmtLift(ds.lift), fmtRate(ds.recall), fmtRate(dt.precision), fmtLift(dt.lift), fmtRate(dt.recall))
	_ = tw.Flush()
	fmt.Fprintln(w, "\nrandom sampling: precision is the base rate, lift 1.00x, recall the share sampled.")
	fmt.Fprintln(w, "default sampling: a judge with no sampling block (failed safety checks, target_ratio 0.1 of traces scoring above 0, a 1% baseline).")
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

// defaultSampled is what the default sampling (a judge with no sampling
// block) would send of traces, offline: every trace with a failed safety
// check, the top target share of all traces by w's score among those
// scoring above 0 (ties by trace-ID hash, as the sampler breaks them),
// and a baseline share by trace-ID hash. The processor ranks against a
// sliding window of recent decisions; over a replay that is the whole set.
func defaultSampled(traces []*traceFacts, w trouble.Weights) []bool {
	target, baseline, safety := llmevalprocessor.DefaultSampling()
	sent := make([]bool, len(traces))
	order := rankedByScore(traces, w)
	k := int(math.Round(target * float64(len(traces))))
	for _, i := range order[:k] {
		if w.Score(traces[i].features) > 0 {
			sent[i] = true
		}
	}
	for i, tf := range traces {
		if float64(idHash(tf.id)>>11)/float64(uint64(1)<<53) < baseline {
			sent[i] = true
		}
		for _, s := range safety {
			if tf.features[trouble.Failed(s)] > 0 {
				sent[i] = true
			}
		}
	}
	return sent
}

// sentShare is precision, lift and recall of a set of sent traces.
func sentShare(sent, failed []bool) atShare {
	nFailed, r := 0, atShare{}
	for i, s := range sent {
		if failed[i] {
			nFailed++
		}
		if s {
			r.sampled++
			if failed[i] {
				r.failed++
			}
		}
	}
	r.share = ratio(r.sampled, len(sent))
	r.precision = ratio(r.failed, r.sampled)
	r.lift = r.precision / ratio(nFailed, len(sent))
	r.recall = ratio(r.failed, nFailed)
	return r
}

// toolBoundKind is the kind a runaway bound on a trace's tool calls gives.
const toolBoundKind = "runaway.trace_tool_calls"

// toolBoundQuantiles: the tool-call bounds tune tries are these quantiles
// of the train traces' tool calls. How long a trajectory runs before it is
// in trouble depends on the system (a coding agent's normal is another's
// runaway), so no default reads length; a team's labels can.
var toolBoundQuantiles = []float64{0.5, 0.75, 0.9}

// withToolBound is traces with toolBoundKind on the spans a runaway bound
// of bound tool calls marks (bound < 0: unchanged).
func withToolBound(ts []*traceFacts, bound int) []*traceFacts {
	if bound < 0 {
		return ts
	}
	out := make([]*traceFacts, len(ts))
	for i, tf := range ts {
		c := trouble.Counts{}
		for k, n := range tf.features {
			c[k] = n
		}
		if n := tf.spansOver(bound); n > 0 {
			c[toolBoundKind] = n
		}
		cp := *tf
		cp.features = c
		out[i] = &cp
	}
	return out
}

// chooseToolBound picks, with the pull towards the prior, a bound on a
// trace's tool calls from toolBoundQuantiles of train, or none (-1):
// whichever has the lowest cross-validated loss. When the config's own
// runaway bound already marks train traces, it is left alone.
func chooseToolBound(train []*traceFacts, failed []bool, fc trouble.FitConfig) (bound int, l2 float64) {
	minLoss := func(ts []*traceFacts) (float64, float64) {
		l2, losses := trouble.ChooseL2(counts(ts), failed, fc, l2Grid, cvFolds)
		best := math.Inf(1)
		for _, l := range losses {
			best = math.Min(best, l)
		}
		return l2, best
	}
	l2, bestLoss := minLoss(train)
	bound = -1
	var totals []int
	for _, tf := range train {
		if tf.features[toolBoundKind] > 0 {
			return -1, l2
		}
		if n := len(tf.toolCalls); n > 0 {
			totals = append(totals, tf.toolCalls[n-1])
		}
	}
	if len(totals) == 0 {
		return -1, l2
	}
	sort.Ints(totals)
	tried := map[int]bool{}
	for _, q := range toolBoundQuantiles {
		b := totals[int(q*float64(len(totals)-1))]
		if b < 1 || tried[b] {
			continue
		}
		tried[b] = true
		if l, loss := minLoss(withToolBound(train, b)); loss < bestLoss-1e-9 {
			bound, l2, bestLoss = b, l, loss
		}
	}
	return bound, l2
}
