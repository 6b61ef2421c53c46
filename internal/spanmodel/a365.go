package spanmodel

import "github.com/tidwall/gjson"

// Microsoft Agent 365 (@microsoft/agents-a365-observability) writes the
// standard gen_ai.input.messages / gen_ai.output.messages, wrapped in a
// versioned object: {"version":"0.1.0","messages":[…]}. Its operation names
// are capitalised ("Chat", "InvokeAgent"): see NormalizeOperation.

// unwrapMessages returns the messages array of such a wrapper, as a slice
// of s (no copy), or s itself when s is not one.
func unwrapMessages(s string) string {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
		i++
	}
	if i == len(s) || s[i] != '{' || len(s) > MaxContentBytes {
		return s
	}
	if d, _ := jsonDepth(s); d > looseMaxDepth {
		return s // the decoder reports it
	}
	if m := gjson.Get(s, "messages"); m.IsArray() && m.Index > 0 {
		return s[m.Index : m.Index+len(m.Raw)]
	}
	return s
}
