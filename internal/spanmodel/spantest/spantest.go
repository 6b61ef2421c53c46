// Package spantest builds spans for tests of code that reads spans through
// the span model.
package spantest

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// KV is one attribute. Spans are built in the order given, so tests control
// the attribute order a reader sees. An alias of an unnamed struct, so tests
// may write kv{"key", value}.
type KV = struct {
	K string
	V any
}

// NewSpan returns a span named "span" with attrs, in its own resource and
// scope.
func NewSpan(t testing.TB, attrs ...KV) (ptrace.ResourceSpans, ptrace.ScopeSpans, ptrace.Span) {
	t.Helper()
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	ss := rs.ScopeSpans().AppendEmpty()
	span := ss.Spans().AppendEmpty()
	span.SetName("span")
	m := span.Attributes()
	for _, a := range attrs {
		require.NoError(t, m.PutEmpty(a.K).FromRaw(a.V), a.K)
	}
	return rs, ss, span
}
