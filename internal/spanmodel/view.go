package spanmodel

import (
	"strings"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottlspan"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Layout is the attribute layout a producer used for a span: one per
// producer family.
type Layout uint8

const (
	LayoutNone          Layout = iota // not an LLM/agent span
	LayoutGenAI                       // current GenAI semconv (JSON messages)
	LayoutGenAIFlat                   // older semconv / OpenLLMetry: gen_ai.prompt.N.*
	LayoutOpenInference               // Arize OpenInference: llm.*, input.value
	LayoutVercelLegacy                // Vercel AI SDK <= 6: ai.*
	LayoutGoogleADK                   // Google ADK: gcp.vertex.agent.* (Gemini JSON)
	LayoutLangfuse                    // Langfuse SDK: langfuse.observation.*
	LayoutMastra                      // Mastra: mastra.model_generation.*, mastra.agent_run.*
	LayoutTraceloop                   // Traceloop SDK entities: traceloop.entity.*
	LayoutCustom                      // the user's custom message layout (config)
	LayoutGenAIEvents                 // GenAI events: span events or log records (events.go)

	// NumLayouts counts the layouts, LayoutNone included.
	NumLayouts = iota
)

// layoutNames spells each layout as metrics and docs show it.
var layoutNames = [NumLayouts]string{
	LayoutNone:          "none",
	LayoutGenAI:         "gen_ai",
	LayoutGenAIFlat:     "gen_ai_flat",
	LayoutOpenInference: "openinference",
	LayoutVercelLegacy:  "vercel_ai_legacy",
	LayoutGoogleADK:     "google_adk",
	LayoutLangfuse:      "langfuse",
	LayoutMastra:        "mastra",
	LayoutTraceloop:     "traceloop",
	LayoutCustom:        "custom",
	LayoutGenAIEvents:   "gen_ai_events",
}

func (l Layout) String() string {
	if int(l) < len(layoutNames) {
		return layoutNames[l]
	}
	return layoutNames[LayoutNone]
}

// ToolCall is a tool invocation requested by a model or executed by a tool span.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string // raw JSON text as the producer sent it
	// Server marks a built-in tool the provider ran itself (GenAI
	// server_tool_call: code interpreter, web search); Arguments is then the
	// call object ({"type": "code_interpreter", "code": ...}).
	Server bool `json:",omitempty"`
}

// ToolResult is a tool's answer as it appears in a conversation.
type ToolResult struct {
	ID      string
	Name    string
	Content string
	Server  bool `json:",omitempty"` // a built-in tool's response (server_tool_call_response)
}

// Message is one normalized chat message.
type Message struct {
	Role         string // system, user, assistant, tool
	Text         string // text parts (and transcripts) joined by "\n"
	Reasoning    string `json:",omitempty"` // reasoning parts joined by "\n"
	ToolCalls    []ToolCall
	ToolResults  []ToolResult
	FinishReason string
}

// Usage holds token counts; a negative value means the span did not say.
type Usage struct {
	Input       int64
	Output      int64
	Total       int64
	CachedInput int64
}

// Limits on what the view decodes from one span.
const (
	// MaxContentBytes bounds a JSON content attribute (gen_ai.*.messages,
	// gen_ai.system_instructions, ai.prompt*, ai.response.toolCalls): a
	// larger value is not decoded and its accessors return an error naming
	// the attribute. Content given as pdata slices is already decoded and is
	// bounded by the counts below only.
	MaxContentBytes = 4 << 20
	// MaxMessages bounds the messages kept per side (input, output) of a
	// span; later messages are dropped without an error.
	MaxMessages = 10000
	// MaxToolCalls bounds the tool calls, and separately the tool results,
	// kept per side of a span; later ones are dropped without an error.
	MaxToolCalls = 10000
)

