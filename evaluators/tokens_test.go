package evaluators

import (
	"testing"
)

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
