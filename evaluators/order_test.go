package evaluators

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel/spantest"
)

// TestVerdictsIndependentOfOrder evaluates the same spans with every
// evaluator alone, with all of them in several orders, and checks that each
// evaluator's verdict, and every fact of the view, is the same: no
// evaluator sees something only because another decoded content first.
func TestVerdictsIndependentOfOrder(t *testing.T) {
	all := []config.Evaluator{
		entry("finish_reason", "finish_reason", nil),
		entry("refusal", "refusal", nil),
		entry("json", "json", nil),
		entry("length", "length", map[string]any{"min_chars": 3}),
		entry("pii", "pii", nil),
		entry("grounding", "grounding", nil),
		entry("tool_call", "tool_call", nil),
		entry("sql_safety", "sql_safety", nil),
		entry("destructive_action", "destructive_action", nil),
		withTarget(entry("system_pii", "pii", nil), "system"),
	}
	spans := map[string][]kv{
		// The output message's own finish_reason only (deprecated, still sent).
		"per-message finish reason, length": {chat, {"gen_ai.output.messages",
			`[{"role":"assistant","parts":[{"type":"text","content":"The answer is"}],"finish_reason":"length"}]`}},
		"per-message finish reason, reasoning only": {chat, {"gen_ai.output.messages",
			`[{"role":"assistant","parts":[{"type":"reasoning","content":"Think."}],"finish_reason":"stop"}]`}},
		"per-message finish reason, empty answer": {chat, {"gen_ai.output.messages",
			`[{"role":"assistant","parts":[],"finish_reason":"stop"}]`}},
		"indexed completion finish reason": {{"gen_ai.system", "openai"}, {"llm.request.type", "chat"},
			{"gen_ai.completion.0.role", "assistant"}, {"gen_ai.completion.0.content", ""}, {"gen_ai.completion.0.finish_reason", "content_filter"}},
		"tool round trip with server call": {chat,
			{"gen_ai.system_instructions", `[{"type":"text","content":"Support bot for Tallis Freight."}]`},
			{"gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Where is parcel 8812?"}]},
				{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"track","arguments":{"id":8812}}]},
				{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"Arrived in Leeds on 3 March."}]}]`},
			{"gen_ai.output.messages", `[{"role":"assistant","parts":[
				{"type":"server_tool_call","id":"ci","name":"code_interpreter","server_tool_call":{"type":"code_interpreter","code":"import shutil; shutil.rmtree('/srv/data')"}},
				{"type":"text","content":"It arrived in Leeds on 3 March."}],"finish_reason":"stop"}]`}},
	}
	// A few verdicts pinned, so the comparison is not between two skips.
	wantAlone := map[string]map[string]Verdict{
		"per-message finish reason, length":         {"finish_reason": Fail, "refusal": Pass},
		"per-message finish reason, reasoning only": {"finish_reason": Pass, "refusal": Skip, "json": Skip, "length": Skip},
		"per-message finish reason, empty answer":   {"finish_reason": Pass, "refusal": Fail},
		"indexed completion finish reason":          {"finish_reason": Fail},
		"tool round trip with server call":          {"destructive_action": Fail, "grounding": Pass, "tool_call": Pass},
	}
	// verdicts runs entries on a fresh view of the span, in order.
	verdicts := func(t *testing.T, attrs []kv, entries []config.Evaluator) (map[string]Result, string) {
		checks, err := Build(config.Entries{User: entries}, componenttest.NewNopTelemetrySettings())
		require.NoError(t, err)
		v := &spanmodel.View{}
		v.Reset(spantest.NewSpan(t, attrs...))
		out := map[string]Result{}
		for _, c := range checks {
			out[c.Name] = c.Evaluate(context.Background(), v)
		}
		return out, facts(v)
	}
	rng := rand.New(rand.NewSource(7))
	for name, attrs := range spans {
		t.Run(name, func(t *testing.T) {
			alone := map[string]Result{}
			for _, e := range all {
				r, _ := verdicts(t, attrs, []config.Evaluator{e})
				alone[e.Name] = r[e.Name]
			}
			if w, ok := wantAlone[name]; ok {
				for ev, verdict := range w {
					assert.Equal(t, verdict, alone[ev].Verdict, "%s alone: %s", ev, alone[ev].Reason)
				}
			}
			_, want := verdicts(t, attrs, nil)
			for i := 0; i < 6; i++ {
				order := append([]config.Evaluator(nil), all...)
				rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
				got, f := verdicts(t, attrs, order)
				assert.Equal(t, alone, got, "order %d", i)
				assert.Equal(t, want, f, "facts after order %d", i)
			}
		})
	}
}

// facts renders what a view says about its span, accessor by accessor,
// reading the finish reasons first.
func facts(v *spanmodel.View) string {
	s := fmt.Sprintf("finish=%q layout=%s op=%s\n", v.FinishReasons(), v.Layout(), v.Operation())
	for _, k := range []spanmodel.TargetKind{spanmodel.TargetOutput, spanmodel.TargetInput, spanmodel.TargetSystem,
		spanmodel.TargetReasoning, spanmodel.TargetToolArguments, spanmodel.TargetToolResult} {
		text, ok, err := v.Text(spanmodel.Target{Kind: k})
		s += fmt.Sprintf("%d: %q %v %v\n", k, text, ok, err)
	}
	calls, err := v.ToolCalls()
	s += fmt.Sprintf("calls=%v %v\n", calls, err)
	return s
}
