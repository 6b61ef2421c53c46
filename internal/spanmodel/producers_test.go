package spanmodel

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The SDK-level layouts, read from what the real frameworks exported
// (tools/fixturegen capture-frameworks.mjs, raw OTLP/JSON in
// testdata/producers/<framework>-<scenario>.json).

type capturedSpan struct {
	rs   ptrace.ResourceSpans
	ss   ptrace.ScopeSpans
	span ptrace.Span
}

func loadCapture(t *testing.T, name string) []capturedSpan {
	t.Helper()
	return loadSpans(t, filepath.Join("testdata", "producers", name+".json"))
}

func loadSpans(t *testing.T, path string) []capturedSpan {
	t.Helper()
	name := filepath.Base(path)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(b)
	require.NoError(t, err, name)
	var out []capturedSpan
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				out = append(out, capturedSpan{rs, ss, ss.Spans().At(k)})
			}
		}
	}
	require.NotEmpty(t, out, name)
	return out
}

// capturedWant is what the view must read from the nth span named name
// (in export order). Empty strings are not checked; *Has are substrings.
type capturedWant struct {
	name     string
	nth      int
	layout   Layout
	op       string
	model    string
	outHas   string
	inHas    string
	sysHas   string
	calls    []string // names of the output's tool calls (model spans)
	results  []string // substrings of the input's tool results, in order
	toolName string
	argsHas  string
	resHas   string
	err      string // substring of the error message; "-" for an error without one
	usage    bool   // input and output token counts present
	finish   string // one of FinishReasons
	noInput  bool   // the span has no input text
}

const (
	capSSN     = "529-41-8863"
	capEmail   = "jane.roe@fastmail.com"
	capRefusal = "I'm sorry, but I can't help with that."
	capSystem  = "You are a helpful travel assistant."
	capWeather = "It is 18°C and sunny in Paris right now."
	capFailed  = "weather service unavailable (HTTP 503)"
)

