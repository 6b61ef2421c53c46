package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/labelsplit"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spans"
)

// label is one human judgement: an evaluator's verdict on a span or trace.
type label struct {
	id, evaluator string
	fail          bool
	// score is a human score on a numeric rubric's scale (llmeval judge);
	// fail is then decided by the rubric's pass threshold.
	score  float64
	scored bool
	row    int
}

// verdicts holds, per span ID and per trace ID, each evaluator's verdict:
// "fail", "error" or "pass" ("evaluated" marks spans any evaluator ran on).
type verdicts map[string]map[string]string

func (v verdicts) set(id, evaluator, verdict string) {
	m, ok := v[id]
	if !ok {
		m = map[string]string{}
		v[id] = m
	}
	// On a trace, a failing span decides; an error beats a pass.
	if old := m[evaluator]; old == "fail" || (old == "error" && verdict == "pass") {
		return
	}
	m[evaluator] = verdict
}

// evaluators returns the evaluators with a verdict anywhere in the files,
// and those with a pass verdict somewhere: their passes were recorded
// (record_passes, as replay does), so a span they have no verdict on is one
// they did not apply to, not a pass.
func (v verdicts) evaluators() (known, passesRecorded map[string]bool) {
	known, passesRecorded = map[string]bool{}, map[string]bool{}
	for _, m := range v {
		for name, verdict := range m {
			if name == "evaluated" {
				continue
			}
			known[name] = true
			if verdict == "pass" {
				passesRecorded[name] = true
			}
		}
	}
	return known, passesRecorded
}

// confusion counts with "fail" as the positive class: the evaluator is a
// detector of failures.
type confusion struct{ tp, fp, fn, tn int }

func (c confusion) n() int { return c.tp + c.fp + c.fn + c.tn }

// add counts one comparison of a human's and a detector's fail.
func (c *confusion) add(humanFail, modelFail bool) {
	switch {
	case humanFail && modelFail:
		c.tp++
	case !humanFail && modelFail:
		c.fp++
	case humanFail && !modelFail:
		c.fn++
	default:
		c.tn++
	}
}

// confusionHeader names the columns cells fills.
const confusionHeader = "n\tTP\tFP\tFN\tTN\tTPR\tTNR\tprecision\tkappa"

