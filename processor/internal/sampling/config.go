// Package sampling chooses whole traces for an LLM judge: rules over
// verdicts, signals and OTTL conditions, a consistent baseline, a budget,
// and bounded trace state. One file per rule kind, tail-sampling style.
package sampling

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/contract"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"
)

// Config is the processor's `sampling` block.
type Config struct {
	// DecisionWait is the quiet period after a trace's root span ended
	// before the trace is decided.
	DecisionWait time.Duration `mapstructure:"decision_wait"`
	// MaxTraceDuration decides a trace this long after its first span
	// arrived, root or not.
	MaxTraceDuration time.Duration `mapstructure:"max_trace_duration"`
	// MaxTraces and MaxBytes bound the buffered copies; at either limit
	// the oldest undecided trace is decided with what is known.
	MaxTraces int   `mapstructure:"max_traces"`
	MaxBytes  int64 `mapstructure:"max_bytes"`
	// DecisionCacheSize bounds the remembered decisions late spans follow.
	DecisionCacheSize int `mapstructure:"decision_cache_size"`
	// BaselineRatio samples this share of the other LLM traces by trace ID.
	BaselineRatio float64 `mapstructure:"baseline_ratio"`
	// BaselineStrata stratifies the baseline by these attributes (span,
	// else resource: service.name, gen_ai.request.model, a segment): every
	// combination seen gets an equal share of it.
	BaselineStrata []string `mapstructure:"baseline_strata"`
	// TargetRatio sends this share of LLM traces, the most troubled ones:
	// a trace is sent when its trouble score ranks within the share among
	// the last TargetWindow traces decided.
	TargetRatio float64 `mapstructure:"target_ratio"`
	// TargetWindow is how many recent decisions the rank is taken over.
	TargetWindow int `mapstructure:"target_window"`
	// Rules choose traces worth judging.
	Rules []RuleConfig `mapstructure:"rules"`
	// Budget caps what reaches the judge.
	Budget BudgetConfig `mapstructure:"budget"`
	// HandoffQueue bounds the trace chunks (one trace's spans of one batch)
	// waiting for the sampler; when it is full copies are dropped (and
	// counted), never waited for.
	HandoffQueue int `mapstructure:"handoff_queue"`
	// ScoreWeights sets the trouble score's weight of signal kinds
	// ("loop.same_call", "loop.*") and failed checks ("failed.pii",
	// "failed.*") over the shipped defaults; `llmeval tune` writes them.
	ScoreWeights map[string]float64 `mapstructure:"score_weights"`
	// LateMatches says what happens when a rule matches spans of a trace
	// already decided not sampled: LateFollow keeps the decision, LateSend
	// sends those spans and the trace's later ones. Both count the match.
	LateMatches string `mapstructure:"late_matches"`
}

// maxStrataKeys bounds the attributes read per span for the strata.
const maxStrataKeys = 8

// maxTargetWindow bounds the window's memory (8 bytes a slot) and the
// work of each decision (one comparison a slot).
const maxTargetWindow = 100_000

// Values of late_matches.
const (
	LateFollow = "follow"
	LateSend   = "send"
)

// RuleConfig is one sampling rule; exactly one of VerdictFailed, Signals,
// Condition and MinScore is set.
type RuleConfig struct {
	Name          string   `mapstructure:"name"`
	VerdictFailed []string `mapstructure:"verdict_failed"`
	Signals       []string `mapstructure:"signals"`
	MinSeverity   int      `mapstructure:"min_severity"`
	Condition     any      `mapstructure:"condition"`
	// MinScore matches traces whose trouble score is at least this.
	MinScore *float64 `mapstructure:"min_score"`
	// Ratio samples this share of the traces the rule matches, by a hash of
	// trace ID and rule name; default 1.
	Ratio *float64 `mapstructure:"ratio"`
}

// BudgetConfig is a token bucket on traces sent to the judge.
type BudgetConfig struct {
	MaxTracesPerSecond float64 `mapstructure:"max_traces_per_second"`
	Burst              int     `mapstructure:"burst"`
	// RuleShares reserves a fraction of the rate for a rule, so one noisy
	// rule cannot starve the others; the rest is shared.
	RuleShares map[string]float64 `mapstructure:"rule_shares"`
}

// Defaults.
const (
	DefaultDecisionWait      = 10 * time.Second
	DefaultMaxTraceDuration  = 5 * time.Minute
	DefaultMaxTraces         = 50_000
	DefaultMaxBytes          = 256 << 20
	DefaultDecisionCacheSize = 100_000
	DefaultHandoffQueue      = 10_000
	DefaultTargetWindow      = 1000
)

