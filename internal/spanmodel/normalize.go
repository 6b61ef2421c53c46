package spanmodel

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// This file holds the span normalizer behind View: the attribute keys of
// every layout, the single cheap classification pass run by Reset, and the
// lazy decoders of message content.

// attrKey numbers the fixed attribute keys the view reads. Keys of the
// indexed layouts (gen_ai.prompt.N.*, llm.input_messages.N.*) are matched by
// prefix instead.
type attrKey uint8

const (
	// GenAI semconv, current and older.
	kOpName attrKey = iota
	kProviderName
	kSystem
	kReqModel
	kRespModel
	kInTok
	kOutTok
	kPromptTok
	kComplTok
	kCacheRead
	kCachedIn
	kGenAITotal
	kLLMTotal
	kFinish
	kInMsgs
	kOutMsgs
	kSysInstr
	kToolName
	kToolCallID
	kToolArgs
	kToolResult
	kLLMRequestType
	// OpenInference.
	kOIKind
	kOIModel
	kOIProvider
	kOISystem
	kOIPromptTok
	kOIComplTok
	kOITotalTok
	kOICacheRead
	kInputValue
	kOutputValue
	kOIToolName
	kOIFinish
	// Vercel AI SDK <= 6.
	kAIOpID
	kAIModelID
	kAIModelProvider
	kAIRespModel
	kAIPromptTok
	kAIComplTok
	kAIInTok
	kAIOutTok
	kAITotalTok
	kAICachedTok
	kAIFinish
	kAIPromptMsgs
	kAIPrompt
	kAIRespText
	kAIRespToolCalls
	kAIRespObject
	kAIToolName
	kAIToolID
	kAIToolArgs
	kAIToolInput
	kAIToolResult
	kAIToolOutput

	numKeys
	kNone attrKey = 255
)

// The key set is a bit set in one word.
var _ [64 - numKeys]struct{}

// keyNames spells every attrKey; classifyKey is its inverse (a test checks).
var keyNames = [numKeys]string{
	kOpName:          "gen_ai.operation.name",
	kProviderName:    "gen_ai.provider.name",
	kSystem:          "gen_ai.system",
	kReqModel:        "gen_ai.request.model",
	kRespModel:       "gen_ai.response.model",
	kInTok:           "gen_ai.usage.input_tokens",
	kOutTok:          "gen_ai.usage.output_tokens",
	kPromptTok:       "gen_ai.usage.prompt_tokens",
	kComplTok:        "gen_ai.usage.completion_tokens",
	kCacheRead:       "gen_ai.usage.cache_read.input_tokens",
	kCachedIn:        "gen_ai.usage.cached_input_tokens",
	kGenAITotal:      "gen_ai.usage.total_tokens",
	kLLMTotal:        "llm.usage.total_tokens",
	kFinish:          "gen_ai.response.finish_reasons",
	kInMsgs:          "gen_ai.input.messages",
	kOutMsgs:         "gen_ai.output.messages",
	kSysInstr:        "gen_ai.system_instructions",
	kToolName:        "gen_ai.tool.name",
	kToolCallID:      "gen_ai.tool.call.id",
	kToolArgs:        "gen_ai.tool.call.arguments",
	kToolResult:      "gen_ai.tool.call.result",
	kLLMRequestType:  "llm.request.type",
	kOIKind:          "openinference.span.kind",
	kOIModel:         "llm.model_name",
	kOIProvider:      "llm.provider",
	kOISystem:        "llm.system",
	kOIPromptTok:     "llm.token_count.prompt",
	kOIComplTok:      "llm.token_count.completion",
	kOITotalTok:      "llm.token_count.total",
	kOICacheRead:     "llm.token_count.prompt_details.cache_read",
	kInputValue:      "input.value",
	kOutputValue:     "output.value",
	kOIToolName:      "tool.name",
	kOIFinish:        "llm.finish_reason",
	kAIOpID:          "ai.operationId",
	kAIModelID:       "ai.model.id",
	kAIModelProvider: "ai.model.provider",
	kAIRespModel:     "ai.response.model",
	kAIPromptTok:     "ai.usage.promptTokens",
	kAIComplTok:      "ai.usage.completionTokens",
	kAIInTok:         "ai.usage.inputTokens",
	kAIOutTok:        "ai.usage.outputTokens",
	kAITotalTok:      "ai.usage.totalTokens",
	kAICachedTok:     "ai.usage.cachedInputTokens",
	kAIFinish:        "ai.response.finishReason",
	kAIPromptMsgs:    "ai.prompt.messages",
	kAIPrompt:        "ai.prompt",
	kAIRespText:      "ai.response.text",
	kAIRespToolCalls: "ai.response.toolCalls",
	kAIRespObject:    "ai.response.object",
	kAIToolName:      "ai.toolCall.name",
	kAIToolID:        "ai.toolCall.id",
	kAIToolArgs:      "ai.toolCall.args",
	kAIToolInput:     "ai.toolCall.input",
	kAIToolResult:    "ai.toolCall.result",
	kAIToolOutput:    "ai.toolCall.output",
}