// cells are the matrix and its rates, tab-separated.
func (c confusion) cells() string {
	return fmt.Sprintf("%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s", c.n(), c.tp, c.fp, c.fn, c.tn,
		fmtRate(c.tpr()), fmtRate(c.tnr()), fmtRate(c.precision()), fmtKappa(c.kappa()))
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func (c confusion) tpr() float64       { return ratio(c.tp, c.tp+c.fn) }
func (c confusion) tnr() float64       { return ratio(c.tn, c.tn+c.fp) }
func (c confusion) precision() float64 { return ratio(c.tp, c.tp+c.fp) }

// kappa is Cohen's kappa between the evaluator and the humans.
func (c confusion) kappa() float64 {
	n := float64(c.n())
	if n == 0 {
		return math.NaN()
	}
	po := float64(c.tp+c.tn) / n
	pe := (float64(c.tp+c.fp)*float64(c.tp+c.fn) + float64(c.fn+c.tn)*float64(c.fp+c.tn)) / (n * n)
	if pe == 1 {
		return math.NaN()
	}
	return (po - pe) / (1 - pe)
}

func calibrate(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("calibrate", flag.ContinueOnError)
	labelsPath := fs.String("labels", "", "CSV: id (trace or span), evaluator, human verdict (pass|fail)")
	split := fs.String("split", "", "only IDs in this deterministic split: train (20%), dev (40%) or test (40%)")
	prefix := fs.String("prefix", "llmeval", "the processor's attribute_prefix")
	minPrecision := fs.Float64("min-precision", 0, "exit 1 when an evaluator's precision is below this (0..1; 0 = no gate)")
	minRecall := fs.Float64("min-recall", 0, "exit 1 when an evaluator's recall (TPR) is below this (0..1; 0 = no gate)")
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	if *labelsPath == "" || fs.NArg() == 0 {
		return 2, errors.New("--labels and at least one annotated OTLP file are required")
	}
	switch *split {
	case "", "train", "dev", "test":
	default:
		return 2, fmt.Errorf("--split: %q is not one of train, dev, test", *split)
	}
	for _, g := range []struct {
		flag string
		v    float64
	}{{"--min-precision", *minPrecision}, {"--min-recall", *minRecall}} {
		if g.v < 0 || g.v > 1 || math.IsNaN(g.v) {
			return 2, fmt.Errorf("%s: %v is not between 0 and 1", g.flag, g.v)
		}
	}
	labels, err := readLabels(*labelsPath, false)
	if err != nil {
		return 2, err
	}
	v := verdicts{}
	var read int64
	var bad []*lineError
	for _, f := range fs.Args() {
		err := readTraces(f, &read, func(td ptrace.Traces) error { collectVerdicts(td, *prefix, v); return nil },
			func(e *lineError) { bad = append(bad, e) })
		if err != nil {
			return 2, err
		}
	}
	res := compare(labels, v, *split)
	if err := printCalibration(stdout, res, *split); err != nil {
		return 2, err
	}
	for _, e := range bad {
		fmt.Fprintf(stderr, "bad line: %v\n", e)
	}
	status := 0
	if len(bad) > 0 {
		status = 1
	}
	if *minPrecision > 0 || *minRecall > 0 {
		if failures := res.gate(*minPrecision, *minRecall); len(failures) > 0 {
			var gates []string
			if *minPrecision > 0 {
				gates = append(gates, fmt.Sprintf("precision >= %g", *minPrecision))
			}
			if *minRecall > 0 {
				gates = append(gates, fmt.Sprintf("recall >= %g", *minRecall))
			}
			fmt.Fprintf(stdout, "\nbelow the thresholds (%s):\n", strings.Join(gates, ", "))
			for _, f := range failures {
				fmt.Fprintf(stdout, "  %s\n", f)
			}
			status = 1
		}
	}
	return status, nil
}

// calibration is labels joined with verdicts, per evaluator.
type calibration struct {
	byEval map[string]*confusion
	// noVerdict counts, per evaluator, labels the evaluator gave no verdict
	// for: the ID is not in the files, or the evaluator did not apply to it
	// (no target content, `when` false, a span kind it skips).
	noVerdict map[string]int
	// errs counts labels whose verdict was `error`.
	errs map[string]int
	// unknown counts labels naming an evaluator that gave no verdict
	// anywhere in the files: not configured, or a typo in the labels.
	unknown map[string]int
}

// compare joins each label (in split, if given) with the evaluator's
// verdict. A label is only compared when there is a verdict: a missing one
// is not a pass, and counting it as a pass would turn every span an
// evaluator skips, and every misspelt evaluator name, into false negatives.
func compare(labels []label, v verdicts, split string) calibration {
	res := calibration{byEval: map[string]*confusion{}, noVerdict: map[string]int{}, errs: map[string]int{}, unknown: map[string]int{}}
	known, passesRecorded := v.evaluators()
	for _, l := range labels {
		if split != "" && labelsplit.Of(l.id) != split {
			continue
		}
		if !known[l.evaluator] {
			res.unknown[l.evaluator]++
			continue
		}
		byID := v[strings.ToLower(l.id)]
		got, ok := byID[l.evaluator]
		if !ok && !passesRecorded[l.evaluator] {
			// Without record_passes a pass leaves no attribute: an
			// evaluated span without a verdict of its own passed.
			if _, evaluated := byID["evaluated"]; evaluated {
				got, ok = "pass", true
			}
		}
		switch {
		case !ok:
			res.noVerdict[l.evaluator]++
			continue
		case got == "error":
			res.errs[l.evaluator]++
			continue
		}
		c := res.byEval[l.evaluator]
		if c == nil {
			c = &confusion{}
			res.byEval[l.evaluator] = c
		}
		c.add(l.fail, got == "fail")
	}
	return res
}

// evaluatorNames lists every evaluator the labels or the verdicts mention
// (except the unknown ones), sorted.
func (r calibration) evaluatorNames() []string {
	seen := map[string]bool{}
	for _, m := range []map[string]int{r.noVerdict, r.errs} {
		for n := range m {
			seen[n] = true
		}
	}
	for n := range r.byEval {
		seen[n] = true
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// gate lists the evaluators below the thresholds. An undefined rate (no
// fail verdicts, no fail labels) fails a gate that asks for it: a gate that
// measured nothing must not pass. Labels for unknown evaluators fail too.
func (r calibration) gate(minPrecision, minRecall float64) []string {
	var out []string
	for _, n := range r.evaluatorNames() {
		c := r.byEval[n]
		if c == nil {
			c = &confusion{}
		}
		if p := c.precision(); minPrecision > 0 && (math.IsNaN(p) || p < minPrecision) {
			out = append(out, fmt.Sprintf("%s: precision %s (TP %d, FP %d)", n, fmtRate(p), c.tp, c.fp))
		}
		if rc := c.tpr(); minRecall > 0 && (math.IsNaN(rc) || rc < minRecall) {
			out = append(out, fmt.Sprintf("%s: recall %s (TP %d, FN %d)", n, fmtRate(rc), c.tp, c.fn))
		}
	}
	for _, n := range sortedKeys(r.unknown) {
		out = append(out, fmt.Sprintf("%s: no verdict in these files (not configured?)", n))
	}
	return out
}

func printCalibration(w io.Writer, r calibration, split string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "evaluator\t"+confusionHeader+"\tno verdict\terror")
	for _, n := range r.evaluatorNames() {
		c := r.byEval[n]
		if c == nil {
			c = &confusion{}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", n, c.cells(), r.noVerdict[n], r.errs[n])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if split != "" {
		fmt.Fprintf(w, "\nsplit: %s\n", split)
	}
	fmt.Fprintln(w, "\nn counts labels compared with a verdict; TPR is recall. Not compared: \"no verdict\" (ID not in the files,\nor the evaluator did not apply to it) and \"error\" (an error verdict).")
	if len(r.unknown) > 0 {
		fmt.Fprintln(w, "\nlabels for evaluators that gave no verdict anywhere in these files (not configured, or a typo?), not compared:")
		for _, n := range sortedKeys(r.unknown) {
			fmt.Fprintf(w, "  %s: %d labels\n", n, r.unknown[n])
		}
	}
	return nil
}

func fmtRate(f float64) string {
	if math.IsNaN(f) {
		return "-"
	}
	return fmt.Sprintf("%.3f", f)
}

func fmtKappa(f float64) string {
	if math.IsNaN(f) {
		return "-"
	}
	return fmt.Sprintf("%.3f", f)
}

// collectVerdicts records every evaluator verdict by span and by trace:
// <prefix>.<name>.verdict, and <prefix>.verdict as "evaluated".
func collectVerdicts(td ptrace.Traces, prefix string, v verdicts) {
	var found []evalrecord.Verdict
	spans.Each(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) {
		spanID, traceID := sp.SpanID().String(), sp.TraceID().String()
		if val, ok := sp.Attributes().Get(prefix + ".verdict"); ok {
			v.set(spanID, "evaluated", val.Str())
			v.set(traceID, "evaluated", val.Str())
		}
		found = evalrecord.Verdicts(sp.Attributes(), prefix, found[:0])
		for _, f := range found {
			v.set(spanID, f.Name, f.Verdict)
			v.set(traceID, f.Name, f.Verdict)
		}
	})
}

// readLabels reads id, evaluator, pass|fail rows (a header row is
// skipped); with scores, a number in place of pass|fail is a human score.
func readLabels(path string, scores bool) ([]label, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only
	r := csv.NewReader(f)
	r.FieldsPerRecord = 3
	r.TrimLeadingSpace = true
	var out []label
	for row := 1; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if row == 1 && (strings.EqualFold(rec[0], "trace_id") || strings.EqualFold(rec[0], "span_id") || strings.EqualFold(rec[0], "id")) {
			continue // header
		}
		id := strings.TrimSpace(rec[0])
		if len(id) != 32 && len(id) != 16 {
			return nil, fmt.Errorf("%s:%d: %q is neither a trace ID (32 hex) nor a span ID (16 hex)", path, row, id)
		}
		l := label{id: id, evaluator: strings.TrimSpace(rec[1]), row: row}
		switch v := strings.ToLower(strings.TrimSpace(rec[2])); v {
		case "fail":
			l.fail = true
		case "pass":
		default:
			f, err := strconv.ParseFloat(v, 64)
			if !scores || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				want := "neither pass nor fail"
				if scores {
					want = "neither pass, fail nor a score"
				}
				return nil, fmt.Errorf("%s:%d: human verdict %q is %s", path, row, rec[2], want)
			}
			l.score, l.scored = f, true
		}
		out = append(out, l)
	}
}
