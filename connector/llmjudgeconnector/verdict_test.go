package llmjudgeconnector

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseAnswerBinary(t *testing.T) {
	tests := []struct {
		name    string
		content string
		ok      bool
		pass    bool
		expl    string
	}{
		{"json schema answer", `{"explanation":"The answer cites the order.","verdict":"pass"}`, true, true, "The answer cites the order."},
		{"upper case verdict", `{"explanation":"no","verdict":"FAIL"}`, true, false, "no"},
		{"reasoning key", `{"reasoning":"thought","verdict":"failed"}`, true, false, "thought"},
		{"fenced json with prose", "Here is my evaluation:\n```json\n{\"explanation\": \"ok\", \"verdict\": \"pass\"}\n```\nThanks.", true, true, "ok"},
		{"plain fence", "```\n{\"explanation\": \"bad\", \"verdict\": \"fail\"}\n```", true, false, "bad"},
		{"prose then object", `The reply ignores the question. {"explanation": "ignores the question", "verdict": "fail"}`, true, false, "ignores the question"},
		{"think block", "<think>{\"verdict\":\"pass\"} maybe</think>\n{\"explanation\":\"after thought\",\"verdict\":\"fail\"}", true, false, "after thought"},
		{"bare PASS", "PASS", true, true, ""},
		{"bare with reasoning", "The answer is correct and polite.\n\n**Verdict: FAIL**", true, false, "The answer is correct and polite."},
		{"final verdict line", "Reasoning here.\nFinal verdict: pass.", true, true, "Reasoning here."},
		{"json without verdict", `{"explanation":"unsure"}`, false, false, ""},
		{"unknown verdict", `{"explanation":"x","verdict":"maybe"}`, false, false, ""},
		{"refusal prose", "I'm sorry, but I can't help with evaluating this content.", false, false, ""},
		{"empty", "   ", false, false, ""},
		{"pass inside a sentence is not a verdict", "I would pass this one", false, false, ""},
		{"broken json", `{"explanation": "x", "verdict": "pass"`, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := parseAnswer(tt.content, nil)
			assert.Equal(t, tt.ok, ok)
			if !tt.ok {
				return
			}
			assert.Equal(t, tt.pass, v.pass)
			assert.Equal(t, tt.expl, v.explanation)
			assert.False(t, v.hasScore, "binary verdicts have no score")
		})
	}
}

func TestParseAnswerNumeric(t *testing.T) {
	sc := &scale{min: 1, max: 5, pass: 4}
	tests := []struct {
		name    string
		content string
		ok      bool
		score   float64
		pass    bool
	}{
		{"json schema answer", `{"explanation":"good","score":4}`, true, 4, true},
		{"below threshold", `{"explanation":"meh","score":3}`, true, 3, false},
		{"score as string", `{"explanation":"x","score":"5"}`, true, 5, true},
		{"fractional", `{"explanation":"x","score":3.5}`, true, 3.5, false},
		{"out of range", `{"explanation":"x","score":7}`, false, 0, false},
		{"verdict only is not a score", `{"explanation":"x","verdict":"pass"}`, false, 0, false},
		{"bare score line", "Helpful and complete.\nScore: 4/5", true, 4, true},
		{"bare number", "2", true, 2, false},
		{"NaN string", `{"explanation":"x","score":"NaN"}`, false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := parseAnswer(tt.content, sc)
			assert.Equal(t, tt.ok, ok)
			if !tt.ok {
				return
			}
			assert.True(t, v.hasScore)
			assert.Equal(t, tt.score, v.score)
			assert.Equal(t, tt.pass, v.pass)
		})
	}
}

// TestParseAnswerBounded: a hostile answer full of braces costs a bounded
// number of decode attempts and gives no verdict.
func TestParseAnswerBounded(t *testing.T) {
	_, ok := parseAnswer(strings.Repeat("{", 100000), nil)
	assert.False(t, ok)
}

// FuzzParseAnswer: any answer parses without panicking, and a verdict
// read from it is one the contract allows.
func FuzzParseAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"explanation":"ok","verdict":"pass"}`, "```json\n{\"score\": 4}\n```", "Reasoning.\nFAIL",
		"<think>{</think>{\"verdict\":\"fail\"}", "Score: 3/5", `{"score":"NaN"}`, "{{{{", "",
	} {
		f.Add(seed)
	}
	sc := &scale{min: 1, max: 5, pass: 4}
	f.Fuzz(func(t *testing.T, answer string) {
		if v, ok := parseAnswer(answer, nil); ok && v.hasScore {
			t.Fatalf("a binary verdict with a score from %q", answer)
		}
		if v, ok := parseAnswer(answer, sc); ok {
			if !v.hasScore || v.score < 1 || v.score > 5 || v.pass != (v.score >= 4) {
				t.Fatalf("score %v (pass %v) from %q", v.score, v.pass, answer)
			}
		}
	})
}
