package spanmodel

// Older GenAI semconv and OpenLLMetry: llm.request.type and flattened
// gen_ai.prompt.N.* / gen_ai.completion.N.* keys.

func requestTypeOperation(t string) string {
	switch t {
	case "chat":
		return "chat"
	case "completion":
		return "text_completion"
	case "embedding", "embeddings":
		return "embeddings"
	}
	return t
}

// parseFlat parses the part after gen_ai.prompt. / gen_ai.completion.
func parseFlat(rest string) (e idxEnt, ok bool) {
	if e.n, rest, ok = cutIndex(rest); !ok {
		return e, false
	}
	e.m = -1
	switch rest {
	case "role":
		e.field = fRole
	case "content":
		e.field = fContent
	case "finish_reason":
		e.field = fFinish
	case "tool_call_id":
		e.field = fToolCallID
	default:
		return cutToolCall(rest, flatToolCallFields, e)
	}
	return e, true
}

// flatToolCallFields spells the tool-call fields of this layout's indexed keys.
var flatToolCallFields = map[string]idxField{"name": fCallName, "arguments": fCallArgs, "id": fCallID}
