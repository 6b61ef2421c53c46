package evaluators

import (
	"testing"
)

// How evaluators read the GenAI part types besides text: reasoning, tool
// results in the chat input, built-in (server) tool calls, media. The span
// model's tests check where each part lands; these check what each
// evaluator makes of it by default.

func outParts(parts string) kv {
	return kv{"gen_ai.output.messages", `[{"role":"assistant","parts":[` + parts + `],"finish_reason":"stop"}]`}
}

// Realistic personal data (the pii policy ignores documentation values).
const (
	partsEmail = "liesel.brandauer@posteo.de"
	partsPhone = "+44 7700 184592"
)

func TestPartsPIIDefaults(t *testing.T) {
	p := entry("p", "pii", nil)
	history := kv{"gen_ai.input.messages", `[
		{"role":"user","parts":[{"type":"text","content":"Who is the account holder?"}]},
		{"role":"assistant","parts":[{"type":"tool_call","id":" call_1","name":"crm_lookup","arguments":{"account":"A-88"}}]},
		{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1 ","result":{"owner":"` + partsEmail + `"}}]}]`}
	runEvalCases(t, []evalCase{
		{name: "reasoning", entry: p, attrs: []kv{chat, outParts(`{"type":"reasoning","content":"Their email is ` + partsEmail + `."},{"type":"text","content":"Done."}`)},
			verdict: Fail, reason: "pii found: email (1) in reasoning"},
		{name: "reasoning only answer", entry: p, attrs: []kv{chat, outParts(`{"type":"reasoning","content":"Call ` + partsPhone + `"}`)},
			verdict: Fail, reason: "phone (1) in reasoning"},
		{name: "tool result in chat input, result spelling", entry: p, attrs: []kv{chat, history, outMsgs("The account holder is on file.")},
			verdict: Fail, reason: "pii found: email (1) in tool_result"},
		{name: "output and tool result", entry: p, attrs: []kv{chat, history, outMsgs("Write to " + partsEmail)},
			verdict: Fail, reason: "pii found: email (2) in output, tool_result"},
		{name: "tool result answered before the last assistant turn is not new", entry: p, attrs: []kv{chat,
			{"gen_ai.input.messages", `[
				{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"crm","arguments":{}}]},
				{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"` + partsEmail + `"}]},
				{"role":"assistant","parts":[{"type":"text","content":"Found it."}]},
				{"role":"user","parts":[{"type":"text","content":"Thanks"}]}]`},
			outMsgs("You're welcome.")}, verdict: Pass},
		{name: "server tool response", entry: p, attrs: []kv{chat, outParts(`{"type":"server_tool_call_response","id":"ws_1","server_tool_call_response":{"type":"web_search","results":["` + partsPhone + `"]}},{"type":"text","content":"Found the number."}`)},
			verdict: Fail, reason: "phone (1) in tool_result"},
		{name: "transcript of output audio", entry: p, attrs: []kv{chat, outParts(`{"type":"blob","modality":"audio","mime_type":"audio/wav","content":"UklGRg==","transcript":"Write to ` + partsEmail + `"}`)},
			verdict: Fail, reason: "pii found: email (1)"},
		{name: "tool span result left to the explicit target", entry: p, attrs: []kv{{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "crm"}, {"gen_ai.tool.call.result", partsEmail}}, verdict: Skip},
		{name: "explicit output target ignores reasoning", entry: withTarget(p, "output"), attrs: []kv{chat, outParts(`{"type":"reasoning","content":"` + partsEmail + `"},{"type":"text","content":"Done."}`)}, verdict: Pass},
		{name: "explicit reasoning target", entry: withTarget(p, "reasoning"), attrs: []kv{chat, outParts(`{"type":"reasoning","content":"` + partsEmail + `"}`)}, verdict: Fail, reason: "pii found: email (1)"},
		{name: "nothing to read", entry: p, attrs: []kv{chat}, verdict: Skip},
	})
}

