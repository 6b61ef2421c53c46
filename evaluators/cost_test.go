package evaluators

import (
	"testing"
)

func TestCostEvaluator(t *testing.T) {
	usage := func(model string, in, out, cached int64) []kv {
		a := []kv{chat, {"gen_ai.request.model", model}, {"gen_ai.usage.input_tokens", in}, {"gen_ai.usage.output_tokens", out}}
		if cached > 0 {
			a = append(a, kv{"gen_ai.usage.cache_read.input_tokens", cached})
		}
		return a
	}
	c := entry("c", "cost", nil)
	runEvalCases(t, []evalCase{
		// gpt-4o-mini: 0.15 in, 0.60 out per million.
		{name: "scores gpt-4o-mini", entry: c, attrs: usage("gpt-4o-mini", 1_000_000, 1_000_000, 0), verdict: Pass, score: ptr(0.75)},
		{name: "dated snapshot uses most specific pattern", entry: c, attrs: usage("gpt-4o-mini-2024-07-18", 2_000_000, 0, 0), verdict: Pass, score: ptr(0.30)},
		{name: "gpt-4o", entry: c, attrs: usage("gpt-4o", 1_000_000, 100_000, 0), verdict: Pass, score: ptr(3.5)},
		// 1M input of which 400k cached at 1.25: 600k*2.5 + 400k*1.25 = 2.0 USD.
		{name: "cached input", entry: c, attrs: usage("gpt-4o", 1_000_000, 0, 400_000), verdict: Pass, score: ptr(2.0)},
		{name: "provider prefix", entry: c, attrs: usage("openai/gpt-4o", 1_000_000, 0, 0), verdict: Pass, score: ptr(2.5)},
		{name: "over max", entry: entry("c", "cost", map[string]any{"max_usd": 0.01}), attrs: usage("claude-sonnet-4-5-20250929", 10_000, 1_000, 0), verdict: Fail, reason: "cost $0.045000 > max_usd $0.01", score: ptr(0.045)},
		{name: "own price overrides", entry: entry("c", "cost", map[string]any{"prices": map[string]any{"gpt-4o": map[string]any{"input_per_million": 1, "output_per_million": 2}}}), attrs: usage("gpt-4o", 1_000_000, 1_000_000, 0), verdict: Pass, score: ptr(3)},
		{name: "own glob", entry: entry("c", "cost", map[string]any{"prices": map[string]any{"llama-*-instruct": map[string]any{"input_per_million": 0.2, "output_per_million": 0.2}}}), attrs: usage("llama-3.1-70b-instruct", 1_000_000, 0, 0), verdict: Pass, score: ptr(0.2)},
		{name: "unpriced model counted", entry: c, attrs: usage("my-finetune", 10, 10, 0), verdict: Skip, reason: `no price for model "my-finetune"`},
		{name: "no usage", entry: c, attrs: []kv{chat, {"gen_ai.request.model", "gpt-4o"}}, verdict: Skip},
	})
}
