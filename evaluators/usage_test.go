package evaluators

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
)

func TestLengthEvaluator(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "within", entry: entry("l", "length", map[string]any{"min_chars": 2, "max_chars": 10}), attrs: []kv{chat, outMsgs("héllo")}, verdict: Pass, score: ptr(5)},
		{name: "too long", entry: entry("l", "length", map[string]any{"max_chars": 4}), attrs: []kv{chat, outMsgs("héllo")}, verdict: Fail, reason: "output has 5 chars, max 4", score: ptr(5)},
		{name: "empty fails min_chars", entry: entry("l", "length", map[string]any{"min_chars": 1}), attrs: []kv{chat, outMsgs("")}, verdict: Fail, reason: "output has 0 chars, min 1", score: ptr(0)},
		{name: "too few words", entry: entry("l", "length", map[string]any{"min_words": 3}), attrs: []kv{chat, outMsgs("  two\n words ")}, verdict: Fail, reason: "output has 2 words, min 3", score: ptr(13)},
		{name: "too many words", entry: entry("l", "length", map[string]any{"max_words": 2}), attrs: []kv{chat, outMsgs("one two three")}, verdict: Fail, reason: "3 words, max 2", score: ptr(13)},
		{name: "absent", entry: entry("l", "length", map[string]any{"max_words": 2}), attrs: []kv{chat}, verdict: Skip},
	})
}

func TestTokensEvaluator(t *testing.T) {
	in, out := kv{"gen_ai.usage.input_tokens", int64(1000)}, kv{"gen_ai.usage.output_tokens", int64(5000)}
	runEvalCases(t, []evalCase{
		{name: "output over", entry: entry("t", "tokens", map[string]any{"max_output": 4096}), attrs: []kv{chat, in, out}, verdict: Fail, reason: "output tokens 5000 > max_output 4096", score: ptr(6000)},
		{name: "total derived", entry: entry("t", "tokens", map[string]any{"max_total": 5000}), attrs: []kv{chat, in, out}, verdict: Fail, reason: "total tokens 6000 > max_total 5000", score: ptr(6000)},
		{name: "within", entry: entry("t", "tokens", map[string]any{"max_input": 2000, "max_output": 8000}), attrs: []kv{chat, in, out}, verdict: Pass, score: ptr(6000)},
		{name: "bound not reported", entry: entry("t", "tokens", map[string]any{"max_output": 10}), attrs: []kv{chat, in}, verdict: Skip},
		{name: "input only", entry: entry("t", "tokens", map[string]any{"max_input": 10, "max_output": 10}), attrs: []kv{chat, in}, verdict: Fail, reason: "input tokens 1000 > max_input 10"},
		{name: "openinference total", entry: entry("t", "tokens", map[string]any{"max_total": 100}), attrs: []kv{{"openinference.span.kind", "LLM"}, {"llm.token_count.total", int64(150)}}, verdict: Fail, reason: "total tokens 150", score: ptr(150)},
		{name: "vercel legacy", entry: entry("t", "tokens", map[string]any{"max_output": 100}), attrs: []kv{{"ai.operationId", "ai.generateText.doGenerate"}, {"ai.usage.completionTokens", int64(120)}}, verdict: Fail, reason: "output tokens 120"},
	})
}

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

func TestUsageBuildErrors(t *testing.T) {
	cases := []struct {
		typ  string
		s    map[string]any
		want string
	}{
		{"length", nil, `"x": min_chars, max_chars, min_words or max_words: at least one is required`},
		{"length", map[string]any{"min_chars": 5, "max_chars": 2}, `"x": min_chars: 5 is above max_chars 2`},
		{"length", map[string]any{"max_words": -1}, `"x": max_words: must not be negative`},
		{"tokens", nil, `"x": max_input, max_output or max_total: at least one is required`},
		{"tokens", map[string]any{"max_total": -5}, `"x": max_total: must be positive`},
		{"cost", map[string]any{"max_usd": -1}, `"x": max_usd: must be positive`},
		{"cost", map[string]any{"prices": map[string]any{"m": map[string]any{"input_per_million": -1}}}, `"x": prices[m]: prices must not be negative`},
		{"cost", map[string]any{"prices": map[string]any{"m": map[string]any{"input": 1}}}, `"x"`},
	}
	for _, tc := range cases {
		_, err := Build(config.Entries{User: []config.Evaluator{entry("x", tc.typ, tc.s)}}, componenttest.NewNopTelemetrySettings())
		assert.ErrorContains(t, err, tc.want)
	}
}
