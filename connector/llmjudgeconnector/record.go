package llmjudgeconnector

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-llmeval/otelcol-llmeval/connector/llmjudgeconnector/internal/metadata"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
)

// recordKeys are the provenance attributes under the prefix, until the
// semantic conventions settle evaluator attributes.
type recordKeys struct {
	source, version, level, model, inputTokens, outputTokens string
}

func newRecordKeys(prefix string) recordKeys {
	return recordKeys{
		source:       prefix + evalrecord.SourceSuffix,
		version:      prefix + ".judge.rubric.version",
		level:        prefix + ".judge.rubric.level",
		model:        prefix + ".judge.model",
		inputTokens:  prefix + ".judge.usage.input_tokens",
		outputTokens: prefix + ".judge.usage.output_tokens",
	}
}

// record is the gen_ai.evaluation.result record of one judgement, with
// the judged trace's resource, parented to the judged span. It carries
// the judge's explanation, never the prompt or the judged content.
func (k recordKeys) record(t *Task, o Outcome, now time.Time, version string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	t.Resource.CopyTo(rl.Resource())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	lr := sl.LogRecords().AppendEmpty()
	ts := pcommon.NewTimestampFromTime(now)
	lr.SetObservedTimestamp(ts)
	evalrecord.Result{
		Name:        t.rubric.name,
		Label:       o.Label,
		Score:       o.Score,
		HasScore:    o.HasScore,
		Explanation: o.Explanation,
		ErrorType:   o.ErrorType,
		ResponseID:  t.ResponseID,
	}.Write(lr, t.TraceID, t.SpanID, ts)
	a := lr.Attributes()
	a.PutStr(k.source, "judge")
	a.PutStr(k.version, version)
	a.PutStr(k.level, t.rubric.level)
	if o.Model != "" {
		a.PutStr(k.model, o.Model)
	}
	if o.InputTokens >= 0 {
		a.PutInt(k.inputTokens, o.InputTokens)
	}
	if o.OutputTokens >= 0 {
		a.PutInt(k.outputTokens, o.OutputTokens)
	}
	return ld
}
