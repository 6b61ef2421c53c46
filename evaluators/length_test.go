package evaluators

import (
	"testing"
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