// classifyKey maps an attribute key to its attrKey, or kNone. The compiler
// turns the switch into a search on length and bytes: no hashing, no
// allocation.
func classifyKey(k string) attrKey {
	switch k {
	case "gen_ai.operation.name":
		return kOpName
	case "gen_ai.provider.name":
		return kProviderName
	case "gen_ai.system":
		return kSystem
	case "gen_ai.request.model":
		return kReqModel
	case "gen_ai.response.model":
		return kRespModel
	case "gen_ai.usage.input_tokens":
		return kInTok
	case "gen_ai.usage.output_tokens":
		return kOutTok
	case "gen_ai.usage.prompt_tokens":
		return kPromptTok
	case "gen_ai.usage.completion_tokens":
		return kComplTok
	case "gen_ai.usage.cache_read.input_tokens":
		return kCacheRead
	case "gen_ai.usage.cached_input_tokens":
		return kCachedIn
	case "gen_ai.usage.total_tokens":
		return kGenAITotal
	case "llm.usage.total_tokens":
		return kLLMTotal
	case "gen_ai.response.finish_reasons":
		return kFinish
	case "gen_ai.input.messages":
		return kInMsgs
	case "gen_ai.output.messages":
		return kOutMsgs
	case "gen_ai.system_instructions":
		return kSysInstr
	case "gen_ai.tool.name":
		return kToolName
	case "gen_ai.tool.call.id":
		return kToolCallID
	case "gen_ai.tool.call.arguments":
		return kToolArgs
	case "gen_ai.tool.call.result":
		return kToolResult
	case "llm.request.type":
		return kLLMRequestType
	case "openinference.span.kind":
		return kOIKind
	case "llm.model_name":
		return kOIModel
	case "llm.provider":
		return kOIProvider
	case "llm.system":
		return kOISystem
	case "llm.token_count.prompt":
		return kOIPromptTok
	case "llm.token_count.completion":
		return kOIComplTok
	case "llm.token_count.total":
		return kOITotalTok
	case "llm.token_count.prompt_details.cache_read":
		return kOICacheRead
	case "input.value":
		return kInputValue
	case "output.value":
		return kOutputValue
	case "tool.name":
		return kOIToolName
	case "llm.finish_reason":
		return kOIFinish
	case "ai.operationId":
		return kAIOpID
	case "ai.model.id":
		return kAIModelID
	case "ai.model.provider":
		return kAIModelProvider
	case "ai.response.model":
		return kAIRespModel
	case "ai.usage.promptTokens":
		return kAIPromptTok
	case "ai.usage.completionTokens":
		return kAIComplTok
	case "ai.usage.inputTokens":
		return kAIInTok
	case "ai.usage.outputTokens":
		return kAIOutTok
	case "ai.usage.totalTokens":
		return kAITotalTok
	case "ai.usage.cachedInputTokens":
		return kAICachedTok
	case "ai.response.finishReason":
		return kAIFinish
	case "ai.prompt.messages":
		return kAIPromptMsgs
	case "ai.prompt":
		return kAIPrompt
	case "ai.response.text":
		return kAIRespText
	case "ai.response.toolCalls":
		return kAIRespToolCalls
	case "ai.response.object":
		return kAIRespObject
	case "ai.toolCall.name":
		return kAIToolName
	case "ai.toolCall.id":
		return kAIToolID
	case "ai.toolCall.args":
		return kAIToolArgs
	case "ai.toolCall.input":
		return kAIToolInput
	case "ai.toolCall.result":
		return kAIToolResult
	case "ai.toolCall.output":
		return kAIToolOutput
	}
	return kNone
}

// Prefixes of the indexed layouts.
const (
	flatPromptPrefix     = "gen_ai.prompt."
	flatCompletionPrefix = "gen_ai.completion."
	oiInputPrefix        = "llm.input_messages."
	oiOutputPrefix       = "llm.output_messages."
)

// Indexed-layout presence flags, set by the cheap pass.
const (
	idxFlatPrompt uint8 = 1 << iota
	idxFlatCompletion
	idxOIInput
	idxOIOutput
)

// classifyPrefix reports which indexed layout a key that classifyKey did not
// know belongs to, or 0.
func classifyPrefix(k string) uint8 {
	if len(k) < len("llm.") {
		return 0
	}
	switch k[0] {
	case 'g':
		if !strings.HasPrefix(k, "gen_ai.") {
			return 0
		}
		switch {
		case strings.HasPrefix(k, flatPromptPrefix):
			return idxFlatPrompt
		case strings.HasPrefix(k, flatCompletionPrefix):
			return idxFlatCompletion
		}
	case 'l':
		switch {
		case strings.HasPrefix(k, oiInputPrefix):
			return idxOIInput
		case strings.HasPrefix(k, oiOutputPrefix):
			return idxOIOutput
		}
	}
	return 0
}