// TestPartsNoText: an answer with no text but other parts is "no text" for
// every evaluator that reads the output: no verdict, never "empty answer".
func TestPartsNoText(t *testing.T) {
	answers := map[string]kv{
		"tool call":        outParts(`{"type":"tool_call","id":"c1","name":"lookup","arguments":{"q":"x"}}`),
		"image":            outParts(`{"type":"blob","modality":"image","mime_type":"image/png","content":"aGk="}`),
		"reasoning":        outParts(`{"type":"reasoning","content":"The user wants a short answer."}`),
		"server tool":      outParts(`{"type":"server_tool_call","id":"ci_1","name":"code_interpreter","server_tool_call":{"type":"code_interpreter","code":"print(1)"}}`),
		"blank and image":  outParts(`{"type":"text","content":"  "},{"type":"uri","modality":"image","uri":"https://cdn.acme.io/a.png"}`),
		"unknown and file": outParts(`{"type":"compaction","id":"cmp_1"},{"type":"file","modality":"document","file_id":"file-9"}`),
	}
	entries := []struct {
		name string
		e    func() evalCase
	}{
		{"refusal", func() evalCase { return evalCase{entry: entry("r", "refusal", nil)} }},
		{"json", func() evalCase { return evalCase{entry: entry("j", "json", nil)} }},
		{"length", func() evalCase { return evalCase{entry: entry("l", "length", map[string]any{"min_chars": 5})} }},
		{"regex", func() evalCase {
			return evalCase{entry: entry("x", "regex", map[string]any{"must_match": "ok"})}
		}},
		{"contains", func() evalCase {
			return evalCase{entry: entry("c", "contains", map[string]any{"all": []any{"ok"}})}
		}},
		{"json_schema", func() evalCase {
			return evalCase{entry: entry("s", "json_schema", map[string]any{"schema": map[string]any{"type": "object"}})}
		}},
		{"grounding", func() evalCase { return evalCase{entry: entry("g", "grounding", nil)} }},
	}
	var cases []evalCase
	for name, a := range answers {
		for _, en := range entries {
			c := en.e()
			c.name = en.name + "/" + name
			c.attrs = []kv{chat, {"gen_ai.response.finish_reasons", []any{"stop"}}, a}
			c.verdict = Skip
			cases = append(cases, c)
		}
	}
	// An answer with nothing at all is still an empty answer.
	cases = append(cases, evalCase{name: "refusal/no parts at all", entry: entry("r", "refusal", nil),
		attrs: []kv{chat, outParts(``)}, verdict: Fail, reason: "empty answer"})
	runEvalCases(t, cases)
}

// TestPartsServerToolCalls: a built-in tool's arguments count as tool
// arguments for the checks of destructive actions and SQL, as a function
// tool call's do; tool_call does not hold them to declared functions.
func TestPartsServerToolCalls(t *testing.T) {
	code := `import subprocess\nsubprocess.run(\"rm -rf /srv/data\", shell=True)`
	server := outParts(`{"type":"server_tool_call","id":"ci_1","name":"code_interpreter","server_tool_call":{"type":"code_interpreter","code":"` + code + `","container_id":"cntr_1"}}`)
	function := outParts(`{"type":"tool_call","id":"call_1","name":"code_interpreter","arguments":{"type":"code_interpreter","code":"` + code + `"}}`)
	sqlCall := outParts(`{"type":"server_tool_call","id":"ci_2","name":"code_interpreter","server_tool_call":{"type":"code_interpreter","code":"cur.execute('DROP TABLE customers')"}}`)
	defs := kv{"gen_ai.tool.definitions", `[{"type":"function","name":"get_weather","parameters":{"type":"object"}},{"type":"code_interpreter"}]`}
	d := entry("d", "destructive_action", nil)
	runEvalCases(t, []evalCase{
		{name: "destructive function call", entry: d, attrs: []kv{chat, function}, verdict: Fail, reason: "shell_rm_rf"},
		{name: "destructive server call", entry: d, attrs: []kv{chat, server}, verdict: Fail, reason: "shell_rm_rf"},
		{name: "harmless server call", entry: d, attrs: []kv{chat, outParts(`{"type":"server_tool_call","name":"code_interpreter","server_tool_call":{"type":"code_interpreter","code":"print(2+2)"}}`)}, verdict: Pass},
		{name: "sql in a server call", entry: entry("s", "sql_safety", nil), attrs: []kv{chat, sqlCall}, verdict: Fail, reason: "DROP"},
		{name: "server call not held to declared functions", entry: entry("t", "tool_call", nil), attrs: []kv{chat, defs, server}, verdict: Pass},
	})
}

// TestPartsConfirmationLinking: a confirmation is linked to its call by
// ID, trimmed; a call and a result both without an ID are not linked.
func TestPartsConfirmationLinking(t *testing.T) {
	d := entry("d", "destructive_action", map[string]any{"requires_confirmation_tool": "ask_user"})
	rm := kv{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call","id":"c9","name":"bash","arguments":{"command":"rm -rf /data"}}]}]`}
	in := func(callID, respID string) kv {
		return kv{"gen_ai.input.messages", `[{"role":"assistant","parts":[{"type":"tool_call",` + callID + `"name":"ask_user","arguments":{"q":"wipe?"}}]},
			{"role":"tool","parts":[{"type":"tool_call_response",` + respID + `"response":"yes"}]}]`}
	}
	runEvalCases(t, []evalCase{
		{name: "padded IDs link", entry: d, attrs: []kv{chat, in(`"id":" q1",`, `"id":"q1 ",`), rm}, verdict: Pass},
		{name: "no IDs do not link", entry: d, attrs: []kv{chat, in(``, ``), rm}, verdict: Fail, reason: "shell_rm_rf"},
		{name: "null and numeric IDs do not link", entry: d, attrs: []kv{chat, in(`"id":null,`, `"id":7,`), rm}, verdict: Fail, reason: "shell_rm_rf"},
	})
}
