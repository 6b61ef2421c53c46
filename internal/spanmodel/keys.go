package spanmodel

import (
	"encoding/binary"
	"strings"
)

// This file is the key registry: every attribute key the view reads, with
// the producer family that defines it and whether it carries content. The
// GenAI events the view reads, with their content attributes, are
// registered in events.go (eventDefs, EventContentKeys) beside their
// decoders.

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
	kConversationID
	kToolDefs
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
	kOISessionID
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
	kAIPromptTools
	// Google ADK.
	kADKRequest
	kADKResponse
	kADKToolArgs
	kADKToolResp
	// Langfuse SDK.
	kLFType
	kLFInput
	kLFOutput
	kLFModel
	kLFUsage
	kLFLevel
	kLFStatus
	// Mastra.
	kMastraType
	kMastraGenIn
	kMastraGenOut
	kMastraRunIn
	kMastraRunOut
	// Traceloop SDK entities.
	kTLKind
	kTLName
	kTLIn
	kTLOut

	numKeys
	kNone attrKey = 255
)

// keyDef declares one attribute key the view reads: the producer family
// that defines it and whether it carries message content. Everything else
// that knows keys derives from this table: the cheap classification pass,
// the judge copies' default redaction (ContentKeys) and the tests that feed
// every key hostile values (AttributeKeys).
type keyDef struct {
	name    string
	layout  Layout
	content bool
}

// keyDefs is the registry of fixed keys, indexed by attrKey.
var keyDefs = [numKeys]keyDef{
	kOpName:          {"gen_ai.operation.name", LayoutGenAI, false},
	kProviderName:    {"gen_ai.provider.name", LayoutGenAI, false},
	kSystem:          {"gen_ai.system", LayoutGenAI, false},
	kReqModel:        {"gen_ai.request.model", LayoutGenAI, false},
	kRespModel:       {"gen_ai.response.model", LayoutGenAI, false},
	kInTok:           {"gen_ai.usage.input_tokens", LayoutGenAI, false},
	kOutTok:          {"gen_ai.usage.output_tokens", LayoutGenAI, false},
	kPromptTok:       {"gen_ai.usage.prompt_tokens", LayoutGenAIFlat, false},
	kComplTok:        {"gen_ai.usage.completion_tokens", LayoutGenAIFlat, false},
	kCacheRead:       {"gen_ai.usage.cache_read.input_tokens", LayoutGenAI, false},
	kCachedIn:        {"gen_ai.usage.cached_input_tokens", LayoutGenAI, false},
	kGenAITotal:      {"gen_ai.usage.total_tokens", LayoutGenAI, false},
	kLLMTotal:        {"llm.usage.total_tokens", LayoutGenAIFlat, false},
	kFinish:          {"gen_ai.response.finish_reasons", LayoutGenAI, false},
	kInMsgs:          {"gen_ai.input.messages", LayoutGenAI, true},
	kOutMsgs:         {"gen_ai.output.messages", LayoutGenAI, true},
	kSysInstr:        {"gen_ai.system_instructions", LayoutGenAI, true},
	kToolName:        {"gen_ai.tool.name", LayoutGenAI, false},
	kToolCallID:      {"gen_ai.tool.call.id", LayoutGenAI, false},
	kToolArgs:        {"gen_ai.tool.call.arguments", LayoutGenAI, true},
	kToolResult:      {"gen_ai.tool.call.result", LayoutGenAI, true},
	kLLMRequestType:  {"llm.request.type", LayoutGenAIFlat, false},
	kOIKind:          {"openinference.span.kind", LayoutOpenInference, false},
	kOIModel:         {"llm.model_name", LayoutOpenInference, false},
	kOIProvider:      {"llm.provider", LayoutOpenInference, false},
	kOISystem:        {"llm.system", LayoutOpenInference, false},
	kOIPromptTok:     {"llm.token_count.prompt", LayoutOpenInference, false},
	kOIComplTok:      {"llm.token_count.completion", LayoutOpenInference, false},
	kOITotalTok:      {"llm.token_count.total", LayoutOpenInference, false},
	kOICacheRead:     {"llm.token_count.prompt_details.cache_read", LayoutOpenInference, false},
	kInputValue:      {"input.value", LayoutOpenInference, true},
	kOutputValue:     {"output.value", LayoutOpenInference, true},
	kOIToolName:      {"tool.name", LayoutOpenInference, false},
	kOIFinish:        {"llm.finish_reason", LayoutOpenInference, false},
	kAIOpID:          {"ai.operationId", LayoutVercelLegacy, false},
	kAIModelID:       {"ai.model.id", LayoutVercelLegacy, false},
	kAIModelProvider: {"ai.model.provider", LayoutVercelLegacy, false},
	kAIRespModel:     {"ai.response.model", LayoutVercelLegacy, false},
	kAIPromptTok:     {"ai.usage.promptTokens", LayoutVercelLegacy, false},
	kAIComplTok:      {"ai.usage.completionTokens", LayoutVercelLegacy, false},
	kAIInTok:         {"ai.usage.inputTokens", LayoutVercelLegacy, false},
	kAIOutTok:        {"ai.usage.outputTokens", LayoutVercelLegacy, false},
	kAITotalTok:      {"ai.usage.totalTokens", LayoutVercelLegacy, false},
	kAICachedTok:     {"ai.usage.cachedInputTokens", LayoutVercelLegacy, false},
	kAIFinish:        {"ai.response.finishReason", LayoutVercelLegacy, false},
	kAIPromptMsgs:    {"ai.prompt.messages", LayoutVercelLegacy, true},
	kAIPrompt:        {"ai.prompt", LayoutVercelLegacy, true},
	kAIRespText:      {"ai.response.text", LayoutVercelLegacy, true},
	kAIRespToolCalls: {"ai.response.toolCalls", LayoutVercelLegacy, true},
	kAIRespObject:    {"ai.response.object", LayoutVercelLegacy, true},
	kAIToolName:      {"ai.toolCall.name", LayoutVercelLegacy, false},
	kAIToolID:        {"ai.toolCall.id", LayoutVercelLegacy, false},
	kAIToolArgs:      {"ai.toolCall.args", LayoutVercelLegacy, true},
	kAIToolInput:     {"ai.toolCall.input", LayoutVercelLegacy, true},
	kAIToolResult:    {"ai.toolCall.result", LayoutVercelLegacy, true},
	kAIToolOutput:    {"ai.toolCall.output", LayoutVercelLegacy, true},
	kConversationID:  {"gen_ai.conversation.id", LayoutGenAI, false},
	kToolDefs:        {"gen_ai.tool.definitions", LayoutGenAI, false},
	kOISessionID:     {"session.id", LayoutOpenInference, false},
	kAIPromptTools:   {"ai.prompt.tools", LayoutVercelLegacy, false},
	kADKRequest:      {"gcp.vertex.agent.llm_request", LayoutGoogleADK, true},
	kADKResponse:     {"gcp.vertex.agent.llm_response", LayoutGoogleADK, true},
	kADKToolArgs:     {"gcp.vertex.agent.tool_call_args", LayoutGoogleADK, true},
	kADKToolResp:     {"gcp.vertex.agent.tool_response", LayoutGoogleADK, true},
	kLFType:          {"langfuse.observation.type", LayoutLangfuse, false},
	kLFInput:         {"langfuse.observation.input", LayoutLangfuse, true},
	kLFOutput:        {"langfuse.observation.output", LayoutLangfuse, true},
	kLFModel:         {"langfuse.observation.model.name", LayoutLangfuse, false},
	kLFUsage:         {"langfuse.observation.usage_details", LayoutLangfuse, false},
	kLFLevel:         {"langfuse.observation.level", LayoutLangfuse, false},
	kLFStatus:        {"langfuse.observation.status_message", LayoutLangfuse, false},
	kMastraType:      {"mastra.span.type", LayoutMastra, false},
	kMastraGenIn:     {"mastra.model_generation.input", LayoutMastra, true},
	kMastraGenOut:    {"mastra.model_generation.output", LayoutMastra, true},
	kMastraRunIn:     {"mastra.agent_run.input", LayoutMastra, true},
	kMastraRunOut:    {"mastra.agent_run.output", LayoutMastra, true},
	kTLKind:          {"traceloop.span.kind", LayoutTraceloop, false},
	kTLName:          {"traceloop.entity.name", LayoutTraceloop, false},
	kTLIn:            {"traceloop.entity.input", LayoutTraceloop, true},
	kTLOut:           {"traceloop.entity.output", LayoutTraceloop, true},
}