// View is the read-only, layout-independent view of one span that every
// evaluator reads. Cheap fields are read on Reset in one pass over the
// attributes; message content is decoded on first use, at most once.
// A View is reused across spans: call Reset for each.
type View struct {
	resource ptrace.ResourceSpans
	scope    ptrace.ScopeSpans
	span     ptrace.Span

	tctx *ottlspan.TransformContext

	// Found by the cheap pass (Reset).
	has     keySet                 // the keys the span has
	vals    [numKeys]pcommon.Value // valid where has is set
	indexed uint8                  // idx* flags: indexed-layout keys seen

	layout Layout
	sdk    *sdkLayout    // the SDK-level layout the span's keys mark, or nil
	custom *CustomLayout // the user's custom message layout, or nil (kept across Reset)

	// reservedPrefix (kept across Reset) is a key prefix the cheap pass
	// looks for; reserved says the span has a key under it.
	reservedPrefix string
	reserved       bool

	// Set by a matching custom layout.
	customEntry *customEntry
	customModel string
	customTool  string
	customTok   [2]int64 // input, output; -1 when not declared
	oiMarker    bool     // OpenInference keys: input.value/output.value count
	isTool      bool     // operation is execute_tool
	operation   string
	provider    string
	model       string
	toolName    string
	usage       Usage
	finish      []string
	finishOut   bool // finish reasons were taken from decoded output

	// Decoded on first use, at most once per span.
	in, out convo

	sysDone    bool
	sysPresent bool
	sysErr     error
	sysParts   []string
	sysText    string
	sysOK      bool

	argsDone bool // tool arguments joined from output tool calls
	argsText string
	argsOK   bool

	toolCall [1]ToolCall // the call a tool span executed

	tools toolDefs // declared tools, decoded on first use

	tail inputTail // the input's latest messages, read alone (InputTail)

	// rd reads non-string values under the span's limits.
	rd valueReader

	// Reused decoding scratch.
	gmsgs  []gMsg
	gparts []gPart // the parts of gmsgs (fastGMsgs)
	gdirty [2]int  // how far gmsgs and gparts were filled (see reuse)
	ents   []idxEnt

	// GenAI events (events.go): the kinds the span's events have, by name;
	// read on first use like attribute content.
	evKinds evSet
	evBare  bool // a GenAI event without content was seen
	log     logSource

	// decodes counts content decodes for the current span (tests).
	decodes int

	// checks is the checks' scratch, kept with the view across spans (the
	// evaluators' literal scans); epoch changes with every span, so they
	// tell what they stored for this span from what is stale.
	checks any
	epoch  uint64
}

// Reset points v at a new span and classifies it.
// It makes one pass over the attributes, recording scalars and references
// to content attributes; it decodes nothing, and for a span that is not an
// LLM/agent span it does not allocate.
func (v *View) Reset(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, span ptrace.Span) {
	v.release()
	v.resource, v.scope, v.span = rs, ss, span
	v.clear()
	v.scanAttributes()
	if span.Events().Len() > 0 {
		v.scanEvents()
	}
	v.resolve()
}

// scanAttributes is the cheap pass over the span's attributes.
func (v *View) scanAttributes() {
	rp := v.reservedPrefix
	for k, val := range v.span.Attributes().All() {
		if k == "" {
			continue // no registered key, prefix or reserved prefix is empty
		}
		if rp != "" && k[0] == rp[0] && strings.HasPrefix(k, rp) {
			v.reserved = true
		}
		// A key whose first byte starts no registered key and no
		// indexed-layout prefix is neither (keyStart): skip both lookups.
		if !keyStart[k[0]] {
			continue
		}
		if id := classifyKey(k); id != kNone {
			v.has.add(id)
			v.vals[id] = val
		} else {
			v.indexed |= classifyPrefix(k)
		}
	}
}

// SetReservedPrefix makes Reset note whether the span has an attribute
// whose key starts with prefix ("" for none); see Reserved. It stays set
// across Reset. The processor removes the attributes under its own prefix
// that spans arrive with, and almost no span has one: noting them in the
// pass Reset makes anyway saves a second pass over every span's
// attributes.
func (v *View) SetReservedPrefix(prefix string) { v.reservedPrefix = prefix }

// Reserved reports whether the span had, at Reset, an attribute under the
// prefix SetReservedPrefix set.
func (v *View) Reserved() bool { return v.reserved }

