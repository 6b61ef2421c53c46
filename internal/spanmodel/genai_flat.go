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
	if e.field, ok = flatMessageFields[rest]; ok {
		return e, true
	}
	return cutToolCall(rest, flatToolCallFields, e)
}

// flatMessageFields spells the message fields of this layout's indexed keys.
var flatMessageFields = map[string]idxField{"role": fRole, "content": fContent, "finish_reason": fFinish, "tool_call_id": fToolCallID}

// flatToolCallFields spells the tool-call fields of this layout's indexed keys.
var flatToolCallFields = map[string]idxField{"name": fCallName, "arguments": fCallArgs, "id": fCallID}