func bit(k attrKey) uint64 { return 1 << k }

// genAIMarkers are the fixed keys that make a span an LLM/agent span.
var genAIMarkers = bit(kOpName) | bit(kProviderName) | bit(kSystem) | bit(kReqModel) |
	bit(kOIKind) | bit(kOIModel) | bit(kAIOpID)

var genAIContentKeys = bit(kInMsgs) | bit(kOutMsgs) | bit(kSysInstr) | bit(kToolArgs) | bit(kToolResult)

// resolve derives the scalar fields from the keys the cheap pass found.
func (v *View) resolve() {
	if v.has&genAIMarkers == 0 && v.indexed&(idxFlatPrompt|idxFlatCompletion) == 0 {
		return
	}
	v.oiMarker = v.has&(bit(kOIKind)|bit(kOIModel)) != 0 || v.indexed&(idxOIInput|idxOIOutput) != 0

	// Layout: the layout content is preferably read from.
	switch {
	case v.has&genAIContentKeys != 0:
		v.layout = LayoutGenAI
	case v.oiMarker:
		v.layout = LayoutOpenInference
	case v.has&bit(kAIOpID) != 0:
		v.layout = LayoutVercelLegacy
	case v.indexed&(idxFlatPrompt|idxFlatCompletion) != 0:
		v.layout = LayoutGenAIFlat
	case v.has&bit(kOpName) == 0 && v.has&(bit(kLLMRequestType)|bit(kPromptTok)|bit(kComplTok)|bit(kLLMTotal)) != 0:
		v.layout = LayoutGenAIFlat
	default:
		v.layout = LayoutGenAI
	}

	// Operation.
	if s := v.str(kOpName); s != "" {
		v.operation = s
	} else if s := v.str(kOIKind); s != "" {
		v.operation = openInferenceOperation(s)
	} else if s := v.str(kAIOpID); s != "" {
		v.operation = vercelOperation(s)
	} else if s := v.str(kLLMRequestType); s != "" {
		v.operation = requestTypeOperation(s)
	} else if v.has&(bit(kToolName)|bit(kToolCallID)|bit(kToolArgs)|bit(kToolResult)) != 0 {
		v.operation = "execute_tool"
	}
	v.isTool = v.operation == "execute_tool"

	// Provider; Vercel spells it "openai.chat": keep the part before the dot.
	v.provider = v.firstStr(kProviderName, kSystem, kOIProvider, kOISystem, kAIModelProvider)
	if v.layout == LayoutVercelLegacy {
		if i := strings.IndexByte(v.provider, '.'); i > 0 {
			v.provider = v.provider[:i]
		}
	}
	v.model = v.firstStr(kRespModel, kAIRespModel, kReqModel, kOIModel, kAIModelID)

	v.usage = Usage{
		Input:       v.firstTok(kInTok, kPromptTok, kOIPromptTok, kAIInTok, kAIPromptTok),
		Output:      v.firstTok(kOutTok, kComplTok, kOIComplTok, kAIOutTok, kAIComplTok),
		Total:       v.firstTok(kLLMTotal, kGenAITotal, kOITotalTok, kAITotalTok),
		CachedInput: v.firstTok(kCacheRead, kCachedIn, kOICacheRead, kAICachedTok),
	}

	if v.has&bit(kFinish) != 0 {
		v.finish = appendFinishReasons(v.finish, v.vals[kFinish])
	}
	if len(v.finish) == 0 {
		if s := v.firstStr(kAIFinish, kOIFinish); s != "" {
			v.finish = append(v.finish, s)
		}
	}

	if v.isTool {
		v.toolName = v.firstStr(kToolName, kOIToolName, kAIToolName)
	}
}

// str is a string attribute the pass found, or "" when absent, empty or
// not a string.
func (v *View) str(k attrKey) string {
	if v.has&bit(k) == 0 {
		return ""
	}
	val := v.vals[k]
	if val.Type() != pcommon.ValueTypeStr {
		return ""
	}
	return val.Str()
}

func (v *View) firstStr(keys ...attrKey) string {
	for _, k := range keys {
		if s := v.str(k); s != "" {
			return s
		}
	}
	return ""
}

func (v *View) firstTok(keys ...attrKey) int64 {
	for _, k := range keys {
		if v.has&bit(k) == 0 {
			continue
		}
		if n, ok := tokenCount(v.vals[k]); ok {
			return n
		}
	}
	return -1
}

