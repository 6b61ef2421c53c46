package spanmodel

import (
	"strings"

	"github.com/tidwall/gjson"
)

// SDK-level layouts: producers that record what the application or the
// agent framework handed them (Google ADK, Langfuse, Mastra, Traceloop SDK
// entities) rather than a semantic convention. Each is declared here as
// data: the keys that mark it, how its span kinds map to operations, and
// where its content lives; the content is read by the loose decoder
// (loose.go). What needs code beyond the table is in adk.go (the system
// instruction inside the Gemini request) and a365.go (the wrapper).

type sdkLayout struct {
	layout Layout
	// markers: keys that make a span this layout's.
	markers keySet
	// opKey names the span's kind; ops maps its values (compared in lower
	// case) to normalised operations. Values not in ops are kept, lower
	// cased. kNone: operation from opOf.
	opKey attrKey
	ops   map[string]string
	// opOf derives the operation when opKey is kNone or absent.
	opOf func(v *View) string
	// in and out: content sources, the first present one is read.
	in, out []attrKey
	// toolArgs and toolResult: on tool spans, the executed call.
	toolArgs, toolResult []attrKey
	// toolName: on tool spans, when gen_ai.tool.name is absent.
	toolName attrKey
	// model: the model name when no GenAI key gives one.
	model attrKey
}

// sdkLayouts lists the SDK-level layouts in order of precedence.
var sdkLayouts = [...]sdkLayout{
	{
		layout:     LayoutGoogleADK,
		markers:    setOf(kADKRequest, kADKResponse, kADKToolArgs, kADKToolResp),
		opKey:      kNone,
		opOf:       adkOperation,
		in:         []attrKey{kADKRequest},
		out:        []attrKey{kADKResponse},
		toolArgs:   []attrKey{kADKToolArgs},
		toolResult: []attrKey{kADKToolResp},
		toolName:   kNone,
		model:      kNone,
	},
	{
		layout:  LayoutLangfuse,
		markers: setOf(kLFType),
		opKey:   kLFType,
		ops: map[string]string{
			"generation": "chat", "agent": "invoke_agent", "tool": "execute_tool", "chain": "chain",
			"retriever": "retrieval", "embedding": "embeddings", "span": "span", "event": "event",
		},
		in:         []attrKey{kLFInput},
		out:        []attrKey{kLFOutput},
		toolArgs:   []attrKey{kLFInput},
		toolResult: []attrKey{kLFOutput},
		toolName:   kNone,
		model:      kLFModel,
	},
	{
		layout:     LayoutMastra,
		markers:    setOf(kMastraGenIn, kMastraGenOut, kMastraRunIn, kMastraRunOut),
		opKey:      kMastraType,
		ops:        map[string]string{"model_generation": "chat", "agent_run": "invoke_agent", "tool_call": "execute_tool"},
		in:         []attrKey{kMastraGenIn, kMastraRunIn},
		out:        []attrKey{kMastraGenOut, kMastraRunOut},
		toolName:   kNone,
		model:      kNone,
		toolArgs:   nil,
		toolResult: nil,
	},
	{
		layout:     LayoutTraceloop,
		markers:    setOf(kTLKind),
		opKey:      kTLKind,
		ops:        map[string]string{"agent": "invoke_agent", "tool": "execute_tool", "workflow": "chain", "task": "task"},
		in:         []attrKey{kTLIn},
		out:        []attrKey{kTLOut},
		toolArgs:   []attrKey{kTLIn},
		toolResult: []attrKey{kTLOut},
		toolName:   kTLName,
		model:      kNone,
	},
}

// sdkMarkers is every SDK layout's markers.
var sdkMarkers = func() (s keySet) {
	for i := range sdkLayouts {
		s[0] |= sdkLayouts[i].markers[0]
		s[1] |= sdkLayouts[i].markers[1]
	}
	return s
}()

// findSDKLayout is the SDK layout the span's keys mark, or nil.
func (v *View) findSDKLayout() *sdkLayout {
	if !v.has.any(sdkMarkers) {
		return nil
	}
	for i := range sdkLayouts {
		if v.has.any(sdkLayouts[i].markers) {
			return &sdkLayouts[i]
		}
	}
	return nil
}

// sdkOperation is the operation an SDK layout gives the span, or "".
func (v *View) sdkOperation(l *sdkLayout) string {
	if l.opKey != kNone {
		if s := v.str(l.opKey); s != "" {
			s = strings.ToLower(s)
			if op, ok := l.ops[s]; ok {
				return op
			}
			return s
		}
	}
	if l.opOf != nil {
		return l.opOf(v)
	}
	return ""
}

// firstPresent is the first of keys the span has, or kNone.
func (v *View) firstPresent(keys []attrKey) attrKey {
	for _, k := range keys {
		if v.has.has(k) {
			return k
		}
	}
	return kNone
}

// NormalizeOperation lower-cases an operation name (Microsoft Agent 365
// writes "Chat", "InvokeAgent"...) and maps the spellings without an
// underscore to the GenAI ones; it allocates only when the name changes.
func NormalizeOperation(s string) string {
	lower := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			lower = false
			break
		}
	}
	if lower {
		return s
	}
	l := strings.ToLower(s)
	if op, ok := opSpellings[l]; ok {
		return op
	}
	return l
}

// opSpellings maps operation names written in CamelCase (lower-cased) to
// their GenAI spelling.
var opSpellings = map[string]string{
	"invokeagent":     "invoke_agent",
	"createagent":     "create_agent",
	"executetool":     "execute_tool",
	"textcompletion":  "text_completion",
	"generatecontent": "generate_content",
}

// usageDetails reads a JSON object of token counts ({"input":…,"output":…,
// "total":…}, Langfuse's usage_details) into the counts still unknown.
func (v *View) usageDetails(k attrKey) {
	s := v.str(k)
	if s == "" || len(s) > 4096 || s[0] != '{' || !gjson.Valid(s) {
		return
	}
	set := func(dst *int64, keys ...string) {
		if *dst >= 0 {
			return
		}
		for _, key := range keys {
			if r := gjson.Get(s, key); r.Type == gjson.Number && r.Num >= 0 && r.Num < 1<<62 {
				*dst = int64(r.Num)
				return
			}
		}
	}
	set(&v.usage.Input, "input", "prompt_tokens", "input_tokens")
	set(&v.usage.Output, "output", "completion_tokens", "output_tokens")
	set(&v.usage.Total, "total", "total_tokens")
	set(&v.usage.CachedInput, "input_cached_tokens", "cache_read_input_tokens")
}
