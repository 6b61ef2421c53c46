package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/metric/noop"
	nooptrace "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/otelcol-llmeval/otelcol-llmeval/connector/llmjudgeconnector"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/labelsplit"
)

// judged is the judge's outcome for one labelled ID: a span, or a trace
// (a trace fails if any of its judged spans failed; its score is the
// lowest).
type judged struct {
	label       string // pass, fail or error
	score       float64
	scored      bool
	explanation string
	errorType   string
}

func (j *judged) add(o llmjudgeconnector.Outcome) {
	switch {
	case j.label == "":
		j.label, j.score, j.scored, j.explanation, j.errorType = o.Label, o.Score, o.HasScore, o.Explanation, o.ErrorType
		return
	case o.Label == evalrecord.LabelFail && j.label != evalrecord.LabelFail,
		o.Label == evalrecord.LabelError && j.label == evalrecord.LabelPass:
		j.label, j.explanation, j.errorType = o.Label, o.Explanation, o.ErrorType
	}
	if o.HasScore && (!j.scored || o.Score < j.score) {
		j.score, j.scored = o.Score, true
	}
}

// judgeKey is a rubric and a labelled ID (lower-case hex).
type judgeKey struct{ rubric, id string }

func judge(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("judge", flag.ContinueOnError)
	configPath := fs.String("config", "", "collector config with an llmjudge connector, or a bare connector config")
	connectorID := fs.String("connector", "", "the llmjudge connector to use when the config has several")
	rubricName := fs.String("rubric", "", "judge only this rubric (default: every rubric the labels name)")
	labelsPath := fs.String("labels", "", "CSV: id (trace or span), rubric, human verdict (pass|fail, or a score on the rubric's scale)")
	split := fs.String("split", "", "only IDs in this deterministic split: train (20%), dev (40%) or test (40%)")
	dryRun := fs.Bool("dry-run", false, "render the prompts and estimate tokens and cost; call no model")
	show := fs.Int("show", 1, "with --dry-run, print this many rendered requests")
	disagreements := fs.Int("disagreements", 10, "print this many disagreements with the humans")
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	if *configPath == "" || *labelsPath == "" || fs.NArg() == 0 {
		return 2, errors.New("--config, --labels and at least one OTLP file are required")
	}
	switch *split {
	case "", "train", "dev", "test":
	default:
		return 2, fmt.Errorf("--split: %q is not one of train, dev, test", *split)
	}
	cfg := llmjudgeconnector.NewFactory().CreateDefaultConfig().(*llmjudgeconnector.Config)
	name, err := loadComponent(*configPath, componentKind{section: "connectors", typ: "llmjudge", flag: "--connector"}, *connectorID, cfg)
	if err != nil {
		return 2, err
	}
	tel := component.TelemetrySettings{Logger: zap.NewNop(), TracerProvider: nooptrace.NewTracerProvider(), MeterProvider: noop.NewMeterProvider()}
	j, err := llmjudgeconnector.NewJudge(cfg, tel)
	if err != nil {
		return 2, fmt.Errorf("%s: connectors::%s: %w", *configPath, name, err)
	}
	if *rubricName != "" {
		if _, ok := j.Rubric(*rubricName); !ok {
			return 2, fmt.Errorf("--rubric: no rubric %q in connectors::%s (have %s)", *rubricName, name, strings.Join(j.Rubrics(), ", "))
		}
	}
	labels, err := readLabels(*labelsPath, true)
	if err != nil {
		return 2, err
	}
	// The labels to compare, by rubric and ID.
	wanted := map[judgeKey]label{}
	for _, l := range labels {
		if (*rubricName != "" && l.evaluator != *rubricName) || (*split != "" && labelsplit.Of(l.id) != *split) {
			continue
		}
		info, ok := j.Rubric(l.evaluator)
		if !ok {
			return 2, fmt.Errorf("%s:%d: no rubric %q in connectors::%s", *labelsPath, l.row, l.evaluator, name)
		}
		if l.scored {
			if !info.Numeric {
				return 2, fmt.Errorf("%s:%d: rubric %q is pass/fail; label it pass or fail", *labelsPath, l.row, l.evaluator)
			}
			l.fail = l.score < info.PassThreshold
		}
		wanted[judgeKey{l.evaluator, strings.ToLower(l.id)}] = l
	}
	if len(wanted) == 0 {
		return 2, errors.New("no labels to compare (check --rubric, --split and the rubric names in the labels)")
	}
	if !*dryRun && !cfg.Model.Enabled() {
		return 2, fmt.Errorf("connectors::%s: no model configured (model.endpoint, model.name); --dry-run needs none", name)
	}

	// Render the judgements the labels ask for, file by file.
	var tasks []*llmjudgeconnector.Task
	skipped := map[string]int{}
	var read int64
	var bad []*lineError
	admit := func(t *llmjudgeconnector.Task) bool {
		_, bySpan := wanted[judgeKey{t.Rubric(), t.SpanID.String()}]
		_, byTrace := wanted[judgeKey{t.Rubric(), t.TraceID.String()}]
		return bySpan || byTrace
	}
	emit := func(t *llmjudgeconnector.Task) {
		if t.Skipped() != "" {
			skipped[t.Skipped()]++
			return
		}
		tasks = append(tasks, t)
	}
	for _, f := range fs.Args() {
		err := readTraces(f, &read, func(td ptrace.Traces) error {
			j.Tasks(context.Background(), td, admit, emit)
			return nil
		}, func(e *lineError) { bad = append(bad, e) })
		if err != nil {
			return 2, err
		}
	}
	for reason, n := range skipped {
		fmt.Fprintf(stdout, "%d judgements skipped: %s\n", n, reason)
	}
	if *dryRun {
		dryRunReport(stdout, j, cfg, tasks, *show)
	} else {
		outcomes, st, err := judgeAll(j, cfg, tasks)
		if err != nil {
			return 2, err
		}
		alignmentReport(stdout, wanted, outcomes, st, *split, *disagreements)
	}
	for _, e := range bad {
		fmt.Fprintf(stderr, "bad line: %v\n", e)
	}
	if len(bad) > 0 {
		return 1, nil
	}
	return 0, nil
}