// tokenCount reads an int, double or numeric string token count. Negative
// and non-numeric values count as absent.
func tokenCount(val pcommon.Value) (int64, bool) {
	var n int64
	switch val.Type() {
	case pcommon.ValueTypeInt:
		n = val.Int()
	case pcommon.ValueTypeDouble:
		d := val.Double()
		if !(d >= 0 && d < 1<<63) { // also rejects NaN
			return 0, false
		}
		n = int64(d)
	case pcommon.ValueTypeStr:
		s := strings.TrimSpace(val.Str())
		if s == "" || len(s) > 32 {
			return 0, false
		}
		if !isDigits(s) {
			d, err := strconv.ParseFloat(s, 64)
			if err != nil || !(d >= 0 && d < 1<<63) {
				return 0, false
			}
			return int64(d), true
		}
		var err error
		if n, err = strconv.ParseInt(s, 10, 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if n < 0 {
		return 0, false
	}
	return n, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendFinishReasons reads gen_ai.response.finish_reasons: a string slice,
// a single string, or a string holding a flat JSON array of strings (split
// by hand, without decoding).
func appendFinishReasons(dst []string, val pcommon.Value) []string {
	switch val.Type() {
	case pcommon.ValueTypeSlice:
		s := val.Slice()
		for i := 0; i < s.Len() && i < MaxMessages; i++ {
			if e := s.At(i); e.Type() == pcommon.ValueTypeStr && e.Str() != "" {
				dst = append(dst, e.Str())
			}
		}
	case pcommon.ValueTypeStr:
		s := strings.TrimSpace(val.Str())
		if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' && !strings.ContainsAny(s[1:len(s)-1], `\{[`) {
			rest := s[1 : len(s)-1]
			for rest != "" && len(dst) < MaxMessages {
				var item string
				item, rest, _ = strings.Cut(rest, ",")
				item = strings.Trim(strings.TrimSpace(item), `"`)
				if item != "" {
					dst = append(dst, item)
				}
			}
		} else if s != "" {
			dst = append(dst, val.Str())
		}
	}
	return dst
}

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

// vercelOperation maps an ai.operationId: the provider calls
// (ai.X.doGenerate, ai.X.doStream) are chat, ai.toolCall is a tool
// execution, embeddings are embeddings and the other outer spans
// (ai.generateText, ai.streamObject, ...) are agent invocations.
func vercelOperation(id string) string {
	rest, ok := strings.CutPrefix(id, "ai.")
	if !ok {
		return ""
	}
	if rest == "toolCall" {
		return "execute_tool"
	}
	fn, sub, _ := strings.Cut(rest, ".")
	switch sub {
	case "doGenerate", "doStream":
		return "chat"
	case "doEmbed":
		return "embeddings"
	}
	switch fn {
	case "embed", "embedMany":
		return "embeddings"
	}
	return "invoke_agent"
}

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

// valueText is an attribute as text: strings as they are, other values as
// Value.AsString renders them (JSON for maps and slices).
func valueText(val pcommon.Value) string {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		return val.Str()
	case pcommon.ValueTypeEmpty:
		return ""
	}
	return val.AsString()
}

// ---------------------------------------------------------------------------
// Conversations.

// convo is one decoded side of a conversation (input or output), reused
// across spans. Tool calls and results of all messages live in one buffer
// each; a message's ToolCalls and ToolResults are sub-slices of those.
type convo struct {
	done    bool  // decoded (or found absent) for this span
	present bool  // a source attribute exists
	err     error // decoding failed; names the attribute

	msgs    []Message
	meta    []msgMeta
	calls   []ToolCall
	results []ToolResult

	textDone bool
	text     string
	textOK   bool
}

type msgMeta struct {
	c0, r0 int // first tool call / result of the message
	nText  int // text parts seen, including empty ones
}

// scratchCap bounds the capacity a reused buffer keeps between spans, so one
// huge span does not pin its memory in a pooled View.
const scratchCap = 4096

func (c *convo) reset() {
	if !c.done {
		return
	}
	c.msgs = resetBuf(c.msgs)
	c.meta = resetBuf(c.meta)
	c.calls = resetBuf(c.calls)
	c.results = resetBuf(c.results)
	c.done, c.present, c.err = false, false, nil
	c.textDone, c.text, c.textOK = false, "", false
}

// resetBuf truncates s, dropping references to the previous span's content
// (and the buffer itself when it grew very large).
func resetBuf[T any](s []T) []T {
	if cap(s) > scratchCap {
		return nil
	}
	clear(s)
	return s[:0]
}

// begin starts a message; false once MaxMessages is reached.
func (c *convo) begin(role string) bool {
	if len(c.msgs) >= MaxMessages {
		return false
	}
	c.msgs = append(c.msgs, Message{Role: role})
	c.meta = append(c.meta, msgMeta{c0: len(c.calls), r0: len(c.results)})
	return true
}

// addText adds a text part to the current message. Empty parts count as
// present but add nothing to Message.Text.
func (c *convo) addText(s string) {
	i := len(c.msgs) - 1
	c.meta[i].nText++
	if s == "" {
		return
	}
	if m := &c.msgs[i]; m.Text == "" {
		m.Text = s
	} else {
		m.Text = m.Text + "\n" + s
	}
}

func (c *convo) addCall(tc ToolCall) {
	if len(c.calls) < MaxToolCalls {
		c.calls = append(c.calls, tc)
	}
}

func (c *convo) addResult(r ToolResult) {
	if len(c.results) < MaxToolCalls {
		c.results = append(c.results, r)
	}
}

func (c *convo) setFinish(s string) { c.msgs[len(c.msgs)-1].FinishReason = s }

// seal points each message at its tool calls and results once the buffers
// stopped growing. Messages without any keep nil slices.
func (c *convo) seal() {
	for i := range c.msgs {
		c1, r1 := len(c.calls), len(c.results)
		if i+1 < len(c.meta) {
			c1, r1 = c.meta[i+1].c0, c.meta[i+1].r0
		}
		m, meta := &c.msgs[i], c.meta[i]
		if c1 > meta.c0 {
			m.ToolCalls = c.calls[meta.c0:c1:c1]
		}
		if r1 > meta.r0 {
			m.ToolResults = c.results[meta.r0:r1:r1]
		}
	}
}

// isSystemRole reports roles whose text is system text.
func isSystemRole(role string) bool { return role == "system" || role == "developer" }

// Text selections of a conversation.
const (
	selAll    = iota // every message (output)
	selUser          // input text: not system, developer or tool messages
	selSystem        // system and developer messages
)

// joinText joins the non-empty Text of the selected messages with "\n".
// nText counts the text parts of selected messages (empty ones too); nOther
// counts what the selection left out or what is not text (tool calls,
// tool results, excluded messages).
func (c *convo) joinText(sel int) (text string, nText, nOther int) {
	var first string
	n, size := 0, 0
	for i := range c.msgs {
		m := &c.msgs[i]
		if !selects(sel, m.Role) {
			nOther++
			continue
		}
		nText += c.meta[i].nText
		nOther += len(m.ToolCalls) + len(m.ToolResults)
		if m.Text == "" {
			continue
		}
		if n == 0 {
			first = m.Text
		}
		n++
		size += len(m.Text) + 1
	}
	if n <= 1 {
		return first, nText, nOther
	}
	var b strings.Builder
	b.Grow(size)
	for i := range c.msgs {
		m := &c.msgs[i]
		if m.Text == "" || !selects(sel, m.Role) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(m.Text)
	}
	return b.String(), nText, nOther
}

func selects(sel int, role string) bool {
	switch sel {
	case selUser:
		return !isSystemRole(role) && role != "tool"
	case selSystem:
		return isSystemRole(role)
	}
	return true
}

// ---------------------------------------------------------------------------
// JSON decoding helpers.

// viewBytes views s as bytes without copying; json.Unmarshal only reads its
// input and every decoded string is a copy.
func viewBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// errNestedShape marks a wrong shape found by a nested decode; its offset
// would be relative, so it is not reported.
var errNestedShape = errors.New("unexpected JSON shape")

// contentError explains why the content attribute key cannot be decoded,
// naming the key and a byte offset, never the content (json's own messages
// quote characters from the input).
func contentError(key string, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if strings.HasSuffix(se.Error(), "exceeded max depth") {
			return fmt.Errorf("%s: JSON nested too deeply at byte %d", key, se.Offset)
		}
		return fmt.Errorf("%s: invalid JSON at byte %d", key, se.Offset)
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Errorf("%s: unexpected JSON shape at byte %d", key, ute.Offset)
	}
	return fmt.Errorf("%s: unexpected JSON shape", key)
}

