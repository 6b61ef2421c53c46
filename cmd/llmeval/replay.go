package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/metric/noop"
	nooptrace "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spans"
	llmevalprocessor "github.com/otelcol-llmeval/otelcol-llmeval/processor"
)

// evalStats are one evaluator's counts over a replay.
type evalStats struct {
	pass, fail, errs int
	reasons          map[string]int
}

// tally reads the processor's output and counts what it wrote.
type tally struct {
	prefix   string
	names    []string
	evals    map[string]*evalStats
	signals  map[string]int
	spans    int
	llm      int
	records  int // GenAI log records read
	recLLM   int // of which with a verdict
	examples []string
	maxEx    int
	out      *bufio.Writer
	outErr   error
	// traces collects per-trace facts when an outcome is given.
	traces *traceTally
}

func newTally(prefix string, names []string, maxExamples int) *tally {
	t := &tally{prefix: prefix, names: names, evals: map[string]*evalStats{}, signals: map[string]int{}, maxEx: maxExamples}
	for _, n := range names {
		t.evals[n] = &evalStats{reasons: map[string]int{}}
	}
	return t
}

func (t *tally) consume(_ context.Context, td ptrace.Traces) error {
	spans.Each(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) { t.span(sp) })
	if t.out != nil && t.outErr == nil {
		b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		if err == nil {
			_, err = t.out.Write(append(b, '\n'))
		}
		t.outErr = err
	}
	return nil
}

// consumeLogs counts what the processor wrote on log records; --out holds
// spans only.
func (t *tally) consumeLogs(_ context.Context, ld plog.Logs) error {
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		sls := ld.ResourceLogs().At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				t.records++
				if t.item(lr.Attributes(), "trace "+lr.TraceID().String()+" span "+lr.SpanID().String()+" log record") {
					t.recLLM++
				}
			}
		}
	}
	return nil
}

func (t *tally) span(sp ptrace.Span) {
	t.spans++
	if t.traces != nil {
		t.traces.span(sp)
	}
	if t.item(sp.Attributes(), "trace "+sp.TraceID().String()+" span "+sp.SpanID().String()) {
		t.llm++
	}
}

// item counts the verdicts and signals on one span or log record; where
// names it in examples. It reports whether it has a verdict.
func (t *tally) item(a pcommon.Map, where string) bool {
	_, evaluated := a.Get(t.prefix + ".verdict")
	for _, n := range t.names {
		v, ok := a.Get(t.prefix + "." + n + ".verdict")
		if !ok {
			continue
		}
		s := t.evals[n]
		switch v.Str() {
		case "pass":
			s.pass++
		case "fail", "error":
			if v.Str() == "fail" {
				s.fail++
			} else {
				s.errs++
			}
			reason := ""
			if r, ok := a.Get(t.prefix + "." + n + ".reason"); ok {
				reason = r.Str()
			}
			s.reasons[reason]++
			if v.Str() == "fail" && len(t.examples) < t.maxEx {
				t.examples = append(t.examples, fmt.Sprintf("%s  %s: %s", where, n, reason))
			}
		}
	}
	for _, c := range llmevalprocessor.SignalCategories() {
		if _, ok := a.Get(t.prefix + ".signal." + c + ".count"); ok {
			t.signals[c]++
		}
	}
	return evaluated
}

// judgeTally counts the traces sampling sent to the judge, by reason.
type judgeTally struct {
	mu       sync.Mutex
	reasonOf map[pcommon.TraceID]string
}

func (j *judgeTally) consume(_ context.Context, td ptrace.Traces) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	spans.Each(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) {
		for key, v := range sp.Attributes().All() {
			if strings.HasSuffix(key, ".judge.reason") {
				j.reasonOf[sp.TraceID()] = v.Str()
			}
		}
	})
	return nil
}

type nopHost struct{}

func (nopHost) GetExtensions() map[component.ID]component.Component { return nil }

