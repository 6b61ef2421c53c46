package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/labelsplit"
)

func writeCorpus(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func runTool(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

const sampleCorpus = `{"id":"pii-1","label":"fail","class":"email","span":{"name":"chat gpt-4o","kind":"client","duration_ms":850,"status":"ok","attributes":{"gen_ai.operation.name":"chat","gen_ai.usage.output_tokens":12,"gen_ai.request.temperature":0.2,"gen_ai.response.finish_reasons":["stop"],"gen_ai.output.messages":[{"role":"assistant","parts":[{"type":"text","content":"x"}]}],"stream":true}}}

{"id":"pii-2","label":"pass","class":"none","span":{"attributes":{"gen_ai.operation.name":"chat"}},"config":{"kinds":["email"],"allow":["a@b.c"]}}
{"id":"pii-3","label":"pass","class":"none","span":{"attributes":{"gen_ai.operation.name":"chat"}},"config":{"allow":["a@b.c"],"kinds":["email"]}}
{"id":"pii-4","label":"fail","class":"x","span":{"attributes":{"gen_ai.operation.name":"chat"}},"config":{"kinds":["ssn"]}}
`

func TestConvert(t *testing.T) {
	in := writeCorpus(t, "pii.jsonl", sampleCorpus)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runTool("--out", out, in)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "4 cases in 3 groups written to "+out+"\n", stdout, "pii-2 and pii-3 share a config (key order aside)")

	// The case without a config runs the default set's pii entry.
	cfg, err := os.ReadFile(filepath.Join(out, "pii.yaml"))
	require.NoError(t, err)
	var doc struct{ Evaluators []map[string]any }
	require.NoError(t, yaml.Unmarshal(cfg, &doc))
	assert.Equal(t, []map[string]any{{"name": "pii", "type": "pii"}}, doc.Evaluators)
	cfg, err = os.ReadFile(filepath.Join(out, "pii.1.yaml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(cfg, &doc))
	assert.Equal(t, []map[string]any{{"name": "pii", "type": "pii", "kinds": []any{"email"}, "allow": []any{"a@b.c"}}}, doc.Evaluators)

	// IDs derive from the case ID; attribute types follow the JSON.
	b, err := os.ReadFile(filepath.Join(out, "pii.otlp.jsonl"))
	require.NoError(t, err)
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(bytes.TrimSpace(b))
	require.NoError(t, err)
	sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	sum := sha256.Sum256([]byte("pii-1"))
	assert.Equal(t, pcommon.TraceID(sum[:16]), sp.TraceID())
	assert.Equal(t, pcommon.SpanID(sum[:8]), sp.SpanID())
	assert.Equal(t, "chat gpt-4o", sp.Name())
	assert.Equal(t, ptrace.SpanKindClient, sp.Kind())
	assert.Equal(t, ptrace.StatusCodeOk, sp.Status().Code())
	assert.Equal(t, int64(850e6), int64(sp.EndTimestamp()-sp.StartTimestamp()))
	a := sp.Attributes()
	for key, want := range map[string]pcommon.ValueType{
		"gen_ai.operation.name": pcommon.ValueTypeStr, "gen_ai.usage.output_tokens": pcommon.ValueTypeInt,
		"gen_ai.request.temperature": pcommon.ValueTypeDouble, "gen_ai.response.finish_reasons": pcommon.ValueTypeSlice,
		"gen_ai.output.messages": pcommon.ValueTypeStr, "stream": pcommon.ValueTypeBool,
	} {
		v, ok := a.Get(key)
		require.True(t, ok, key)
		assert.Equal(t, want, v.Type(), key)
	}
	msgs, _ := a.Get("gen_ai.output.messages")
	assert.Equal(t, `[{"role":"assistant","parts":[{"type":"text","content":"x"}]}]`, msgs.Str(), "message lists as the JSON string producers send")

	// labels.csv is what calibrate reads; cases.csv maps back to the corpus.
	rows := readCSV(t, filepath.Join(out, "labels.csv"))
	assert.Equal(t, []string{"trace_id", "evaluator", "human"}, rows[0])
	assert.Equal(t, []string{pcommon.TraceID(sum[:16]).String(), "pii", "fail"}, rows[1])
	assert.Len(t, rows, 5)
	idx := readCSV(t, filepath.Join(out, "cases.csv"))
	assert.Equal(t, []string{"pii-1", pcommon.TraceID(sum[:16]).String(), "pii", "fail", "email", labelsplit.Of(pcommon.TraceID(sum[:16]).String()), "pii"}, idx[1])
	assert.Equal(t, "pii.2", idx[4][6])
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return rows
}

func TestBadCorpus(t *testing.T) {
	const ok = `"span":{"attributes":{"gen_ai.operation.name":"chat"}}`
	for _, tc := range []struct{ name, line, want string }{
		{"not json", `{"id":`, "x.jsonl:1: unexpected EOF"},
		{"unknown field", `{"id":"a","label":"fail","class":"c","lable":"x",` + ok + `}`, `unknown field "lable"`},
		{"label", `{"id":"a","label":"failed","class":"c",` + ok + `}`, `id "a": label: "failed" is neither pass nor fail`},
		{"no id", `{"label":"fail","class":"c",` + ok + `}`, "id: required"},
		{"no class", `{"id":"a","label":"fail",` + ok + `}`, `id "a": class: required`},
		{"no attributes", `{"id":"a","label":"fail","class":"c","span":{}}`, `id "a": span.attributes: required`},
		{"null attribute", `{"id":"a","label":"fail","class":"c","span":{"attributes":{"k":null}}}`, "span.attributes: k: null value"},
		{"kind", `{"id":"a","label":"fail","class":"c","span":{"kind":"cli","attributes":{"k":1}}}`, `span.kind: "cli" is not one of`},
		{"status", `{"id":"a","label":"fail","class":"c","span":{"status":"bad","attributes":{"k":1}}}`, `span.status: "bad" is not one of`},
		{"config", `{"id":"a","label":"fail","class":"c",` + ok + `,"config":[1]}`, `id "a": config: must be an object`},
		{"duplicate id", `{"id":"a","label":"fail","class":"c",` + ok + "}\n" + `{"id":"a","label":"pass","class":"c",` + ok + `}`, `x.jsonl:2: id "a": duplicate of`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := writeCorpus(t, "x.jsonl", tc.line+"\n")
			code, _, stderr := runTool("--out", t.TempDir(), in)
			assert.Equal(t, 1, code)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

// TestErrorsListing: --errors joins cases.csv with the annotated files and
// lists disagreements, a missing verdict included.
func TestErrorsListing(t *testing.T) {
	in := writeCorpus(t, "pii.jsonl", sampleCorpus)
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runTool("--out", out, in)
	require.Equal(t, 0, code, stderr)
	// Annotate as replay would: pii-1 fails (agrees), pii-2 fails (disagrees),
	// pii-3 passes (agrees), pii-4 has no verdict (disagrees).
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for id, v := range map[string]string{"pii-1": "fail", "pii-2": "fail", "pii-3": "pass"} {
		sp := ss.Spans().AppendEmpty()
		tr, s := ids(id)
		sp.SetTraceID(tr)
		sp.SetSpanID(s)
		sp.Attributes().PutStr("llmeval.verdict", v)
		sp.Attributes().PutStr("llmeval.pii.verdict", v)
		sp.Attributes().PutStr("llmeval.pii.reason", "pii found: email (1)")
	}
	line, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(out, "pii.annotated.jsonl"), append(line, '\n'), 0o600))

	code, stdout, stderr := runTool("--errors", "--out", out)
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `pii-2\s+\w+\s+pass\s+fail\s+none\s+pii found: email \(1\)`, stdout)
	assert.Regexp(t, `pii-4\s+\w+\s+fail\s+none\s+x`, stdout)
	assert.NotContains(t, stdout, "pii-1")
	assert.NotContains(t, stdout, "pii-3")
	assert.Contains(t, stdout, "2 disagreements")

	code, _, stderr = runTool("--errors", "--out", t.TempDir())
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "cases.csv")
}

// TestRepositoryCorpus holds the corpus in testdata/corpus to its rules:
// every file parses, IDs are unique across files, and every evaluator has
// at least 80 positives and 80 hard negatives.
func TestRepositoryCorpus(t *testing.T) {
	files, err := filepath.Glob("../../testdata/corpus/*.jsonl")
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("no corpus files")
	}
	cases, err := loadFiles(files)
	require.NoError(t, err)
	counts := map[string]map[string]int{}
	for _, c := range cases {
		if counts[c.evaluator] == nil {
			counts[c.evaluator] = map[string]int{}
		}
		counts[c.evaluator][c.Label]++
	}
	for ev, n := range counts {
		assert.GreaterOrEqual(t, n["fail"], 80, "%s: positives", ev)
		assert.GreaterOrEqual(t, n["pass"], 80, "%s: hard negatives", ev)
	}
	_, err = groupCases(cases)
	require.NoError(t, err)
}
