package evaluators

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
)

// TestConditionsLogNoContent: OTTL logs each condition evaluation at debug
// level with the whole span; `when` and the other conditions we parse must
// keep that out of the logs even with the logger at debug.
func TestConditionsLogNoContent(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	tel := componenttest.NewNopTelemetrySettings()
	tel.Logger = zap.New(core)
	secret := "jane.doe@example.com"
	checks, err := Build([]config.Evaluator{withWhen(entry("j", "json", nil), `span.attributes["gen_ai.operation.name"] == "chat"`)}, tel)
	require.NoError(t, err)
	cond, err := ParseConditions([]string{`IsMatch(span.attributes["gen_ai.output.messages"], "jane")`}, tel)
	require.NoError(t, err)

	v := viewOf(t, chat, outMsgs("Mail "+secret))
	defer v.Release()
	selected, err := checks[0].Selects(context.Background(), v)
	require.NoError(t, err)
	assert.True(t, selected)
	match, err := cond.Eval(context.Background(), v.TransformContext())
	require.NoError(t, err)
	assert.True(t, match)
	for _, e := range logs.All() {
		assert.NotContains(t, e.Message+fmt.Sprint(e.ContextMap()), secret)
	}
}
