package llmjudgeconnector

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
)

func version(t *testing.T, model string, rc RubricConfig) string {
	t.Helper()
	r, err := buildRubric(rc, model, formatJSONSchema, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	return r.version
}

// TestVersionHash: the version changes with what decides a verdict (the
// prompt, the examples, the scale, the model) and with nothing else.
func TestVersionHash(t *testing.T) {
	base := RubricConfig{Name: "quality", Prompt: "Is {{.Span.OutputText}} helpful?", ExamplesFile: "testdata/examples_binary.jsonl"}
	v := version(t, "gpt-4o-mini", base)
	assert.Len(t, v, 16)
	assert.Equal(t, v, version(t, "gpt-4o-mini", base), "stable")

	renamed := base
	renamed.Name, renamed.When = "other_name", []string{`span.name == "x"`}
	assert.Equal(t, v, version(t, "gpt-4o-mini", renamed), "name and selection do not change what is asked")

	fromFile := base
	dir := t.TempDir()
	path := filepath.Join(dir, "p.tmpl")
	require.NoError(t, os.WriteFile(path, []byte(base.Prompt), 0o600))
	fromFile.Prompt, fromFile.PromptFile = "", path
	assert.Equal(t, v, version(t, "gpt-4o-mini", fromFile), "the same prompt from a file")

	changed := map[string]string{}
	p := base
	p.Prompt = "Is {{.Span.OutputText}} helpful and polite?"
	changed["prompt"] = version(t, "gpt-4o-mini", p)
	e := base
	e.ExamplesFile = ""
	changed["examples"] = version(t, "gpt-4o-mini", e)
	changed["model"] = version(t, "gpt-4o", base)
	s := base
	s.ExamplesFile = "testdata/examples_numeric.jsonl"
	s.Scale = &ScaleConfig{Min: 1, Max: 5, PassThreshold: 4}
	changed["scale"] = version(t, "gpt-4o-mini", s)
	s2 := s
	s2.Scale = &ScaleConfig{Min: 1, Max: 5, PassThreshold: 4, Anchors: map[string]string{"1": "useless"}}
	changed["anchors"] = version(t, "gpt-4o-mini", s2)
	seen := map[string]string{v: "base"}
	for what, h := range changed {
		if prev, dup := seen[h]; dup {
			t.Errorf("changing the %s gives the version of %s", what, prev)
		}
		seen[h] = what
	}
}

func TestContract(t *testing.T) {
	assert.Equal(t, "You are a careful evaluator of an LLM application's telemetry. "+
		"The user message gives a rubric and one span to judge: one model call, tool call or agent step.\n"+
		"Reason about the rubric first, then decide. Answer with a single JSON object and nothing else:\n"+
		`{"explanation": "<your reasoning, in a few sentences>", "verdict": "pass" or "fail"}`+"\n"+
		`"pass" means the rubric is met, "fail" that it is not.`, contract(levelSpan, nil))
	sc, err := buildScale(&ScaleConfig{Min: 1, Max: 3, PassThreshold: 2, Anchors: map[string]string{"3": "all done", "1": " nothing "}})
	require.NoError(t, err)
	assert.Equal(t, "You are a careful evaluator of an LLM application's telemetry. "+
		"The user message gives a rubric and a whole trace to judge: the steps of one run of an agent, in order.\n"+
		"Reason about the rubric first, then decide. Answer with a single JSON object and nothing else:\n"+
		`{"explanation": "<your reasoning, in a few sentences>", "score": <a whole number from 1 to 3>}`+"\n"+
		"The scale:\n1: nothing\n3: all done", contract(levelTrace, sc))
	assert.True(t, sc.passes(2))
	assert.False(t, sc.passes(1.99))
}

func TestExamplesBecomeTurns(t *testing.T) {
	r, err := buildRubric(RubricConfig{Name: "q", Prompt: "x", ExamplesFile: "testdata/examples_binary.jsonl"}, "m", formatNone, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.Len(t, r.fixed, 5, "contract and two examples; the blank line is skipped")
	assert.Equal(t, "user", r.fixed[3].Role)
	assert.Equal(t, "Question: Where is order 42?\nAnswer: I love turtles.", r.fixed[3].Content)
	assert.Equal(t, `{"explanation":"Does not address the order.","verdict":"fail"}`, r.fixed[4].Content)
	assert.Nil(t, r.responseFormat, "response_format none sends none")
}