func sizeError(key string, n int) error {
	return fmt.Errorf("%s: %d bytes exceeds %d bytes", key, n, MaxContentBytes)
}

func typeError(key string, t pcommon.ValueType, want string) error {
	return fmt.Errorf("%s: unexpected %s value, want %s", key, t, want)
}

// unmarshalContent decodes the JSON text s of attribute key into out.
func unmarshalContent(key, s string, out any) error {
	if len(s) > MaxContentBytes {
		return sizeError(key, len(s))
	}
	if err := json.Unmarshal(viewBytes(s), out); err != nil {
		return contentError(key, err)
	}
	return nil
}

// jsonText is a JSON value read as text: a string is unquoted, null is
// empty, anything else is kept as its raw JSON text.
type jsonText struct {
	s   string
	set bool
}

func (t *jsonText) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) >= 2 && b[0] == '"':
		t.set = true
		if !slices.Contains(b, '\\') {
			t.s = string(b[1 : len(b)-1])
			return nil
		}
		if err := json.Unmarshal(b, &t.s); err != nil {
			return errNestedShape
		}
	case string(b) == "null":
		t.s, t.set = "", false
	default:
		t.s, t.set = string(b), true
	}
	return nil
}

// ---------------------------------------------------------------------------
// GenAI semconv: gen_ai.input.messages / gen_ai.output.messages.