// prefixDef declares a family of indexed keys (gen_ai.prompt.N.*,
// llm.input_messages.N.*), matched by prefix.
type prefixDef struct {
	prefix  string
	flag    uint8
	layout  Layout
	content bool
}

// Prefixes of the indexed layouts.
const (
	flatPromptPrefix     = "gen_ai.prompt."
	flatCompletionPrefix = "gen_ai.completion."
	oiInputPrefix        = "llm.input_messages."
	oiOutputPrefix       = "llm.output_messages."
	oiToolsPrefix        = "llm.tools."
)

// Indexed-layout presence flags, set by the cheap pass.
const (
	idxFlatPrompt uint8 = 1 << iota
	idxFlatCompletion
	idxOIInput
	idxOIOutput
	idxOITools
)

var prefixDefs = [...]prefixDef{
	{flatPromptPrefix, idxFlatPrompt, LayoutGenAIFlat, true},
	{flatCompletionPrefix, idxFlatCompletion, LayoutGenAIFlat, true},
	{oiInputPrefix, idxOIInput, LayoutOpenInference, true},
	{oiOutputPrefix, idxOIOutput, LayoutOpenInference, true},
	{oiToolsPrefix, idxOITools, LayoutOpenInference, false},
}

// keySlot is a registered key in keyTable: its id (kNone: an empty slot),
// length and last eight bytes as a word.
type keySlot struct {
	tail uint64
	n    uint8
	id   attrKey
}

