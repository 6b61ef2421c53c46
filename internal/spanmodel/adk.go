package spanmodel

import "github.com/tidwall/gjson"

// Google ADK: call_llm spans carry the Gemini request and response as JSON
// (gcp.vertex.agent.llm_request / llm_response) and no
// gen_ai.operation.name; tool spans carry gcp.vertex.agent.tool_call_args /
// tool_response. The request's system instruction is in
// config.systemInstruction: a string or a Content ({parts: [{text}]}).

// adkOperation: a span with the model request or response is a model call,
// one with tool arguments or response a tool execution.
func adkOperation(v *View) string {
	switch {
	case v.has.any(setOf(kADKRequest, kADKResponse)):
		return "chat"
	case v.has.any(setOf(kADKToolArgs, kADKToolResp)):
		return "execute_tool"
	}
	return ""
}

// adkSystem appends the text of the request's config.systemInstruction.
func (v *View) adkSystem(dst []string) ([]string, bool, error) {
	if !v.has.has(kADKRequest) {
		return dst, false, nil
	}
	key := keyDefs[kADKRequest].name
	s := v.rd.attr(key, v.vals[kADKRequest])
	if err := v.rd.take(); err != nil {
		return dst, true, err
	}
	r, isJSON, err := parseLoose(key, s)
	if err != nil || !isJSON {
		return dst, false, err
	}
	si := r.Get("config.systemInstruction")
	switch {
	case si.Type == gjson.String:
		return append(dst, si.Str), true, nil
	case si.IsObject():
		si.Get("parts").ForEach(func(_, p gjson.Result) bool {
			if t := p.Get("text"); t.Type == gjson.String {
				dst = append(dst, t.Str)
			}
			return len(dst) < MaxMessages
		})
		return dst, true, nil
	}
	return dst, false, nil
}
