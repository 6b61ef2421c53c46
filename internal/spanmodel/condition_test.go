package spanmodel

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestConditionsLogNoContent: OTTL logs each condition evaluation at debug
// level with the whole span; conditions parsed here (`when`, sampling
// `condition`, rubrics) must keep that out of the logs, even at debug.
func TestConditionsLogNoContent(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	tel := componenttest.NewNopTelemetrySettings()
	tel.Logger = zap.New(core)
	p, err := NewConditionParser(tel)
	require.NoError(t, err)
	cond, err := p.Parse([]string{`IsMatch(span.attributes["gen_ai.output.messages"], "jane")`})
	require.NoError(t, err)

	secret := "jane.doe@example.com"
	v := viewOf(t, kv{"gen_ai.operation.name", "chat"},
		kv{"gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Mail ` + secret + `"}]}]`})
	defer v.Release()
	match, err := cond.Match(context.Background(), v)
	require.NoError(t, err)
	assert.True(t, match)
	for _, e := range logs.All() {
		assert.NotContains(t, e.Message+fmt.Sprint(e.ContextMap()), secret)
	}
}