func replay(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	path := fs.String("config", "", "collector or processor config")
	id := fs.String("processor", "", "processor ID when the config has several")
	examples := fs.Int("examples", 0, "print this many failing spans with their reasons")
	outPath := fs.String("out", "", "write the annotated spans here as OTLP JSON")
	outcome := fs.String("outcome", "", "numeric span attribute holding each trace's outcome (e.g. a reward); with it, a per-kind table")
	failBelow := fs.Float64("fail-below", 1, "a trace failed when its --outcome is below this")
	labelsPath := fs.String("labels", "", "CSV of trace outcomes: trace ID, any name, pass|fail (calibrate's format); instead of --outcome")
	split := fs.String("split", "", "per-kind table on this deterministic split only: train, dev or test")
	why := fs.Int("why", 20, "say why the judge got this many traces (highest scores first)")
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	if *path == "" || fs.NArg() == 0 {
		return 2, fmt.Errorf("--config and at least one file are required")
	}
	spec, err := readOutcomeSpec(*outcome, *failBelow, *labelsPath, *split)
	if err != nil {
		return 2, err
	}
	cfg, _, err := loadConfig(*path, *id)
	if err != nil {
		return 2, err
	}
	// Pass verdicts are needed for rates.
	cfg.RecordPasses = true
	names := make([]string, 0)
	for _, e := range cfg.EffectiveEvaluators() {
		names = append(names, e.Name)
	}
	t := newTally(cfg.AttributePrefix, names, *examples)
	// Per trace, what the score reads (and the outcome, when given):
	// about 100 bytes a trace.
	t.traces = newTraceTally(cfg.AttributePrefix, spec)
	var outFile *os.File
	if *outPath != "" {
		var err error
		if outFile, err = os.Create(*outPath); err != nil {
			return 2, err
		}
		defer func() { _ = outFile.Close() }() // early returns; the normal path closes and checks below
		t.out = bufio.NewWriterSize(outFile, 1<<20)
	}
	jt := &judgeTally{reasonOf: map[pcommon.TraceID]string{}}
	next, _ := consumer.NewTraces(t.consume)
	judge, _ := consumer.NewTraces(jt.consume)
	ctx := context.Background()
	nextLogs, _ := consumer.NewLogs(t.consumeLogs)
	p, pl, err := llmevalprocessor.NewReplay(ctx, replaySettings(), cfg, next, nextLogs, judge)
	if err != nil {
		return 2, err
	}
	if err := p.Start(ctx, nopHost{}); err != nil {
		return 2, err
	}
	if err := pl.Start(ctx, nopHost{}); err != nil {
		return 2, err
	}

	var total, read int64
	for _, f := range fs.Args() {
		if st, err := os.Stat(f); err == nil {
			total += st.Size()
		}
	}
	stop := progress(stderr, total, &read, &t.spans)
	var bad []*lineError
	began := time.Now()
	for _, f := range fs.Args() {
		err := readOTLP(f, &read, func(td ptrace.Traces) error { return p.ConsumeTraces(ctx, td) },
			func(ld plog.Logs) error { return pl.ConsumeLogs(ctx, ld) },
			func(e *lineError) { bad = append(bad, e) })
		if err != nil {
			stop()
			return 2, err
		}
	}
	if err := pl.Shutdown(ctx); err != nil {
		stop()
		return 2, err
	}
	if err := p.Shutdown(ctx); err != nil {
		stop()
		return 2, err
	}
	stop()
	if t.out != nil {
		if err := t.out.Flush(); err != nil && t.outErr == nil {
			t.outErr = err
		}
		if err := outFile.Close(); err != nil && t.outErr == nil {
			t.outErr = err
		}
		if t.outErr != nil {
			return 2, fmt.Errorf("--out: %w", t.outErr)
		}
	}
	report(stdout, t, jt, time.Since(began))
	printScores(stdout, t.traces, cfg.Sampling.Weights(), jt.reasonOf, *why)
	if spec.enabled() {
		traces, failed := t.traces.labelled(*split)
		printKindTable(stdout, traces, failed, *split)
	}
	for i, e := range bad {
		if i == 10 {
			fmt.Fprintf(stderr, "... and %d more bad lines\n", len(bad)-10)
			break
		}
		fmt.Fprintf(stderr, "bad line: %v\n", e)
	}
	if len(bad) > 0 {
		return 1, nil
	}
	return 0, nil
}

