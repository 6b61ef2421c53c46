package llmevalprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

func TestStratumOf(t *testing.T) {
	keys := []string{"service.name", "gen_ai.request.model", "app.segment"}
	stratum := func(service, model, segment string, nested bool) uint64 {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		if service != "" {
			rs.Resource().Attributes().PutStr("service.name", service)
		}
		ss := rs.ScopeSpans().AppendEmpty()
		sp := ss.Spans().AppendEmpty()
		sp.Attributes().PutStr("gen_ai.operation.name", "chat")
		if model != "" {
			sp.Attributes().PutStr("gen_ai.request.model", model)
		}
		if segment != "" {
			sp.Attributes().PutStr("app.segment", segment)
		}
		if nested {
			sp.Attributes().PutEmptyMap("app.segment").PutEmptyMap("deep").PutStr("x", "y")
		}
		var v spanmodel.View
		v.Reset(rs, ss, sp)
		return stratumOf(&v, keys)
	}
	base := stratum("checkout", "gpt-4o", "enterprise", false)
	cases := []struct {
		name string
		got  uint64
		same bool
	}{
		{"same values, same stratum", stratum("checkout", "gpt-4o", "enterprise", false), true},
		{"another service", stratum("search", "gpt-4o", "enterprise", false), false},
		{"another model", stratum("checkout", "gpt-4o-mini", "enterprise", false), false},
		{"another segment", stratum("checkout", "gpt-4o", "free", false), false},
		{"segment absent", stratum("checkout", "gpt-4o", "", false), false},
		{"values do not run together", stratum("checkoutgpt-4o", "", "enterprise", false), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.NotZero(t, tc.got)
			assert.Equal(t, tc.same, tc.got == base)
		})
	}
	assert.Equal(t, stratum("checkout", "gpt-4o", "", false), stratum("checkout", "gpt-4o", "", true), "a map value is not rendered: absent")
}
