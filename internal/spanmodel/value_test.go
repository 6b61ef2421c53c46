package spanmodel

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// nest makes dst a slice nested depth deep, built without recursion.
func nest(dst pcommon.Value, depth int) {
	s := dst.SetEmptySlice()
	for i := 1; i < depth; i++ {
		s = s.AppendEmpty().SetEmptySlice()
	}
}

// deepAt returns a setter that nests the value at path (map keys and, for
// "[]", the first element of a slice, created as needed) depth deep.
func deepAt(key string, depth int, path ...string) func(pcommon.Map) {
	return func(m pcommon.Map) {
		v := m.PutEmpty(key)
		for _, p := range path {
			if p == "[]" {
				v = v.SetEmptySlice().AppendEmpty()
				continue
			}
			k, val, _ := strings.Cut(p, "=")
			mm := v.SetEmptyMap()
			for _, kv := range strings.Split(val, ",") {
				if a, b, ok := strings.Cut(kv, ":"); ok {
					mm.PutStr(a, b)
				}
			}
			v = mm.PutEmpty(k)
		}
		nest(v, depth)
	}
}

// limitStack lowers the goroutine stack limit for the test, so a value
// deep enough to overflow a recursive reader crashes here as a 1,000,000
// deep one would in production.
func limitStack(t *testing.T) {
	prev := debug.SetMaxStack(32 << 20)
	t.Cleanup(func() { debug.SetMaxStack(prev) })
}

// TestDeepValuesAreErrorsNamingTheAttribute puts a slice nested 200,000
// deep at every place the view reads a value as text: each read is an
// error naming the attribute, never a stack overflow.
func TestDeepValuesAreErrorsNamingTheAttribute(t *testing.T) {
	const depth = 200_000
	tool := []kv{{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "lookup"}}
	chat := []kv{{"gen_ai.operation.name", "chat"}, {"gen_ai.request.model", "m"}}
	oi := []kv{{"openinference.span.kind", "LLM"}}
	read := map[string]func(v *View) error{
		"tool_arguments": func(v *View) error { _, _, err := v.Text(tArgs); return err },
		"tool_calls":     func(v *View) error { _, err := v.ToolCalls(); return err },
		"tool_result":    func(v *View) error { _, _, err := v.Text(tResult); return err },
		"output":         func(v *View) error { _, _, err := v.Text(tOutput); return err },
		"input":          func(v *View) error { _, _, err := v.Text(tInput); return err },
		"system":         func(v *View) error { _, _, err := v.Text(tSystem); return err },
		"tool_defs":      func(v *View) error { _, err := v.ToolDefinitions(); return err },
		"attribute": func(v *View) error {
			_, _, err := v.Text(Target{Kind: TargetAttribute, Key: "app.payload"})
			return err
		},
	}
	cases := []struct {
		name    string
		attrs   []kv
		set     func(pcommon.Map)
		reads   []string
		wantKey string
	}{
		{"tool call arguments", tool, deepAt("gen_ai.tool.call.arguments", depth), []string{"tool_arguments", "tool_calls"}, "gen_ai.tool.call.arguments"},
		{"tool call id", tool, deepAt("gen_ai.tool.call.id", depth), []string{"tool_calls"}, "gen_ai.tool.call.id"},
		{"tool result", tool, deepAt("gen_ai.tool.call.result", depth), []string{"tool_result"}, "gen_ai.tool.call.result"},
		{"output part content", chat, deepAt("gen_ai.output.messages", depth, "[]", "parts=role:assistant", "[]", "content=type:text"), []string{"output"}, "gen_ai.output.messages"},
		{"output tool call arguments", chat, deepAt("gen_ai.output.messages", depth, "[]", "parts=role:assistant", "[]", "arguments=type:tool_call,name:f"), []string{"tool_arguments", "tool_calls"}, "gen_ai.output.messages"},
		{"system instructions", chat, deepAt("gen_ai.system_instructions", depth, "[]", "content=type:text"), []string{"system"}, "gen_ai.system_instructions"},
		{"openinference output.value", oi, deepAt("output.value", depth), []string{"output"}, "output.value"},
		{"openinference input.value", oi, deepAt("input.value", depth), []string{"input"}, "input.value"},
		{"flattened prompt content", []kv{{"gen_ai.system", "openai"}, {"gen_ai.prompt.0.role", "user"}}, deepAt("gen_ai.prompt.0.content", depth), []string{"input"}, "gen_ai.prompt.*"},
		{"vercel response text", []kv{{"ai.operationId", "ai.generateText.doGenerate"}}, deepAt("ai.response.text", depth), []string{"output"}, "ai.response.text"},
		{"tool definitions", chat, deepAt("gen_ai.tool.definitions", depth, "[]"), []string{"tool_defs"}, "gen_ai.tool.definitions"},
		{"attribute target", chat, deepAt("app.payload", depth), []string{"attribute"}, "app.payload"},
	}
	limitStack(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs, ss, span := newSpan(t, tc.attrs...)
			tc.set(span.Attributes())
			v := &View{}
			v.Reset(rs, ss, span)
			require.NotEqual(t, LayoutNone, v.Layout())
			for _, r := range tc.reads {
				err := read[r](v)
				require.Error(t, err, r)
				assert.Equal(t, tc.wantKey+": "+errValueTooDeep.Error(), err.Error(), r)
				assert.True(t, IsValueError(err))
			}
		})
	}
	t.Run("conversation id", func(t *testing.T) {
		rs, ss, span := newSpan(t, tool...)
		deepAt("gen_ai.conversation.id", depth)(span.Attributes())
		deepAt("session.id", depth)(span.Attributes())
		v := &View{}
		v.Reset(rs, ss, span)
		assert.Empty(t, v.ConversationID(), "an ID is a scalar; a slice is not read")
	})
}