// clear forgets the previous span, keeping buffers.
func (v *View) clear() {
	v.has, v.indexed, v.evKinds, v.evBare, v.reserved = keySet{}, 0, 0, false, false
	v.layout, v.sdk, v.oiMarker, v.isTool = LayoutNone, nil, false, false
	v.customEntry, v.customModel, v.customTool = nil, "", ""
	v.operation, v.provider, v.model, v.toolName = "", "", "", ""
	v.usage = Usage{-1, -1, -1, -1}
	v.finish, v.finishOut = v.finish[:0], false
	v.in.reset()
	v.out.reset()
	v.tail.reset()
	v.rd.reset()
	if v.sysDone {
		v.sysParts = resetBuf(v.sysParts)
		v.sysDone, v.sysPresent, v.sysErr = false, false, nil
		v.sysText, v.sysOK = "", false
	}
	v.argsDone, v.argsText, v.argsOK = false, "", false
	v.toolCall[0] = ToolCall{}
	v.tools.done, v.tools.err = false, nil
	v.decodes = 0
	v.epoch++
}

// Release frees per-span resources (the OTTL context) held by v, gives a
// log record back its attributes (see ResetLogRecord) and drops the
// references the view's reused buffers keep to the content of the spans
// read since the last Release: call it when done with a batch. Reset
// leaves those buffers to be overwritten rather than clearing them per
// span (see reuse).
func (v *View) Release() {
	v.release()
	v.in.scrub()
	v.out.scrub()
	v.tail.scrub()
	scrub(v.gmsgs, &v.gdirty[0])
	scrub(v.gparts, &v.gdirty[1])
}

// release is Release for one span: Reset and ResetLogRecord call it.
func (v *View) release() {
	if v.tctx != nil {
		v.tctx.Close()
		v.tctx = nil
	}
	v.endLogRecord()
}

// CheckScratch is memory the checks keep with the view across spans; see
// Epoch.
func (v *View) CheckScratch() *any { return &v.checks }

// Epoch identifies the span the view currently reads: it changes with
// every Reset.
func (v *View) Epoch() uint64 { return v.epoch }

// Span is the underlying span.
func (v *View) Span() ptrace.Span { return v.span }

// TransformContext returns the OTTL span context for this span, created once.
func (v *View) TransformContext() *ottlspan.TransformContext {
	if v.tctx == nil {
		v.logContext()
		v.tctx = ottlspan.NewTransformContext(v.resource, v.scope, v.span)
	}
	return v.tctx
}

// Layout reports which producer layout the span uses; LayoutNone for spans
// that are not LLM/agent spans. Spans carrying keys of several layouts
// report the one content is preferably read from (GenAI current, then
// OpenInference, Vercel legacy, flattened).
func (v *View) Layout() Layout { return v.layout }

// IsGenAI reports whether the span is an LLM/agent span of any layout.
func (v *View) IsGenAI() bool { return v.Layout() != LayoutNone }

// Operation is the normalized operation: chat, text_completion, embeddings,
// execute_tool, invoke_agent, retrieval, ... or "" when unknown.
func (v *View) Operation() string { return v.operation }

// Provider is the model provider (openai, anthropic, ...), or "".
func (v *View) Provider() string { return v.provider }

// Model is the response model if the span has one, else the request model.
func (v *View) Model() string { return v.model }

// Usage returns the token counts of any layout.
func (v *View) Usage() Usage { return v.usage }

// FinishReasons returns the finish reasons as the producer spelled them.
// They come from the span's finish-reason attributes; when it has none,
// from the output messages' own finish_reason (deprecated in the GenAI
// schema, still sent), decoding the output if nothing did yet: the answer
// never depends on which other accessor ran first. The slice is valid
// until the next Reset.
func (v *View) FinishReasons() []string {
	if len(v.finish) == 0 && !v.finishOut {
		v.finishOut = true
		if c := v.output(); c.err == nil {
			for i := range c.msgs {
				if r := c.msgs[i].FinishReason; r != "" {
					v.finish = append(v.finish, r)
				}
			}
		}
	}
	if len(v.finish) == 0 {
		return nil
	}
	return v.finish
}

