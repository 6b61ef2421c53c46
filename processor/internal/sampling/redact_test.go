package sampling

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// Every content key the span model registers is redacted by default, so a
// key added to the registry is covered on judge copies without a second list.
func TestRedactDefaultsFollowTheKeyRegistry(t *testing.T) {
	keys := spanmodel.ContentKeys()
	require.NotEmpty(t, keys)
	for _, mode := range []string{"drop", "mask"} {
		r := newRedactor(RedactConfig{Mode: mode}, "llmeval")
		for _, k := range keys {
			key := k
			if p, ok := strings.CutSuffix(k, "*"); ok {
				key = p + "0.content"
			}
			m := pcommon.NewMap()
			m.PutStr(key, "secret")
			m.PutStr("gen_ai.request.model", "gpt-4o")
			r.attrs(m)
			v, ok := m.Get(key)
			if mode == "drop" {
				assert.False(t, ok, "%s: %s kept", mode, key)
			} else {
				assert.Equal(t, redactedMask, v.Str(), "%s: %s", mode, key)
			}
			model, _ := m.Get("gen_ai.request.model")
			assert.Equal(t, "gpt-4o", model.Str(), "non-content keys stay")
		}
	}
}

// The content attributes of every GenAI event the span model reads are
// redacted by default on span events of that name, and only there: an
// attribute called "content" on another event stays.
func TestRedactDefaultsCoverGenAIEvents(t *testing.T) {
	events := spanmodel.EventContentKeys()
	require.NotEmpty(t, events)
	for _, mode := range []string{"drop", "mask"} {
		for name, keys := range events {
			require.NotEmpty(t, keys, name)
			td := ptrace.NewTraces()
			sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			ev := sp.Events().AppendEmpty()
			ev.SetName(name)
			for _, k := range keys {
				ev.Attributes().PutStr(k, `[{"text":"call me at 415-555-0199"}]`)
			}
			ev.Attributes().PutStr("finish_reason", "endTurn")
			other := sp.Events().AppendEmpty()
			other.SetName("app.note")
			other.Attributes().PutStr("content", "not a GenAI event")

			newRedactor(RedactConfig{Mode: mode}, "llmeval").apply(td)

			for _, k := range keys {
				v, ok := ev.Attributes().Get(k)
				if mode == "drop" {
					assert.False(t, ok, "%s: %s.%s kept", mode, name, k)
				} else {
					assert.Equal(t, redactedMask, v.Str(), "%s: %s.%s", mode, name, k)
				}
			}
			fr, _ := ev.Attributes().Get("finish_reason")
			assert.Equal(t, "endTurn", fr.Str(), "non-content attributes stay")
			assert.Equal(t, map[string]any{"content": "not a GenAI event"}, other.Attributes().AsRaw())
		}
	}
	// An explicit list redacts only what it names.
	td := ptrace.NewTraces()
	ev := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().Events().AppendEmpty()
	ev.SetName("gen_ai.user.message")
	ev.Attributes().PutStr("content", "kept")
	newRedactor(RedactConfig{Mode: "drop", Attributes: []string{"app.secret"}}, "llmeval").apply(td)
	assert.Equal(t, map[string]any{"content": "kept"}, ev.Attributes().AsRaw())
}

func TestRedactConfigValidate(t *testing.T) {
	tests := []struct {
		cfg     RedactConfig
		wantErr string
	}{
		{cfg: RedactConfig{}},
		{cfg: RedactConfig{Mode: "drop"}},
		{cfg: RedactConfig{Mode: "mask", Attributes: []string{"a", "b.*"}}},
		{cfg: RedactConfig{Mode: "hide"}, wantErr: `mode: "hide" is not one of drop, mask`},
		{cfg: RedactConfig{Mode: "drop", Attributes: []string{"a", "*"}}, wantErr: "attributes[1]: empty key"},
		{cfg: RedactConfig{Attributes: []string{"a"}}, wantErr: "mode: required with attributes"},
	}
	for _, tt := range tests {
		err := ValidateRedact(tt.cfg)
		if tt.wantErr == "" {
			assert.NoError(t, err, "%+v", tt.cfg)
		} else {
			assert.EqualError(t, err, tt.wantErr)
		}
	}
}

// TestRedactionCoversOwnReasonsAndEvents: with redaction on, the reasons
// the processor wrote and the explanations of its evaluation events are
// redacted on judge copies too, whatever attributes are listed; verdicts,
// names and the sampling reason stay.
func TestRedactionCoversOwnReasonsAndEvents(t *testing.T) {
	for _, cfg := range []RedactConfig{{Mode: "drop"}, {Mode: "mask"}, {Mode: "drop", Attributes: []string{"app.secret"}}} {
		td := ptrace.NewTraces()
		sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		a := sp.Attributes()
		a.PutStr("acme.eval.pii.reason", "pii found: email (1)")
		a.PutStr("acme.eval.pii.verdict", "fail")
		a.PutStr("acme.eval.judge.reason", "leaks")
		a.PutStr("other.reason", "not ours")
		ev := sp.Events().AppendEmpty()
		ev.SetName("gen_ai.evaluation.result")
		ev.Attributes().PutStr("gen_ai.evaluation.name", "pii")
		ev.Attributes().PutStr("gen_ai.evaluation.explanation", "pii found: email (1)")
		other := sp.Events().AppendEmpty()
		other.SetName("note")
		other.Attributes().PutStr("gen_ai.evaluation.explanation", "not an evaluation event")

		newRedactor(cfg, "acme.eval").apply(td)

		want := map[string]any{"acme.eval.pii.verdict": "fail", "acme.eval.judge.reason": "leaks", "other.reason": "not ours"}
		wantEv := map[string]any{"gen_ai.evaluation.name": "pii"}
		if cfg.Mode == "mask" {
			want["acme.eval.pii.reason"] = redactedMask
			wantEv["gen_ai.evaluation.explanation"] = redactedMask
		}
		assert.Equal(t, want, a.AsRaw(), "%+v", cfg)
		assert.Equal(t, wantEv, ev.Attributes().AsRaw(), "%+v", cfg)
		assert.Equal(t, map[string]any{"gen_ai.evaluation.explanation": "not an evaluation event"}, other.Attributes().AsRaw())
	}
}