// NewDefaultConfig returns the defaults.
func NewDefaultConfig() Config {
	return Config{
		DecisionWait:      DefaultDecisionWait,
		MaxTraceDuration:  DefaultMaxTraceDuration,
		MaxTraces:         DefaultMaxTraces,
		MaxBytes:          DefaultMaxBytes,
		DecisionCacheSize: DefaultDecisionCacheSize,
		HandoffQueue:      DefaultHandoffQueue,
		TargetWindow:      DefaultTargetWindow,
		LateMatches:       LateFollow,
	}
}

// Validate checks the block; evaluator names must be among evaluatorNames.
func (c *Config) Validate(evaluatorNames []string) error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.DecisionWait <= 0 {
		add("decision_wait: must be positive")
	}
	if c.MaxTraceDuration <= 0 {
		add("max_trace_duration: must be positive")
	}
	if c.MaxTraces <= 0 {
		add("max_traces: must be positive")
	}
	if c.MaxBytes <= 0 {
		add("max_bytes: must be positive")
	}
	if c.DecisionCacheSize <= 0 {
		add("decision_cache_size: must be positive")
	}
	if c.HandoffQueue <= 0 {
		add("handoff_queue: must be positive")
	}
	if c.LateMatches != LateFollow && c.LateMatches != LateSend {
		add("late_matches: %q is not %s or %s", c.LateMatches, LateFollow, LateSend)
	}
	if c.BaselineRatio < 0 || c.BaselineRatio > 1 {
		add("baseline_ratio: %g is outside [0, 1]", c.BaselineRatio)
	}
	if len(c.BaselineStrata) > maxStrataKeys {
		add("baseline_strata: at most %d attributes", maxStrataKeys)
	}
	for i, k := range c.BaselineStrata {
		if strings.TrimSpace(k) == "" {
			add("baseline_strata[%d]: empty attribute name", i)
		}
	}
	if len(c.BaselineStrata) > 0 && c.BaselineRatio == 0 {
		add("baseline_strata: needs baseline_ratio")
	}
	if c.TargetRatio < 0 || c.TargetRatio > 1 {
		add("target_ratio: %g is outside [0, 1]", c.TargetRatio)
	}
	if c.TargetWindow < 1 || c.TargetWindow > maxTargetWindow {
		add("target_window: %d is outside 1-%d", c.TargetWindow, maxTargetWindow)
	}
	if len(c.Rules) > maxRules {
		add("rules: at most %d rules", maxRules)
	}
	known := map[string]bool{}
	for _, n := range evaluatorNames {
		known[n] = true
	}
	names := map[string]bool{}
	for i, r := range c.Rules {
		label := fmt.Sprintf("rules[%d]", i)
		if r.Name != "" {
			label = fmt.Sprintf("rules[%d] %q", i, r.Name)
		}
		for _, err := range r.validate(known) {
			add("%s: %w", label, err)
		}
		if names[r.Name] {
			add("%s: name: duplicate", label)
		}
		if r.Name == contract.BaselineRule {
			add("%s: name: %q is reserved for the baseline", label, r.Name)
		}
		if r.Name == contract.TargetRule {
			add("%s: name: %q is reserved for target_ratio", label, r.Name)
		}
		names[r.Name] = true
	}
	for _, k := range slices.Sorted(maps.Keys(c.ScoreWeights)) {
		if err := validateWeightName(k, known); err != nil {
			add("score_weights[%s]: %w", k, err)
		}
		if v := c.ScoreWeights[k]; math.IsNaN(v) || math.IsInf(v, 0) {
			add("score_weights[%s]: must be a finite number", k)
		}
	}
	if c.Budget.MaxTracesPerSecond < 0 {
		add("budget: max_traces_per_second: must not be negative")
	}
	if c.Budget.Burst < 0 {
		add("budget: burst: must not be negative")
	}
	total := 0.0
	for rule, share := range c.Budget.RuleShares {
		if !names[rule] {
			add("budget: rule_shares: %q is not a rule", rule)
		}
		if share <= 0 || share > 1 {
			add("budget: rule_shares[%s]: %g is outside (0, 1]", rule, share)
		}
		total += share
	}
	if total > 1 {
		add("budget: rule_shares: shares add up to %g, more than 1", total)
	}
	if len(c.Budget.RuleShares) > 0 && c.Budget.MaxTracesPerSecond == 0 {
		add("budget: rule_shares: needs max_traces_per_second")
	}
	return errors.Join(errs...)
}

