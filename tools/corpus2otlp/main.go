// Command corpus2otlp turns the labelled corpus (testdata/corpus/*.jsonl,
// format in testdata/corpus/README.md) into what `llmeval replay` and
// `llmeval calibrate` read: per group of cases sharing an evaluator config,
// a processor config (<group>.yaml) and the spans as OTLP JSON lines
// (<group>.otlp.jsonl); for all cases one labels.csv and a cases.csv that maps
// case IDs to trace IDs, classes and splits for error analysis.
//
//	go run ./tools/corpus2otlp --out build/corpus testdata/corpus/*.jsonl
//
// With --errors it instead reads the annotated files replay wrote into that
// directory (<group>.annotated.jsonl) and lists the cases whose verdict
// disagrees with the label, for tuning on dev:
//
//	go run ./tools/corpus2otlp --errors --split dev --out build/corpus
//
// `make corpus` runs the whole loop.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/labelsplit"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spans"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corpus2otlp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "output directory (created; files in it are overwritten)")
	errs := fs.Bool("errors", false, "list the cases of --out whose annotated verdict disagrees with the label")
	split := fs.String("split", "", "with --errors: only cases in this split (train, dev, test)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "corpus2otlp: --out is required")
		return 2
	}
	if *errs {
		if err := listErrors(*out, *split, stdout); err != nil {
			fmt.Fprintf(stderr, "corpus2otlp: %v\n", err)
			return 1
		}
		return 0
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "corpus2otlp: no corpus files given")
		return 2
	}
	cases, err := loadFiles(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "corpus2otlp: %v\n", err)
		return 1
	}
	groups, err := write(*out, cases)
	if err != nil {
		fmt.Fprintf(stderr, "corpus2otlp: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d cases in %d groups written to %s\n", len(cases), groups, *out)
	return 0
}

// Case is one labelled span.
type Case struct {
	ID     string          `json:"id"`
	Label  string          `json:"label"`
	Class  string          `json:"class"`
	Note   string          `json:"note,omitempty"`
	Span   Span            `json:"span"`
	Config json.RawMessage `json:"config,omitempty"`

	// evaluator is the corpus file's name without .jsonl; where is
	// file:line for errors.
	evaluator, where string
}

// Span is the span a case describes.
type Span struct {
	Name       string                     `json:"name"`
	Kind       string                     `json:"kind"`
	DurationMS *float64                   `json:"duration_ms"`
	Status     string                     `json:"status"`
	Attributes map[string]json.RawMessage `json:"attributes"`
}

// loadFiles reads every corpus file; case IDs must be unique across them,
// as the trace ID derives from the ID alone.
func loadFiles(paths []string) ([]Case, error) {
	var all []Case
	var errs []error
	seen := map[string]string{}
	for _, p := range paths {
		cases, err := loadFile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, c := range cases {
			if prev, dup := seen[c.ID]; dup {
				errs = append(errs, fmt.Errorf("%s: id %q: duplicate of %s", c.where, c.ID, prev))
				continue
			}
			seen[c.ID] = c.where
			all = append(all, c)
		}
	}
	return all, errors.Join(errs...)
}

// loadFile reads one corpus file strictly: an unknown field, a label other
// than pass/fail or a span without attributes is an error naming the line.
func loadFile(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // a reader: nothing to flush
	evaluator := strings.TrimSuffix(filepath.Base(path), ".jsonl")
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 16<<20)
	var cases []Case
	var errs []error
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, line)
		c, err := parseCase(text)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		c.evaluator, c.where = evaluator, where
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", path, err))
	}
	return cases, errors.Join(errs...)
}

var spanKinds = map[string]ptrace.SpanKind{
	"": ptrace.SpanKindClient, "client": ptrace.SpanKindClient, "server": ptrace.SpanKindServer,
	"internal": ptrace.SpanKindInternal, "producer": ptrace.SpanKindProducer, "consumer": ptrace.SpanKindConsumer,
}