// Duration is the span's own duration; 0 for a log record.
func (v *View) Duration() time.Duration {
	if v.log.active {
		return 0
	}
	return v.span.EndTimestamp().AsTime().Sub(v.span.StartTimestamp().AsTime())
}

// Err reports whether the span has error status, with its message. A
// Langfuse observation reports errors as level ERROR with a status
// message, its span status left unset.
func (v *View) Err() (bool, string) {
	if v.span.Status().Code() == ptrace.StatusCodeError {
		return true, v.span.Status().Message()
	}
	if v.layout == LayoutLangfuse && strings.EqualFold(v.str(kLFLevel), "ERROR") {
		return true, v.str(kLFStatus)
	}
	return false, v.span.Status().Message()
}

// ToolName is the tool's name on a tool-execution span, or "".
func (v *View) ToolName() string { return v.toolName }

// Text returns the text a target names. ok is false when the span has no
// such content (then an evaluator gives no verdict). err is set when the
// content is present but cannot be decoded; it names the attribute.
//
//   - output: the text parts of the output messages, joined by "\n".
//   - input: the text of the input messages except system, developer and
//     tool messages, joined by "\n".
//   - system: gen_ai.system_instructions and the system (and developer)
//     messages of the input.
//   - tool_arguments: on a tool span the executed call's arguments; on other
//     spans the arguments of the tool calls the output requests, one per
//     line.
//   - tool_result: the result on a tool span; on other spans the tool
//     results the model reacts to in this call: those of the input after
//     its last assistant message (tool_call_response parts, tool messages'
//     text) and the built-in tools' responses in the output.
//   - reasoning: the reasoning parts of the output messages.
//   - attribute:<key>: that attribute, non-strings rendered by
//     Value.AsString (maps and slices as JSON, if they nest at most
//     MaxValueDepth deep and render in MaxContentBytes).
//
// For input and output, ok is true when the side's content attribute is
// present, even when it holds no text (`[]`, an empty text part), except
// when it holds no text but other items: tool calls and results, reasoning,
// images and other media, unknown parts, or (for input) system messages.
// A tool-call-only, image-only or reasoning-only answer has no output text,
// for every evaluator alike; it is not an empty answer.
// When content is present but broken, Text returns "", true and the error,
// so a caller checking err first sees every broken span.
func (v *View) Text(t Target) (text string, ok bool, err error) {
	switch t.Kind {
	case TargetOutput:
		c := v.output()
		return v.sideText(c, selAll)
	case TargetInput:
		c := v.input()
		return v.sideText(c, selUser)
	case TargetSystem:
		return v.systemText()
	case TargetToolArguments:
		return v.toolArguments()
	case TargetReasoning:
		return v.reasoningText()
	case TargetToolResult:
		if !v.isTool {
			return v.chatToolResults()
		}
		if k, ok := v.firstKey(kToolResult, v.oiKey(kOutputValue), kAIToolResult, kAIToolOutput, v.sdkKey(sdkToolResult)); ok {
			return v.attrText(k)
		}
		if v.layout == LayoutCustom {
			return v.custom.toolText(v, cToolResult)
		}
		return v.eventToolText(false)
	case TargetAttribute:
		val, ok := v.span.Attributes().Get(t.Key)
		if !ok {
			return "", false, nil
		}
		v.rd.reset()
		s := v.rd.attr(t.Key, val)
		if err := v.rd.take(); err != nil {
			return "", true, err
		}
		return s, true, nil
	}
	return "", false, nil
}

// InputMessages returns the decoded input conversation, in order. The
// slice is valid until the next Reset.
func (v *View) InputMessages() ([]Message, error) {
	c := v.input()
	if c.err != nil {
		return nil, c.err
	}
	return c.msgs, nil
}

// OutputMessages returns the decoded output messages. The slice is valid
// until the next Reset.
func (v *View) OutputMessages() ([]Message, error) {
	c := v.output()
	if c.err != nil {
		return nil, c.err
	}
	return c.msgs, nil
}

