// Package review serves `llmeval review`: a local web page over OTLP JSON
// files where people read sampled traces as conversations and label them.
// The files are indexed once (where each trace's lines are, and a small
// summary to sort and filter by); a trace's content is read from disk when
// the page opens it, so a queue of any size pages in bounded memory.
package review

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spans"
)

// Limits that keep the index small whatever the files hold.
const (
	// maxLineBytes bounds one line of an input file; a longer line is
	// reported as bad and skipped.
	maxLineBytes = 256 << 20
	// maxValuesPerTrace bounds the distinct services, models, failed
	// checks, signals and judge verdicts a summary lists.
	maxValuesPerTrace = 16
	// maxBadLines bounds the bad lines kept for the report (all are counted).
	maxBadLines = 100
	// MaxTraces bounds the traces of one review: their summaries stay in
	// memory (a few hundred bytes each).
	MaxTraces = 1 << 20
)

// Redactor hides what the config's judge.redact hides (see the processor's
// Config.JudgeRedactor).
type Redactor interface {
	Apply(td ptrace.Traces)
	Hides(key string) bool
}

// Options configure an Index.
type Options struct {
	// Prefix is the processor's attribute_prefix.
	Prefix string
	// Redactor, when set, is applied to everything the page is shown.
	Redactor Redactor
	// TempDir holds the decompressed copies of gzip inputs; os.TempDir()
	// when empty.
	TempDir string
}

// lineRef is where a line holding spans of a trace is.
type lineRef struct {
	file int32
	n    int32
	off  int64
}

// Summary is what the queue shows, sorts and filters a trace by. Only
// names and numbers: never content.
type Summary struct {
	TraceID  string   `json:"trace_id"`
	Root     string   `json:"root"`
	Start    int64    `json:"start_unix_nano"`
	Spans    int      `json:"spans"`
	Services []string `json:"services"`
	Models   []string `json:"models"`
	// Failed are the evaluators with a fail verdict on any span;
	// FailCount counts fail verdicts over all spans.
	Failed    []string `json:"failed"`
	FailCount int      `json:"fail_count"`
	// Signals are the signal categories seen; SignalCount sums their counts.
	Signals     []string `json:"signals"`
	SignalCount int      `json:"signal_count"`
	// Judge are "<rubric>:<label>" of judge records about the trace.
	Judge []string `json:"judge"`
	// JudgeScore is <prefix>.judge.score (the sampler's trouble score),
	// the highest on any span, when present.
	JudgeScore *float64 `json:"judge_score,omitempty"`
	// Score is the trouble score the queue sorts by: JudgeScore when
	// present, else FailCount + SignalCount.
	Score  float64 `json:"score"`
	Errors int     `json:"errors"`

	// lines hold the trace's spans; logLines its judge records.
	lines, logLines []lineRef
}

// judgeRecord is a judge's gen_ai.evaluation.result record (a span event,
// or a log record in a logs line), shown beside the span it judged.
type judgeRecord struct {
	SpanID      string   `json:"span_id,omitempty"`
	Name        string   `json:"name"`
	Label       string   `json:"label"`
	Score       *float64 `json:"score,omitempty"`
	Explanation string   `json:"explanation,omitempty"`
	Source      string   `json:"source,omitempty"`
}

// BadLine is a line that is not an OTLP JSON request.
type BadLine struct {
	File string
	Line int
	Err  string
}

func (b BadLine) String() string { return fmt.Sprintf("%s:%d: %s", b.File, b.Line, b.Err) }

// Index is the queue: every trace of the files, in first-seen order.
type Index struct {
	opts   Options
	files  []string // what is read: the input, or its decompressed copy
	names  []string // the input paths as given
	temps  []string // decompressed copies to remove on Close
	traces []*Summary
	byID   map[string]*Summary
	// Bad lines: the first maxBadLines, and how many in all.
	Bad     []BadLine
	BadLine int
	// evaluators, signals, services, models and judge rubrics seen.
	evaluators, signals, services, models, rubrics map[string]bool
}

// Open indexes the files. Gzip files are decompressed once into TempDir,
// so a trace is read back with one positioned read. A bad line is counted
// and skipped; a file that cannot be read is an error.
func Open(paths []string, opts Options) (*Index, error) {
	if opts.Prefix == "" {
		opts.Prefix = "llmeval"
	}
	ix := &Index{
		opts: opts, byID: map[string]*Summary{},
		evaluators: map[string]bool{}, signals: map[string]bool{}, services: map[string]bool{},
		models: map[string]bool{}, rubrics: map[string]bool{},
	}
	for _, p := range paths {
		if err := ix.add(p); err != nil {
			_ = ix.Close()
			return nil, err
		}
	}
	return ix, nil
}