func TestCapturedLayouts(t *testing.T) {
	tests := []struct {
		capture string
		wants   []capturedWant
	}{
		// OpenAI Agents SDK, Responses API, OpenInference instrumentation.
		{"openai_agents-leak", []capturedWant{{
			name: "OpenAI Responses", layout: LayoutOpenInference, op: "chat", model: "gpt-4o-mini-2024-07-18",
			outHas: capSSN, inHas: "order 1042", sysHas: capSystem, usage: true,
		}}},
		{"openai_agents-refusal", []capturedWant{{name: "OpenAI Responses", outHas: capRefusal}}},
		{"openai_agents-normal", []capturedWant{
			{name: "OpenAI Responses", calls: []string{"get_weather"}, argsHas: `"Paris"`},
			{name: "OpenAI Responses", nth: 1, outHas: capWeather, results: []string{`"sunny"`}},
		}},
		{"openai_agents-failing_tool", []capturedWant{
			{name: "OpenAI Responses", nth: 1, results: []string{"An error occurred while running the tool"}, outHas: "Atlantis"},
		}},

		// Google ADK: call_llm spans with Gemini JSON, no operation name.
		{"google_adk-leak", []capturedWant{
			{
				name: "call_llm", layout: LayoutGoogleADK, op: "chat", model: "gemini-2.5-flash",
				outHas: capSSN, inHas: "order 1042", sysHas: capSystem, usage: true, finish: "stop",
			},
			{name: "invoke_agent weather_agent", layout: LayoutGenAI, op: "invoke_agent"},
		}},
		{"google_adk-refusal", []capturedWant{{name: "call_llm", outHas: capRefusal}}},
		{"google_adk-normal", []capturedWant{
			{name: "call_llm", calls: []string{"get_weather"}, argsHas: `"Paris"`},
			{name: "call_llm", nth: 1, outHas: capWeather, results: []string{`"temperature":18`}},
			{name: "execute_tool get_weather", op: "execute_tool", toolName: "get_weather"},
		}},
		{"google_adk-failing_tool", []capturedWant{
			{name: "call_llm", nth: 1, results: []string{capFailed}, inHas: "Atlantis"},
		}},

		// Langfuse SDK: langfuse.observation.* only.
		{"langfuse-leak", []capturedWant{
			{
				name: "chat", layout: LayoutLangfuse, op: "chat", model: "gpt-4o-mini",
				outHas: capEmail, inHas: "order 1042", sysHas: capSystem, usage: true,
			},
			{name: "weather-agent", layout: LayoutLangfuse, op: "invoke_agent", outHas: capSSN, inHas: "order 1042"},
		}},
		{"langfuse-refusal", []capturedWant{{name: "chat", outHas: capRefusal}}},
		{"langfuse-normal", []capturedWant{
			{name: "chat", calls: []string{"get_weather"}, argsHas: `"Paris"`},
			{name: "get_weather", op: "execute_tool", toolName: "get_weather", argsHas: `"Paris"`, resHas: `"sunny"`},
		}},
		{"langfuse-failing_tool", []capturedWant{
			{name: "get_weather", op: "execute_tool", argsHas: "Atlantis", err: capFailed},
			{name: "chat", nth: 1, results: []string{capFailed}},
		}},

		// Microsoft Agent 365: wrapped messages, capitalised operations.
		{"agent365-leak", []capturedWant{
			{
				name: "Chat gpt-4o-mini", layout: LayoutGenAI, op: "chat", model: "gpt-4o-mini",
				outHas: capSSN, inHas: "order 1042", sysHas: capSystem, usage: true, finish: "stop",
			},
			{name: "invoke_agent weather-agent", op: "invoke_agent", outHas: capEmail},
		}},
		{"agent365-refusal", []capturedWant{{name: "Chat gpt-4o-mini", outHas: capRefusal}}},
		{"agent365-normal", []capturedWant{
			{name: "Chat gpt-4o-mini", calls: []string{"get_weather"}, argsHas: `"Paris"`},
			{name: "execute_tool get_weather", op: "execute_tool", toolName: "get_weather", argsHas: "Paris", resHas: "sunny"},
		}},
		{"agent365-failing_tool", []capturedWant{
			{name: "execute_tool get_weather", op: "execute_tool", err: capFailed},
			{name: "Chat gpt-4o-mini", nth: 1, results: []string{capFailed}},
		}},

		// Mastra: content on model_generation and agent_run spans; plain
		// string system instructions; tool definitions as names.
		{"mastra-leak", []capturedWant{
			{name: "model_generation gpt-4o-mini", layout: LayoutMastra, op: "chat", outHas: capSSN, inHas: "order 1042", sysHas: capSystem},
			{name: "invoke_agent weather-agent", layout: LayoutMastra, op: "invoke_agent", outHas: capEmail, inHas: "order 1042", sysHas: capSystem},
		}},
		{"mastra-refusal", []capturedWant{{name: "model_generation gpt-4o-mini", outHas: capRefusal}}},
		{"mastra-normal", []capturedWant{
			{name: "model_generation gpt-4o-mini", calls: []string{"get_weather"}, argsHas: "Paris"},
			{name: "execute_tool get_weather", op: "execute_tool", toolName: "get_weather", argsHas: "Paris", resHas: "sunny"},
		}},
		{"mastra-failing_tool", []capturedWant{
			{name: "execute_tool get_weather", op: "execute_tool", err: capFailed},
		}},

		// Traceloop SDK: agent and tool entities next to the instrumented
		// chat spans.
		{"traceloop_agent-leak", []capturedWant{
			{name: "weather-agent.agent", layout: LayoutTraceloop, op: "invoke_agent", outHas: capSSN},
			{name: "chat gpt-4o-mini", layout: LayoutGenAI, op: "chat", outHas: capSSN, sysHas: capSystem},
		}},
		{"traceloop_agent-refusal", []capturedWant{{name: "chat gpt-4o-mini", outHas: capRefusal}}},
		{"traceloop_agent-normal", []capturedWant{
			{name: "get_weather.tool", layout: LayoutTraceloop, op: "execute_tool", toolName: "get_weather", resHas: "sunny"},
		}},
		{"traceloop_agent-failing_tool", []capturedWant{
			{name: "chat gpt-4o-mini", nth: 1, results: []string{capFailed}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.capture, func(t *testing.T) {
			checkSpans(t, loadCapture(t, tt.capture), tt.wants)
		})
	}
}

// TestSpecDerivedLayouts reads the Python-only producers' fixtures, written
// from their published source (the commit and file are in each fixture's
// fixture.source resource attribute).
func TestSpecDerivedLayouts(t *testing.T) {
	tests := []struct {
		fixture string
		wants   []capturedWant
	}{
		{"openai_agents_python", []capturedWant{
			{name: "weather-agent", op: "invoke_agent"},
			{name: "response", layout: LayoutOpenInference, op: "chat", model: "gpt-4o-mini-2024-07-18", outHas: capSSN, inHas: "order 1042", sysHas: capSystem, usage: true},
			{name: "response", nth: 1, calls: []string{"get_weather"}, argsHas: "Atlantis"},
			{name: "get_weather", op: "execute_tool", toolName: "get_weather", argsHas: "Atlantis", resHas: capFailed, err: "-"},
			{name: "response", nth: 2, results: []string{capFailed}},
		}},
		{"openllmetry_python", []capturedWant{
			{name: "openai.chat", layout: LayoutGenAI, op: "chat", model: "gpt-4o-mini-2024-07-18", outHas: capSSN, inHas: "order 1042", sysHas: capSystem, usage: true, finish: "stop", results: []string{capFailed}},
		}},
		{"openlit_python", []capturedWant{
			{name: "chat gpt-4o-mini", layout: LayoutGenAI, op: "chat", outHas: capEmail, inHas: "order 1042", sysHas: capSystem, usage: true, calls: []string{"lookup_order"}},
		}},
		{"crewai", []capturedWant{
			{name: "crew.kickoff", layout: LayoutOpenInference, op: "chain", outHas: capSSN, inHas: "1042"},
			{name: "Customer Support Agent", op: "invoke_agent", outHas: capSSN},
			{name: "lookup_order", op: "execute_tool", toolName: "lookup_order", argsHas: "1042", resHas: capFailed, err: capFailed},
		}},
		{"llama_index", []capturedWant{
			{name: "OpenAI.chat", layout: LayoutOpenInference, op: "chat", model: "gpt-4o-mini", outHas: capSSN, inHas: "order 1042", sysHas: capSystem, usage: true, calls: []string{"lookup_order"}},
		}},
		{"pydantic_ai", []capturedWant{
			{name: "chat gpt-4o-mini", layout: LayoutGenAI, op: "chat", outHas: capSSN, inHas: "order 1042", sysHas: capSystem, usage: true, results: []string{"Jane Roe"}},
			{name: "execute_tool lookup_order", op: "execute_tool", toolName: "lookup_order", argsHas: "1042", resHas: capEmail},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			checkSpans(t, loadSpans(t, filepath.Join("testdata", "specderived", tt.fixture+".json")), tt.wants)
		})
	}
}

// checkSpans checks each want against the nth span of its name.
func checkSpans(t *testing.T, spans []capturedSpan, wants []capturedWant) {
	t.Helper()
	for _, w := range wants {
		var found *capturedSpan
		n := 0
		for i := range spans {
			if spans[i].span.Name() != w.name {
				continue
			}
			if n == w.nth {
				found = &spans[i]
				break
			}
			n++
		}
		require.NotNil(t, found, "%s #%d", w.name, w.nth)
		checkCaptured(t, found, w)
	}
}

func checkCaptured(t *testing.T, c *capturedSpan, w capturedWant) {
	t.Helper()
	label := w.name
	v := &View{}
	v.Reset(c.rs, c.ss, c.span)
	defer v.Release()
	if w.layout != LayoutNone {
		assert.Equal(t, w.layout, v.Layout(), label)
	}
	require.True(t, v.IsGenAI(), label)
	if w.op != "" {
		assert.Equal(t, w.op, v.Operation(), label)
	}
	if w.model != "" {
		assert.Equal(t, w.model, v.Model(), label)
	}
	if w.toolName != "" {
		assert.Equal(t, w.toolName, v.ToolName(), label)
	}
	text := func(tg Target) string {
		s, ok, err := v.Text(tg)
		require.NoError(t, err, "%s %v", label, tg)
		assert.True(t, ok, "%s: %v present", label, tg)
		return s
	}
	if w.outHas != "" {
		assert.Contains(t, text(tOutput), w.outHas, label)
	}
	if w.inHas != "" {
		assert.Contains(t, text(tInput), w.inHas, label)
	}
	if w.sysHas != "" {
		assert.Contains(t, text(tSystem), w.sysHas, label)
	}
	if w.argsHas != "" {
		assert.Contains(t, text(tArgs), w.argsHas, label)
	}
	if w.resHas != "" {
		assert.Contains(t, text(tResult), w.resHas, label)
	}
	if w.calls != nil {
		calls, err := v.ToolCalls()
		require.NoError(t, err, label)
		var names []string
		for _, c := range calls {
			names = append(names, c.Name)
		}
		assert.Equal(t, w.calls, names, label)
	}
	if w.results != nil {
		in, err := v.InputMessages()
		require.NoError(t, err, label)
		var got []string
		for _, m := range in {
			for _, r := range m.ToolResults {
				got = append(got, r.Content)
			}
		}
		require.Len(t, got, len(w.results), label)
		for i := range got {
			assert.Contains(t, got[i], w.results[i], label)
		}
	}
	if w.err != "" {
		failed, msg := v.Err()
		assert.True(t, failed, label)
		if w.err != "-" {
			assert.Equal(t, w.err, msg, label)
		}
	} else if w.op == "execute_tool" {
		failed, _ := v.Err()
		assert.False(t, failed, label)
	}
	if w.usage {
		u := v.Usage()
		assert.Positive(t, u.Input, label)
		assert.Positive(t, u.Output, label)
	}
	if w.finish != "" {
		assert.Contains(t, v.FinishReasons(), w.finish, label)
	}
	if w.noInput {
		_, ok, _ := v.Text(tInput)
		assert.False(t, ok, label)
	}
}