type gMsg struct {
	Role         string  `json:"role"`
	Parts        []gPart `json:"parts"`
	FinishReason string  `json:"finish_reason"`
}

type gPart struct {
	Type      string   `json:"type"`
	Content   jsonText `json:"content"`
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Arguments jsonText `json:"arguments"`
	Response  jsonText `json:"response"`
}

func (c *convo) addGenAIPart(p *gPart) {
	switch p.Type {
	case "text":
		c.addText(p.Content.s)
	case "tool_call":
		c.addCall(ToolCall{ID: p.ID, Name: p.Name, Arguments: p.Arguments.s})
	case "tool_call_response":
		c.addResult(ToolResult{ID: p.ID, Name: p.Name, Content: p.Response.s})
	}
}

// addGenAIMsg appends m; false once MaxMessages is reached.
func (c *convo) addGenAIMsg(m *gMsg) bool {
	if !c.begin(m.Role) {
		return false
	}
	c.setFinish(m.FinishReason)
	for i := range m.Parts {
		c.addGenAIPart(&m.Parts[i])
	}
	return true
}

// genAIMessages decodes a GenAI messages attribute: a JSON string, or a
// pdata slice whose elements are maps (or JSON strings of one message).
func (v *View) genAIMessages(key string, val pcommon.Value, c *convo) error {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		msgs := v.gmsgs[:0]
		err := unmarshalContent(key, val.Str(), &msgs)
		if err == nil {
			for i := range msgs {
				if !c.addGenAIMsg(&msgs[i]) {
					break
				}
			}
		}
		v.gmsgs = resetBuf(msgs)
		return err
	case pcommon.ValueTypeSlice:
		s := val.Slice()
		for i := 0; i < s.Len(); i++ {
			e := s.At(i)
			switch e.Type() {
			case pcommon.ValueTypeMap:
				m := e.Map()
				if !c.begin(mapStr(m, "role")) {
					return nil
				}
				c.setFinish(mapStr(m, "finish_reason"))
				if parts, ok := m.Get("parts"); ok {
					if err := c.genAIPartsSlice(key, i, parts); err != nil {
						return err
					}
				}
			case pcommon.ValueTypeStr:
				var m gMsg
				if err := unmarshalContent(fmt.Sprintf("%s[%d]", key, i), e.Str(), &m); err != nil {
					return err
				}
				if !c.addGenAIMsg(&m) {
					return nil
				}
			default:
				return typeError(fmt.Sprintf("%s[%d]", key, i), e.Type(), "a map")
			}
		}
		return nil
	}
	return typeError(key, val.Type(), "a JSON string or a slice")
}

func (c *convo) genAIPartsSlice(key string, i int, parts pcommon.Value) error {
	if parts.Type() != pcommon.ValueTypeSlice {
		return typeError(fmt.Sprintf("%s[%d].parts", key, i), parts.Type(), "a slice")
	}
	ps := parts.Slice()
	for j := 0; j < ps.Len(); j++ {
		pv := ps.At(j)
		if pv.Type() != pcommon.ValueTypeMap {
			return typeError(fmt.Sprintf("%s[%d].parts[%d]", key, i, j), pv.Type(), "a map")
		}
		p := pv.Map()
		part := gPart{Type: mapStr(p, "type"), ID: mapStr(p, "id"), Name: mapStr(p, "name")}
		part.Content.s = mapText(p, "content")
		part.Arguments.s = mapText(p, "arguments")
		part.Response.s = mapText(p, "response")
		c.addGenAIPart(&part)
	}
	return nil
}

// mapStr is a string field of a pdata map, "" when absent or not a string.
func mapStr(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// mapText is a field of a pdata map as text (maps and slices as JSON).
func mapText(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok {
		return valueText(v)
	}
	return ""
}

// systemInstructions decodes gen_ai.system_instructions, a JSON array of
// parts (or a pdata slice of maps), appending its text parts to dst.
func (v *View) systemInstructions(key string, val pcommon.Value, dst []string) ([]string, error) {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		var parts []gPart
		if err := unmarshalContent(key, val.Str(), &parts); err != nil {
			return dst, err
		}
		for i := range parts {
			if parts[i].Type == "text" && len(dst) < MaxMessages {
				dst = append(dst, parts[i].Content.s)
			}
		}
		return dst, nil
	case pcommon.ValueTypeSlice:
		s := val.Slice()
		for i := 0; i < s.Len() && len(dst) < MaxMessages; i++ {
			e := s.At(i)
			if e.Type() != pcommon.ValueTypeMap {
				return dst, typeError(fmt.Sprintf("%s[%d]", key, i), e.Type(), "a map")
			}
			if mapStr(e.Map(), "type") == "text" {
				dst = append(dst, mapText(e.Map(), "content"))
			}
		}
		return dst, nil
	}
	return dst, typeError(key, val.Type(), "a JSON string or a slice")
}