var statusCodes = map[string]ptrace.StatusCode{
	"": ptrace.StatusCodeUnset, "unset": ptrace.StatusCodeUnset, "ok": ptrace.StatusCodeOk, "error": ptrace.StatusCodeError,
}

func parseCase(text []byte) (Case, error) {
	var c Case
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	switch {
	case c.ID == "":
		return c, errors.New("id: required")
	case c.Label != "pass" && c.Label != "fail":
		return c, fmt.Errorf("id %q: label: %q is neither pass nor fail", c.ID, c.Label)
	case c.Class == "":
		return c, fmt.Errorf("id %q: class: required", c.ID)
	case len(c.Span.Attributes) == 0:
		return c, fmt.Errorf("id %q: span.attributes: required", c.ID)
	}
	if _, ok := spanKinds[c.Span.Kind]; !ok {
		return c, fmt.Errorf("id %q: span.kind: %q is not one of client, server, internal, producer, consumer", c.ID, c.Span.Kind)
	}
	if _, ok := statusCodes[c.Span.Status]; !ok {
		return c, fmt.Errorf("id %q: span.status: %q is not one of ok, error, unset", c.ID, c.Span.Status)
	}
	if d := c.Span.DurationMS; d != nil && *d < 0 {
		return c, fmt.Errorf("id %q: span.duration_ms: negative", c.ID)
	}
	if len(c.Config) > 0 {
		var m map[string]any
		if err := json.Unmarshal(c.Config, &m); err != nil || m == nil {
			return c, fmt.Errorf("id %q: config: must be an object", c.ID)
		}
	}
	// Decode the attributes now, so a bad value is reported with its line.
	if err := putAttributes(pcommon.NewMap(), c.Span.Attributes); err != nil {
		return c, fmt.Errorf("id %q: span.attributes: %w", c.ID, err)
	}
	return c, nil
}

// ids derives the trace and span ID from the case ID: the first 16 and 8
// bytes of its SHA-256, so an ID always lands in the same calibrate split.
func ids(id string) (pcommon.TraceID, pcommon.SpanID) {
	sum := sha256.Sum256([]byte(id))
	var t pcommon.TraceID
	var s pcommon.SpanID
	copy(t[:], sum[:16])
	copy(s[:], sum[:8])
	return t, s
}

// corpusStart is every span's start: a fixed time keeps outputs stable.
var corpusStart = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// defaultDuration is a span's duration when the case gives none: an
// ordinary model call.
const defaultDuration = 1200 * time.Millisecond

func (c Case) traces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "llmeval-corpus")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("llmeval-corpus")
	sp := ss.Spans().AppendEmpty()
	traceID, spanID := ids(c.ID)
	sp.SetTraceID(traceID)
	sp.SetSpanID(spanID)
	name := c.Span.Name
	if name == "" {
		name = "chat"
	}
	sp.SetName(name)
	sp.SetKind(spanKinds[c.Span.Kind])
	d := defaultDuration
	if c.Span.DurationMS != nil {
		d = time.Duration(*c.Span.DurationMS * float64(time.Millisecond))
	}
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(corpusStart))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(corpusStart.Add(d)))
	sp.Status().SetCode(statusCodes[c.Span.Status])
	_ = putAttributes(sp.Attributes(), c.Span.Attributes) // checked in parseCase
	return td
}

// putAttributes writes JSON values as OTLP attributes: strings, numbers
// and booleans as scalars; arrays of scalars as OTLP arrays (the form of
// semconv string[] keys such as gen_ai.response.finish_reasons); objects
// and arrays holding objects as a JSON string, as producers send message
// lists.
func putAttributes(m pcommon.Map, attrs map[string]json.RawMessage) error {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		raw := bytes.TrimSpace(attrs[k])
		if len(raw) == 0 || string(raw) == "null" {
			return fmt.Errorf("%s: null value", k)
		}
		switch raw[0] {
		case '{':
			var buf bytes.Buffer
			if err := json.Compact(&buf, raw); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			m.PutStr(k, buf.String())
		case '[':
			var elems []json.RawMessage
			if err := json.Unmarshal(raw, &elems); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			if scalarArray(elems) {
				s := m.PutEmptySlice(k)
				for _, e := range elems {
					if err := putScalar(s.AppendEmpty(), e); err != nil {
						return fmt.Errorf("%s: %w", k, err)
					}
				}
				continue
			}
			var buf bytes.Buffer
			if err := json.Compact(&buf, raw); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			m.PutStr(k, buf.String())
		default:
			if err := putScalar(m.PutEmpty(k), raw); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	}
	return nil
}