func (r RuleConfig) validate(knownEvaluators map[string]bool) []error {
	var errs []error
	if r.Name == "" {
		errs = append(errs, errors.New("name: required"))
	}
	set := 0
	if r.VerdictFailed != nil {
		set++
		if len(r.VerdictFailed) == 0 {
			errs = append(errs, errors.New("verdict_failed: list evaluator names or any"))
		}
		for j, n := range r.VerdictFailed {
			if n != contract.AnyEvaluator && !knownEvaluators[n] {
				errs = append(errs, fmt.Errorf("verdict_failed[%d]: %q is not a configured evaluator", j, n))
			}
		}
	}
	if r.Signals != nil {
		set++
		if len(r.Signals) == 0 {
			errs = append(errs, errors.New("signals: list categories or category.kind"))
		}
		for j, s := range r.Signals {
			if _, _, err := parseSignalRef(s); err != nil {
				errs = append(errs, fmt.Errorf("signals[%d]: %w", j, err))
			}
		}
	}
	if r.MinSeverity < 0 || r.MinSeverity > 3 {
		errs = append(errs, fmt.Errorf("min_severity: %d is outside 0-3", r.MinSeverity))
	}
	if r.MinSeverity > 0 && r.Signals == nil {
		errs = append(errs, errors.New("min_severity: only with signals"))
	}
	if r.Condition != nil {
		set++
		conds, err := config.StringList(r.Condition)
		if err != nil || len(conds) == 0 {
			errs = append(errs, errors.New("condition: one OTTL span condition or a list"))
		}
		for _, c := range conds {
			if strings.TrimSpace(c) == "" {
				errs = append(errs, errors.New("condition: empty condition"))
			}
		}
	}
	if r.MinScore != nil {
		set++
		if math.IsNaN(*r.MinScore) || math.IsInf(*r.MinScore, 0) {
			errs = append(errs, errors.New("min_score: must be a finite number"))
		}
	}
	if set != 1 {
		errs = append(errs, errors.New("exactly one of verdict_failed, signals, condition, min_score"))
	}
	if r.Ratio != nil && (*r.Ratio < 0 || *r.Ratio > 1) {
		errs = append(errs, fmt.Errorf("ratio: %g is outside [0, 1]", *r.Ratio))
	}
	return errs
}

// Weights are the trouble score's weights: the shipped defaults with
// score_weights over them.
func (c *Config) Weights() trouble.Weights {
	w := trouble.Defaults()
	for k, v := range c.ScoreWeights {
		w[k] = v
	}
	return w
}

// validateWeightName accepts <category>.<kind>, <category>.*,
// failed.<evaluator> (a configured one) and failed.*.
func validateWeightName(name string, knownEvaluators map[string]bool) error {
	fam, rest, ok := strings.Cut(name, ".")
	if !ok || rest == "" {
		return errors.New("want category.kind, category.*, failed.<evaluator> or failed.*")
	}
	if fam+"." == trouble.FailedPrefix {
		if rest != "*" && !knownEvaluators[rest] {
			return fmt.Errorf("%q is not a configured evaluator", rest)
		}
		return nil
	}
	if _, known := signals.CategoryByName(fam); !known {
		return fmt.Errorf("%q is not a signal category (want one of %s) or failed", fam, strings.Join(signals.CategoryNames(), ", "))
	}
	return nil
}

// Sends reports whether the block sends anything: rules, a baseline or a
// target share.
func (c *Config) Sends() bool {
	return len(c.Rules) > 0 || c.BaselineRatio > 0 || c.TargetRatio > 0
}

// Default sampling, for a judge configured without a sampling block.
const (
	DefaultTargetRatio   = 0.1
	DefaultBaselineRatio = 0.01
	// SafetyRule is the must-send rule of the default sampling.
	SafetyRule = "failed_safety"
)

// SafetyEvaluators are the checks whose failure the default sampling
// always sends (ratio 1), when configured.
var SafetyEvaluators = []string{"pii", "destructive_action", "sql_safety"}

// WithDefaultSending returns c, or, when c sends nothing, c with the
// documented default: failed safety checks (those configured) always, the
// 10% most troubled LLM traces, and a 1% consistent baseline.
func (c Config) WithDefaultSending(evaluatorNames []string) Config {
	if c.Sends() {
		return c
	}
	var safety []string
	for _, n := range evaluatorNames {
		for _, s := range SafetyEvaluators {
			if n == s {
				safety = append(safety, n)
			}
		}
	}
	if len(safety) > 0 {
		c.Rules = []RuleConfig{{Name: SafetyRule, VerdictFailed: safety}}
	}
	c.TargetRatio = DefaultTargetRatio
	c.BaselineRatio = DefaultBaselineRatio
	return c
}
