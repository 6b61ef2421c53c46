package review

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
)

// Bounds on what a reviewer writes per trace.
const (
	maxNoteBytes      = 8 << 10
	maxTagBytes       = 64
	maxTagsPerTrace   = 20
	maxLabelsPerTrace = 200
	labelsHeader      = "trace_id,evaluator,label"
	notesExtension    = ".notes.jsonl"
)

// Verdicts a reviewer gives.
const (
	Pass = "pass"
	Fail = "fail"
)

// Annotation is what a reviewer wrote about one trace besides labels: the
// note on the first thing that went wrong, and failure-mode tags.
type Annotation struct {
	TraceID string    `json:"trace_id"`
	Note    string    `json:"note,omitempty"`
	Tags    []string  `json:"tags,omitempty"`
	Updated time.Time `json:"updated"`
}

// labelKey is one row of the labels CSV: an ID and an evaluator.
type labelKey struct{ id, evaluator string }

// Store holds the labels and annotations and writes them after every
// change: the labels CSV in the format `llmeval calibrate`, `tune` and
// `judge` read (id, evaluator, pass|fail), and the annotations as JSON
// lines beside it. Both are written to a temporary file and renamed, so a
// crash leaves the previous version whole. Rows it did not write (span
// IDs, numeric scores, IDs of other queues) are kept as they were.
type Store struct {
	mu         sync.Mutex
	csvPath    string
	notesPath  string
	header     []string
	order      []labelKey // rows in file order; new ones appended
	values     map[labelKey]string
	notes      map[string]*Annotation
	now        func() time.Time
	byTraceCnt map[string]int // labels per trace ID
}

// NotesPath is the annotations file kept beside a labels CSV.
func NotesPath(labelsPath string) string {
	return strings.TrimSuffix(labelsPath, filepath.Ext(labelsPath)) + notesExtension
}

// OpenStore reads the labels and annotations written before, if any: a
// review resumes where it stopped.
func OpenStore(labelsPath string) (*Store, error) {
	s := &Store{
		csvPath: labelsPath, notesPath: NotesPath(labelsPath),
		header: strings.Split(labelsHeader, ","), values: map[labelKey]string{},
		notes: map[string]*Annotation{}, now: time.Now, byTraceCnt: map[string]int{},
	}
	if err := s.readCSV(); err != nil {
		return nil, err
	}
	if err := s.readNotes(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) readCSV() error {
	f, err := os.Open(s.csvPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only
	r := csv.NewReader(f)
	r.FieldsPerRecord = 3
	r.TrimLeadingSpace = true
	for row := 1; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.csvPath, err)
		}
		id := strings.ToLower(strings.TrimSpace(rec[0]))
		if row == 1 && (id == "trace_id" || id == "span_id" || id == "id") {
			s.header = rec
			continue
		}
		k := labelKey{id, strings.TrimSpace(rec[1])}
		if _, dup := s.values[k]; !dup {
			s.order = append(s.order, k)
			s.byTraceCnt[k.id]++
		}
		s.values[k] = strings.TrimSpace(rec[2])
	}
}

func (s *Store) readNotes() error {
	f, err := os.Open(s.notesPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var a Annotation
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return fmt.Errorf("%s:%d: %w", s.notesPath, line, err)
		}
		a.TraceID = strings.ToLower(a.TraceID)
		s.notes[a.TraceID] = &a
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", s.notesPath, err)
	}
	return nil
}

// TraceState is what a reviewer gave one trace.
type TraceState struct {
	Labels   map[string]string `json:"labels"`
	Note     string            `json:"note"`
	Tags     []string          `json:"tags"`
	Reviewed bool              `json:"reviewed"`
}

// State returns what the reviewer gave a trace so far.
func (s *Store) State(traceID string) TraceState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state(strings.ToLower(traceID))
}

func (s *Store) state(id string) TraceState {
	st := TraceState{Labels: map[string]string{}, Tags: []string{}}
	if s.byTraceCnt[id] > 0 {
		for _, k := range s.order {
			if k.id == id {
				st.Labels[k.evaluator] = s.values[k]
			}
		}
	}
	if a := s.notes[id]; a != nil {
		st.Note = a.Note
		st.Tags = append(st.Tags, a.Tags...)
	}
	st.Reviewed = len(st.Labels) > 0 || st.Note != "" || len(st.Tags) > 0
	return st
}

// Reviewed reports whether a trace has any label, note or tag.
func (s *Store) Reviewed(traceID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strings.ToLower(traceID)
	if s.byTraceCnt[id] > 0 {
		return true
	}
	a := s.notes[id]
	return a != nil && (a.Note != "" || len(a.Tags) > 0)
}

