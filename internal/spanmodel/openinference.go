package spanmodel

import "strings"

// OpenInference (Arize Phoenix): span kinds and indexed message keys
// llm.input_messages.N.message.*.

func openInferenceOperation(kind string) string {
	switch kind {
	case "LLM":
		return "chat"
	case "TOOL":
		return "execute_tool"
	case "AGENT":
		return "invoke_agent"
	case "RETRIEVER":
		return "retrieval"
	case "EMBEDDING":
		return "embeddings"
	case "CHAIN":
		return "chain"
	case "RERANKER":
		return "reranker"
	case "GUARDRAIL":
		return "guardrail"
	case "EVALUATOR":
		return "evaluator"
	case "PROMPT":
		return "prompt"
	case "UNKNOWN":
		return "unknown"
	}
	return strings.ToLower(kind)
}

// parseOpenInference parses the part after llm.input_messages. /
// llm.output_messages.
func parseOpenInference(rest string) (e idxEnt, ok bool) {
	if e.n, rest, ok = cutIndex(rest); !ok {
		return e, false
	}
	if rest, ok = strings.CutPrefix(rest, "message."); !ok {
		return e, false
	}
	e.m = -1
	if f, known := oiMessageFields[rest]; known {
		e.field = f
		return e, true
	}
	if sub, found := strings.CutPrefix(rest, "contents."); found {
		if e.m, sub, ok = cutIndex(sub); !ok {
			return e, false
		}
		switch sub {
		case "message_content.type":
			e.field = fPartType
		case "message_content.text":
			e.field = fPartText
		default:
			return e, false
		}
		return e, true
	}
	return cutToolCall(rest, oiToolCallFields, e)
}

// oiMessageFields spells the message fields of this layout's indexed keys.
var oiMessageFields = map[string]idxField{"role": fRole, "content": fContent, "tool_call_id": fToolCallID}

// oiToolCallFields spells the tool-call fields of this layout's indexed keys.
var oiToolCallFields = map[string]idxField{"tool_call.function.name": fCallName, "tool_call.function.arguments": fCallArgs, "tool_call.id": fCallID}
