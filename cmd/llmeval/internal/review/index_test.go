package review

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/pdata/plog"

	llmevalprocessor "github.com/otelcol-llmeval/otelcol-llmeval/processor"
)

func TestIndexSummaries(t *testing.T) {
	dir := t.TempDir()
	plain, zipped := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl.gz")
	writeQueue(t, plain, 20, 0)
	writeQueue(t, zipped, 20, 0) // the same IDs: their spans join the first file's
	// A bad line and a judge's evaluation record (a logs request) in a third file.
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetEventName("gen_ai.evaluation.result")
	lr.SetTraceID(traceID(4))
	lr.SetSpanID(spanID(4, 1))
	lr.Attributes().PutStr("gen_ai.evaluation.name", "helpful")
	lr.Attributes().PutStr("gen_ai.evaluation.score.label", "fail")
	lr.Attributes().PutStr("gen_ai.evaluation.explanation", "ignores the question")
	lr.Attributes().PutStr("llmeval.evaluation.source", "judge")
	logs, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	third := filepath.Join(dir, "c.jsonl")
	require.NoError(t, os.WriteFile(third, []byte("{not json}\n"+string(logs)+"\n"), 0o600))

	ix, err := Open([]string{plain, zipped, third}, Options{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, ix.Close()) })
	require.Equal(t, 20, ix.Len())
	require.Equal(t, 1, ix.BadLine)
	assert.Equal(t, third, ix.Bad[0].File)
	assert.Equal(t, 1, ix.Bad[0].Line)

	tests := []struct {
		id                      int
		spans, fails, sig, errs int
		failed, signals, judge  []string
	}{
		{id: 0, spans: 6, fails: 2, sig: 2, errs: 2, failed: []string{"pii"}, signals: []string{"failure"}, judge: []string{}},
		{id: 1, spans: 6, failed: []string{}, signals: []string{}, judge: []string{}},
		{id: 3, spans: 6, fails: 2, failed: []string{"pii"}, signals: []string{}, judge: []string{}},
		{id: 4, spans: 6, failed: []string{}, signals: []string{}, judge: []string{"helpful:fail"}},
		{id: 7, spans: 6, failed: []string{}, signals: []string{}, judge: []string{}}, // split over two lines
	}
	for _, tt := range tests {
		s, ok := ix.Get(traceID(tt.id).String())
		require.True(t, ok, tt.id)
		assert.Equal(t, tt.spans, s.Spans, "trace %d: both files' spans", tt.id)
		assert.Equal(t, tt.fails, s.FailCount, tt.id)
		assert.Equal(t, tt.failed, s.Failed, tt.id)
		assert.Equal(t, tt.signals, s.Signals, tt.id)
		assert.Equal(t, tt.sig, s.SignalCount, tt.id)
		assert.Equal(t, tt.errs, s.Errors, tt.id)
		assert.Equal(t, tt.judge, s.Judge, tt.id)
		assert.Equal(t, float64(tt.fails+tt.sig), s.Score, "no judge score: failed checks + signals")
		assert.Equal(t, fmt.Sprintf("invoke_agent support-%d", tt.id), s.Root)
	}
	// The judge's record shows beside the step it judged, read back from
	// its logs line; with redaction, without its explanation.
	doc, err := ix.Trace(traceID(4).String())
	require.NoError(t, err)
	want := judgeRecord{SpanID: spanID(4, 1).String(), Name: "helpful", Label: "fail", Explanation: "ignores the question", Source: "judge"}
	judgedSteps := 0
	for _, st := range doc.Steps {
		if st.SpanID == want.SpanID {
			judgedSteps++
			assert.Equal(t, []judgeRecord{want}, st.Judge)
		} else {
			assert.Empty(t, st.Judge)
		}
	}
	assert.Equal(t, 2, judgedSteps, "the chat span is in both files")
	redacted, err := Open([]string{third, plain}, Options{Redactor: judgeRedactor(t, map[string]any{"mode": "drop"})})
	require.NoError(t, err)
	doc, err = redacted.Trace(traceID(4).String())
	require.NoError(t, err)
	want.Explanation = ""
	assert.Equal(t, []judgeRecord{want}, doc.Steps[1].Judge)

	f := ix.facets()
	assert.Equal(t, []string{"pii", "refusal"}, f.Evaluators)
	assert.Equal(t, []string{"failure"}, f.Signals)
	assert.Equal(t, []string{"svc-0", "svc-1"}, f.Services)
	assert.Equal(t, []string{"model-0", "model-1"}, f.Models)
	assert.Equal(t, []string{"helpful"}, f.Rubrics)
}

