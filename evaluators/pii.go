package evaluators

import (
	"context"
	"fmt"
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// piiMoreDefaults are what pii reads besides the output when its entry
// names no target: personal data the model reasoned over, and personal
// data tools returned into its context (the results it reacts to in this
// call, so each is reported once per conversation). On a tool span the
// result is left to an explicit `target: tool_result`: by default it is
// checked where the model reads it, one event, one verdict.
var piiMoreDefaults = []spanmodel.TargetKind{spanmodel.TargetReasoning, spanmodel.TargetToolResult}

// piiEvaluator fails a text holding personal data or secrets. Its reason
// names the kinds and counts found, and the targets they were found in
// when it reads several, never a value.
type piiEvaluator struct {
	// targets holds the configured target, or the default ones.
	targets []spanmodel.Target
	multi   bool // the default targets: tool_result skipped on tool spans
	kinds   PIIKinds
	allow   map[string]bool
	// ignore holds the classes of values that identify no one (see
	// PIIClass) the evaluator does not report.
	ignore PIIClasses
	// lits are the secret needles in each target's literal automaton, by
	// the index of targets.
	lits []literals
}

type piiSettings struct {
	Kinds  []string `mapstructure:"kinds"`
	Allow  []string `mapstructure:"allow"`
	Ignore []string `mapstructure:"ignore"`
}

func newPII(e config.Evaluator, target spanmodel.Target, set *Settings) (Evaluator, error) {
	var s piiSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	ev := &piiEvaluator{targets: []spanmodel.Target{target}, kinds: AllPIIKinds, ignore: AllPIIClasses}
	if e.Target == "" {
		ev.multi = true
		for _, k := range piiMoreDefaults {
			ev.targets = append(ev.targets, spanmodel.Target{Kind: k})
		}
	}
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
	ev.lits = make([]literals, len(ev.targets))
	if ev.kinds.Has(PIISecret) {
		for i, t := range ev.targets {
			ev.lits[i] = set.literals.add(t, secretNeedles...)
		}
	}
	return ev, nil
}

func (e *piiEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	var counts [numPIIKinds]int
	var where []string
	read := false
	for ti, t := range e.targets {
		if e.multi && t.Kind == spanmodel.TargetToolResult && v.IsToolSpan() {
			continue
		}
		text, r, ok := textOf(v, t)
		if !ok {
			if r.Verdict == Error {
				return r
			}
			continue
		}
		read = true
		found := false
		gate := secretGate{lits: &e.lits[ti], hits: e.lits[ti].hits(v, text)}
		scanPII(text, e.kinds, func(kind PIIKind, start, end int) {
			if e.allow[text[start:end]] {
				return
			}
			if class, ok := piiClassOf(text, kind, start, end); ok && e.ignore.Has(class) {
				return
			}
			counts[kind]++
			found = true
		}, gate)
		if found {
			where = append(where, t.String())
		}
	}
	if !read {
		return Skipped()
	}
	if len(where) == 0 {
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
	if e.multi && (len(where) > 1 || where[0] != "output") {
		b.WriteString(" in ")
		b.WriteString(strings.Join(where, ", "))
	}
	return Result{Verdict: Fail, Reason: b.String()}
}
