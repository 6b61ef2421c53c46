package spanmodel

import (
	"strings"

	"github.com/tidwall/gjson"
)

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

// oiValue reads input.value / output.value when the indexed messages are
// absent. The OpenAI instrumentation stores the request and response
// bodies there: a Responses body ({"input": ...} / {"output": [items]}) or
// a chat body ({"messages": [...]} / {"choices": [{"message"}]}) is read
// as messages; any other value (a plain string, another JSON document) is
// one message with the whole value as text, as before.
func (v *View) oiValue(k attrKey, role string, c *convo) error {
	key := keyDefs[k].name
	s := v.rd.attr(key, v.vals[k])
	if err := v.rd.take(); err != nil {
		return err
	}
	if r, isJSON, err := parseLoose(key, s); err == nil && isJSON && r.IsObject() {
		for _, w := range [...]string{"output", "input", "messages", "choices"} {
			if x := r.Get(w); x.IsArray() || (w == "input" && x.Type == gjson.String) {
				c.looseValue(r, role, 0)
				return nil
			}
		}
	}
	c.begin(role)
	c.addText(s)
	return nil
}