// ---------------------------------------------------------------------------
// Vercel AI SDK <= 6: ai.prompt.messages, ai.prompt, ai.response.toolCalls.

type vMsg struct {
	Role    string   `json:"role"`
	Content vContent `json:"content"`
}

// vContent is a message content: a string or an array of parts.
type vContent struct {
	text   string
	isText bool
	parts  []vPart
}

func (c *vContent) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '"':
		var t jsonText
		if err := t.UnmarshalJSON(b); err != nil {
			return err
		}
		c.text, c.isText = t.s, true
	case '[':
		if err := json.Unmarshal(b, &c.parts); err != nil {
			return errNestedShape
		}
	case 'n':
	default:
		return errNestedShape
	}
	return nil
}

type vPart struct {
	Type       string   `json:"type"`
	Text       jsonText `json:"text"`
	ToolCallID string   `json:"toolCallId"`
	ToolName   string   `json:"toolName"`
	Args       jsonText `json:"args"`
	Input      jsonText `json:"input"`
	Result     jsonText `json:"result"`
	Output     jsonText `json:"output"`
}

// vPrompt is ai.prompt on the outer spans.
type vPrompt struct {
	System   jsonText     `json:"system"`
	Prompt   vPromptField `json:"prompt"`
	Messages []vMsg       `json:"messages"`
}

// vPromptField is ai.prompt's prompt: a string or a message array.
type vPromptField struct {
	text   string
	isText bool
	msgs   []vMsg
}

func (p *vPromptField) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '"':
		var t jsonText
		if err := t.UnmarshalJSON(b); err != nil {
			return err
		}
		p.text, p.isText = t.s, true
	case '[':
		if err := json.Unmarshal(b, &p.msgs); err != nil {
			return errNestedShape
		}
	case 'n':
	default:
		return errNestedShape
	}
	return nil
}

type vToolCall struct {
	ToolCallID string   `json:"toolCallId"`
	ToolName   string   `json:"toolName"`
	Args       jsonText `json:"args"`
	Input      jsonText `json:"input"`
}

func either(a, b jsonText) string {
	if a.set {
		return a.s
	}
	return b.s
}

// addVercelMsgs appends messages; false once MaxMessages is reached.
func (c *convo) addVercelMsgs(msgs []vMsg) bool {
	for i := range msgs {
		m := &msgs[i]
		if !c.begin(m.Role) {
			return false
		}
		if m.Content.isText {
			c.addText(m.Content.text)
			continue
		}
		for j := range m.Content.parts {
			p := &m.Content.parts[j]
			switch p.Type {
			case "text":
				c.addText(p.Text.s)
			case "tool-call":
				c.addCall(ToolCall{ID: p.ToolCallID, Name: p.ToolName, Arguments: either(p.Args, p.Input)})
			case "tool-result":
				c.addResult(ToolResult{ID: p.ToolCallID, Name: p.ToolName, Content: either(p.Result, p.Output)})
			}
		}
	}
	return true
}

func vercelString(key string, val pcommon.Value) (string, error) {
	if val.Type() != pcommon.ValueTypeStr {
		return "", typeError(key, val.Type(), "a JSON string")
	}
	return val.Str(), nil
}

func (c *convo) vercelPromptMessages(key string, val pcommon.Value) error {
	s, err := vercelString(key, val)
	if err != nil {
		return err
	}
	var msgs []vMsg
	if err := unmarshalContent(key, s, &msgs); err != nil {
		return err
	}
	c.addVercelMsgs(msgs)
	return nil
}

func (c *convo) vercelPrompt(key string, val pcommon.Value) error {
	s, err := vercelString(key, val)
	if err != nil {
		return err
	}
	var p vPrompt
	if err := unmarshalContent(key, s, &p); err != nil {
		return err
	}
	if p.System.set && c.begin("system") {
		c.addText(p.System.s)
	}
	if p.Prompt.isText && c.begin("user") {
		c.addText(p.Prompt.text)
	}
	if c.addVercelMsgs(p.Prompt.msgs) {
		c.addVercelMsgs(p.Messages)
	}
	return nil
}

func (c *convo) vercelToolCalls(key string, val pcommon.Value) error {
	s, err := vercelString(key, val)
	if err != nil {
		return err
	}
	var calls []vToolCall
	if err := unmarshalContent(key, s, &calls); err != nil {
		return err
	}
	for i := range calls {
		tc := &calls[i]
		c.addCall(ToolCall{ID: tc.ToolCallID, Name: tc.ToolName, Arguments: either(tc.Args, tc.Input)})
	}
	return nil
}