func scalarArray(elems []json.RawMessage) bool {
	if len(elems) == 0 {
		return false
	}
	for _, e := range elems {
		if e = bytes.TrimSpace(e); len(e) == 0 || e[0] == '{' || e[0] == '[' || string(e) == "null" {
			return false
		}
	}
	return true
}

func putScalar(v pcommon.Value, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		v.SetStr(s)
	case string(raw) == "true" || string(raw) == "false":
		v.SetBool(string(raw) == "true")
	default:
		if i, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			v.SetInt(i)
			return nil
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return fmt.Errorf("%s is not a string, number or boolean", raw)
		}
		v.SetDouble(f)
	}
	return nil
}

// group is the cases one processor config evaluates.
type group struct {
	stem   string
	config []byte
	cases  []Case
}

// evaluatorConfig is the processor config for a corpus file's evaluator:
// the default set's entry of that name (as a new user runs it), or a bare
// entry of that type, with the case's config keys on top.
func evaluatorConfig(evaluator string, caseConfig json.RawMessage) ([]byte, error) {
	entry := map[string]any{"name": evaluator, "type": evaluator}
	for _, d := range evaluators.DefaultSet() {
		if d.Name != evaluator {
			continue
		}
		entry["type"] = d.Type
		if d.Target != "" {
			entry["target"] = d.Target
		}
		if len(d.When) > 0 {
			entry["when"] = d.When
		}
		for k, v := range d.Settings {
			entry[k] = v
		}
	}
	if len(caseConfig) > 0 {
		var m map[string]any
		if err := json.Unmarshal(caseConfig, &m); err != nil {
			return nil, err
		}
		for k, v := range m {
			entry[k] = v
		}
	}
	return yaml.Marshal(map[string]any{"evaluators": []any{entry}})
}

// groupCases puts cases with the same evaluator and config together, in
// order of first appearance: <evaluator> for the cases without a config,
// <evaluator>.<n> for each distinct config.
func groupCases(cases []Case) ([]*group, error) {
	var out []*group
	byKey := map[string]*group{}
	configs := map[string]int{}
	for _, c := range cases {
		var norm []byte
		if len(c.Config) > 0 {
			var m map[string]any
			if err := json.Unmarshal(c.Config, &m); err != nil {
				return nil, fmt.Errorf("%s: config: %w", c.where, err)
			}
			norm, _ = json.Marshal(m) // map keys sorted: one key per config
		}
		key := c.evaluator + "\x00" + string(norm)
		g := byKey[key]
		if g == nil {
			stem := c.evaluator
			if len(norm) > 0 {
				configs[c.evaluator]++
				stem = fmt.Sprintf("%s.%d", c.evaluator, configs[c.evaluator])
			}
			cfg, err := evaluatorConfig(c.evaluator, c.Config)
			if err != nil {
				return nil, fmt.Errorf("%s: config: %w", c.where, err)
			}
			g = &group{stem: stem, config: cfg}
			byKey[key] = g
			out = append(out, g)
		}
		g.cases = append(g.cases, c)
	}
	return out, nil
}

