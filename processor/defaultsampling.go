package llmevalprocessor

import "github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/sampling"

// DefaultSampling is what a judge configured without a sampling block
// sends: failed checks of the safety evaluators always, the target share
// of the most troubled LLM traces (score above 0), and a consistent
// baseline. `llmeval tune` reports the share it would send offline.
func DefaultSampling() (targetRatio, baselineRatio float64, safety []string) {
	return sampling.DefaultTargetRatio, sampling.DefaultBaselineRatio, append([]string(nil), sampling.SafetyEvaluators...)
}