// judgeAll asks the judge, max_concurrency calls at a time; the budget's
// calls per minute paces the run instead of skipping.
func judgeAll(j *llmjudgeconnector.Judge, cfg *llmjudgeconnector.Config, tasks []*llmjudgeconnector.Task) (map[judgeKey]*judged, stats, error) {
	ctx := context.Background()
	tel := component.TelemetrySettings{Logger: zap.NewNop(), TracerProvider: nooptrace.NewTracerProvider(), MeterProvider: noop.NewMeterProvider()}
	// Offline there are no extensions: an auth extension fails here.
	if err := j.Start(ctx, nopHost{}, tel); err != nil {
		return nil, stats{}, err
	}
	var limiter *rate.Limiter
	if n := cfg.Budget.MaxCallsPerMinute; n > 0 {
		limiter = rate.NewLimiter(rate.Limit(float64(n)/60), n)
	}
	outcomes := make([]llmjudgeconnector.Outcome, len(tasks))
	work := make(chan int)
	var wg sync.WaitGroup
	for range max(cfg.MaxConcurrency, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if limiter != nil {
					_ = limiter.Wait(ctx)
				}
				outcomes[i] = j.Evaluate(ctx, tasks[i])
			}
		}()
	}
	for i := range tasks {
		work <- i
	}
	close(work)
	wg.Wait()

	out := map[judgeKey]*judged{}
	var st stats
	st.errors = map[string]int{}
	for i, t := range tasks {
		o := outcomes[i]
		st.calls++
		st.cost += o.CostUSD
		st.inTokens += max(o.InputTokens, 0)
		st.outTokens += max(o.OutputTokens, 0)
		if o.ErrorType != "" {
			st.errors[o.ErrorType]++
		}
		for _, id := range []string{t.SpanID.String(), t.TraceID.String()} {
			k := judgeKey{t.Rubric(), id}
			if out[k] == nil {
				out[k] = &judged{}
			}
			out[k].add(o)
		}
	}
	return out, st, nil
}

// stats are the run's totals.
type stats struct {
	calls               int
	inTokens, outTokens int64
	cost                float64
	errors              map[string]int
}

// dryRunReport prints the first show requests and what the whole run
// would cost: input tokens estimated from the prompts, output tokens at
// most max_tokens a call.
func dryRunReport(w io.Writer, j *llmjudgeconnector.Judge, cfg *llmjudgeconnector.Config, tasks []*llmjudgeconnector.Task, show int) {
	perRubric := map[string]int{}
	bytes := 0
	for i, t := range tasks {
		perRubric[t.Rubric()]++
		bytes += t.PromptBytes()
		if i >= show {
			continue
		}
		fmt.Fprintf(w, "=== request %d: rubric %s (%s level), trace %s, span %s\n", i+1, t.Rubric(), t.Level(), t.TraceID, t.SpanID)
		for _, m := range t.Messages() {
			fmt.Fprintf(w, "--- %s\n%s\n", m.Role, m.Content)
		}
		fmt.Fprintln(w)
	}
	names := sortedKeys(perRubric)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, perRubric[n])
	}
	in := int64(bytes / llmjudgeconnector.BytesPerToken)
	out := int64(len(tasks)) * int64(cfg.Model.MaxTokens)
	fmt.Fprintf(w, "dry run: %d judge calls (%s), nothing sent\n", len(tasks), strings.Join(parts, ", "))
	fmt.Fprintf(w, "input: %d bytes, about %d tokens (%d bytes a token); output: at most %d tokens (max_tokens %d a call)\n",
		bytes, in, llmjudgeconnector.BytesPerToken, out, cfg.Model.MaxTokens)
	if p, ok := j.Price(); ok {
		fmt.Fprintf(w, "cost for %s: about $%.4f input + at most $%.4f output\n", cfg.Model.Name, p.USD(in, 0, 0), p.USD(0, 0, out))
	} else {
		fmt.Fprintf(w, "cost: no price for model %q (add it under prices)\n", cfg.Model.Name)
	}
}

