package signals

import "github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"

// failure: the tool results the model is reacting to report invalid
// arguments, an unknown tool, an auth error, a state conflict or a bad
// query.
func (d *Detector) failure(c conversation, f *Found) {
	c.trailingToolResults(func(text string) { d.match(Failure, text, f) })
}

// toolSpanFailure reads a tool span's result, its error status and the
// message of its exception event.
func (d *Detector) toolSpanFailure(v *spanmodel.View, f *Found) {
	if text, ok, _ := v.Text(toolResult); ok {
		d.match(Failure, text, f)
	}
	if isErr, msg := v.Err(); isErr {
		f.Add(Failure, "tool_error", 1)
		d.match(Failure, msg, f)
		d.match(Failure, exceptionMessage(v), f)
	}
}
