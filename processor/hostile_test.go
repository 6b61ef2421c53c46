package llmevalprocessor

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// everyType runs one of each evaluator type, so hostile spans meet every
// reader.
var everyType = []config.Evaluator{
	{Name: "is_json", Type: "json"},
	{Name: "schema", Type: "json_schema", Settings: map[string]any{"schema": map[string]any{"type": "object"}}},
	// No required literal, so RE2 itself runs: a backtracking engine would
	// never finish (a*)*[bc] over a megabyte of a's.
	{Name: "re", Type: "regex", Settings: map[string]any{"must_not_match": `(a*)*[bc]`}},
	{Name: "has", Type: "contains", Settings: map[string]any{"any": []any{"x"}}},
	{Name: "slow", Type: "latency", Settings: map[string]any{"max": "1s"}},
	{Name: "rule", Type: "ottl", Settings: map[string]any{"fail_when": `span.attributes["gen_ai.usage.output_tokens"] > 1`}},
	{Name: "len", Type: "length", Settings: map[string]any{"max_chars": 10}},
	{Name: "tok", Type: "tokens", Settings: map[string]any{"max_total": 10}},
	{Name: "usd", Type: "cost", Settings: map[string]any{"max_usd": 0.01}},
	{Name: "ground", Type: "grounding"},
}

// runHostile sends spans through the processor with every evaluator type,
// the default set and signals, and checks nothing is lost or reordered.
func runHostile(t *testing.T, td ptrace.Traces) ptrace.Traces {
	t.Helper()
	on := true
	cfg := testConfig(func(c *Config) { c.DefaultEvaluators = &on }, everyType...)
	require.NoError(t, cfg.Validate())
	var names []string
	forEachSpan(td, func(sp ptrace.Span) { names = append(names, sp.Name()) })
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	require.Len(t, sink.AllTraces(), 1)
	out := sink.AllTraces()[0]
	var got []string
	forEachSpan(out, func(sp ptrace.Span) {
		got = append(got, sp.Name())
		for k, v := range sp.Attributes().All() {
			if strings.HasSuffix(k, ".reason") {
				assert.LessOrEqual(t, len(v.Str()), evaluators.MaxReasonBytes, k)
			}
		}
	})
	require.Equal(t, names, got, "every span comes out, in order")
	return out
}

// TestWrongTypeForEveryKey gives every attribute the view reads a value of
// each wrong type.
func TestWrongTypeForEveryKey(t *testing.T) {
	values := map[string]func(pcommon.Value){
		"int":    func(v pcommon.Value) { v.SetInt(-7) },
		"double": func(v pcommon.Value) { v.SetDouble(3.5) },
		"bool":   func(v pcommon.Value) { v.SetBool(true) },
		"bytes":  func(v pcommon.Value) { v.SetEmptyBytes().FromRaw([]byte{0xff, 0}) },
		"slice":  func(v pcommon.Value) { v.SetEmptySlice().AppendEmpty().SetEmptyMap().PutInt("x", 1) },
		"map":    func(v pcommon.Value) { v.SetEmptyMap().PutEmptySlice("parts").AppendEmpty().SetBool(false) },
		"string": func(v pcommon.Value) { v.SetStr("\xff{not json") },
		"empty":  func(v pcommon.Value) {},
	}
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	keys := append(spanmodel.AttributeKeys(), "gen_ai.prompt.0.content", "gen_ai.completion.0.role",
		"llm.input_messages.0.message.content", "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments",
		"llm.tools.0.tool.json_schema", "gen_ai.tool.definitions", "gen_ai.conversation.id")
	for _, key := range keys {
		for typ, set := range values {
			sp := ss.Spans().AppendEmpty()
			sp.SetName(key + "/" + typ)
			sp.SetStartTimestamp(1)
			sp.SetEndTimestamp(pcommon.Timestamp(2 * time.Second))
			sp.Attributes().PutStr("gen_ai.operation.name", "chat")
			if key == "gen_ai.operation.name" {
				sp.Attributes().Remove(key)
			}
			set(sp.Attributes().PutEmpty(key))
		}
	}
	runHostile(t, td)
}

