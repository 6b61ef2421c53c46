package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spans"
)

// label is one human judgement: an evaluator's verdict on a span or trace.
type label struct {
	id, evaluator string
	fail          bool
	row           int
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

// splitOf puts an ID in train (20%), dev (40%) or test (40%) by a hash, so
// a team tunes on dev and reports on test once, and every run agrees.
func splitOf(id string) string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(id)))
	switch p := h.Sum32() % 100; {
	case p < 20:
		return "train"
	case p < 60:
		return "dev"
	}
	return "test"
}

// confusion counts with "fail" as the positive class: the evaluator is a
// detector of failures.
type confusion struct{ tp, fp, fn, tn int }

func (c confusion) n() int { return c.tp + c.fp + c.fn + c.tn }

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
	labels, err := readLabels(*labelsPath)
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
	byEval := map[string]*confusion{}
	unmatched := 0
	for _, l := range labels {
		if *split != "" && splitOf(l.id) != *split {
			continue
		}
		got, ok := v[strings.ToLower(l.id)][l.evaluator]
		if !ok {
			// Evaluated but no verdict of its own: the evaluator passed it
			// without record_passes.
			if _, evaluated := v[strings.ToLower(l.id)]["evaluated"]; evaluated {
				got, ok = "pass", true
			}
		}
		if !ok || got == "error" {
			unmatched++
			continue
		}
		c := byEval[l.evaluator]
		if c == nil {
			c = &confusion{}
			byEval[l.evaluator] = c
		}
		switch modelFail := got == "fail"; {
		case l.fail && modelFail:
			c.tp++
		case !l.fail && modelFail:
			c.fp++
		case l.fail && !modelFail:
			c.fn++
		default:
			c.tn++
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "evaluator\tn\tTP\tFP\tFN\tTN\tTPR\tTNR\tprecision\tkappa")
	names := make([]string, 0, len(byEval))
	for n := range byEval {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := byEval[n]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n", n, c.n(), c.tp, c.fp, c.fn, c.tn,
			fmtRate(c.tpr()), fmtRate(c.tnr()), fmtRate(c.precision()), fmtKappa(c.kappa()))
	}
	if err := tw.Flush(); err != nil {
		return 2, err
	}
	if *split != "" {
		fmt.Fprintf(stdout, "\nsplit: %s\n", *split)
	}
	if unmatched > 0 {
		fmt.Fprintf(stdout, "\n%d labels had no verdict to compare (ID not in the files, evaluator not run, or an error verdict)\n", unmatched)
	}
	for _, e := range bad {
		fmt.Fprintf(stderr, "bad line: %v\n", e)
	}
	if len(bad) > 0 {
		return 1, nil
	}
	return 0, nil
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
	spans.Each(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) {
		spanID, traceID := sp.SpanID().String(), sp.TraceID().String()
		for key, val := range sp.Attributes().All() {
			name, ok := strings.CutPrefix(key, prefix+".")
			if !ok {
				continue
			}
			if name, ok = strings.CutSuffix(name, "verdict"); !ok {
				continue
			}
			switch {
			case name == "":
				name = "evaluated"
			case strings.Count(name, ".") == 1 && strings.HasSuffix(name, "."):
				name = strings.TrimSuffix(name, ".")
			default:
				continue
			}
			v.set(spanID, name, val.Str())
			v.set(traceID, name, val.Str())
		}
	})
}

func readLabels(path string) ([]label, error) {
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
		var fail bool
		switch strings.ToLower(strings.TrimSpace(rec[2])) {
		case "fail":
			fail = true
		case "pass":
		default:
			return nil, fmt.Errorf("%s:%d: human verdict %q is neither pass nor fail", path, row, rec[2])
		}
		out = append(out, label{id: id, evaluator: strings.TrimSpace(rec[1]), fail: fail, row: row})
	}
}
