package signals

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// feedback: explicit negative feedback the application recorded on the
// span (thumbs down, a -1 score).
func (d *Detector) feedback(v *spanmodel.View, f *Found) {
	if d.cfg.FeedbackAttribute == "" {
		return
	}
	val, ok := v.Span().Attributes().Get(d.cfg.FeedbackAttribute)
	// Feedback is a scalar; a map or slice there is not read (rendering one
	// recurses as deep as a client nests it).
	if !ok || val.Type() == pcommon.ValueTypeMap || val.Type() == pcommon.ValueTypeSlice {
		return
	}
	if d.negative[strings.ToLower(strings.TrimSpace(val.AsString()))] {
		f.Add(Feedback, "negative", 1)
	}
}