// ToolCalls returns the tool calls the model requested in its output (chat
// spans) or the call a tool span executed. The slice is valid until the
// next Reset.
func (v *View) ToolCalls() ([]ToolCall, error) {
	if v.isTool {
		tc := &v.toolCall[0]
		*tc = ToolCall{}
		v.rd.reset()
		found := false
		if k, ok := v.firstKey(kToolCallID, kAIToolID); ok {
			tc.ID, found = v.rd.attr(keyDefs[k].name, v.vals[k]), true
		}
		if v.toolName != "" {
			tc.Name, found = v.toolName, true
		}
		if k, ok := v.firstKey(kToolArgs, v.oiKey(kInputValue), kAIToolArgs, kAIToolInput, v.sdkKey(sdkToolArgs)); ok {
			tc.Arguments, found = v.rd.attr(keyDefs[k].name, v.vals[k]), true
		} else if v.layout == LayoutCustom {
			if s, ok, _ := v.custom.toolText(v, cToolArgs); ok {
				tc.Arguments, found = s, true
			}
		} else if args, ok, err := v.eventToolText(true); err != nil {
			*tc = ToolCall{}
			return nil, err
		} else if ok {
			tc.Arguments, found = args, true
		}
		if err := v.rd.take(); err != nil {
			*tc = ToolCall{}
			return nil, err
		}
		if !found {
			return nil, nil
		}
		return v.toolCall[:], nil
	}
	c := v.output()
	if c.err != nil {
		return nil, c.err
	}
	if len(c.calls) == 0 {
		return nil, nil
	}
	return c.calls, nil
}

// firstKey is the first of keys the span has; kNone entries are skipped.
func (v *View) firstKey(keys ...attrKey) (attrKey, bool) {
	for _, k := range keys {
		if k != kNone && v.has.has(k) {
			return k, true
		}
	}
	return kNone, false
}

// oiKey is k when the span is an OpenInference span, else kNone:
// input.value and output.value mean something only there.
func (v *View) oiKey(k attrKey) attrKey {
	if v.oiMarker {
		return k
	}
	return kNone
}

// decodeOnce decodes a side of the conversation at most once per span;
// decode reports whether the span has a source for it.
func (v *View) decodeOnce(c *convo, decode func(*convo) bool) *convo {
	if !c.done {
		c.done = true
		v.rd.reset() // each read has its own budget: see valueReader
		if c.present = decode(c); c.present {
			v.decodes++
		}
		// A value the reader refused (too deep, too much text) is the
		// side's error, naming the attribute.
		if err := v.rd.take(); err != nil && c.err == nil {
			c.err = err
		}
		c.seal()
	}
	return c
}

// attrText is Text for the single attribute k.
func (v *View) attrText(k attrKey) (string, bool, error) {
	v.rd.reset()
	s := v.rd.attr(keyDefs[k].name, v.vals[k])
	if err := v.rd.take(); err != nil {
		return "", true, err
	}
	return s, true, nil
}

func (v *View) input() *convo  { return v.decodeOnce(&v.in, v.decodeInput) }
func (v *View) output() *convo { return v.decodeOnce(&v.out, v.decodeOutput) }

// decodeInput reads the input side from its first source, in order of
// preference: gen_ai.input.messages, llm.input_messages.*, input.value
// (OpenInference, not on tool spans), ai.prompt.messages, ai.prompt,
// gen_ai.prompt.*.
func (v *View) decodeInput(c *convo) bool {
	switch {
	case v.layout == LayoutCustom && v.custom.has(v, cInput):
		c.err = v.custom.decode(v, cInput, "user", c)
	case v.has.has(kInMsgs):
		c.err = v.genAIMessages(keyDefs[kInMsgs].name, v.vals[kInMsgs], c)
	case v.indexed&idxOIInput != 0:
		v.indexedMessages(oiInputPrefix, true, c)
	case v.oiMarker && !v.isTool && v.has.has(kInputValue):
		c.err = v.oiValue(kInputValue, "user", c)
	case v.sdk != nil && !v.isTool && v.firstPresent(v.sdk.in) != kNone:
		k := v.firstPresent(v.sdk.in)
		c.err = v.looseContent(keyDefs[k].name, v.vals[k], ShapeAuto, "user", c)
	case v.has.has(kAIPromptMsgs):
		c.err = c.vercelPromptMessages(keyDefs[kAIPromptMsgs].name, v.vals[kAIPromptMsgs])
	case v.has.has(kAIPrompt):
		c.err = c.vercelPrompt(keyDefs[kAIPrompt].name, v.vals[kAIPrompt])
	case v.indexed&idxFlatPrompt != 0:
		v.indexedMessages(flatPromptPrefix, false, c)
	case v.evKinds&evInput != 0:
		return v.eventMessages(c, evInput, false)
	default:
		return false
	}
	return true
}

