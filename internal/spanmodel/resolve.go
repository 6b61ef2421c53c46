package spanmodel

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// The scalar facts of a span (layout, operation, provider, model, usage,
// finish reasons), derived from the keys the cheap pass found.

// genAIMarkers are the fixed keys that make a span an LLM/agent span.
var genAIMarkers = setOf(kOpName, kProviderName, kSystem, kReqModel, kOIKind, kOIModel, kAIOpID)

var genAIContentKeys = setOf(kInMsgs, kOutMsgs, kSysInstr, kToolArgs, kToolResult)

// genAIMsgKeys are the GenAI content keys other than the system
// instructions.
var genAIMsgKeys = setOf(kInMsgs, kOutMsgs, kToolArgs, kToolResult)

// The key sets resolve tests, built once rather than per span.
var (
	oiMarkerKeys = setOf(kOIKind, kOIModel)
	flatScalars  = setOf(kLLMRequestType, kPromptTok, kComplTok, kLLMTotal)
	toolKeys     = setOf(kToolName, kToolCallID, kToolArgs, kToolResult)
)

// resolve derives the scalar fields from the keys the cheap pass found.
func (v *View) resolve() {
	if !v.has.any(genAIMarkers) && !v.has.any(sdkMarkers) && v.indexed&(idxFlatPrompt|idxFlatCompletion) == 0 && v.custom == nil && v.evKinds == 0 {
		return
	}
	v.oiMarker = v.has.any(oiMarkerKeys) || v.indexed&(idxOIInput|idxOIOutput) != 0
	v.sdk = v.findSDKLayout()

	// Layout: the layout content is preferably read from. GenAI message
	// keys win; an SDK layout's own keys come before a lone
	// gen_ai.system_instructions (Mastra's agent spans carry both).
	switch {
	case v.has.any(genAIMsgKeys):
		v.layout = LayoutGenAI
	case v.sdk != nil:
		v.layout = v.sdk.layout
	case v.has.any(genAIContentKeys):
		v.layout = LayoutGenAI
	case v.oiMarker:
		v.layout = LayoutOpenInference
	case v.has.has(kAIOpID):
		v.layout = LayoutVercelLegacy
	case v.indexed&(idxFlatPrompt|idxFlatCompletion) != 0:
		v.layout = LayoutGenAIFlat
	case !v.has.has(kOpName) && v.has.any(flatScalars):
		v.layout = LayoutGenAIFlat
	case v.evKinds != 0:
		// Content only in GenAI events (Strands, log records).
		v.layout = LayoutGenAIEvents
	case v.has.any(genAIMarkers):
		v.layout = LayoutGenAI
	}
	if v.custom != nil && v.custom.matches(v) {
		v.layout = LayoutCustom
	}
	if v.layout == LayoutNone {
		return
	}

	// Operation. Names are compared in lower case: Microsoft Agent 365
	// writes "Chat".
	var sdkOp string
	if v.sdk != nil {
		sdkOp = v.sdkOperation(v.sdk)
	}
	if s := v.str(kOpName); s != "" {
		v.operation = NormalizeOperation(s)
		if v.sdk != nil && v.sdk.layout == LayoutMastra && sdkOp != "" {
			v.operation = sdkOp // model_generation is Mastra's model call
		}
	} else if sdkOp != "" {
		v.operation = sdkOp
	} else if s := v.str(kOIKind); s != "" {
		v.operation = openInferenceOperation(s)
	} else if s := v.str(kAIOpID); s != "" {
		v.operation = vercelOperation(s)
	} else if s := v.str(kLLMRequestType); s != "" {
		v.operation = requestTypeOperation(s)
	} else if v.has.any(toolKeys) {
		v.operation = "execute_tool"
	}
	if v.custom != nil && v.layout == LayoutCustom {
		v.custom.resolve(v)
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
	if v.model == "" && v.sdk != nil && v.sdk.model != kNone {
		v.model = v.str(v.sdk.model)
	}

	v.usage = Usage{
		Input:       v.firstTok(kInTok, kPromptTok, kOIPromptTok, kAIInTok, kAIPromptTok),
		Output:      v.firstTok(kOutTok, kComplTok, kOIComplTok, kAIOutTok, kAIComplTok),
		Total:       v.firstTok(kLLMTotal, kGenAITotal, kOITotalTok, kAITotalTok),
		CachedInput: v.firstTok(kCacheRead, kCachedIn, kOICacheRead, kAICachedTok),
	}
	if v.has.has(kLFUsage) {
		v.usageDetails(kLFUsage)
	}
	if v.layout == LayoutCustom {
		if v.customModel != "" {
			v.model = v.customModel
		}
		if v.customTok[0] >= 0 {
			v.usage.Input = v.customTok[0]
		}
		if v.customTok[1] >= 0 {
			v.usage.Output = v.customTok[1]
		}
	}

	if v.has.has(kFinish) {
		v.finish = appendFinishReasons(v.finish, v.vals[kFinish])
	}
	if len(v.finish) == 0 {
		if s := v.firstStr(kAIFinish, kOIFinish); s != "" {
			v.finish = append(v.finish, s)
		}
	}

	if v.isTool {
		v.toolName = v.firstStr(kToolName, kOIToolName, kAIToolName)
		if v.toolName == "" && v.sdk != nil && v.sdk.toolName != kNone {
			v.toolName = v.str(v.sdk.toolName)
		}
		if v.toolName == "" && v.layout == LayoutCustom {
			v.toolName = v.customTool
		}
		if v.toolName == "" && v.sdk != nil && v.sdk.layout == LayoutLangfuse {
			v.toolName = v.span.Name() // Langfuse names a tool observation after the tool
		}
	}
}

// str is a string attribute the pass found, or "" when absent, empty or
// not a string.
func (v *View) str(k attrKey) string {
	if !v.has.has(k) {
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
		// Most keys are absent: the set's bit says so without a call.
		if !v.has.has(k) {
			continue
		}
		if s := v.str(k); s != "" {
			return s
		}
	}
	return ""
}

func (v *View) firstTok(keys ...attrKey) int64 {
	for _, k := range keys {
		if !v.has.has(k) {
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
