// Package spans walks the spans of a ptrace.Traces, the one loop every
// reader of batches needs.
package spans

import "go.opentelemetry.io/collector/pdata/ptrace"

// Each calls fn for every span of td with its resource and scope, in order.
func Each(td ptrace.Traces, fn func(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, span ptrace.Span)) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			list := ss.Spans()
			for k := 0; k < list.Len(); k++ {
				fn(rs, ss, list.At(k))
			}
		}
	}
}