// startReplayProcessor builds and starts the processor a config
// describes, with next as the main stream and judge for sampled copies.
// replaySettings are the processor settings of a replay: nothing reports.
func replaySettings() processor.Settings {
	return processor.Settings{
		ID: component.NewID(llmevalprocessor.NewFactory().Type()),
		TelemetrySettings: component.TelemetrySettings{
			Logger: zap.NewNop(), TracerProvider: nooptrace.NewTracerProvider(), MeterProvider: noop.NewMeterProvider(),
			Resource: pcommon.NewResource(),
		},
		BuildInfo: component.NewDefaultBuildInfo(),
	}
}

func startReplayProcessor(ctx context.Context, cfg *llmevalprocessor.Config, next, judge consumer.Traces) (processor.Traces, error) {
	p, err := llmevalprocessor.NewReplayTraces(ctx, replaySettings(), cfg, next, judge)
	if err != nil {
		return nil, err
	}
	if err := p.Start(ctx, nopHost{}); err != nil {
		return nil, err
	}
	return p, nil
}

// replayInto runs the traces feed emits through the processor and hands
// every annotated span to span.
func replayInto(cfg *llmevalprocessor.Config, span func(ptrace.Span), feed func(emit func(ptrace.Traces) error) error) error {
	ctx := context.Background()
	next, _ := consumer.NewTraces(func(_ context.Context, td ptrace.Traces) error {
		spans.Each(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) { span(sp) })
		return nil
	})
	p, err := startReplayProcessor(ctx, cfg, next, nil)
	if err != nil {
		return err
	}
	if err := feed(func(td ptrace.Traces) error { return p.ConsumeTraces(ctx, td) }); err != nil {
		_ = p.Shutdown(ctx)
		return err
	}
	return p.Shutdown(ctx)
}

// progress prints how far the replay got, on terminals only.
func progress(w io.Writer, total int64, read *int64, spans *int) func() {
	f, ok := w.(*os.File)
	if !ok {
		return func() {}
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	var done atomic.Bool
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		for !done.Load() {
			pct := 100.0
			if total > 0 {
				pct = 100 * float64(atomic.LoadInt64(read)) / float64(total)
			}
			fmt.Fprintf(f, "\rreplay: %5.1f%% of %.1f MB", pct, float64(total)/1e6)
			time.Sleep(200 * time.Millisecond)
		}
		fmt.Fprint(f, "\r\033[K")
	}()
	return func() { done.Store(true); <-ended }
}

func report(w io.Writer, t *tally, jt *judgeTally, took time.Duration) {
	if t.records > 0 {
		fmt.Fprintf(w, "%d spans, %d with a verdict; %d log records, %d with a verdict; in %s\n\n", t.spans, t.llm, t.records, t.recLLM, took.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "%d spans, %d with a verdict, in %s\n\n", t.spans, t.llm, took.Round(time.Millisecond))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "evaluator\tevaluated\tpass\tfail\terror\tfail rate\ttop reasons")
	for _, n := range t.names {
		s := t.evals[n]
		total := s.pass + s.fail + s.errs
		rate := "-"
		if total > 0 {
			rate = fmt.Sprintf("%.1f%%", 100*float64(s.fail)/float64(total))
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\n", n, total, s.pass, s.fail, s.errs, rate, topReasons(s.reasons, 3))
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "signal\tspans\tshare of LLM spans")
	for _, c := range llmevalprocessor.SignalCategories() {
		share := "-"
		if n := t.llm + t.recLLM; n > 0 {
			share = fmt.Sprintf("%.1f%%", 100*float64(t.signals[c])/float64(n))
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", c, t.signals[c], share)
	}
	_ = tw.Flush()
	if len(jt.reasonOf) > 0 {
		byReason := map[string]int{}
		for _, r := range jt.reasonOf {
			byReason[r]++
		}
		fmt.Fprintf(w, "\njudge: %d traces sampled\n", len(jt.reasonOf))
		for _, r := range sortedKeys(byReason) {
			fmt.Fprintf(w, "  %-30s %d\n", r, byReason[r])
		}
	}
	if len(t.examples) > 0 {
		fmt.Fprintln(w, "\nfailing spans:")
		for _, e := range t.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

func topReasons(m map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var all []kv
	for k, v := range m {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].v != all[j].v {
			return all[i].v > all[j].v
		}
		return all[i].k < all[j].k
	})
	var parts []string
	for i, e := range all {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", e.k, e.v))
	}
	return strings.Join(parts, "; ")
}

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