// decodeOutput reads the output side from its first source, in order of
// preference: gen_ai.output.messages, llm.output_messages.*, output.value
// (OpenInference, not on tool spans), ai.response.text / .object /
// .toolCalls, gen_ai.completion.*.
func (v *View) decodeOutput(c *convo) bool {
	switch {
	case v.layout == LayoutCustom && v.custom.has(v, cOutput):
		c.err = v.custom.decode(v, cOutput, "assistant", c)
	case v.has.has(kOutMsgs):
		c.err = v.genAIMessages(keyDefs[kOutMsgs].name, v.vals[kOutMsgs], c)
	case v.indexed&idxOIOutput != 0:
		v.indexedMessages(oiOutputPrefix, true, c)
	case v.oiMarker && !v.isTool && v.has.has(kOutputValue):
		c.err = v.oiValue(kOutputValue, "assistant", c)
	case v.sdk != nil && !v.isTool && v.firstPresent(v.sdk.out) != kNone:
		k := v.firstPresent(v.sdk.out)
		c.err = v.looseContent(keyDefs[k].name, v.vals[k], ShapeAuto, "assistant", c)
	case v.has.any(vercelResponseKeys):
		c.err = v.vercelResponse(c)
	case v.indexed&idxFlatCompletion != 0:
		v.indexedMessages(flatCompletionPrefix, false, c)
	case v.evKinds&evOutput != 0:
		return v.eventMessages(c, evOutput, true)
	default:
		return false
	}
	return true
}

// vercelResponseKeys are the Vercel legacy output sources.
var vercelResponseKeys = setOf(kAIRespText, kAIRespObject, kAIRespToolCalls)

// sideText is Text for input or output: see Text for the ok rule.
func (v *View) sideText(c *convo, sel int) (string, bool, error) {
	if !c.present {
		return "", false, nil
	}
	if c.err != nil {
		return "", true, c.err
	}
	if !c.textDone {
		c.textDone = true
		text, nOther := c.joinText(sel)
		if c.textOK = strings.TrimSpace(text) != "" || nOther == 0; c.textOK {
			c.text = text
		}
	}
	return c.text, c.textOK, nil
}

// systemText joins gen_ai.system_instructions and the system messages of
// the input. It decodes the input, never the output.
func (v *View) systemText() (string, bool, error) {
	if !v.sysDone {
		v.sysDone = true
		v.sysParts = v.sysParts[:0]
		switch {
		case v.layout == LayoutCustom && v.custom.has(v, cSystem):
			v.decodes++
			v.sysPresent = true
			v.sysParts, v.sysErr = v.custom.system(v, v.sysParts)
		case v.has.has(kSysInstr):
			v.decodes++
			v.sysPresent = true
			if s, plain := plainSystem(v.vals[kSysInstr]); plain {
				// Mastra writes the instructions as a plain string.
				v.sysParts = append(v.sysParts, s)
			} else {
				v.sysParts, v.sysErr = v.systemInstructions(keyDefs[kSysInstr].name, v.vals[kSysInstr], v.sysParts)
			}
		case v.layout == LayoutGoogleADK:
			var present bool
			v.sysParts, present, v.sysErr = v.adkSystem(v.sysParts)
			v.sysPresent = v.sysPresent || present
			if present {
				v.decodes++
			}
		case v.evKinds&evBit(evDetails) != 0:
			var present bool
			v.sysParts, present, v.sysErr = v.eventSystemInstructions(v.sysParts)
			if present {
				v.decodes++
				v.sysPresent = true
			}
		}
		c := v.input()
		switch {
		case v.sysErr != nil:
		case c.err != nil:
			v.sysErr = c.err
		default:
			for i := range c.msgs {
				if isSystemRole(c.msgs[i].Role) {
					v.sysPresent = true
					if t := c.msgs[i].Text; t != "" {
						v.sysParts = append(v.sysParts, t)
					}
				}
			}
			v.sysText, v.sysOK = joinNonEmpty(v.sysParts), v.sysPresent
		}
	}
	if v.sysErr != nil {
		return "", true, v.sysErr
	}
	return v.sysText, v.sysOK, nil
}

