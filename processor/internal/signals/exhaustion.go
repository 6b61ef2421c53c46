package signals

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

var toolResult = spanmodel.Target{Kind: spanmodel.TargetToolResult}

// exhaustion: rate limits, server errors, timeouts, network errors,
// malformed responses and context overflow, in the tool results the model
// reacts to (read with failure's, and a tool span's with
// toolSpanFailure) and in the span's own error.
func (d *Detector) exhaustion(v *spanmodel.View, f *Found) {
	if isErr, msg := v.Err(); isErr {
		d.matchCats(exhaustionCat, msg, f)
		d.matchCats(exhaustionCat, exceptionMessage(v), f)
	}
}

// exceptionMessage is the exception.message of the span's first exception
// event: where SDKs put a failing call's error.
func exceptionMessage(v *spanmodel.View) string {
	evs := v.Span().Events()
	for i := 0; i < evs.Len(); i++ {
		if evs.At(i).Name() == "exception" {
			// A message is a string; a map or slice there is not read
			// (rendering one recurses as deep as a client nests it).
			if m, ok := evs.At(i).Attributes().Get("exception.message"); ok && m.Type() == pcommon.ValueTypeStr {
				return m.Str()
			}
		}
	}
	return ""
}
