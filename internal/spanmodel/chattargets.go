package spanmodel

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
	// Only the messages after the last assistant message are read: a long
	// history is not decoded for them (see InputTail).
	in, inErr := v.InputTail(nil)
	out := v.output()
	if inErr != nil {
		return "", true, inErr
	}
	if out.err != nil {
		return "", true, out.err
	}
	t := &v.tail
	if !t.resultsDone {
		t.resultsDone = true
		// Joined with "\n", empty results included; a single result is
		// kept as it is, without a copy.
		var acc textAcc
		trailingResults(in, acc.add)
		for i := range out.results {
			if out.results[i].Server {
				acc.add(out.results[i].Content)
			}
		}
		t.resultsOK = acc.n > 0
		t.resultsText = acc.take()
	}
	return t.resultsText, t.resultsOK, nil
}