func TestJudgeScoreIsTheTroubleScore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.jsonl")
	writeQueue(t, path, 3, 0)
	body, err := os.ReadFile(path)
	require.NoError(t, err)
	// The sampler's score on trace 1's chat span.
	marker := `"key":"llmeval.refusal.verdict"`
	i := strings.Index(string(body), marker)
	require.Positive(t, i)
	withScore := string(body[:i]) + `"key":"llmeval.judge.score","value":{"doubleValue":7.5}},{` + string(body[i:])
	require.NoError(t, os.WriteFile(path, []byte(withScore), 0o600))
	ix, err := Open([]string{path}, Options{})
	require.NoError(t, err)
	s, _ := ix.Get(traceID(0).String())
	require.NotNil(t, s.JudgeScore)
	assert.Equal(t, 7.5, s.Score)
}

func TestTraceConversation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.jsonl")
	writeQueue(t, path, 10, 0)
	ix, err := Open([]string{path}, Options{})
	require.NoError(t, err)
	doc, err := ix.Trace(traceID(0).String())
	require.NoError(t, err)
	require.Len(t, doc.Steps, 3, "the split trace's spans from both lines")
	agent, chat, tool := doc.Steps[0], doc.Steps[1], doc.Steps[2]
	assert.Equal(t, 0, agent.Depth)
	assert.Equal(t, 1, chat.Depth)

	assert.Equal(t, "chat", chat.Operation)
	assert.Equal(t, "model-0", chat.Model)
	assert.Equal(t, "You are the support agent of Fernhill Bikes.", chat.System)
	require.Len(t, chat.Input, 1)
	assert.Equal(t, msg{Role: "user", Text: "Where is my order 0? "}, chat.Input[0])
	require.Len(t, chat.Output, 1)
	assert.Equal(t, "Your order went to marta.lindqvist@fernhill-mail.se yesterday.", chat.Output[0].Text)
	assert.Equal(t, []call{{ID: "c1", Name: "track", Arguments: `{"order":0}`}}, chat.Output[0].ToolCalls)
	assert.Equal(t, []verdict{{Name: "pii", Verdict: "fail", Reason: "pii found: email"}, {Name: "refusal", Verdict: "pass"}}, chat.Verdicts)
	assert.Empty(t, chat.Hidden)

	assert.Equal(t, "track", tool.Tool)
	assert.Equal(t, &call{Name: "track", Arguments: `{"order":0}`}, tool.ToolCall)
	require.NotNil(t, tool.ToolResult)
	assert.Equal(t, `{"status":"in transit"}`, *tool.ToolResult)
	assert.True(t, tool.Error)
	assert.Equal(t, "tracking service timeout", tool.ErrorMsg)
	assert.Equal(t, []signal{{Category: "failure", Count: 1, Severity: 2, Kinds: []string{"tool_error"}}}, tool.Signals)

	_, err = ix.Trace("00000000000000000000000000000001")
	assert.ErrorContains(t, err, "no trace")
}

// judgeRedactor builds judge.redact from YAML-shaped config, as the
// collector would.
func judgeRedactor(t *testing.T, redact map[string]any) Redactor {
	t.Helper()
	cfg := llmevalprocessor.NewFactory().CreateDefaultConfig().(*llmevalprocessor.Config)
	require.NoError(t, confmap.NewFromStringMap(map[string]any{"judge": map[string]any{"redact": redact}}).Unmarshal(cfg))
	r := cfg.JudgeRedactor()
	require.NotNil(t, r)
	return r
}

func TestRedactionHidesContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.jsonl")
	writeQueue(t, path, 3, 0)
	for _, mode := range []string{"drop", "mask"} {
		t.Run(mode, func(t *testing.T) {
			ix, err := Open([]string{path}, Options{Redactor: judgeRedactor(t, map[string]any{"mode": mode})})
			require.NoError(t, err)
			doc, err := ix.Trace(traceID(0).String())
			require.NoError(t, err)
			assert.True(t, doc.Redacted)
			chat := doc.Steps[1]
			assert.Equal(t, []string{"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "llmeval.pii.reason"}, chat.Hidden)
			assert.Equal(t, []string{"gen_ai.tool.call.arguments", "gen_ai.tool.call.result"}, doc.Steps[2].Hidden)
			// Nothing of the content reaches the page, in any field.
			for _, st := range doc.Steps {
				for _, secret := range []string{"marta.lindqvist", "Fernhill", "Where is my order", "in transit", "pii found"} {
					assert.NotContains(t, jsonOf(t, st), secret)
				}
			}
			assert.Equal(t, "pii", chat.Verdicts[0].Name, "verdicts stay; their reasons go")
			assert.Contains(t, []string{"", "[redacted]"}, chat.Verdicts[0].Reason)
		})
	}
	// Without a redactor (no config, or --show-redacted) the content shows.
	ix, err := Open([]string{path}, Options{})
	require.NoError(t, err)
	doc, err := ix.Trace(traceID(0).String())
	require.NoError(t, err)
	assert.Contains(t, jsonOf(t, doc.Steps[1]), "marta.lindqvist")
}

func TestBound(t *testing.T) {
	assert.Equal(t, "abc", bound("abc", 3))
	assert.Equal(t, "ab … [2 more bytes]", bound("abcd", 2))
	assert.Equal(t, "é … [2 more bytes]", bound("éé", 3), "cut on a rune boundary")
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