// TestDeepValuesEverywhere puts slices nested 20,000 deep (with the stack
// limited so that this depth overflows any recursive reader, as a
// 1,000,000-deep one does in production) in every attribute the view
// reads, in the feedback attribute and in an exception message, on a chat
// and a tool span, with every evaluator type, the defaults and the signals
// running: every span comes out, and an evaluator that reads such a value
// gives an error verdict naming the attribute.
func TestDeepValuesEverywhere(t *testing.T) {
	nest := func(v pcommon.Value) {
		s := v.SetEmptySlice()
		for i := 1; i < 20_000; i++ {
			s = s.AppendEmpty().SetEmptySlice()
		}
	}
	on := true
	cfg := testConfig(func(c *Config) {
		c.DefaultEvaluators = &on
		c.Signals.FeedbackAttribute = "app.feedback"
	}, append(everyType, config.Evaluator{Name: "payload", Type: "json", Target: "attribute:app.payload"})...)
	require.NoError(t, cfg.Validate())
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	span := func(name, op string, deepKeys ...string) {
		sp := ss.Spans().AppendEmpty()
		sp.SetName(name)
		sp.SetEndTimestamp(pcommon.Timestamp(time.Second))
		sp.Attributes().PutStr("gen_ai.operation.name", op)
		sp.Attributes().PutStr("gen_ai.tool.name", "lookup")
		sp.Attributes().PutStr("gen_ai.conversation.id", "c1")
		for _, k := range deepKeys {
			nest(sp.Attributes().PutEmpty(k))
		}
		sp.Attributes().PutStr("gen_ai.operation.name", op)
		sp.Status().SetCode(ptrace.StatusCodeError)
		ev := sp.Events().AppendEmpty()
		ev.SetName("exception")
		nest(ev.Attributes().PutEmpty("exception.message"))
	}
	var every []string
	for _, k := range append(spanmodel.AttributeKeys(), "gen_ai.prompt.0.content", "llm.input_messages.0.message.content",
		"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", "llm.tools.0.tool.json_schema",
		"app.payload", "app.feedback") {
		if k != "gen_ai.operation.name" {
			every = append(every, k)
		}
	}
	span("chat/every key", "chat", every...)
	span("tool/every key", "execute_tool", every...)
	span("tool/arguments", "execute_tool", "gen_ai.tool.call.arguments")
	span("chat/payload", "chat", "app.payload")

	prev := debug.SetMaxStack(2 << 20)
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	debug.SetMaxStack(prev)
	require.Equal(t, 4, sink.SpanCount(), "every span comes out")

	got := map[string]map[string]any{}
	forEachSpan(sink.AllTraces()[0], func(sp ptrace.Span) {
		a := map[string]any{}
		for k, v := range sp.Attributes().All() {
			if strings.HasPrefix(k, "llmeval.") && v.Type() == pcommon.ValueTypeStr {
				a[k] = v.Str()
			}
		}
		got[sp.Name()] = a
	})
	deep := "map or slice value nested deeper than 64"
	for name, want := range map[string]map[string]any{
		"tool/arguments": {
			"llmeval.destructive_action.verdict": "error", "llmeval.destructive_action.reason": "gen_ai.tool.call.arguments: " + deep,
			"llmeval.sql_safety.verdict": "error", "llmeval.sql_safety.reason": "gen_ai.tool.call.arguments: " + deep,
		},
		"chat/payload": {"llmeval.payload.verdict": "error", "llmeval.payload.reason": "app.payload: " + deep},
	} {
		for k, v := range want {
			assert.Equal(t, v, got[name][k], "%s %s", name, k)
		}
	}
	for _, name := range []string{"chat/every key", "tool/every key"} {
		assert.NotEmpty(t, got[name], name)
	}
}

// TestHostileContent covers huge values, deep nesting, invalid UTF-8 and
// huge tool-call arrays.
func TestHostileContent(t *testing.T) {
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	calls := make([]string, 60_000) // 3.3 MB: decoded, then bounded to MaxToolCalls
	for i := range calls {
		calls[i] = `{"type":"tool_call","id":"c","name":"f","arguments":{}}`
	}
	manyCalls := `[{"role":"assistant","parts":[` + strings.Join(calls, ",") + `]}]`
	cases := map[string]string{
		"10 MB string":            `[{"role":"assistant","parts":[{"type":"text","content":"` + strings.Repeat("a", 10<<20) + `"}]}]`,
		"deeply nested":           deep,
		"invalid UTF-8":           "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"\xff\xfe sk-ant-\xff\"}]}]",
		"60k tool calls":          manyCalls,
		"regex bomb input (1 MB)": `[{"role":"assistant","parts":[{"type":"text","content":"` + strings.Repeat("a", 1<<20) + `d"}]}]`,
	}
	for name, msgs := range cases {
		t.Run(name, func(t *testing.T) {
			td := ptrace.NewTraces()
			sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			sp.SetName(name)
			sp.Attributes().PutStr("gen_ai.operation.name", "chat")
			sp.Attributes().PutStr("gen_ai.output.messages", msgs)
			sp.Attributes().PutStr("gen_ai.input.messages", msgs)
			began := time.Now()
			out := runHostile(t, td)
			// RE2 is linear: (a*)*b over a megabyte of a's is no catastrophe.
			// A hang guard, not a speed measurement (BENCHMARKS.md has those):
			// an exponential blow-up takes hours; linear work takes seconds,
			// tens of them under -race on a loaded 2-core machine.
			assert.Less(t, time.Since(began), 2*time.Minute)
			a := out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
			v, ok := a.Get("gen_ai.output.messages")
			require.True(t, ok)
			assert.Equal(t, len(msgs), len(v.Str()), "content passes through untouched")
		})
	}
}

// TestDeepNestingIsAnErrorWithAReason: a message attribute nested beyond
// what the decoder accepts gives an error verdict naming the attribute.
func TestDeepNestingIsAnErrorWithAReason(t *testing.T) {
	td, ss := newScope()
	sp := chatSpan(ss, "deep", "x", time.Second)
	sp.Attributes().PutStr("gen_ai.output.messages", strings.Repeat("[", 20_000)+strings.Repeat("]", 20_000))
	out := run(t, testConfig(nil, jsonEval), td)
	a := attrs(t, out, 0)
	assert.Equal(t, "error", a["llmeval.is_json.verdict"])
	assert.Contains(t, a["llmeval.is_json.reason"], "gen_ai.output.messages")
}

// TestNoContentInLogs runs leaking, refusing and broken spans with the
// logger at debug and checks no message content reaches the logs.
func TestNoContentInLogs(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	set := metadatatest.NewSettings(componenttest.NewTelemetry())
	set.Logger = zap.New(core)
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), set, testConfig(nil, jsonEval, regexEval), sink)
	require.NoError(t, err)
	secrets := []string{"jane.doe@example.com", "123-45-6789", "sk-abcdefgh12345678"}
	td, ss := newScope()
	for i, s := range secrets {
		chatSpan(ss, fmt.Sprint(i), "Here: "+s, time.Second)
	}
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	require.NoError(t, p.Shutdown(context.Background()))
	for _, e := range logs.All() {
		line := e.Message + fmt.Sprint(e.ContextMap())
		for _, s := range secrets {
			assert.NotContains(t, line, s)
		}
	}
}