// toolArguments is Text(tool_arguments).
func (v *View) toolArguments() (string, bool, error) {
	if v.isTool {
		if k, ok := v.firstKey(kToolArgs, v.oiKey(kInputValue), kAIToolArgs, kAIToolInput, v.sdkKey(sdkToolArgs)); ok {
			return v.attrText(k)
		}
		if v.layout == LayoutCustom {
			return v.custom.toolText(v, cToolArgs)
		}
		return v.eventToolText(true)
	}
	c := v.output()
	if !c.present {
		return "", false, nil
	}
	if c.err != nil {
		return "", true, c.err
	}
	if !v.argsDone {
		v.argsDone = true
		v.argsOK = len(c.calls) > 0
		if len(c.calls) == 1 {
			v.argsText = c.calls[0].Arguments
		} else if len(c.calls) > 1 {
			var b strings.Builder
			for i := range c.calls {
				if i > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(c.calls[i].Arguments)
			}
			v.argsText = b.String()
		}
	}
	return v.argsText, v.argsOK, nil
}

// joinNonEmpty joins the non-empty strings of parts with "\n".
func joinNonEmpty(parts []string) string {
	n, last := 0, ""
	for _, p := range parts {
		if p != "" {
			n, last = n+1, p
		}
	}
	if n <= 1 {
		return last
	}
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p)
	}
	return b.String()
}

// ConversationID is the span's conversation or session: GenAI
// gen_ai.conversation.id, else OpenInference session.id; "" when neither.
// An ID is a scalar: a map or slice there is not read. Read on demand:
// only the trajectory signals need it.
func (v *View) ConversationID() string {
	for _, k := range [...]attrKey{kConversationID, kOISessionID} {
		if !v.has.has(k) {
			continue
		}
		switch val := v.vals[k]; val.Type() {
		case pcommon.ValueTypeStr:
			if s := val.Str(); s != "" {
				return s
			}
		case pcommon.ValueTypeInt:
			return val.AsString()
		}
	}
	return ""
}

// sdk tool sources.
const (
	sdkToolArgs = iota
	sdkToolResult
)

// sdkKey is the span's first present SDK-layout key of the tool source,
// or kNone.
func (v *View) sdkKey(which int) attrKey {
	if v.sdk == nil {
		return kNone
	}
	if which == sdkToolArgs {
		return v.firstPresent(v.sdk.toolArgs)
	}
	return v.firstPresent(v.sdk.toolResult)
}

// plainSystem reports a system-instructions string that is not JSON: the
// instructions themselves.
func plainSystem(val pcommon.Value) (string, bool) {
	if val.Type() != pcommon.ValueTypeStr {
		return "", false
	}
	s := strings.TrimLeft(val.Str(), " \t\r\n")
	if s == "" || s[0] == '[' || s[0] == '{' {
		return "", false
	}
	return val.Str(), true
}

// IsToolSpan reports whether the span executes a tool.
func (v *View) IsToolSpan() bool { return v.isTool }

// Resource and Scope are the span's resource and scope.
func (v *View) Resource() ptrace.ResourceSpans { return v.resource }
func (v *View) Scope() ptrace.ScopeSpans       { return v.scope }