func write(dir string, cases []Case) (int, error) {
	groups, err := groupCases(cases)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var m ptrace.JSONMarshaler
	for _, g := range groups {
		header := fmt.Sprintf("# Generated by tools/corpus2otlp from testdata/corpus/%s.jsonl: %d cases.\n", g.cases[0].evaluator, len(g.cases))
		if err := os.WriteFile(filepath.Join(dir, g.stem+".yaml"), append([]byte(header), g.config...), 0o644); err != nil {
			return 0, err
		}
		var b bytes.Buffer
		for _, c := range g.cases {
			line, err := m.MarshalTraces(c.traces())
			if err != nil {
				return 0, fmt.Errorf("%s: %w", c.where, err)
			}
			b.Write(line)
			b.WriteByte('\n')
		}
		if err := os.WriteFile(filepath.Join(dir, g.stem+".otlp.jsonl"), b.Bytes(), 0o644); err != nil {
			return 0, err
		}
	}
	var labels, index bytes.Buffer
	lw, iw := csv.NewWriter(&labels), csv.NewWriter(&index)
	_ = lw.Write([]string{"trace_id", "evaluator", "human"})
	_ = iw.Write([]string{"id", "trace_id", "evaluator", "label", "class", "split", "group"})
	for _, g := range groups {
		for _, c := range g.cases {
			t, _ := ids(c.ID)
			_ = lw.Write([]string{t.String(), c.evaluator, c.Label})
			_ = iw.Write([]string{c.ID, t.String(), c.evaluator, c.Label, c.Class, labelsplit.Of(t.String()), g.stem})
		}
	}
	lw.Flush()
	iw.Flush()
	if err := os.WriteFile(filepath.Join(dir, "labels.csv"), labels.Bytes(), 0o644); err != nil {
		return 0, err
	}
	return len(groups), os.WriteFile(filepath.Join(dir, "cases.csv"), index.Bytes(), 0o644)
}

// listErrors prints the cases whose annotated verdict disagrees with the
// label (a missing verdict included), then the disagreements per class.
// It reads dir/cases.csv and the dir/*.annotated.jsonl replay wrote.
func listErrors(dir, split string, w io.Writer) error {
	f, err := os.Open(filepath.Join(dir, "cases.csv"))
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // a reader: nothing to flush
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return err
	}
	type got struct{ verdict, reason string }
	verdicts := map[string]got{} // trace ID + evaluator
	files, _ := filepath.Glob(filepath.Join(dir, "*.annotated.jsonl"))
	if len(files) == 0 {
		return fmt.Errorf("no *.annotated.jsonl in %s: run llmeval replay --out first", dir)
	}
	var um ptrace.JSONUnmarshaler
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			td, err := um.UnmarshalTraces(line)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			spans.Each(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) {
				for k, v := range sp.Attributes().All() {
					name, ok := strings.CutSuffix(strings.TrimPrefix(k, "llmeval."), ".verdict")
					if !ok || name == k || strings.Contains(name, ".") {
						continue
					}
					g := got{verdict: v.Str()}
					if r, ok := sp.Attributes().Get("llmeval." + name + ".reason"); ok {
						g.reason = r.Str()
					}
					verdicts[sp.TraceID().String()+"/"+name] = g
				}
			})
		}
	}
	byClass := map[string]int{}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tsplit\tlabel\tverdict\tclass\treason")
	n := 0
	for _, r := range rows[1:] {
		id, trace, evaluator, label, class, sp := r[0], r[1], r[2], r[3], r[4], r[5]
		if split != "" && sp != split {
			continue
		}
		g, ok := verdicts[trace+"/"+evaluator]
		if !ok {
			g.verdict = "none"
		}
		if g.verdict == label {
			continue
		}
		n++
		byClass[evaluator+" "+label+" "+class]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id, sp, label, g.verdict, class, g.reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d disagreements; by evaluator, label and class:\n", n)
	keys := make([]string, 0, len(byClass))
	for k := range byClass {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if byClass[keys[i]] != byClass[keys[j]] {
			return byClass[keys[i]] > byClass[keys[j]]
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		fmt.Fprintf(w, "  %3d  %s\n", byClass[k], k)
	}
	return nil
}
