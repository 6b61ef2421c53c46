package signals

import "github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"

// failure: the tool results the model is reacting to report invalid
// arguments, an unknown tool, an auth error, a state conflict or a bad
// query. They are read for exhaustion in the same pass (resultCats).
func (d *Detector) failure(c *conversation, f *Found) {
	c.trailingToolResults(func(text string) { d.matchCats(resultCats, text, f) })
}

// toolSpanFailure reads a tool span's result, its error status and the
// message of its exception event, for failure and exhaustion in one pass
// each (each category's kinds in the order they had when read apart).
func (d *Detector) toolSpanFailure(v *spanmodel.View, f *Found) {
	if text, ok, _ := v.Text(toolResult); ok {
		d.matchCats(resultCats, text, f)
	}
	if isErr, msg := v.Err(); isErr {
		f.Add(Failure, "tool_error", 1)
		d.matchCats(resultCats, msg, f)
		d.matchCats(resultCats, exceptionMessage(v), f)
	}
}
