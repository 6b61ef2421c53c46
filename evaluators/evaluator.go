// Package evaluators holds the code-based checks the llmeval processor runs on
// every LLM/agent span, one file per type, and the span view they all read.
package evaluators

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// Verdict is the outcome of one evaluator on one span.
type Verdict uint8

const (
	// Skip means no verdict: the span lacks what the evaluator reads. A Skip
	// with a Reason means the evaluator was selected but lacked other data it
	// needs (a price for the model, say); the processor counts those.
	Skip Verdict = iota
	Pass
	Fail
	Error
)

func (v Verdict) String() string {
	switch v {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case Error:
		return "error"
	}
	return "skip"
}

// Result is what an evaluator says about a span.
type Result struct {
	Verdict  Verdict
	Score    float64
	HasScore bool
	Reason   string
}

// Evaluator is one configured check. Evaluate must be safe for concurrent use
// and must not keep v.
type Evaluator interface {
	Evaluate(ctx context.Context, v *spanmodel.View) Result
}

// MaxReasonBytes bounds every reason written to a span.
const MaxReasonBytes = 256

// Passed, Failed, Errored and Skipped build results.
func Passed() Result { return Result{Verdict: Pass} }
func Failed(format string, args ...any) Result {
	return Result{Verdict: Fail, Reason: fmt.Sprintf(format, args...)}
}
func Errored(err error) Result { return Result{Verdict: Error, Reason: err.Error()} }
func Skipped() Result          { return Result{} }

// WithScore returns r carrying score.
func (r Result) WithScore(score float64) Result {
	r.Score, r.HasScore = score, true
	return r
}

// BoundReason makes a reason safe to write: valid UTF-8, at most
// MaxReasonBytes, cut on a rune boundary.
func BoundReason(s string) string { return evalrecord.Bound(s, MaxReasonBytes) }

// Settings is what building an evaluator needs besides its config.
type Settings struct {
	Telemetry  component.TelemetrySettings
	conditions *spanmodel.ConditionParser
	// literals collects the checks' needles (literals.go); nil builds
	// checks that search their texts themselves.
	literals *literalIndex
}

// buildFunc builds one evaluator type from its entry. The target is already
// parsed (its zero value when the type takes no target).
type buildFunc func(entry config.Evaluator, target spanmodel.Target, set *Settings) (Evaluator, error)

type evaluatorType struct {
	build buildFunc
	// defaultTarget is the target when the entry names none; zero means the
	// type reads no target and rejects one.
	defaultTarget spanmodel.TargetKind
	// moreDefaults are read besides defaultTarget when the entry names no
	// target (pii: the reasoning and the tool results the model read too).
	moreDefaults []spanmodel.TargetKind
	// agentSpans: without `when`, the type also runs on agent and workflow
	// spans. Checks of a whole turn (its duration, tokens, cost, a user's
	// condition) do; content checks do not (see IsAgentOperation).
	agentSpans bool
}

var types = map[string]evaluatorType{
	"json":     {build: newJSON, defaultTarget: spanmodel.TargetOutput},
	"regex":    {build: newRegex, defaultTarget: spanmodel.TargetOutput},
	"contains": {build: newContains, defaultTarget: spanmodel.TargetOutput},
	"latency":  {build: newLatency, agentSpans: true},
	"ottl":     {build: newOTTL, agentSpans: true},

	"finish_reason": {build: newFinishReason},
	"refusal":       {build: newRefusal, defaultTarget: spanmodel.TargetOutput},
	"length":        {build: newLength, defaultTarget: spanmodel.TargetOutput},
	"tokens":        {build: newTokens, agentSpans: true},
	"cost":          {build: newCost, agentSpans: true},
	"pii":           {build: newPII, defaultTarget: spanmodel.TargetOutput, moreDefaults: piiMoreDefaults},
	"sql_safety":    {build: newSQLSafety, defaultTarget: spanmodel.TargetToolArguments},

	"destructive_action": {build: newDestructiveAction},
	"json_schema":        {build: newJSONSchema, defaultTarget: spanmodel.TargetOutput},
	"tool_call":          {build: newToolCall},
	"grounding":          {build: newGrounding},
}

