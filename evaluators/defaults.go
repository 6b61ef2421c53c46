package evaluators

import "github.com/otelcol-llmeval/otelcol-llmeval/config"

// refusalPattern catches the stock phrasings of a model declining a request.
// Apostrophes may be straight or curly.
const refusalPattern = `(?i)\b(?:` +
	`i(?:'|’)?m sorry,? but i (?:can(?:'|’)?t|cannot|am unable to|won(?:'|’)?t)` +
	`|i (?:can(?:'|’)?t|cannot|won(?:'|’)?t|am unable to|am not able to) (?:help|assist|comply|provide|fulfil+|do that|support)` +
	`|i(?:'|’)?m (?:unable|not able) to (?:help|assist|comply|provide|fulfil+)` +
	`|as an ai(?: language model)?,? i (?:can(?:'|’)?t|cannot|don(?:'|’)?t)` +
	`|i must (?:decline|refuse)` +
	`)`

// DefaultSet is the evaluator set used when the config lists none: checks
// that are useful on any LLM traffic without knowing the application.
// README.md documents it entry by entry; keep the two in step.
func DefaultSet() []config.Evaluator {
	return []config.Evaluator{
		{
			Name:     "refusal",
			Type:     "regex",
			Target:   "output",
			Settings: map[string]any{"must_not_match": refusalPattern},
		},
		{
			Name:     "latency",
			Type:     "latency",
			Settings: map[string]any{"max": "2m"},
		},
	}
}
