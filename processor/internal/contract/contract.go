// Package contract names what the llmeval processor writes onto spans: the
// attribute keys under the configured prefix and the GenAI evaluation
// event. The processor writes them, the sampler marks and redacts judge
// copies with them, and config validation reserves them; each name is
// written here once.
package contract

// Keys and namespaces directly under the prefix: <prefix>.verdict,
// <prefix>.failed, <prefix>.signal.<category>.*, <prefix>.judge.*.
// Per evaluator: <prefix>.<name>.verdict|score|reason.
const (
	Verdict = "verdict"
	Failed  = "failed"
	Signal  = "signal"
	Judge   = "judge"

	Score  = "score"
	Reason = "reason"

	// JudgeSampled, JudgeReason and JudgeScore mark a judge copy (under
	// Judge); JudgeScore is the trace's trouble score.
	JudgeSampled = "sampled"
	JudgeReason  = "reason"
	JudgeScore   = "score"
	// What the trace cost, on a judge copy (under Judge): LLM/agent spans,
	// model calls, tool calls, tokens and USD, summed at decision time.
	JudgeSteps      = "steps"
	JudgeModelCalls = "model_calls"
	JudgeToolCalls  = "tool_calls"
	JudgeTokens     = "tokens"
	JudgeCostUSD    = "cost_usd"
	// JudgeConversation holds the same measures for the trace's
	// conversation over the runaway window (under Judge).
	JudgeConversation = "conversation"
)

// Words the sampling rules give a meaning.
const (
	// AnyEvaluator in verdict_failed matches a failure of any evaluator.
	AnyEvaluator = "any"
	// BaselineRule is the judge reason and the rule attribute of traces the
	// baseline chose.
	BaselineRule = "baseline"
	// TargetRule is the judge reason and the rule attribute of traces
	// target_ratio chose.
	TargetRule = "target"
)

// ReservedEvaluatorNames are the names an evaluator may not take: its name
// is the segment after the prefix in its own keys.
var ReservedEvaluatorNames = []string{Verdict, Failed, Signal, Judge, AnyEvaluator}

// The evaluation event (GenAI semantic conventions) written per verdict
// with emit_events.
const (
	EvaluationEvent       = "gen_ai.evaluation.result"
	EvaluationName        = "gen_ai.evaluation.name"
	EvaluationScoreValue  = "gen_ai.evaluation.score.value"
	EvaluationScoreLabel  = "gen_ai.evaluation.score.label"
	EvaluationExplanation = "gen_ai.evaluation.explanation"
	ErrorType             = "error.type"
)
