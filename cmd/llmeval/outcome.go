package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/labelsplit"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"
)

// outcomeSpec says how a trace's outcome is read: from a numeric span
// attribute (a reward, a rating), failed when below a threshold, or from a
// labels CSV by trace ID (calibrate's format, evaluator "trace" or any).
type outcomeSpec struct {
	attr      string
	failBelow float64
	labels    map[string]bool // trace ID (lower-case hex) -> failed
}

func (o *outcomeSpec) enabled() bool { return o.attr != "" || o.labels != nil }

// traceFacts is what replay saw on one trace: the features the trouble
// score reads (span counts per signal kind and failed check) and its
// outcome when one was given.
type traceFacts struct {
	id         string
	features   trouble.Counts
	outcome    float64
	hasOutcome bool
}

// traceTally collects traceFacts from the processor's output.
type traceTally struct {
	prefix string
	spec   outcomeSpec
	byID   map[pcommon.TraceID]*traceFacts
}

func newTraceTally(prefix string, spec outcomeSpec) *traceTally {
	return &traceTally{prefix: prefix, spec: spec, byID: map[pcommon.TraceID]*traceFacts{}}
}

func (t *traceTally) span(sp ptrace.Span) {
	tf, ok := t.byID[sp.TraceID()]
	if !ok {
		tf = &traceFacts{id: sp.TraceID().String(), features: trouble.Counts{}}
		t.byID[sp.TraceID()] = tf
	}
	trouble.AddSpan(tf.features, sp.Attributes(), t.prefix)
	if t.spec.attr != "" {
		if v, ok := sp.Attributes().Get(t.spec.attr); ok {
			switch v.Type() {
			case pcommon.ValueTypeDouble:
				tf.outcome, tf.hasOutcome = v.Double(), true
			case pcommon.ValueTypeInt:
				tf.outcome, tf.hasOutcome = float64(v.Int()), true
			}
		}
	}
}

// labelled returns the traces with an outcome, in split ("" for all),
// sorted by ID, and whether each failed.
func (t *traceTally) labelled(split string) ([]*traceFacts, []bool) {
	var out []*traceFacts
	for _, tf := range t.byID {
		if split != "" && labelsplit.Of(tf.id) != split {
			continue
		}
		if _, ok := t.failed(tf); ok {
			out = append(out, tf)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	failed := make([]bool, len(out))
	for i, tf := range out {
		failed[i], _ = t.failed(tf)
	}
	return out, failed
}

func (t *traceTally) failed(tf *traceFacts) (failed, known bool) {
	if t.spec.labels != nil {
		f, ok := t.spec.labels[tf.id]
		return f, ok
	}
	if !tf.hasOutcome {
		return false, false
	}
	return tf.outcome < t.spec.failBelow, true
}

// kindRow is one feature's figures on labelled traces.
type kindRow struct {
	name                string
	fired, firedFailed  int
	share, lift, recall float64
}

// kindTable computes, per feature seen on the traces, how many traces it
// fired on, the failed share of those, its lift over the base failure rate
// and its recall of the failed traces.
func kindTable(traces []*traceFacts, failed []bool) (rows []kindRow, base float64, nFailed int) {
	byName := map[string]*kindRow{}
	for i, tf := range traces {
		if failed[i] {
			nFailed++
		}
		for name, n := range tf.features {
			if n == 0 {
				continue
			}
			r := byName[name]
			if r == nil {
				r = &kindRow{name: name}
				byName[name] = r
			}
			r.fired++
			if failed[i] {
				r.firedFailed++
			}
		}
	}
	base = ratio(nFailed, len(traces))
	for _, r := range byName {
		r.share = ratio(r.firedFailed, r.fired)
		r.lift = r.share / base
		r.recall = ratio(r.firedFailed, nFailed)
		rows = append(rows, *r)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].lift != rows[j].lift {
			return rows[i].lift > rows[j].lift
		}
		return rows[i].name < rows[j].name
	})
	return rows, base, nFailed
}

func printKindTable(w io.Writer, traces []*traceFacts, failed []bool, split string) {
	rows, base, nFailed := kindTable(traces, failed)
	where := "all traces"
	if split != "" {
		where = split + " split"
	}
	fmt.Fprintf(w, "\nper kind (%s): %d labelled traces, %d failed, base rate %s\n", where, len(traces), nFailed, fmtPct(base))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\ttraces fired\tfired share\tfailed share\tlift\trecall")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", r.name, r.fired, fmtPct(ratio(r.fired, len(traces))),
			fmtPct(r.share), fmtLift(r.lift), fmtPct(r.recall))
	}
	_ = tw.Flush()
}

func fmtPct(f float64) string {
	if math.IsNaN(f) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*f)
}

func fmtLift(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "-"
	}
	return fmt.Sprintf("%.2fx", f)
}

// readOutcomeSpec checks the outcome flags replay and tune share.
func readOutcomeSpec(attr string, failBelow float64, labelsPath, split string) (outcomeSpec, error) {
	spec := outcomeSpec{attr: attr, failBelow: failBelow}
	switch split {
	case "", "train", "dev", "test":
	default:
		return spec, fmt.Errorf("--split: %q is not one of train, dev, test", split)
	}
	if attr != "" && labelsPath != "" {
		return spec, fmt.Errorf("--outcome and --labels: give one")
	}
	if labelsPath != "" {
		labels, err := readLabels(labelsPath, false)
		if err != nil {
			return spec, err
		}
		spec.labels = map[string]bool{}
		for _, l := range labels {
			id := strings.ToLower(l.id)
			spec.labels[id] = spec.labels[id] || l.fail
		}
	}
	return spec, nil
}
