// Package evalrecord is the gen_ai.evaluation.result record of the GenAI
// semantic conventions, written as a log record parented to the evaluated
// span, and the reader of the verdict attributes the llmeval processor
// leaves on spans. The llmjudge connector (a model's verdicts) and the
// llmeval_results connector (the code checks' verdicts) both write records
// through it, so a logs backend sees the two side by side in one shape.
package evalrecord

import (
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
)

// Semantic-convention names of the event and its attributes.
const (
	EventName       = "gen_ai.evaluation.result"
	AttrName        = "gen_ai.evaluation.name"
	AttrScoreValue  = "gen_ai.evaluation.score.value"
	AttrScoreLabel  = "gen_ai.evaluation.score.label"
	AttrExplanation = "gen_ai.evaluation.explanation"
	AttrResponseID  = "gen_ai.response.id"
	AttrErrorType   = "error.type"
)

// Score labels. The label set of every record this module writes: a
// verdict, or error when no verdict could be reached.
const (
	LabelPass  = "pass"
	LabelFail  = "fail"
	LabelError = "error"
)

// SourceSuffix names, under the attribute prefix, who evaluated:
// <prefix>.evaluation.source = check | judge.
const SourceSuffix = ".evaluation.source"

// ErrorTypeEvaluator is error.type for a code check's error verdict (as on
// the processor's span events).
const ErrorTypeEvaluator = "llmeval.evaluator_error"

// MaxExplanationBytes bounds gen_ai.evaluation.explanation.
const MaxExplanationBytes = 1024

// Result is one evaluation of one span.
type Result struct {
	Name        string // gen_ai.evaluation.name
	Label       string // pass, fail or error
	Score       float64
	HasScore    bool
	Explanation string // bounded by the writer
	ErrorType   string // set with Label error
	ResponseID  string // the evaluated completion's gen_ai.response.id, if known
}

// Write fills lr as a gen_ai.evaluation.result event parented to the
// evaluated span, the explanation bounded to MaxExplanationBytes.
func (r Result) Write(lr plog.LogRecord, traceID pcommon.TraceID, spanID pcommon.SpanID, ts pcommon.Timestamp) {
	lr.SetEventName(EventName)
	lr.SetTraceID(traceID)
	lr.SetSpanID(spanID)
	lr.SetTimestamp(ts)
	a := lr.Attributes()
	a.PutStr(AttrName, r.Name)
	a.PutStr(AttrScoreLabel, r.Label)
	if r.HasScore {
		a.PutDouble(AttrScoreValue, r.Score)
	}
	if r.Explanation != "" {
		a.PutStr(AttrExplanation, Bound(r.Explanation, MaxExplanationBytes))
	}
	if r.ResponseID != "" {
		a.PutStr(AttrResponseID, r.ResponseID)
	}
	if r.ErrorType != "" {
		a.PutStr(AttrErrorType, r.ErrorType)
	}
}

// Bound makes s safe to write: valid UTF-8, at most max bytes, cut on a
// rune boundary and marked with "…" when cut.
func Bound(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Verdict is one evaluator's verdict as the llmeval processor wrote it on
// a span: <prefix>.<name>.verdict, .score and .reason.
type Verdict struct {
	Name     string
	Verdict  string // pass, fail or error
	Score    float64
	HasScore bool
	Reason   string
}

// Verdicts appends to out the verdicts attrs carries under prefix, in
// attribute order. Keys that only look alike (<prefix>.verdict, the
// signals' <prefix>.signal.<category>.*, names with dots) are not
// verdicts.
func Verdicts(attrs pcommon.Map, prefix string, out []Verdict) []Verdict {
	p := prefix + "."
	for key, val := range attrs.All() {
		rest, ok := strings.CutPrefix(key, p)
		if !ok {
			continue
		}
		name, ok := strings.CutSuffix(rest, ".verdict")
		if !ok || !config.ValidName(name) || val.Type() != pcommon.ValueTypeStr {
			continue
		}
		v := Verdict{Name: name, Verdict: val.Str()}
		if s, ok := attrs.Get(p + name + ".score"); ok {
			switch s.Type() {
			case pcommon.ValueTypeDouble:
				v.Score, v.HasScore = s.Double(), true
			case pcommon.ValueTypeInt:
				v.Score, v.HasScore = float64(s.Int()), true
			}
		}
		if r, ok := attrs.Get(p + name + ".reason"); ok && r.Type() == pcommon.ValueTypeStr {
			v.Reason = r.Str()
		}
		out = append(out, v)
	}
	return out
}
