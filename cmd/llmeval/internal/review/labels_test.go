package review

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStoreResumesAndKeepsOtherRows(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels.csv")
	id := traceID(1).String()
	// A file written by hand or another tool: a span ID row and a numeric
	// score for a judge rubric are kept as they are.
	require.NoError(t, os.WriteFile(labels, []byte("span_id,evaluator,human\n00000000000000a1,pii,fail\n"+id+",task_completed,4\n"), 0o600))
	s, err := OpenStore(labels)
	require.NoError(t, err)
	s.now = func() time.Time { return time.Date(2026, 11, 29, 21, 0, 0, 0, time.UTC) }
	require.NoError(t, s.SetLabel(id, "pii", Pass))
	require.NoError(t, s.SetLabel(id, "pii", Fail), "a second verdict replaces the first")
	require.NoError(t, s.SetNote(id, "asks for the order number twice"))
	require.NoError(t, s.SetTags(id, []string{"repeats question"}))

	body, err := os.ReadFile(labels)
	require.NoError(t, err)
	assert.Equal(t, "span_id,evaluator,human\n00000000000000a1,pii,fail\n"+id+",task_completed,4\n"+id+",pii,fail\n", string(body))
	notes, err := os.ReadFile(NotesPath(labels))
	require.NoError(t, err)
	assert.Equal(t, `{"trace_id":"`+id+`","note":"asks for the order number twice","tags":["repeats question"],"updated":"2026-11-29T21:00:00Z"}`+"\n", string(notes))
	assert.Equal(t, filepath.Join(dir, "labels.notes.jsonl"), NotesPath(labels))

	// Restart: everything is back.
	again, err := OpenStore(labels)
	require.NoError(t, err)
	assert.Equal(t, TraceState{
		Labels: map[string]string{"pii": "fail", "task_completed": "4"}, Note: "asks for the order number twice",
		Tags: []string{"repeats question"}, Reviewed: true,
	}, again.State(id))
	assert.False(t, again.Reviewed(traceID(2).String()))

	// No temporary file is left beside the labels.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"labels.csv", "labels.notes.jsonl"}, names)
}

func TestStoreReportsFailedWrites(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(filepath.Join(dir, "missing-dir", "labels.csv"))
	require.NoError(t, err)
	err = s.SetLabel(traceID(1).String(), "pii", Fail)
	var werr *writeError
	require.ErrorAs(t, err, &werr)
	assert.Equal(t, "fail", s.State(traceID(1).String()).Labels["pii"], "kept in memory, written with the next change")
}

func TestStoreRefusesBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels.csv")
	require.NoError(t, os.WriteFile(labels, []byte("a,b\n"), 0o600))
	_, err := OpenStore(labels)
	assert.ErrorContains(t, err, "labels.csv")
	require.NoError(t, os.WriteFile(labels, nil, 0o600))
	require.NoError(t, os.WriteFile(NotesPath(labels), []byte("{broken\n"), 0o600))
	_, err = OpenStore(labels)
	assert.ErrorContains(t, err, "labels.notes.jsonl:1")
}
