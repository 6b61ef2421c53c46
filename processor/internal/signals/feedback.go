package signals

import (
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// feedback: explicit negative feedback the application recorded on the
// span (thumbs down, a -1 score).
func (d *Detector) feedback(v *spanmodel.View, f *Found) {
	if d.cfg.FeedbackAttribute == "" {
		return
	}
	val, ok := v.Span().Attributes().Get(d.cfg.FeedbackAttribute)
	if !ok {
		return
	}
	if d.negative[strings.ToLower(strings.TrimSpace(val.AsString()))] {
		f.Add(Feedback, "negative", 1)
	}
}
