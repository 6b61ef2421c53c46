package sampling

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel/spantest"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"
)

type kv = spantest.KV

// facts evaluates signals on a real span, as the processor does before the
// rules run.
func facts(t *testing.T, failed []string, attrs ...kv) *SpanFacts {
	t.Helper()
	v := &spanmodel.View{}
	v.Reset(spantest.NewSpan(t, attrs...))
	d, err := signals.New(signals.Config{})
	require.NoError(t, err)
	f := &signals.Found{}
	d.Detect(v, f)
	return &SpanFacts{Failed: failed, Found: f, View: v}
}

func chatSpan(input, output string) []kv {
	return []kv{
		{"gen_ai.operation.name", "chat"},
		{"gen_ai.request.model", "gpt-4o"},
		{"gen_ai.input.messages", input},
		{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"` + output + `"}]}]`},
	}
}

func userSays(texts ...string) string {
	s := "["
	for i, t := range texts {
		if i > 0 {
			s += `,{"role":"assistant","parts":[{"type":"text","content":"Let me check."}]},`
		}
		s += `{"role":"user","parts":[{"type":"text","content":"` + t + `"}]}`
	}
	return s + "]"
}

func TestConditionRuleMatchesRealSpans(t *testing.T) {
	parser, err := spanmodel.NewConditionParser(componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	tests := []struct {
		name  string
		conds []string
		attrs []kv
		want  bool
	}{
		{name: "attribute equals", conds: []string{`span.attributes["gen_ai.request.model"] == "gpt-4o"`}, attrs: chatSpan(userSays("hi"), "hello"), want: true},
		{name: "attribute differs", conds: []string{`span.attributes["gen_ai.request.model"] == "o3"`}, attrs: chatSpan(userSays("hi"), "hello")},
		{name: "any of several", conds: []string{`span.attributes["x"] == 1`, `span.name == "span"`}, attrs: chatSpan(userSays("hi"), "hello"), want: true},
		{name: "missing attribute is no match", conds: []string{`span.attributes["customer.tier"] == "gold"`}, attrs: chatSpan(userSays("hi"), "hello")},
		{name: "runtime error is no match", conds: []string{`Int(span.attributes["gen_ai.request.model"]) > 3`}, attrs: chatSpan(userSays("hi"), "hello")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := newConditionRule(tt.conds, parser)
			require.NoError(t, err)
			require.Equal(t, tt.want, r.match(context.Background(), facts(t, nil, tt.attrs...)))
		})
	}
	_, err = newConditionRule([]string{`span.attributes["x"] ==== 1`}, parser)
	require.Error(t, err)
	_, err = newConditionRule([]string{" "}, parser)
	require.EqualError(t, err, "[0]: empty condition")
}

func TestVerdictRuleMatches(t *testing.T) {
	span := chatSpan(userSays("hi"), "hello")
	tests := []struct {
		name   string
		names  []string
		failed []string
		want   bool
	}{
		{name: "named failure", names: []string{"pii", "refusal"}, failed: []string{"refusal"}, want: true},
		{name: "other failure", names: []string{"pii"}, failed: []string{"refusal"}},
		{name: "no failure", names: []string{"pii"}},
		{name: "any with a failure", names: []string{"any"}, failed: []string{"latency"}, want: true},
		{name: "any without", names: []string{"any"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, newVerdictRule(tt.names).match(context.Background(), facts(t, tt.failed, span...)))
		})
	}
}

func TestSignalRuleMatchesRealSpans(t *testing.T) {
	escalation := chatSpan(userSays("I want to speak to a human agent now"), "Let me transfer you.")
	// Five escalations in the last user turn: severity 3.
	severe := chatSpan(userSays("human agent please. talk to a human. speak to a person. a real person. customer service now"), "One moment.")
	calm := chatSpan(userSays("What is the baggage allowance?"), "One checked bag.")
	tests := []struct {
		name        string
		refs        []string
		minSeverity int
		attrs       []kv
		want        bool
	}{
		{name: "category fires", refs: []string{"disengagement"}, attrs: escalation, want: true},
		{name: "kind fires", refs: []string{"disengagement.escalation"}, attrs: escalation, want: true},
		{name: "other kind of the category", refs: []string{"disengagement.quit"}, attrs: escalation},
		{name: "other category", refs: []string{"loop", "failure"}, attrs: escalation},
		{name: "calm conversation", refs: []string{"disengagement", "misalignment"}, attrs: calm},
		{name: "below min_severity", refs: []string{"disengagement"}, minSeverity: 2, attrs: escalation},
		{name: "at min_severity", refs: []string{"disengagement"}, minSeverity: 3, attrs: severe, want: true},
		{name: "min_severity 0 means 1", refs: []string{"disengagement"}, minSeverity: 0, attrs: escalation, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(t, nil, tt.attrs...)
			require.Equal(t, tt.want, newSignalRule(tt.refs, tt.minSeverity).match(context.Background(), f),
				"disengagement count %d kinds %v", f.Found.Count(signals.Disengagement), f.Found.Kinds(signals.Disengagement))
		})
	}
	require.False(t, newSignalRule([]string{"disengagement"}, 1).match(context.Background(), &SpanFacts{}), "signals off")
}
