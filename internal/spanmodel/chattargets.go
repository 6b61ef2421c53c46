package spanmodel

import "strings"

// The targets of a model call that are neither its input text nor its
// output text: the model's reasoning, and the tool results it reacts to.

// reasoningText is Text(reasoning): the reasoning parts of the output. ok
// when the output has a reasoning part, even an empty one.
func (v *View) reasoningText() (string, bool, error) {
	c := v.output()
	if !c.present {
		return "", false, nil
	}
	if c.err != nil {
		return "", true, c.err
	}
	text, ok := c.reasoning()
	return text, ok, nil
}

// chatToolResults is Text(tool_result) on a span that is not a tool span:
// the results after the input's last assistant message and the built-in
// tools' responses in the output, one per line. ok when there is one.
func (v *View) chatToolResults() (string, bool, error) {
	in, out := v.input(), v.output()
	if in.err != nil {
		return "", true, in.err
	}
	if out.err != nil {
		return "", true, out.err
	}
	if !in.resultsDone {
		in.resultsDone = true
		var b strings.Builder
		n := 0
		add := func(s string) {
			if n > 0 {
				b.WriteByte('\n')
			}
			n++
			b.WriteString(s)
		}
		in.trailingResults(add)
		for i := range out.results {
			if out.results[i].Server {
				add(out.results[i].Content)
			}
		}
		in.resultsText, in.resultsOK = b.String(), n > 0
	}
	return in.resultsText, in.resultsOK, nil
}
