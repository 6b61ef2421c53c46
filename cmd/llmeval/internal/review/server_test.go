package review

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fixture struct {
	srv    *httptest.Server
	labels string
	ix     *Index
}

func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	dir := t.TempDir()
	q := filepath.Join(dir, "queue.jsonl")
	writeQueue(t, q, n, 0)
	ix, err := Open([]string{q}, Options{})
	require.NoError(t, err)
	labels := filepath.Join(dir, "labels.csv")
	store, err := OpenStore(labels)
	require.NoError(t, err)
	srv := httptest.NewServer(NewServer(ix, store, []string{"task_completed"}, true))
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, labels: labels, ix: ix}
}

func (f *fixture) get(t *testing.T, path string, out any) int {
	t.Helper()
	res, err := http.Get(f.srv.URL + path)
	require.NoError(t, err)
	defer res.Body.Close()
	if out != nil {
		require.NoError(t, json.NewDecoder(res.Body).Decode(out))
	}
	return res.StatusCode
}

func (f *fixture) post(t *testing.T, path, body string, out any) int {
	t.Helper()
	res, err := http.Post(f.srv.URL+path, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	if out != nil {
		require.NoError(t, json.NewDecoder(res.Body).Decode(out))
	}
	return res.StatusCode
}

func TestQueueAPI(t *testing.T) {
	f := newFixture(t, 30)
	var meta Meta
	require.Equal(t, 200, f.get(t, "/api/meta", &meta))
	assert.Equal(t, 30, meta.Traces)
	assert.Equal(t, []string{"pii", "refusal", "task_completed"}, meta.Evaluators, "the files' evaluators and the config's")

	tests := []struct {
		query   string
		total   int
		firstID int
		n       int
	}{
		// Trouble score, highest first: 0 (pii + failure), 15 (pii + failure), then 3 ...
		{"", 30, 0, 30},
		{"?limit=5", 30, 0, 5},
		{"?limit=5&offset=28", 30, -1, 2},
		{"?failed=pii", 10, 0, 10},
		{"?failed=any", 10, 0, 10},
		{"?signal=failure", 6, 0, 6},
		{"?signal=failure&failed=pii", 2, 0, 2},
		{"?service=svc-1", 15, 15, 15},
		{"?model=model-1&failed=pii", 5, 15, 5},
		{"?sort=id&order=asc&limit=1", 30, 0, 1},
		{"?sort=start&order=desc&limit=1", 30, 29, 1},
		{"?q=support-12", 1, 12, 1},
		{"?judge=any", 0, -1, 0},
	}
	for _, tt := range tests {
		var p Page
		require.Equal(t, 200, f.get(t, "/api/traces"+tt.query, &p), tt.query)
		assert.Equal(t, tt.total, p.Total, tt.query)
		require.Len(t, p.Items, tt.n, tt.query)
		if tt.firstID >= 0 {
			assert.Equal(t, traceID(tt.firstID).String(), p.Items[0].TraceID, tt.query)
		}
	}
	var p Page
	require.Equal(t, 200, f.get(t, "/api/traces?limit=3", &p))
	assert.Equal(t, []string{traceID(0).String(), traceID(15).String(), traceID(3).String()},
		[]string{p.Items[0].TraceID, p.Items[1].TraceID, p.Items[2].TraceID}, "scores 2, 2, then the 1s (a pii fail or a failure signal), ties by trace ID")
	assert.Equal(t, 400, f.get(t, "/api/traces?sort=bogus", nil))
}

func TestLabellingAPI(t *testing.T) {
	f := newFixture(t, 10)
	id := traceID(3).String()
	var st TraceState
	require.Equal(t, 200, f.post(t, "/api/traces/"+id+"/label", `{"evaluator":"pii","verdict":"fail"}`, &st))
	assert.Equal(t, map[string]string{"pii": "fail"}, st.Labels)
	assert.True(t, st.Reviewed)
	require.Equal(t, 200, f.post(t, "/api/traces/"+id+"/label", `{"evaluator":"refusal","verdict":"pass"}`, nil))
	require.Equal(t, 200, f.post(t, "/api/traces/"+traceID(4).String()+"/label", `{"evaluator":"pii","verdict":"pass"}`, nil))
	require.Equal(t, 200, f.post(t, "/api/traces/"+id+"/note", `{"note":"  leaks the customer's address  "}`, nil))
	require.Equal(t, 200, f.post(t, "/api/traces/"+id+"/tags", `{"tags":["leaks address"," leaks   address","wrong tool"]}`, &st))
	assert.Equal(t, []string{"leaks address", "wrong tool"}, st.Tags, "trimmed, spaces folded, duplicates dropped")

	body, err := os.ReadFile(f.labels)
	require.NoError(t, err)
	assert.Equal(t, "trace_id,evaluator,label\n"+id+",pii,fail\n"+id+",refusal,pass\n"+traceID(4).String()+",pii,pass\n", string(body))
	notes, err := os.ReadFile(NotesPath(f.labels))
	require.NoError(t, err)
	assert.Contains(t, string(notes), `"note":"leaks the customer's address","tags":["leaks address","wrong tool"]`)

	var tv TraceView
	require.Equal(t, 200, f.get(t, "/api/traces/"+id, &tv))
	assert.Equal(t, "leaks the customer's address", tv.State.Note)
	assert.Len(t, tv.Trace.Steps, 3)

	// Filters by review status and tag.
	var p Page
	f.get(t, "/api/traces?status=reviewed", &p)
	assert.Equal(t, 2, p.Total)
	f.get(t, "/api/traces?status=unreviewed", &p)
	assert.Equal(t, 8, p.Total)
	f.get(t, "/api/traces?tag=wrong+tool", &p)
	require.Equal(t, 1, p.Total)
	assert.Equal(t, id, p.Items[0].TraceID)

	// Clearing a label removes its row.
	require.Equal(t, 200, f.post(t, "/api/traces/"+traceID(4).String()+"/label", `{"evaluator":"pii","verdict":""}`, &st))
	assert.False(t, st.Reviewed)
	body, _ = os.ReadFile(f.labels)
	assert.NotContains(t, string(body), traceID(4).String())

	refused := []struct{ path, ctype, body string }{
		{"/api/traces/" + id + "/label", "application/json", `{"evaluator":"pii","verdict":"maybe"}`},
		{"/api/traces/" + id + "/label", "application/json", `{"evaluator":"Bad Name","verdict":"pass"}`},
		{"/api/traces/" + id + "/label", "application/json", `{"evaluator":"pii","verdict":"pass","extra":1}`},
		{"/api/traces/" + id + "/note", "application/json", `{"note":"` + strings.Repeat("x", maxNoteBytes+1) + `"}`},
		{"/api/traces/" + id + "/tags", "application/json", `{"tags":["` + strings.Repeat("t", maxTagBytes+1) + `"]}`},
		{"/api/traces/" + id + "/label", "text/plain", `{"evaluator":"pii","verdict":"pass"}`},
		{"/api/traces/" + id + "/label", "application/x-www-form-urlencoded", `evaluator=pii&verdict=pass`},
	}
	for _, r := range refused {
		res, err := http.Post(f.srv.URL+r.path, r.ctype, strings.NewReader(r.body))
		require.NoError(t, err)
		res.Body.Close()
		assert.Contains(t, []int{400, 415}, res.StatusCode, r.body)
	}
	assert.Equal(t, 404, f.post(t, "/api/traces/00000000000000000000000000000001/label", `{"evaluator":"pii","verdict":"pass"}`, nil))
	after, _ := os.ReadFile(f.labels)
	assert.Equal(t, string(body), string(after), "refused requests change nothing")
}

func TestFailureModes(t *testing.T) {
	f := newFixture(t, 10)
	tag := func(i int, tags string) {
		require.Equal(t, 200, f.post(t, "/api/traces/"+traceID(i).String()+"/tags", `{"tags":`+tags+`}`, nil))
	}
	tag(0, `["leaks address"]`)
	tag(3, `["leaked email","tool error"]`)
	tag(6, `["leaks address"]`)
	require.Equal(t, 200, f.post(t, "/api/traces/"+traceID(6).String()+"/note", `{"note":"gives the address\nsecond line"}`, nil))
	require.Equal(t, 200, f.post(t, "/api/traces/"+traceID(1).String()+"/label", `{"evaluator":"pii","verdict":"pass"}`, nil))

	var m Modes
	require.Equal(t, 200, f.get(t, "/api/modes", &m))
	assert.Equal(t, 4, m.Reviewed)
	assert.Equal(t, 1, m.Untagged)
	require.Len(t, m.Modes, 3)
	assert.Equal(t, Mode{Tag: "leaks address", Count: 2, Share: 0.5, Examples: []Example{
		{TraceID: traceID(0).String()}, {TraceID: traceID(6).String(), Note: "gives the address"},
	}}, m.Modes[0])

	// Merge: leaked email into leaks address.
	require.Equal(t, 200, f.post(t, "/api/modes/rename", `{"from":"leaked email","to":"leaks address"}`, &m))
	require.Len(t, m.Modes, 2)
	assert.Equal(t, "leaks address", m.Modes[0].Tag)
	assert.Equal(t, 3, m.Modes[0].Count)
	assert.Equal(t, 0.75, m.Modes[0].Share)
	// Rename: tool error to a new name.
	require.Equal(t, 200, f.post(t, "/api/modes/rename", `{"from":"tool error","to":"tracking timeout"}`, &m))
	assert.Equal(t, "tracking timeout", m.Modes[1].Tag)
	var st TraceView
	f.get(t, "/api/traces/"+traceID(3).String(), &st)
	assert.Equal(t, []string{"leaks address", "tracking timeout"}, st.State.Tags)
	assert.Equal(t, 400, f.post(t, "/api/modes/rename", `{"from":"no such tag","to":"x"}`, nil))
}

func TestServerRefusesOtherHosts(t *testing.T) {
	f := newFixture(t, 2)
	for host, want := range map[string]int{"127.0.0.1:8421": 200, "localhost:8421": 200, "[::1]:8421": 200, "evil.example:8421": 403, "10.0.0.8": 403} {
		req, err := http.NewRequest("GET", f.srv.URL+"/api/meta", nil)
		require.NoError(t, err)
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, want, res.StatusCode, host)
	}
}

func TestServesTheEmbeddedPage(t *testing.T) {
	f := newFixture(t, 1)
	for path, want := range map[string]string{"/": "<title>llmeval review</title>", "/app.js": "textContent", "/app.css": "--fail"} {
		res, err := http.Get(f.srv.URL + path)
		require.NoError(t, err)
		b := new(strings.Builder)
		_, _ = io.Copy(b, res.Body)
		res.Body.Close()
		assert.Equal(t, 200, res.StatusCode, path)
		assert.Contains(t, b.String(), want, path)
		assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'self'", path)
	}
}