// Close removes the decompressed copies.
func (ix *Index) Close() error {
	var errs []error
	for _, t := range ix.temps {
		errs = append(errs, os.Remove(t))
	}
	ix.temps = nil
	return errors.Join(errs...)
}

// Len is the number of traces.
func (ix *Index) Len() int { return len(ix.traces) }

// Get returns a trace's summary.
func (ix *Index) Get(traceID string) (*Summary, bool) {
	s, ok := ix.byID[strings.ToLower(traceID)]
	return s, ok
}

func (ix *Index) add(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only
	br := bufio.NewReaderSize(f, 1<<20)
	src, name := br, path
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if name, err = ix.gunzip(path, br); err != nil {
			return err
		}
		g, err := os.Open(name)
		if err != nil {
			return err
		}
		defer func() { _ = g.Close() }() // read only
		src = bufio.NewReaderSize(g, 1<<20)
	}
	fileNo := int32(len(ix.files))
	ix.files = append(ix.files, name)
	ix.names = append(ix.names, path)
	return ix.scan(path, fileNo, src)
}

// gunzip writes path's decompressed content to a temporary file.
func (ix *Index) gunzip(path string, r io.Reader) (string, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	defer func() { _ = gz.Close() }() // a reader: nothing to flush
	tmp, err := os.CreateTemp(ix.opts.TempDir, "llmeval-review-*.jsonl")
	if err != nil {
		return "", err
	}
	ix.temps = append(ix.temps, tmp.Name())
	if _, err := io.Copy(tmp, gz); err != nil {
		_ = tmp.Close()
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return tmp.Name(), tmp.Close()
}

// scan reads the lines of one file, one at a time.
func (ix *Index) scan(path string, fileNo int32, r *bufio.Reader) error {
	var off int64
	var tu ptrace.JSONUnmarshaler
	var lu plog.JSONUnmarshaler
	var line []byte
	for lineNo := 1; ; lineNo++ {
		line = line[:0]
		tooLong := false
		start := off
		var err error
		for {
			var chunk []byte
			chunk, err = r.ReadSlice('\n')
			off += int64(len(chunk))
			if tooLong || len(line)+len(chunk) > maxLineBytes {
				tooLong, line = true, line[:0]
			} else {
				line = append(line, chunk...)
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s:%d: %w", path, lineNo, err)
		}
		switch t := bytes.TrimSpace(line); {
		case tooLong:
			ix.bad(path, lineNo, fmt.Sprintf("line longer than %d bytes", maxLineBytes))
		case len(t) == 0:
		case isLogs(t):
			ld, uerr := lu.UnmarshalLogs(t)
			if uerr != nil {
				ix.bad(path, lineNo, uerr.Error())
				break
			}
			ix.addLogs(ld, lineRef{file: fileNo, off: start, n: int32(off - start)})
		default:
			td, uerr := tu.UnmarshalTraces(t)
			if uerr != nil {
				ix.bad(path, lineNo, uerr.Error())
				break
			}
			ix.addTraces(td, lineRef{file: fileNo, off: start, n: int32(off - start)})
		}
		if len(ix.traces) > MaxTraces {
			return fmt.Errorf("%s:%d: more than %d traces: review them in several runs", path, lineNo, MaxTraces)
		}
		if cap(line) > 16<<20 {
			line = nil // one huge line does not pin its buffer
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// isLogs tells a logs request from a traces request by its first key.
func isLogs(line []byte) bool {
	i := bytes.IndexByte(line, '"')
	return i >= 0 && bytes.HasPrefix(line[i:], []byte(`"resourceLogs"`))
}

func (ix *Index) bad(path string, line int, err string) {
	ix.BadLine++
	if len(ix.Bad) < maxBadLines {
		ix.Bad = append(ix.Bad, BadLine{File: path, Line: line, Err: err})
	}
}

func (ix *Index) summary(id pcommon.TraceID) *Summary {
	key := id.String()
	s := ix.byID[key]
	if s == nil {
		s = &Summary{TraceID: key, Services: []string{}, Models: []string{}, Failed: []string{}, Signals: []string{}, Judge: []string{}}
		ix.byID[key] = s
		ix.traces = append(ix.traces, s)
	}
	return s
}

// addValue adds v to a bounded set kept in a slice.
func addValue(list []string, v string) []string {
	if v == "" || len(list) >= maxValuesPerTrace || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

func (ix *Index) addTraces(td ptrace.Traces, ref lineRef) {
	var view spanmodel.View
	defer view.Release()
	prefix := ix.opts.Prefix
	var verdicts []evalrecord.Verdict
	spans.Each(td, func(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, sp ptrace.Span) {
		service := ""
		if v, ok := rs.Resource().Attributes().Get("service.name"); ok {
			service = v.AsString()
		}
		s := ix.summary(sp.TraceID())
		if n := len(s.lines); n == 0 || s.lines[n-1] != ref {
			s.lines = append(s.lines, ref)
		}
		s.Spans++
		if t := int64(sp.StartTimestamp()); s.Start == 0 || (t > 0 && t < s.Start) {
			s.Start = t
		}
		if sp.ParentSpanID().IsEmpty() && s.Root == "" {
			s.Root = sp.Name()
		}
		if sp.Status().Code() == ptrace.StatusCodeError {
			s.Errors++
		}
		s.Services = addValue(s.Services, service)
		ix.services[service] = service != ""
		view.Reset(rs, ss, sp)
		if m := view.Model(); m != "" {
			s.Models = addValue(s.Models, m)
			ix.models[m] = true
		}
		verdicts = evalrecord.Verdicts(sp.Attributes(), prefix, verdicts[:0])
		for _, v := range verdicts {
			ix.evaluators[v.Name] = true
			if v.Verdict == evalrecord.LabelFail {
				s.FailCount++
				s.Failed = addValue(s.Failed, v.Name)
			}
		}
		for _, sig := range readSignals(sp.Attributes(), prefix) {
			ix.signals[sig.Category] = true
			s.Signals = addValue(s.Signals, sig.Category)
			s.SignalCount += int(max(sig.Count, 1))
		}
		if v, ok := sp.Attributes().Get(prefix + ".judge.score"); ok {
			if f, ok := number(v); ok && (s.JudgeScore == nil || f > *s.JudgeScore) {
				s.JudgeScore = &f
			}
		}
		for _, ev := range sp.Events().All() {
			if r, ok := judgeFrom(ev.Name(), ev.Attributes(), prefix); ok {
				ix.addJudge(s, r)
			}
		}
		s.score()
	})
}

// addLogs notes, per trace, the judge verdicts of a logs line and where
// the line is: the records themselves are read again when the trace is
// opened, so explanations do not stay in memory.
func (ix *Index) addLogs(ld plog.Logs, ref lineRef) {
	eachJudgeRecord(ld, ix.opts.Prefix, func(id pcommon.TraceID, r judgeRecord) {
		s := ix.summary(id)
		if n := len(s.logLines); n == 0 || s.logLines[n-1] != ref {
			s.logLines = append(s.logLines, ref)
		}
		ix.addJudge(s, r)
	})
}

// eachJudgeRecord calls fn for every judge record of ld about a trace.
func eachJudgeRecord(ld plog.Logs, prefix string, fn func(pcommon.TraceID, judgeRecord)) {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if lr.TraceID().IsEmpty() {
					continue
				}
				r, ok := judgeFrom(lr.EventName(), lr.Attributes(), prefix)
				if !ok {
					continue
				}
				if !lr.SpanID().IsEmpty() {
					r.SpanID = lr.SpanID().String()
				}
				fn(lr.TraceID(), r)
			}
		}
	}
}

func (ix *Index) addJudge(s *Summary, r judgeRecord) {
	ix.rubrics[r.Name] = true
	s.Judge = addValue(s.Judge, r.Name+":"+r.Label)
}

// judgeFrom reads a gen_ai.evaluation.result event or log record that a
// judge wrote (the code checks' own records repeat the span's verdicts and
// are skipped). The explanation is kept only when no redaction is set: a
// judge's explanation may quote the content.
func judgeFrom(name string, attrs pcommon.Map, prefix string) (judgeRecord, bool) {
	if name != evalrecord.EventName {
		return judgeRecord{}, false
	}
	var r judgeRecord
	if v, ok := attrs.Get(prefix + evalrecord.SourceSuffix); ok {
		r.Source = v.AsString()
	}
	if r.Source == "check" {
		return judgeRecord{}, false
	}
	if v, ok := attrs.Get(evalrecord.AttrName); ok {
		r.Name = v.AsString()
	}
	if v, ok := attrs.Get(evalrecord.AttrScoreLabel); ok {
		r.Label = v.AsString()
	}
	if v, ok := attrs.Get(evalrecord.AttrScoreValue); ok {
		if f, ok := number(v); ok {
			r.Score = &f
		}
	}
	if v, ok := attrs.Get(evalrecord.AttrExplanation); ok {
		r.Explanation = evalrecord.Bound(v.AsString(), evalrecord.MaxExplanationBytes)
	}
	if r.Name == "" {
		return judgeRecord{}, false
	}
	return r, true
}

// score is the trouble score the queue sorts by.
func (s *Summary) score() {
	if s.JudgeScore != nil {
		s.Score = *s.JudgeScore
		return
	}
	s.Score = float64(s.FailCount + s.SignalCount)
}

func number(v pcommon.Value) (float64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		return v.Double(), true
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	case pcommon.ValueTypeStr:
		f, err := strconv.ParseFloat(v.Str(), 64)
		return f, err == nil
	}
	return 0, false
}

// signal is one category of <prefix>.signal.<category>.count|severity|kinds.
type signal struct {
	Category string   `json:"category"`
	Count    int64    `json:"count"`
	Severity int64    `json:"severity"`
	Kinds    []string `json:"kinds,omitempty"`
}

// readSignals reads the signal attributes of a span, by category.
func readSignals(attrs pcommon.Map, prefix string) []signal {
	p := prefix + ".signal."
	var out []signal
	find := func(cat string) *signal {
		for i := range out {
			if out[i].Category == cat {
				return &out[i]
			}
		}
		out = append(out, signal{Category: cat})
		return &out[len(out)-1]
	}
	for k, v := range attrs.All() {
		rest, ok := strings.CutPrefix(k, p)
		if !ok {
			continue
		}
		i := strings.LastIndexByte(rest, '.')
		if i <= 0 {
			continue
		}
		cat, field := rest[:i], rest[i+1:]
		switch field {
		case "count":
			f, _ := number(v)
			find(cat).Count = int64(f)
		case "severity":
			f, _ := number(v)
			find(cat).Severity = int64(f)
		case "kinds":
			s := find(cat)
			if v.Type() == pcommon.ValueTypeSlice {
				for _, k := range v.Slice().All() {
					s.Kinds = append(s.Kinds, k.AsString())
				}
			} else {
				s.Kinds = append(s.Kinds, v.AsString())
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Category < out[b].Category })
	return out
}

// Facets are the values the queue can be filtered by.
type Facets struct {
	Evaluators []string `json:"evaluators"`
	Signals    []string `json:"signals"`
	Services   []string `json:"services"`
	Models     []string `json:"models"`
	Rubrics    []string `json:"rubrics"`
}

func (ix *Index) facets() Facets {
	keys := func(m map[string]bool) []string {
		out := []string{}
		for k, ok := range m {
			if ok {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return out
	}
	return Facets{keys(ix.evaluators), keys(ix.signals), keys(ix.services), keys(ix.models), keys(ix.rubrics)}
}

// Files are the input paths.
func (ix *Index) Files() []string { return ix.names }

// reader reads lines back by their references, keeping files open.
type reader struct {
	ix      *Index
	handles map[int32]*os.File
}

func (ix *Index) reader() *reader { return &reader{ix: ix, handles: map[int32]*os.File{}} }

func (r *reader) close() {
	for _, f := range r.handles {
		_ = f.Close() // read only
	}
}

func (r *reader) line(ref lineRef) ([]byte, error) {
	f := r.handles[ref.file]
	if f == nil {
		var err error
		if f, err = os.Open(r.ix.files[ref.file]); err != nil {
			return nil, err
		}
		r.handles[ref.file] = f
	}
	buf := make([]byte, ref.n)
	if _, err := f.ReadAt(buf, ref.off); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(r.ix.names[ref.file]), err)
	}
	return bytes.TrimSpace(buf), nil
}

// load reads a trace back from its lines, keeping only its spans, and the
// judge records of its logs lines by span ID.
func (ix *Index) load(s *Summary) (ptrace.Traces, map[string][]judgeRecord, error) {
	out := ptrace.NewTraces()
	rd := ix.reader()
	defer rd.close()
	id := s.TraceID
	changed := func(ref lineRef, err error) error {
		return fmt.Errorf("%s: the file changed since it was indexed: %w", filepath.Base(ix.names[ref.file]), err)
	}
	var tu ptrace.JSONUnmarshaler
	for _, ref := range s.lines {
		buf, err := rd.line(ref)
		if err != nil {
			return out, nil, err
		}
		td, err := tu.UnmarshalTraces(buf)
		if err != nil {
			return out, nil, changed(ref, err)
		}
		td.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
			rs.ScopeSpans().RemoveIf(func(ss ptrace.ScopeSpans) bool {
				ss.Spans().RemoveIf(func(sp ptrace.Span) bool { return sp.TraceID().String() != id })
				return ss.Spans().Len() == 0
			})
			return rs.ScopeSpans().Len() == 0
		})
		td.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	}
	judged := map[string][]judgeRecord{}
	var lu plog.JSONUnmarshaler
	for _, ref := range s.logLines {
		buf, err := rd.line(ref)
		if err != nil {
			return out, nil, err
		}
		ld, err := lu.UnmarshalLogs(buf)
		if err != nil {
			return out, nil, changed(ref, err)
		}
		eachJudgeRecord(ld, ix.opts.Prefix, func(tid pcommon.TraceID, r judgeRecord) {
			if tid.String() == id {
				judged[r.SpanID] = append(judged[r.SpanID], r)
			}
		})
	}
	return out, judged, nil
}