// alignmentReport compares the judge with the humans per rubric: fail is
// the positive class, as in calibrate.
func alignmentReport(w io.Writer, wanted map[judgeKey]label, got map[judgeKey]*judged, st stats, split string, maxDisagreements int) {
	type rubricStats struct {
		c            confusion
		human, judge []float64 // scored pairs, for Spearman
	}
	byRubric := map[string]*rubricStats{}
	type disagreement struct {
		k     judgeKey
		human string
		j     *judged
	}
	var dis []disagreement
	unmatched := 0
	keys := make([]judgeKey, 0, len(wanted))
	for k := range wanted {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].rubric != keys[b].rubric {
			return keys[a].rubric < keys[b].rubric
		}
		return wanted[keys[a]].row < wanted[keys[b]].row
	})
	for _, k := range keys {
		l := wanted[k]
		jd, ok := got[k]
		if !ok || jd.label == evalrecord.LabelError {
			unmatched++
			continue
		}
		rs := byRubric[k.rubric]
		if rs == nil {
			rs = &rubricStats{}
			byRubric[k.rubric] = rs
		}
		judgeFail := jd.label == evalrecord.LabelFail
		rs.c.add(l.fail, judgeFail)
		if l.scored && jd.scored {
			rs.human = append(rs.human, l.score)
			rs.judge = append(rs.judge, jd.score)
		}
		if l.fail != judgeFail {
			human := "pass"
			if l.fail {
				human = "fail"
			}
			if l.scored {
				human = fmt.Sprintf("%s (%g)", human, l.score)
			}
			dis = append(dis, disagreement{k, human, jd})
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rubric\t"+confusionHeader+"\tspearman")
	for _, n := range sortedKeys(byRubric) {
		rs := byRubric[n]
		fmt.Fprintf(tw, "%s\t%s\t%s\n", n, rs.c.cells(), fmtKappa(spearman(rs.human, rs.judge)))
	}
	_ = tw.Flush()
	if split != "" {
		fmt.Fprintf(w, "\nsplit: %s\n", split)
	}
	if unmatched > 0 {
		fmt.Fprintf(w, "\n%d labels had no judge verdict to compare (ID not in the files, not selected by the rubric's when, or a judge error)\n", unmatched)
	}
	fmt.Fprintf(w, "\njudge calls: %d, tokens in %d / out %d, spend $%.6f\n", st.calls, st.inTokens, st.outTokens, st.cost)
	if len(st.errors) > 0 {
		types := make([]string, 0, len(st.errors))
		for t, n := range st.errors {
			types = append(types, fmt.Sprintf("%s %d", t, n))
		}
		sort.Strings(types)
		fmt.Fprintf(w, "judge errors: %s\n", strings.Join(types, ", "))
	}
	if len(dis) == 0 || maxDisagreements <= 0 {
		return
	}
	fmt.Fprintf(w, "\ndisagreements (%d, first %d):\n", len(dis), min(len(dis), maxDisagreements))
	dw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(dw, "rubric\tid\thuman\tjudge\texplanation")
	for _, d := range dis[:min(len(dis), maxDisagreements)] {
		jv := d.j.label
		if d.j.scored {
			jv = fmt.Sprintf("%s (%g)", jv, d.j.score)
		}
		expl := strings.Join(strings.Fields(d.j.explanation), " ")
		fmt.Fprintf(dw, "%s\t%s\t%s\t%s\t%s\n", d.k.rubric, d.k.id, d.human, jv, evalrecord.Bound(expl, 200))
	}
	_ = dw.Flush()
}

// spearman is the rank correlation of x and y, ties given their average
// rank; NaN with fewer than two pairs or a constant side.
func spearman(x, y []float64) float64 {
	if len(x) < 2 || len(x) != len(y) {
		return math.NaN()
	}
	rx, ry := ranks(x), ranks(y)
	mean := float64(len(x)+1) / 2
	var sxy, sxx, syy float64
	for i := range rx {
		dx, dy := rx[i]-mean, ry[i]-mean
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}