// HasTag reports whether a trace carries tag.
func (s *Store) HasTag(traceID, tag string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.notes[strings.ToLower(traceID)]
	return a != nil && contains(a.Tags, tag)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// SetLabel records the reviewer's verdict for one evaluator on a trace;
// an empty verdict removes the label.
func (s *Store) SetLabel(traceID, evaluator, v string) error {
	if !config.ValidName(evaluator) {
		return fmt.Errorf("evaluator %q: lower-case letters, digits and _ only", evaluator)
	}
	if v != Pass && v != Fail && v != "" {
		return fmt.Errorf("verdict %q is not pass, fail or empty", v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strings.ToLower(traceID)
	k := labelKey{id, evaluator}
	_, had := s.values[k]
	switch {
	case v == "" && !had:
		return nil
	case v == "":
		delete(s.values, k)
		s.byTraceCnt[id]--
		for i, o := range s.order {
			if o == k {
				s.order = append(s.order[:i], s.order[i+1:]...)
				break
			}
		}
	case !had:
		if s.byTraceCnt[id] >= maxLabelsPerTrace {
			return fmt.Errorf("at most %d labels a trace", maxLabelsPerTrace)
		}
		s.order = append(s.order, k)
		s.byTraceCnt[id]++
		s.values[k] = v
	default:
		s.values[k] = v
	}
	return s.writeCSV()
}

// SetNote replaces a trace's note.
func (s *Store) SetNote(traceID, note string) error {
	note = strings.TrimSpace(note)
	if len(note) > maxNoteBytes || !utf8.ValidString(note) {
		return fmt.Errorf("a note is valid UTF-8 of at most %d bytes", maxNoteBytes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.annotation(strings.ToLower(traceID))
	a.Note = note
	return s.touch(a)
}

// SetTags replaces a trace's tags (trimmed, duplicates dropped).
func (s *Store) SetTags(traceID string, tags []string) error {
	clean := []string{}
	for _, t := range tags {
		t, err := cleanTag(t)
		if err != nil {
			return err
		}
		if t != "" && !contains(clean, t) {
			clean = append(clean, t)
		}
	}
	if len(clean) > maxTagsPerTrace {
		return fmt.Errorf("at most %d tags a trace", maxTagsPerTrace)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.annotation(strings.ToLower(traceID))
	a.Tags = clean
	return s.touch(a)
}

// cleanTag trims a tag and folds its inner spaces; tags are compared as
// written otherwise.
func cleanTag(t string) (string, error) {
	t = strings.Join(strings.Fields(t), " ")
	if len(t) > maxTagBytes || !utf8.ValidString(t) {
		return "", fmt.Errorf("a tag is valid UTF-8 of at most %d bytes", maxTagBytes)
	}
	return t, nil
}

func (s *Store) annotation(id string) *Annotation {
	a := s.notes[id]
	if a == nil {
		a = &Annotation{TraceID: id}
		s.notes[id] = a
	}
	return a
}

func (s *Store) touch(a *Annotation) error {
	a.Updated = s.now().UTC()
	if a.Note == "" && len(a.Tags) == 0 {
		delete(s.notes, a.TraceID)
	}
	return s.writeNotes()
}

// RenameTag renames a tag on every trace; renaming to a tag that exists
// merges the two.
func (s *Store) RenameTag(from, to string) (int, error) {
	to, err := cleanTag(to)
	if err != nil {
		return 0, err
	}
	if from == "" || to == "" {
		return 0, errors.New("both tags are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.notes {
		i := -1
		for j, t := range a.Tags {
			if t == from {
				i = j
			}
		}
		if i < 0 {
			continue
		}
		n++
		if contains(a.Tags, to) {
			a.Tags = append(a.Tags[:i], a.Tags[i+1:]...)
		} else {
			a.Tags[i] = to
		}
		a.Updated = s.now().UTC()
	}
	if n == 0 {
		return 0, fmt.Errorf("no trace has the tag %q", from)
	}
	return n, s.writeNotes()
}

// annotations returns a copy of every annotation.
func (s *Store) annotations() []Annotation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Annotation, 0, len(s.notes))
	for _, a := range s.notes {
		c := *a
		c.Tags = append([]string(nil), a.Tags...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TraceID < out[j].TraceID })
	return out
}

// reviewedIDs are the IDs with a label, note or tag.
func (s *Store) reviewedIDs() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for id, n := range s.byTraceCnt {
		if n > 0 {
			out[id] = true
		}
	}
	for id := range s.notes {
		out[id] = true
	}
	return out
}

// labelled lists the evaluators the labels name.
func (s *Store) labelled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	for _, k := range s.order {
		seen[k.evaluator] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (s *Store) writeCSV() error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(s.header)
	for _, k := range s.order {
		_ = w.Write([]string{k.id, k.evaluator, s.values[k]})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return writeAtomic(s.csvPath, b.Bytes())
}

func (s *Store) writeNotes() error {
	ids := make([]string, 0, len(s.notes))
	for id := range s.notes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, id := range ids {
		if err := enc.Encode(s.notes[id]); err != nil {
			return err
		}
	}
	return writeAtomic(s.notesPath, b.Bytes())
}

// writeError is a labels or notes file that could not be written: the
// change is kept in memory and written with the next one.
type writeError struct {
	path string
	err  error
}

func (e *writeError) Error() string { return "writing " + e.path + ": " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// writeAtomic replaces path with data: a temporary file in the same
// directory, synced, then renamed over path, so a reader (or a crash)
// sees the old file or the new one, never half of one.
func writeAtomic(path string, data []byte) error {
	if err := replaceFile(path, data); err != nil {
		return &writeError{path, err}
	}
	return nil
}

func replaceFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		_ = os.Remove(name)
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		_ = os.Remove(name)
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(name)
		return err
	}
	if err := os.Chmod(name, 0o644); err != nil {
		_ = os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		_ = os.Remove(name)
		return err
	}
	return nil
}