// TypeNames lists the known evaluator types, sorted.
func TypeNames() []string {
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Check is a built evaluator with its name and selection.
type Check struct {
	Name string
	Type string
	// when is nil when the evaluator runs on its type's default spans.
	when       *spanmodel.Condition
	agentSpans bool
	Evaluator
}

// One event, one verdict. An agent or workflow span (invoke_agent, an
// OpenInference CHAIN, the Vercel AI SDK's outer ai.generateText) reports
// what its child spans produced: the final answer of the last model call,
// the tool calls the model requested. A content check run there too would
// fail the same leak or refusal twice, once on the model call and once on
// the agent span, and span-metrics fail rates would count it twice. So
// without `when`, content checks run on the spans that produced the
// content (model calls; tool spans for what a tool was given and
// returned), and agent and workflow spans get the checks of a whole turn
// only: latency, tokens, cost, ottl. `when` selects spans explicitly, agent
// spans included.

// IsAgentOperation reports whether a span's normalised operation is an
// agent or workflow span, which only reports content its children made.
func IsAgentOperation(op string) bool {
	switch op {
	case "invoke_agent", "create_agent", "chain":
		return true
	}
	return false
}

// RunsOnAgentSpans reports whether a type, without `when`, runs on agent
// and workflow spans.
func RunsOnAgentSpans(typ string) bool { return types[typ].agentSpans }

// Selects reports whether the check runs on the span.
func (c *Check) Selects(ctx context.Context, v *spanmodel.View) (bool, error) {
	if c.when == nil {
		return c.agentSpans || !IsAgentOperation(v.Operation()), nil
	}
	return c.when.Match(ctx, v)
}

// Build validates and builds every entry. Errors name the entry as the
// user wrote it (block, index, name) and the field; all of them are
// reported at once, a bad name not hiding the entry's other mistakes.
func Build(entries config.Entries, tel component.TelemetrySettings) ([]*Check, error) {
	return buildChecks(entries, tel, &literalIndex{})
}

// buildChecks is Build with the literal index the checks share, or none.
func buildChecks(entries config.Entries, tel component.TelemetrySettings, lits *literalIndex) ([]*Check, error) {
	errs := entries.ValidateNames()
	parser, err := spanmodel.NewConditionParser(tel)
	if err != nil {
		return nil, err
	}
	set := &Settings{Telemetry: tel, conditions: parser, literals: lits}
	all := entries.All()
	checks := make([]*Check, 0, len(all))
	for i, e := range all {
		if e.Type == "" {
			continue // reported by ValidateNames
		}
		c, err := buildCheck(e, set)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", entries.Label(i), err))
			continue
		}
		checks = append(checks, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if lits != nil {
		if err := lits.compile(); err != nil {
			return nil, err
		}
	}
	return checks, nil
}

func buildCheck(e config.Evaluator, set *Settings) (*Check, error) {
	t, ok := types[e.Type]
	if !ok {
		return nil, fmt.Errorf("type: unknown type %q (want one of %s)", e.Type, strings.Join(TypeNames(), ", "))
	}
	var target spanmodel.Target
	if t.defaultTarget == 0 {
		if e.Target != "" {
			return nil, fmt.Errorf("target: type %s reads no target", e.Type)
		}
	} else {
		var err error
		if target, err = spanmodel.ParseTarget(e.Target, t.defaultTarget); err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
	}
	c := &Check{Name: e.Name, Type: e.Type, agentSpans: t.agentSpans}
	if len(e.When) > 0 {
		seq, err := set.conditions.Parse(e.When)
		if err != nil {
			return nil, fmt.Errorf("when: %w", err)
		}
		c.when = seq
	}
	ev, err := t.build(e, target, set)
	if err != nil {
		return nil, err
	}
	c.Evaluator = ev
	return c, nil
}

// textOf resolves a text target. When proceed is false the span has no
// such text (Skip) or it cannot be decoded (Error), and r says which.
func textOf(v *spanmodel.View, t spanmodel.Target) (text string, r Result, proceed bool) {
	text, ok, err := v.Text(t)
	switch {
	case err != nil:
		return "", Errored(err), false
	case !ok:
		return "", Skipped(), false
	}
	return text, Result{}, true
}

// DefaultTarget names the targets a type reads when its entry names none,
// comma-separated, and "" for types that read no target (or unknown types).
func DefaultTarget(typ string) string {
	t, ok := types[typ]
	if !ok || t.defaultTarget == 0 {
		return ""
	}
	s := spanmodel.Target{Kind: t.defaultTarget}.String()
	for _, k := range t.moreDefaults {
		s += ", " + spanmodel.Target{Kind: k}.String()
	}
	return s
}
