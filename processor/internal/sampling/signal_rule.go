package sampling

import (
	"context"
	"fmt"
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"
)

// signalRule matches spans with a signal category (at least minSeverity)
// or a leaf kind of one.
type signalRule struct {
	refs        []signalRef
	minSeverity int
}

type signalRef struct {
	category signals.Category
	kind     string // "" for the whole category
}

func parseSignalRef(s string) (signals.Category, string, error) {
	cat, kind, _ := strings.Cut(s, ".")
	c, ok := signals.CategoryByName(cat)
	if !ok {
		return 0, "", fmt.Errorf("%q: unknown signal category (want one of %s, optionally .kind)", s, strings.Join(signals.CategoryNames(), ", "))
	}
	return c, kind, nil
}

func newSignalRule(refs []string, minSeverity int) *signalRule {
	r := &signalRule{minSeverity: max(minSeverity, 1)}
	for _, s := range refs {
		c, kind, _ := parseSignalRef(s)
		r.refs = append(r.refs, signalRef{c, kind})
	}
	return r
}

func (r *signalRule) match(_ context.Context, f *SpanFacts) bool {
	if f.Found == nil {
		return false
	}
	for _, ref := range r.refs {
		if signals.Severity(f.Found.Count(ref.category)) < r.minSeverity {
			continue
		}
		if ref.kind == "" || f.Found.HasKind(ref.category, ref.kind) {
			return true
		}
	}
	return false
}
