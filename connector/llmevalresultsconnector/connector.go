package llmevalresultsconnector

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-llmeval/otelcol-llmeval/connector/llmevalresultsconnector/internal/metadata"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
)

// resultsConnector writes one gen_ai.evaluation.result record per verdict
// the llmeval processor left on a span. It is synchronous and keeps
// nothing: the records of a batch go to the next consumer before
// ConsumeTraces returns, and its error is returned, as any connector does.
type resultsConnector struct {
	component.StartFunc
	component.ShutdownFunc

	prefix    string
	sourceKey string
	next      consumer.Logs
	tb        *metadata.TelemetryBuilder
	labels    map[string]metric.MeasurementOption
	now       func() time.Time
}

func newConnector(cfg *Config, next consumer.Logs, tb *metadata.TelemetryBuilder) *resultsConnector {
	c := &resultsConnector{
		prefix:    cfg.AttributePrefix,
		sourceKey: cfg.AttributePrefix + evalrecord.SourceSuffix,
		next:      next,
		tb:        tb,
		labels:    map[string]metric.MeasurementOption{},
		now:       time.Now,
	}
	for _, l := range []string{evalrecord.LabelPass, evalrecord.LabelFail, evalrecord.LabelError} {
		c.labels[l] = metric.WithAttributeSet(attribute.NewSet(attribute.String("label", l)))
	}
	return c
}

func (c *resultsConnector) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c *resultsConnector) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	ld := plog.NewLogs()
	observed := pcommon.NewTimestampFromTime(c.now())
	counts := map[string]int64{}
	var verdicts []evalrecord.Verdict
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		var records plog.LogRecordSlice
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				verdicts = evalrecord.Verdicts(sp.Attributes(), c.prefix, verdicts[:0])
				if len(verdicts) == 0 {
					continue
				}
				if records == (plog.LogRecordSlice{}) {
					rl := ld.ResourceLogs().AppendEmpty()
					rs.Resource().CopyTo(rl.Resource())
					sl := rl.ScopeLogs().AppendEmpty()
					sl.Scope().SetName(metadata.ScopeName)
					records = sl.LogRecords()
				}
				responseID := ""
				if v, ok := sp.Attributes().Get(evalrecord.AttrResponseID); ok && v.Type() == pcommon.ValueTypeStr {
					responseID = v.Str()
				}
				for _, v := range verdicts {
					lr := records.AppendEmpty()
					lr.SetObservedTimestamp(observed)
					r := evalrecord.Result{Name: v.Name, Label: v.Verdict, Score: v.Score, HasScore: v.HasScore,
						Explanation: v.Reason, ResponseID: responseID}
					if v.Verdict == evalrecord.LabelError {
						r.ErrorType = evalrecord.ErrorTypeEvaluator
					}
					// The check ran as the span passed: its end is when.
					r.Write(lr, sp.TraceID(), sp.SpanID(), sp.EndTimestamp())
					lr.Attributes().PutStr(c.sourceKey, "check")
					counts[v.Verdict]++
				}
			}
		}
	}
	if ld.LogRecordCount() == 0 {
		return nil
	}
	for label, n := range counts {
		if opt, ok := c.labels[label]; ok {
			c.tb.ConnectorLlmevalResultsRecords.Add(ctx, n, opt)
		}
	}
	return c.next.ConsumeLogs(ctx, ld)
}