// ---------------------------------------------------------------------------
// Indexed layouts: gen_ai.prompt.N.* (OpenLLMetry) and
// llm.input_messages.N.message.* (OpenInference).

type idxField uint8

const (
	fRole idxField = iota
	fContent
	fFinish
	fToolCallID // message-level: the call a tool message answers
	fPartType
	fPartText
	fCallName
	fCallArgs
	fCallID
)

// idxEnt is one indexed attribute: message n, sub-item m (content part or
// tool call; -1 for message-level fields).
type idxEnt struct {
	n, m  int
	field idxField
	val   pcommon.Value
}

func (e *idxEnt) group() int {
	switch {
	case e.field >= fCallName:
		return 2
	case e.field >= fPartType:
		return 1
	}
	return 0
}

func compareIdx(a, b idxEnt) int {
	if a.n != b.n {
		return a.n - b.n
	}
	if ga, gb := a.group(), b.group(); ga != gb {
		return ga - gb
	}
	if a.m != b.m {
		return a.m - b.m
	}
	return int(a.field) - int(b.field)
}

// cutIndex reads a decimal index and the dot after it.
func cutIndex(s string) (int, string, bool) {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i >= len(s) || s[i] != '.' {
		return 0, "", false
	}
	n, _ := strconv.Atoi(s[:i])
	return n, s[i+1:], true
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
		sub, found := strings.CutPrefix(rest, "tool_calls.")
		if !found {
			return e, false
		}
		if e.m, sub, ok = cutIndex(sub); !ok {
			return e, false
		}
		switch sub {
		case "name":
			e.field = fCallName
		case "arguments":
			e.field = fCallArgs
		case "id":
			e.field = fCallID
		default:
			return e, false
		}
	}
	return e, true
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
	switch rest {
	case "role":
		e.field = fRole
	case "content":
		e.field = fContent
	case "tool_call_id":
		e.field = fToolCallID
	default:
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
		sub, found := strings.CutPrefix(rest, "tool_calls.")
		if !found {
			return e, false
		}
		if e.m, sub, ok = cutIndex(sub); !ok {
			return e, false
		}
		switch sub {
		case "tool_call.function.name":
			e.field = fCallName
		case "tool_call.function.arguments":
			e.field = fCallArgs
		case "tool_call.id":
			e.field = fCallID
		default:
			return e, false
		}
	}
	return e, true
}

// indexedMessages collects the attributes under prefix (a second pass over
// the span's attributes), orders them by index and builds messages.
func (v *View) indexedMessages(prefix string, openInference bool, c *convo) {
	ents := v.ents[:0]
	for k, val := range v.span.Attributes().All() {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		var e idxEnt
		if openInference {
			e, ok = parseOpenInference(rest)
		} else {
			e, ok = parseFlat(rest)
		}
		if ok {
			e.val = val
			ents = append(ents, e)
		}
	}
	slices.SortFunc(ents, compareIdx)
	for i := 0; i < len(ents); {
		j := i
		for j < len(ents) && ents[j].n == ents[i].n {
			j++
		}
		if !c.addIndexedMsg(ents[i:j]) {
			break
		}
		i = j
	}
	v.ents = resetBuf(ents)
}

// addIndexedMsg builds one message from its sorted entries.
func (c *convo) addIndexedMsg(ents []idxEnt) bool {
	var role, content, finish, callID string
	hasContent := false
	k := 0
	for ; k < len(ents) && ents[k].m < 0; k++ {
		e := &ents[k]
		switch e.field {
		case fRole:
			role = valueText(e.val)
		case fContent:
			content, hasContent = valueText(e.val), true
		case fFinish:
			finish = valueText(e.val)
		case fToolCallID:
			callID = valueText(e.val)
		}
	}
	if !c.begin(role) {
		return false
	}
	c.setFinish(finish)
	if hasContent {
		if role == "tool" {
			c.addResult(ToolResult{ID: callID, Content: content})
		} else {
			c.addText(content)
		}
	}
	// Content parts and tool calls, grouped by their index m.
	for k < len(ents) {
		g, m := ents[k].group(), ents[k].m
		var typ, text, name, args, id string
		hasText := false
		for ; k < len(ents) && ents[k].group() == g && ents[k].m == m; k++ {
			e := &ents[k]
			switch e.field {
			case fPartType:
				typ = valueText(e.val)
			case fPartText:
				text, hasText = valueText(e.val), true
			case fCallName:
				name = valueText(e.val)
			case fCallArgs:
				args = valueText(e.val)
			case fCallID:
				id = valueText(e.val)
			}
		}
		if g == 1 {
			if hasText && (typ == "" || typ == "text") {
				c.addText(text)
			}
		} else {
			c.addCall(ToolCall{ID: id, Name: name, Arguments: args})
		}
	}
	return true
}
