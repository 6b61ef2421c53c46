package llmevalprocessor

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// testdata/captures holds what real producers sent for four scenarios (a
// normal answer, an answer leaking an email and an SSN, a refusal, a
// failing tool), spans and log records as one OTLP JSON file each:
// Strands Agents 1.19 (span events, default and latest conventions), the
// OTel OpenAI instrumentation 0.22 and Logfire 0.18 (log records).
//
// Through one instance, as in a collector with llmeval in a traces and a
// logs pipeline, with the default evaluators: the leak and the refusal are
// caught, the normal answer passes, and nothing is left unread.
func TestCapturedEventProducers(t *testing.T) {
	files, err := filepath.Glob("testdata/captures/*.json")
	require.NoError(t, err)
	require.Len(t, files, 16)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		scenario := name[strings.LastIndexByte(name, '-')+1:]
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(raw)
			require.NoError(t, err)
			ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(raw)
			require.NoError(t, err)
			spans, records := td.SpanCount(), ld.LogRecordCount()

			tt := componenttest.NewTelemetry()
			t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
			p, err := newLLMEvalProcessor(context.Background(), metadatatest.NewSettings(tt), createDefaultConfig().(*Config), nil)
			require.NoError(t, err)
			_, err = p.processLogs(context.Background(), ld)
			require.NoError(t, err)
			_, err = p.processTraces(context.Background(), td)
			require.NoError(t, err)
			require.NoError(t, p.shutdown(context.Background()))
			require.Equal(t, spans, td.SpanCount())
			require.Equal(t, records, ld.LogRecordCount())

			var failed []string
			evaluated, toolTrouble := 0, 0
			note := func(m pcommon.Map) {
				for _, c := range []string{"failure", "exhaustion"} {
					if _, ok := m.Get("llmeval.signal." + c + ".count"); ok {
						toolTrouble++
					}
				}
				if v, ok := m.Get("llmeval.verdict"); ok {
					evaluated++
					if v.Str() == "fail" {
						f, _ := m.Get("llmeval.failed")
						for _, n := range f.Slice().AsRaw() {
							failed = append(failed, n.(string))
						}
					}
				}
			}
			forEachSpan(td, func(sp ptrace.Span) { note(sp.Attributes()) })
			for i := 0; i < ld.ResourceLogs().Len(); i++ {
				for j := 0; j < ld.ResourceLogs().At(i).ScopeLogs().Len(); j++ {
					lrs := ld.ResourceLogs().At(i).ScopeLogs().At(j).LogRecords()
					for k := 0; k < lrs.Len(); k++ {
						note(lrs.At(k).Attributes())
					}
				}
			}
			sort.Strings(failed)
			assert.Positive(t, evaluated, "something was evaluated")
			switch scenario {
			case "leak":
				assert.Contains(t, failed, "pii")
			case "refusal":
				assert.Contains(t, failed, "refusal")
			case "failing_tool":
				assert.Positive(t, toolTrouble, "the failing tool is caught by a failure or exhaustion signal")
				fallthrough
			default:
				assert.NotContains(t, failed, "pii")
				assert.NotContains(t, failed, "refusal")
			}
			_, err = tt.GetMetric("otelcol_processor_llmeval_unread_content")
			assert.Error(t, err, "no content left unread")
		})
	}
}
