package evalrecord

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		r    Result
		want map[string]any
	}{
		{"pass with score", Result{Name: "helpful", Label: LabelPass, Score: 4, HasScore: true, Explanation: "clear", ResponseID: "chatcmpl-1"},
			map[string]any{AttrName: "helpful", AttrScoreLabel: "pass", AttrScoreValue: 4.0, AttrExplanation: "clear", AttrResponseID: "chatcmpl-1"}},
		{"fail, no score", Result{Name: "pii", Label: LabelFail, Explanation: "pii found: email (1)"},
			map[string]any{AttrName: "pii", AttrScoreLabel: "fail", AttrExplanation: "pii found: email (1)"}},
		{"error", Result{Name: "helpful", Label: LabelError, ErrorType: "timeout"},
			map[string]any{AttrName: "helpful", AttrScoreLabel: "error", AttrErrorType: "timeout"}},
		{"explanation bounded", Result{Name: "x", Label: LabelFail, Explanation: strings.Repeat("é", 1000)},
			map[string]any{AttrName: "x", AttrScoreLabel: "fail", AttrExplanation: strings.Repeat("é", 510) + "…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := plog.NewLogRecord()
			tid, sid := pcommon.TraceID{1, 2}, pcommon.SpanID{3, 4}
			tt.r.Write(lr, tid, sid, pcommon.Timestamp(42))
			assert.Equal(t, EventName, lr.EventName())
			assert.Equal(t, tid, lr.TraceID())
			assert.Equal(t, sid, lr.SpanID())
			assert.Equal(t, pcommon.Timestamp(42), lr.Timestamp())
			assert.Equal(t, tt.want, lr.Attributes().AsRaw())
		})
	}
}

func TestBound(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijkl", 10, "abcdefg…"},
		{"ab\xffcd", 10, "ab\uFFFDcd"},
		{"ééééé", 6, "é…"}, // "é" is 2 bytes: one fits before the 3-byte mark
	}
	for _, tt := range tests {
		got := Bound(tt.in, tt.max)
		assert.Equal(t, tt.want, got, "%q", tt.in)
		assert.LessOrEqual(t, len(got), tt.max)
	}
}

func TestVerdicts(t *testing.T) {
	attrs := pcommon.NewMap()
	assert.NoError(t, attrs.FromRaw(map[string]any{
		"llmeval.verdict":                    "fail",
		"llmeval.failed":                     []any{"pii"},
		"llmeval.pii.verdict":                "fail",
		"llmeval.pii.reason":                 "pii found: email (1)",
		"llmeval.slow.verdict":               "pass",
		"llmeval.slow.score":                 1.5,
		"llmeval.tokens.verdict":             "fail",
		"llmeval.tokens.score":               int64(900),
		"llmeval.signal.loop.count":          int64(2),
		"llmeval.judge.sampled":              true,
		"llmeval.Bad-Name.verdict":           "fail",
		"llmeval.nested.name.verdict":        "fail",
		"llmeval.wrong_type.verdict":         int64(1),
		"other.pii.verdict":                  "fail",
		"acme.eval.pii.verdict":              "fail",
		"gen_ai.output.messages":             "[]",
		"llmeval.pii.verdict.something.else": "x",
	}))
	got := map[string]Verdict{}
	for _, v := range Verdicts(attrs, "llmeval", nil) {
		got[v.Name] = v
	}
	assert.Equal(t, map[string]Verdict{
		"pii":    {Name: "pii", Verdict: "fail", Reason: "pii found: email (1)"},
		"slow":   {Name: "slow", Verdict: "pass", Score: 1.5, HasScore: true},
		"tokens": {Name: "tokens", Verdict: "fail", Score: 900, HasScore: true},
	}, got)
	assert.Len(t, Verdicts(attrs, "acme.eval", nil), 1, "the prefix is configurable")
}