// keyTableBits sizes keyTable: a quarter to a third full, so a lookup
// mostly reads one slot.
const keyTableBits = 8

// keyTable is an open-addressing hash table of the registered keys, hashed
// by length and last eight bytes: classifyKey finds a key's slot without
// hashing the whole key, and compares strings only when both match. A
// word that differs proves the keys differ; an equal one is confirmed by
// comparing the strings, so a collision costs time, never a wrong answer.
// The table is never full (a test checks), so a probe ends at an empty
// slot.
var keyTable = func() (t [1 << keyTableBits]keySlot) {
	for i := range t {
		t[i].id = kNone
	}
	for k := range keyDefs {
		n := keyDefs[k].name
		h := keyHash(tailWord(n), len(n))
		for t[h].id != kNone {
			h = (h + 1) & (1<<keyTableBits - 1)
		}
		t[h] = keySlot{tail: tailWord(n), n: uint8(len(n)), id: attrKey(k)}
	}
	return t
}()

// keyHash is the first slot of a key of length n whose last eight bytes
// are w.
func keyHash(w uint64, n int) uint32 {
	return uint32(((w ^ uint64(n)) * 0x9e3779b97f4a7c15) >> (64 - keyTableBits))
}

// maxKeyLen and minKeyLen bound the registered key lengths (a test
// checks); minKeyLen is at least 8, so every registered key has a tail
// word.
const (
	maxKeyLen = 48
	minKeyLen = 9
)

// keyStart marks the bytes a registered key or an indexed-layout prefix
// starts with (a test checks): most keys of other spans (http.*, url.*,
// server.*) are passed over on their first byte.
var keyStart = func() (t [256]bool) {
	for i := range keyDefs {
		t[keyDefs[i].name[0]] = true
	}
	for i := range prefixDefs {
		t[prefixDefs[i].prefix[0]] = true
	}
	return t
}()

// tailWord is the last eight bytes of s (len(s) >= 8) as a word.
func tailWord(s string) uint64 {
	return binary.LittleEndian.Uint64(viewBytes(s[len(s)-8:]))
}

// classifyKey maps an attribute key to its attrKey, or kNone.
func classifyKey(k string) attrKey {
	if len(k) > maxKeyLen || len(k) < minKeyLen {
		return kNone
	}
	w := tailWord(k)
	for h := keyHash(w, len(k)); ; h = (h + 1) & (1<<keyTableBits - 1) {
		t := &keyTable[h]
		if t.id == kNone {
			return kNone
		}
		if t.tail == w && int(t.n) == len(k) && keyDefs[t.id].name == k {
			return t.id
		}
	}
}

// classifyPrefix reports which indexed layout a key that classifyKey did not
// know belongs to, or 0.
func classifyPrefix(k string) uint8 {
	if len(k) < 4 {
		return 0 // every prefix is longer
	}
	// Compare the first four bytes as a word before the prefix: a key of
	// another family (loadgen.*, langfuse.*) fails on it at once.
	w := headWord(k)
	for i := range prefixDefs {
		if prefixHeads[i] == w && strings.HasPrefix(k, prefixDefs[i].prefix) {
			return prefixDefs[i].flag
		}
	}
	return 0
}

// prefixHeads holds the first four bytes of each prefix of prefixDefs as a
// word (every prefix is longer: a test checks).
var prefixHeads = func() (h [len(prefixDefs)]uint32) {
	for i := range prefixDefs {
		h[i] = headWord(prefixDefs[i].prefix)
	}
	return h
}()

// headWord is the first four bytes of s (len(s) >= 4) as a word.
func headWord(s string) uint32 {
	return binary.LittleEndian.Uint32(viewBytes(s[:4]))
}

// keySet is a set of attrKeys.
type keySet [2]uint64

// The key set holds every attrKey.
var _ [128 - numKeys]struct{}

func (s *keySet) add(k attrKey)     { s[k>>6] |= 1 << (k & 63) }
func (s keySet) has(k attrKey) bool { return s[k>>6]&(1<<(k&63)) != 0 }
func (s keySet) any(o keySet) bool  { return s[0]&o[0] != 0 || s[1]&o[1] != 0 }

// setOf is the set of keys.
func setOf(keys ...attrKey) keySet {
	var s keySet
	for _, k := range keys {
		s.add(k)
	}
	return s
}

// AttributeKeys lists every fixed attribute key the view reads, for tests
// that feed each one hostile values.
func AttributeKeys() []string {
	out := make([]string, len(keyDefs))
	for i := range keyDefs {
		out[i] = keyDefs[i].name
	}
	return out
}

// ContentKeys lists the keys that carry message content, prefixes of
// indexed families ending in "*": the default set the judge copies redact.
func ContentKeys() []string {
	var out []string
	for i := range keyDefs {
		if keyDefs[i].content {
			out = append(out, keyDefs[i].name)
		}
	}
	for i := range prefixDefs {
		if prefixDefs[i].content {
			out = append(out, prefixDefs[i].prefix+"*")
		}
	}
	return out
}
