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
	// ignore holds the classes of values that identify no one (see
	// PIIClass) the evaluator does not report.
	ignore PIIClasses
}

type piiSettings struct {
	Kinds  []string `mapstructure:"kinds"`
	Allow  []string `mapstructure:"allow"`
	Ignore []string `mapstructure:"ignore"`
}

func newPII(e config.Evaluator, target spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s piiSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	ev := &piiEvaluator{target: target, kinds: AllPIIKinds, ignore: AllPIIClasses}
	if s.Ignore != nil {
		c, err := ParsePIIClasses(s.Ignore)
		if err != nil {
			return nil, fmt.Errorf("ignore%w", err)
		}
		ev.ignore = c
	}
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
		if class, ok := piiClassOf(text, kind, start, end); ok && e.ignore.Has(class) {
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