// TestShallowStructuredValuesRender: maps and slices up to MaxValueDepth
// still read as their JSON.
func TestShallowStructuredValuesRender(t *testing.T) {
	for _, tc := range []struct {
		depth int
		ok    bool
	}{{1, true}, {MaxValueDepth, true}, {MaxValueDepth + 1, false}} {
		rs, ss, span := newSpan(t, kv{"gen_ai.operation.name", "chat"})
		nest(span.Attributes().PutEmpty("app.payload"), tc.depth)
		v := &View{}
		v.Reset(rs, ss, span)
		text, ok, err := v.Text(Target{Kind: TargetAttribute, Key: "app.payload"})
		assert.True(t, ok)
		if !tc.ok {
			assert.ErrorIs(t, err, errValueTooDeep, "depth %d", tc.depth)
			continue
		}
		require.NoError(t, err, "depth %d", tc.depth)
		assert.Equal(t, strings.Repeat("[", tc.depth)+strings.Repeat("]", tc.depth), text)
	}
	// A map renders as JSON too.
	v := viewOf(t, kv{"gen_ai.operation.name", "chat"}, kv{"app.payload", map[string]any{"a": []any{int64(1), "x"}}})
	text, _, err := v.Text(Target{Kind: TargetAttribute, Key: "app.payload"})
	require.NoError(t, err)
	assert.Equal(t, `{"a":[1,"x"]}`, text)
}

// TestStructuredTextIsBoundedPerRead: content given as a pdata slice of
// 300,000 parts is refused past MaxContentBytes, as a JSON string would
// be, instead of being assembled whole.
func TestStructuredTextIsBoundedPerRead(t *testing.T) {
	rs, ss, span := newSpan(t, kv{"gen_ai.operation.name", "chat"})
	parts := span.Attributes().PutEmptySlice("gen_ai.output.messages").AppendEmpty().SetEmptyMap()
	parts.PutStr("role", "assistant")
	ps := parts.PutEmptySlice("parts")
	for i := 0; i < 300_000; i++ {
		p := ps.AppendEmpty().SetEmptyMap()
		p.PutStr("type", "text")
		p.PutStr("content", "twenty bytes of text")
	}
	v := &View{}
	v.Reset(rs, ss, span)
	_, ok, err := v.Text(tOutput)
	assert.True(t, ok)
	require.Error(t, err)
	assert.Equal(t, "gen_ai.output.messages: "+errValueTooLarge.Error(), err.Error())

	// Under the bound, the same shape reads whole.
	rs, ss, span = newSpan(t, kv{"gen_ai.operation.name", "chat"})
	parts = span.Attributes().PutEmptySlice("gen_ai.output.messages").AppendEmpty().SetEmptyMap()
	parts.PutStr("role", "assistant")
	ps = parts.PutEmptySlice("parts")
	for i := 0; i < 100_000; i++ {
		p := ps.AppendEmpty().SetEmptyMap()
		p.PutStr("type", "text")
		p.PutStr("content", "twenty bytes of text")
	}
	v.Reset(rs, ss, span)
	text, _, err := v.Text(tOutput)
	require.NoError(t, err)
	assert.Len(t, text, 100_000*21-1)
}

// TestTextAssemblyIsLinear: a message of 139,000 one-character text parts
// (just under the 4 MiB JSON limit) is joined in linear time: the bytes
// allocated stay a small multiple of the text, where joining part by part
// would copy the growing text once per part (gigabytes).
func TestTextAssemblyIsLinear(t *testing.T) {
	const n = 139_000
	var b strings.Builder
	b.WriteString(`[{"role":"assistant","parts":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"text","content":"%c"}`, 'a'+i%26)
	}
	b.WriteString(`]}]`)
	require.Less(t, b.Len(), MaxContentBytes)
	v := viewOf(t, kv{"gen_ai.operation.name", "chat"}, kv{"gen_ai.output.messages", b.String()})

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	began := time.Now()
	text, _, err := v.Text(tOutput)
	took := time.Since(began)
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	assert.Len(t, text, 2*n-1)
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(256<<20), "decoding and joining allocated %d bytes (joining part by part: ~19 GB)", allocated)
	t.Logf("%d parts joined in %s, %d bytes allocated", n, took, allocated)
}

// TestStructuredBudgetIsPerRead: input and output each just under the
// bound read whole in either order; one read's size never makes another
// fail, so what an evaluator sees does not depend on which ran first.
func TestStructuredBudgetIsPerRead(t *testing.T) {
	side := func(span ptrace.Span, key, role string) {
		m := span.Attributes().PutEmptySlice(key).AppendEmpty().SetEmptyMap()
		m.PutStr("role", role)
		ps := m.PutEmptySlice("parts")
		for i := 0; i < 1000; i++ {
			p := ps.AppendEmpty().SetEmptyMap()
			p.PutStr("type", "text")
			p.PutStr("content", strings.Repeat("y", 3000))
		}
	}
	for _, order := range [][]Target{{tInput, tOutput}, {tOutput, tInput}} {
		rs, ss, span := newSpan(t, kv{"gen_ai.operation.name", "chat"})
		side(span, "gen_ai.input.messages", "user")
		side(span, "gen_ai.output.messages", "assistant")
		v := &View{}
		v.Reset(rs, ss, span)
		for _, target := range order {
			text, ok, err := v.Text(target)
			require.NoError(t, err, target.String())
			assert.True(t, ok)
			assert.Len(t, text, 1000*3001-1)
		}
	}
}
