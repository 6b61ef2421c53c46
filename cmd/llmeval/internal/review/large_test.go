package review

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// largeQueue is a 10,000-trace, ~50 MB queue, written once per test binary.
var largeQueue = struct {
	once sync.Once
	path string
	err  error
}{}

const (
	largeTraces = 10000
	largePad    = 2900 // bytes added to each user message: ~50 MB in all
)

func largeQueuePath(tb testing.TB) string {
	largeQueue.once.Do(func() {
		dir, err := os.MkdirTemp("", "llmeval-review-large")
		if err != nil {
			largeQueue.err = err
			return
		}
		largeQueue.path = filepath.Join(dir, "queue.jsonl")
		writeQueue(tb, largeQueue.path, largeTraces, largePad)
	})
	require.NoError(tb, largeQueue.err)
	return largeQueue.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if largeQueue.path != "" {
		_ = os.RemoveAll(filepath.Dir(largeQueue.path))
	}
	os.Exit(code)
}

// TestLargeQueuePages opens 10,000 traces (~50 MB) and pages through all
// of them: the index keeps summaries and offsets, not content, so the
// heap after indexing stays a small fraction of the file.
func TestLargeQueuePages(t *testing.T) {
	path := largeQueuePath(t)
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Greater(t, st.Size(), int64(45<<20), "the queue is ~50 MB")

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ix, err := Open([]string{path}, Options{})
	require.NoError(t, err)
	runtime.GC()
	runtime.ReadMemStats(&after)
	require.Equal(t, largeTraces, ix.Len())
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("index of %d traces, %d MB file: %.1f MB heap", ix.Len(), st.Size()>>20, float64(held)/(1<<20))
	assert.Less(t, held, st.Size()/4, "the index holds summaries and offsets, not the content")

	store, err := OpenStore(filepath.Join(t.TempDir(), "labels.csv"))
	require.NoError(t, err)
	s := NewServer(ix, store, nil, true)
	seen := map[string]bool{}
	for offset := 0; ; offset += maxPage {
		p := s.page(Query{Sort: "score"}, offset, maxPage)
		require.Equal(t, largeTraces, p.Total)
		if len(p.Items) == 0 {
			break
		}
		require.LessOrEqual(t, len(p.Items), maxPage)
		for _, it := range p.Items {
			require.False(t, seen[it.TraceID], "a trace on two pages")
			seen[it.TraceID] = true
		}
	}
	assert.Len(t, seen, largeTraces, "every trace on exactly one page")

	// The first page over HTTP, and a trace from the middle of the file.
	srv := httptest.NewServer(s)
	defer srv.Close()
	f := &fixture{srv: srv}
	var p Page
	require.Equal(t, 200, f.get(t, "/api/traces?limit=50", &p))
	require.Len(t, p.Items, 50)
	var tv TraceView
	require.Equal(t, 200, f.get(t, "/api/traces/"+traceID(largeTraces/2+7).String(), &tv))
	assert.Len(t, tv.Trace.Steps, 3)
	assert.Equal(t, fmt.Sprintf("invoke_agent support-%d", largeTraces/2+7), tv.Trace.Steps[0].Name)
}

// BenchmarkOpenLargeQueue is time to index the 10,000-trace queue.
func BenchmarkOpenLargeQueue(b *testing.B) {
	path := largeQueuePath(b)
	b.ReportAllocs()
	for b.Loop() {
		ix, err := Open([]string{path}, Options{})
		if err != nil || ix.Len() != largeTraces {
			b.Fatal(err, ix.Len())
		}
	}
}

// BenchmarkFirstPage is one page of 50 of the 10,000, sorted by score.
func BenchmarkFirstPage(b *testing.B) {
	ix, err := Open([]string{largeQueuePath(b)}, Options{})
	require.NoError(b, err)
	store, err := OpenStore(filepath.Join(b.TempDir(), "labels.csv"))
	require.NoError(b, err)
	s := NewServer(ix, store, nil, true)
	b.ReportAllocs()
	for b.Loop() {
		if p := s.page(Query{Sort: "score"}, 0, defaultPage); len(p.Items) != defaultPage {
			b.Fatal(len(p.Items))
		}
	}
}

// BenchmarkOpenTrace is reading one trace back and rendering it.
func BenchmarkOpenTrace(b *testing.B) {
	ix, err := Open([]string{largeQueuePath(b)}, Options{})
	require.NoError(b, err)
	id := traceID(largeTraces / 2).String()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ix.Trace(id); err != nil {
			b.Fatal(err)
		}
	}
}
