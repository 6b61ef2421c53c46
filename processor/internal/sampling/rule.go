package sampling

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"
)

// maxRules keeps a trace's matched rules in one uint64.
const maxRules = 64

// SpanFacts is what the rules read about one LLM span, on the main path
// right after the span was evaluated.
type SpanFacts struct {
	Failed []string        // evaluators that failed the span
	Found  *signals.Found  // signals on the span; nil when signals are off
	View   *spanmodel.View // for OTTL conditions
}

// matcher is one kind of rule.
type matcher interface {
	match(ctx context.Context, f *SpanFacts) bool
}

// Rule is a built sampling rule.
type Rule struct {
	Name  string
	ratio float64
	m     matcher // nil for a score rule
	// minScore: a score rule matches traces whose trouble score is at
	// least this, at decision time (a score is a whole trace's).
	minScore *float64
}

// Rules are the built rules, matched in order on every LLM span.
type Rules []Rule

// BuildRules builds the rules of a validated config.
func BuildRules(cfgs []RuleConfig, tel component.TelemetrySettings) (Rules, error) {
	rules := make(Rules, 0, len(cfgs))
	var parser *spanmodel.ConditionParser
	for i, rc := range cfgs {
		r := Rule{Name: rc.Name, ratio: 1}
		if rc.Ratio != nil {
			r.ratio = *rc.Ratio
		}
		switch {
		case rc.MinScore != nil:
			r.minScore = rc.MinScore
		case rc.VerdictFailed != nil:
			r.m = newVerdictRule(rc.VerdictFailed)
		case rc.Signals != nil:
			r.m = newSignalRule(rc.Signals, rc.MinSeverity)
		default:
			conds, err := config.StringList(rc.Condition)
			if err != nil {
				return nil, fmt.Errorf("rules[%d] %q: condition: %w", i, rc.Name, err)
			}
			if parser == nil {
				if parser, err = spanmodel.NewConditionParser(tel); err != nil {
					return nil, err
				}
			}
			m, err := newConditionRule(conds, parser)
			if err != nil {
				return nil, fmt.Errorf("rules[%d] %q: condition: %w", i, rc.Name, err)
			}
			r.m = m
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// Match returns the bit mask of the rules the span matches.
func (rs Rules) Match(ctx context.Context, f *SpanFacts) uint64 {
	var mask uint64
	for i := range rs {
		if rs[i].m != nil && rs[i].m.match(ctx, f) {
			mask |= 1 << i
		}
	}
	return mask
}

// MatchScore returns the bit mask of the score rules a trace's score
// matches.
func (rs Rules) MatchScore(score float64) uint64 {
	var mask uint64
	for i := range rs {
		if rs[i].minScore != nil && score >= *rs[i].minScore {
			mask |= 1 << i
		}
	}
	return mask
}

// Names lists the rules in mask, joined by commas: the sampling reason.
func (rs Rules) Names(mask uint64) string {
	var b strings.Builder
	for i := range rs {
		if mask&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(rs[i].Name)
		}
	}
	return b.String()
}

// Consistent decisions: every replica hashes the same bytes the same way.
// The hash is 64-bit FNV-1a over the 16 trace-ID bytes, followed for a
// rule's ratio by the rule's name; a trace is in when hash < ratio * 2^64.

// traceHash is the baseline hash of a trace ID.
func traceHash(id pcommon.TraceID) uint64 {
	h := fnv.New64a()
	h.Write(id[:])
	return h.Sum64()
}

func ruleHash(id pcommon.TraceID, rule string) uint64 {
	h := fnv.New64a()
	h.Write(id[:])
	h.Write([]byte(rule))
	return h.Sum64()
}

// below reports whether hash falls under ratio of the 64-bit range.
func below(hash uint64, ratio float64) bool {
	switch {
	case ratio >= 1:
		return true
	case ratio <= 0:
		return false
	}
	return hash < uint64(ratio*math.MaxUint64)
}

// InRatio reports whether rule i keeps a trace it matched.
func (rs Rules) InRatio(i int, id pcommon.TraceID) bool {
	return below(ruleHash(id, rs[i].Name), rs[i].ratio)
}

// inBaseline reports whether the baseline keeps the trace.
func inBaseline(id pcommon.TraceID, ratio float64) bool { return below(traceHash(id), ratio) }
