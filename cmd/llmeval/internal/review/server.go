package review

import (
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

//go:embed assets
var assets embed.FS

// Paging bounds of the queue API.
const (
	defaultPage  = 50
	maxPage      = 500
	maxBodyBytes = 64 << 10
)

// Server is the review page and its JSON API over an Index and a Store.
type Server struct {
	ix    *Index
	store *Store
	// evaluators are offered for labelling besides those with verdicts in
	// the files: the config's evaluators and rubrics.
	evaluators []string
	// loopbackOnly refuses requests whose Host is not a loopback name, so
	// a web page elsewhere cannot reach the API through DNS rebinding.
	loopbackOnly bool
	mux          *http.ServeMux
}

// NewServer serves ix and store. evaluators are offered for labelling
// besides those the files carry verdicts of and those already labelled.
func NewServer(ix *Index, store *Store, evaluators []string, loopbackOnly bool) *Server {
	s := &Server{ix: ix, store: store, evaluators: evaluators, loopbackOnly: loopbackOnly, mux: http.NewServeMux()}
	static, _ := fs.Sub(assets, "assets")
	s.mux.Handle("GET /", http.FileServerFS(static))
	s.mux.HandleFunc("GET /api/meta", s.meta)
	s.mux.HandleFunc("GET /api/traces", s.list)
	s.mux.HandleFunc("GET /api/traces/{id}", s.trace)
	s.mux.HandleFunc("POST /api/traces/{id}/label", s.label)
	s.mux.HandleFunc("POST /api/traces/{id}/note", s.note)
	s.mux.HandleFunc("POST /api/traces/{id}/tags", s.tags)
	s.mux.HandleFunc("GET /api/modes", s.modes)
	s.mux.HandleFunc("POST /api/modes/rename", s.rename)
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.loopbackOnly && !loopbackHost(r.Host) {
		http.Error(w, "this server answers on 127.0.0.1 or localhost only", http.StatusForbidden)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
	w.Header().Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Meta is what the page needs before the first trace.
type Meta struct {
	Files      []string `json:"files"`
	Traces     int      `json:"traces"`
	BadLines   int      `json:"bad_lines"`
	Evaluators []string `json:"evaluators"`
	Facets     Facets   `json:"facets"`
	Redacted   bool     `json:"redacted"`
	Labels     string   `json:"labels"`
	Notes      string   `json:"notes"`
}

func (s *Server) meta(w http.ResponseWriter, _ *http.Request) {
	f := s.ix.facets()
	set := map[string]bool{}
	for _, list := range [][]string{f.Evaluators, f.Rubrics, s.evaluators, s.store.labelled()} {
		for _, n := range list {
			set[n] = true
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	writeJSON(w, Meta{
		Files: s.ix.Files(), Traces: s.ix.Len(), BadLines: s.ix.BadLine, Evaluators: names, Facets: f,
		Redacted: s.ix.opts.Redactor != nil, Labels: s.store.csvPath, Notes: s.store.notesPath,
	})
}

// Item is a queue row: the summary and whether it was reviewed.
type Item struct {
	*Summary
	Reviewed bool     `json:"reviewed"`
	Tags     []string `json:"tags"`
}

// Page is one page of the queue.
type Page struct {
	Total  int    `json:"total"`
	Offset int    `json:"offset"`
	Items  []Item `json:"items"`
}

// Query selects and orders the queue.
type Query struct {
	Sort    string // score (default), start, failed, signals, spans, id
	Asc     bool
	Service string
	Model   string
	Failed  string // an evaluator, or "any"
	Signal  string // a category, or "any"
	Judge   string // "<rubric>:<label>", a label, or "any"
	Status  string // reviewed, unreviewed
	Tag     string
	Text    string // in the trace ID or the root span's name
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = defaultPage
	}
	limit = min(limit, maxPage)
	query := Query{
		Sort: q.Get("sort"), Asc: q.Get("order") == "asc", Service: q.Get("service"), Model: q.Get("model"),
		Failed: q.Get("failed"), Signal: q.Get("signal"), Judge: q.Get("judge"), Status: q.Get("status"),
		Tag: q.Get("tag"), Text: strings.ToLower(q.Get("q")),
	}
	switch query.Sort {
	case "", "score", "start", "failed", "signals", "spans", "id":
	default:
		httpError(w, http.StatusBadRequest, errors.New("sort: one of score, start, failed, signals, spans, id"))
		return
	}
	writeJSON(w, s.page(query, max(offset, 0), limit))
}

// page filters, sorts and cuts the queue. The summaries are small and in
// memory; no trace content is read.
func (s *Server) page(q Query, offset, limit int) Page {
	reviewed := s.store.reviewedIDs()
	var tagged map[string]bool
	if q.Tag != "" {
		tagged = map[string]bool{}
		for _, a := range s.store.annotations() {
			if slices.Contains(a.Tags, q.Tag) {
				tagged[a.TraceID] = true
			}
		}
	}
	sel := make([]*Summary, 0, len(s.ix.traces))
	for _, t := range s.ix.traces {
		if q.matches(t, reviewed[t.TraceID]) && (tagged == nil || tagged[t.TraceID]) {
			sel = append(sel, t)
		}
	}
	key := func(t *Summary) float64 {
		switch q.Sort {
		case "start":
			return float64(t.Start)
		case "failed":
			return float64(t.FailCount)
		case "signals":
			return float64(t.SignalCount)
		case "spans":
			return float64(t.Spans)
		}
		return t.Score
	}
	sort.SliceStable(sel, func(a, b int) bool {
		if q.Sort == "id" {
			return (sel[a].TraceID < sel[b].TraceID) != !q.Asc
		}
		ka, kb := key(sel[a]), key(sel[b])
		if ka == kb {
			return sel[a].TraceID < sel[b].TraceID
		}
		return (ka < kb) == q.Asc
	})
	p := Page{Total: len(sel), Offset: offset, Items: []Item{}}
	if offset < len(sel) {
		for _, t := range sel[offset:min(offset+limit, len(sel))] {
			st := s.store.State(t.TraceID)
			p.Items = append(p.Items, Item{Summary: t, Reviewed: reviewed[t.TraceID], Tags: st.Tags})
		}
	}
	return p
}

func (q Query) matches(t *Summary, reviewed bool) bool {
	has := func(list []string, v string) bool {
		return v == "" || (v == "any" && len(list) > 0) || slices.Contains(list, v)
	}
	judge := q.Judge == "" || (q.Judge == "any" && len(t.Judge) > 0) || slices.ContainsFunc(t.Judge, func(j string) bool {
		return j == q.Judge || strings.HasSuffix(j, ":"+q.Judge)
	})
	switch {
	case !has(t.Services, q.Service), !has(t.Models, q.Model), !has(t.Failed, q.Failed), !has(t.Signals, q.Signal), !judge:
		return false
	case q.Status == "reviewed" && !reviewed, q.Status == "unreviewed" && reviewed:
		return false
	case q.Text != "" && !strings.Contains(t.TraceID, q.Text) && !strings.Contains(strings.ToLower(t.Root), q.Text):
		return false
	}
	return true
}

// TraceView is a trace and what the reviewer gave it.
type TraceView struct {
	Trace *TraceDoc  `json:"trace"`
	State TraceState `json:"state"`
}

func (s *Server) trace(w http.ResponseWriter, r *http.Request) {
	id := strings.ToLower(r.PathValue("id"))
	if _, ok := s.ix.Get(id); !ok {
		httpError(w, http.StatusNotFound, errors.New("no such trace in the queue"))
		return
	}
	doc, err := s.ix.Trace(id)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, TraceView{Trace: doc, State: s.store.State(id)})
}

// traceFor reads a POST's trace ID and JSON body; false when it answered.
func (s *Server) traceFor(w http.ResponseWriter, r *http.Request, body any) (string, bool) {
	id := strings.ToLower(r.PathValue("id"))
	if _, ok := s.ix.Get(id); !ok {
		httpError(w, http.StatusNotFound, errors.New("no such trace in the queue"))
		return "", false
	}
	return id, decode(w, r, body)
}

// decode reads a JSON body. A JSON content type is required: a form on
// another site cannot send one without the browser asking first.
func decode(w http.ResponseWriter, r *http.Request, body any) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		httpError(w, http.StatusUnsupportedMediaType, errors.New("send application/json"))
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(body); err != nil {
		httpError(w, http.StatusBadRequest, err)
		return false
	}
	return true
}

func (s *Server) label(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Evaluator string `json:"evaluator"`
		Verdict   string `json:"verdict"`
	}
	id, ok := s.traceFor(w, r, &body)
	if !ok {
		return
	}
	s.saved(w, id, s.store.SetLabel(id, body.Evaluator, body.Verdict))
}

func (s *Server) note(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Note string `json:"note"`
	}
	id, ok := s.traceFor(w, r, &body)
	if !ok {
		return
	}
	s.saved(w, id, s.store.SetNote(id, body.Note))
}

func (s *Server) tags(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Tags []string `json:"tags"`
	}
	id, ok := s.traceFor(w, r, &body)
	if !ok {
		return
	}
	s.saved(w, id, s.store.SetTags(id, body.Tags))
}

// saved answers a change with the trace's new state, or the error: a
// refused value (400) or a failed write (500, nothing lost in memory).
func (s *Server) saved(w http.ResponseWriter, id string, err error) {
	var werr *writeError
	switch {
	case errors.As(err, &werr):
		httpError(w, http.StatusInternalServerError, err)
	case err != nil:
		httpError(w, http.StatusBadRequest, err)
	default:
		writeJSON(w, s.store.State(id))
	}
}

func (s *Server) modes(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, modes(s.ix, s.store))
}

func (s *Server) rename(w http.ResponseWriter, r *http.Request) {
	var body struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if !decode(w, r, &body) {
		return
	}
	if _, err := s.store.RenameTag(body.From, body.To); err != nil {
		var werr *writeError
		code := http.StatusBadRequest
		if errors.As(err, &werr) {
			code = http.StatusInternalServerError
		}
		httpError(w, code, err)
		return
	}
	writeJSON(w, modes(s.ix, s.store))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}

func httpError(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}
