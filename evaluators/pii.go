package evaluators

import (
	"context"
	"fmt"
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// piiEvaluator fails a text holding personal data or secrets. Its reason
// names the kinds and counts found, never a value.
type piiEvaluator struct {
	target spanmodel.Target
	kinds  PIIKinds
	allow  map[string]bool
}

type piiSettings struct {
	Kinds []string `mapstructure:"kinds"`
	Allow []string `mapstructure:"allow"`
}

func newPII(e config.Evaluator, target spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s piiSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	ev := &piiEvaluator{target: target, kinds: AllPIIKinds}
	if s.Kinds != nil {
		if len(s.Kinds) == 0 {
			return nil, fmt.Errorf("kinds: must list at least one kind")
		}
		k, err := ParsePIIKinds(s.Kinds)
		if err != nil {
			return nil, fmt.Errorf("kinds%w", err)
		}
		ev.kinds = k
	}
	if len(s.Allow) > 0 {
		ev.allow = make(map[string]bool, len(s.Allow))
		for _, a := range s.Allow {
			ev.allow[a] = true
		}
	}
	return ev, nil
}

func (e *piiEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	text, r, ok := textOf(v, e.target)
	if !ok {
		return r
	}
	var counts [numPIIKinds]int
	found := false
	ScanPII(text, e.kinds, func(kind PIIKind, start, end int) {
		if e.allow[text[start:end]] {
			return
		}
		counts[kind]++
		found = true
	})
	if !found {
		return Passed()
	}
	var b strings.Builder
	b.WriteString("pii found: ")
	first := true
	for k, n := range counts {
		if n == 0 {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		fmt.Fprintf(&b, "%s (%d)", PIIKind(k), n)
	}
	return Result{Verdict: Fail, Reason: b.String()}
}
