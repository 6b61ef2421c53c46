package evaluators

import "github.com/otelcol-llmeval/otelcol-llmeval/config"

// DefaultSet is the evaluator set used when the config lists none: checks
// that are useful on any LLM traffic without knowing the application.
// README.md documents it entry by entry; keep the two in step.
func DefaultSet() []config.Evaluator {
	return []config.Evaluator{
		{Name: "refusal", Type: "refusal", Target: "output"},
		{Name: "finish_reason", Type: "finish_reason"},
		{Name: "pii", Type: "pii"}, // output, reasoning, tool results
		{Name: "tool_call", Type: "tool_call"},
		{Name: "sql_safety", Type: "sql_safety", Target: "tool_arguments"},
		{Name: "destructive_action", Type: "destructive_action"},
		{Name: "latency", Type: "latency", Settings: map[string]any{"max": "2m"}},
	}
}
