package main

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/fakellm"
)

const (
	judgeFixture = "testdata/judge/"
	judgeConfig  = judgeFixture + "config.yaml"
	judgeLabels  = judgeFixture + "labels.csv"
	judgeTraces  = judgeFixture + "traces.jsonl"
)

// scriptedJudge answers the fixture: on "helpful" it fails answers 1, 2,
// 3 and 6, passes 4, 5, 7, 8 and 9, and rambles on 10; on "quality" it
// scores answers 1-5 as 4, 5, 2, 2, 3.
func scriptedJudge(t *testing.T) *fakellm.Server {
	t.Helper()
	llm := fakellm.New(func(_ int, req fakellm.Request) fakellm.Reply {
		p := req.Prompt()
		m := regexp.MustCompile(`answer-(\d\d)`).FindStringSubmatch(p)
		if m == nil {
			return fakellm.Reply{Status: 400}
		}
		n, _ := strconv.Atoi(m[1])
		if strings.HasPrefix(p, "QUALITY") {
			score := []int{0, 4, 5, 2, 2, 3}[min(n, 5)]
			return fakellm.OK(`{"explanation":"scored","score":` + strconv.Itoa(score) + `}`)
		}
		switch n {
		case 1, 2, 3, 6:
			return fakellm.OK(`{"explanation":"The answer does not say where order ` + strconv.Itoa(40+n) + ` is.","verdict":"fail"}`)
		case 10:
			return fakellm.OK("Hard to say.")
		}
		return fakellm.OK(`{"explanation":"Gives the status.","verdict":"pass"}`)
	})
	t.Cleanup(llm.Close)
	t.Setenv("JUDGE_URL", llm.URL)
	return llm
}

// TestJudgeAlignment runs both rubrics over the labelled fixture.
func TestJudgeAlignment(t *testing.T) {
	llm := scriptedJudge(t)
	code, out, stderr := runCmd("judge", "--config", judgeConfig, "--labels", judgeLabels, judgeTraces)
	require.Equal(t, 0, code, stderr)
	t.Logf("\n%s", out)
	// helpful, by hand: humans fail 1-5 and pass 6-10; the judge fails 1,
	// 2, 3, 6, passes 4, 5, 7, 8, 9 and gives no verdict on 10.
	// TP=3 (1,2,3) FP=1 (6) FN=2 (4,5) TN=3 (7,8,9), n=9.
	// TPR 3/5=0.600, TNR 3/4=0.750, precision 3/4=0.750;
	// po=6/9, pe=(4*5+5*4)/81=40/81, kappa=(54-40)/(81-40)=14/41=0.341.
	assert.Regexp(t, `helpful\s+9\s+3\s+1\s+2\s+3\s+0\.600\s+0\.750\s+0\.750\s+0\.341\s+-\n`, out)
	// quality, by hand: human scores 5,4,2,1,3 and judge scores 4,5,2,2,3
	// (pass at 4): both fail 3, 4, 5 and pass 1, 2: TP=3 TN=2, all 1.000.
	// Spearman: human ranks 5,4,2,1,3; judge ranks 4,5,1.5,1.5,3;
	// sum dxdy=8.5, sum dx2=10, sum dy2=9.5: 8.5/sqrt(95)=0.872.
	assert.Regexp(t, `quality\s+5\s+3\s+0\s+0\s+2\s+1\.000\s+1\.000\s+1\.000\s+1\.000\s+0\.872\n`, out)
	assert.Contains(t, out, "1 labels had no judge verdict to compare")
	assert.Contains(t, out, "judge calls: 15, tokens in 15000 / out 1500, spend $0.003150", "15 calls at 1000+100 tokens, gpt-4o-mini list price")
	assert.Contains(t, out, "judge errors: unparseable_answer 1")
	assert.Regexp(t, `disagreements \(3, first 3\):\n`+
		`rubric\s+id\s+human\s+judge\s+explanation\n`+
		`helpful\s+0402000000000000\s+fail\s+pass\s+Gives the status\.\n`+
		`helpful\s+0502000000000000\s+fail\s+pass\s+Gives the status\.\n`+
		`helpful\s+0602000000000000\s+pass\s+fail\s+The answer does not say where order 46 is\.\n`, out)
	assert.Equal(t, 15, llm.Count(), "only labelled spans are judged")
	for _, r := range llm.Requests() {
		assert.Equal(t, "gpt-4o-mini", r.Model)
	}
}

// TestJudgeSplitAndRubric: --split keeps the IDs of one split (dev: spans
// 1, 6 and 9 of the fixture, by FNV-1a 32 of the ID mod 100) and --rubric
// one rubric; nothing else is sent to the judge.
func TestJudgeSplitAndRubric(t *testing.T) {
	llm := scriptedJudge(t)
	code, out, stderr := runCmd("judge", "--config", judgeConfig, "--labels", judgeLabels, "--split", "dev", "--rubric", "helpful", judgeTraces)
	require.Equal(t, 0, code, stderr)
	// TP=1 (1) FP=1 (6) TN=1 (9): po=2/3, pe=(2*1+1*2)/9=4/9, kappa=(6-4)/(9-4)=0.400.
	assert.Regexp(t, `helpful\s+3\s+1\s+1\s+0\s+1\s+1\.000\s+0\.500\s+0\.500\s+0\.400\s+-\n`, out)
	assert.NotContains(t, out, "quality")
	assert.Contains(t, out, "split: dev")
	assert.Equal(t, 3, llm.Count())
}

// TestJudgeDryRun renders and prices without calling the model.
func TestJudgeDryRun(t *testing.T) {
	llm := scriptedJudge(t)
	code, out, stderr := runCmd("judge", "--config", judgeConfig, "--labels", judgeLabels, "--dry-run", "--show", "2", judgeTraces)
	require.Equal(t, 0, code, stderr)
	assert.Zero(t, llm.Count(), "a dry run calls no model")
	assert.Contains(t, out, "=== request 1: rubric helpful (span level), trace 0b010000000000000000000000000000, span 0102000000000000\n--- system\nYou are a careful evaluator")
	assert.Contains(t, out, "--- user\nHELPFUL Question: Where is order 41? Answer: answer-01: your order 41 is on its way.\n")
	assert.Contains(t, out, "=== request 2: rubric quality (span level)")
	assert.Contains(t, out, "1: wrong or no answer\n5: complete and correct")
	assert.NotContains(t, out, "=== request 3")
	assert.Contains(t, out, "dry run: 15 judge calls (helpful 10, quality 5), nothing sent")
	m := regexp.MustCompile(`input: (\d+) bytes, about (\d+) tokens \(4 bytes a token\); output: at most 15360 tokens \(max_tokens 1024 a call\)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	bytes, _ := strconv.Atoi(m[1])
	tokens, _ := strconv.Atoi(m[2])
	assert.Equal(t, bytes/4, tokens)
	// Each prompt is the contract and one user message; the two shown
	// give the size of each rubric's requests (answers 01-10 are the same
	// length, order numbers 41-50 too).
	assert.Equal(t, 10*requestBytes(t, out, 1)+5*requestBytes(t, out, 2), bytes)
	// gpt-4o-mini: $0.15 input, $0.60 output per million tokens.
	assert.Contains(t, out, "cost for gpt-4o-mini: about $"+strconv.FormatFloat(float64(tokens)*0.15/1e6, 'f', 4, 64)+" input + at most $0.0092 output")
}

// requestBytes is the content size of the n-th request a dry run printed.
func requestBytes(t *testing.T, out string, n int) int {
	t.Helper()
	start := strings.Index(out, "=== request "+strconv.Itoa(n)+":")
	require.GreaterOrEqual(t, start, 0)
	body := out[start:]
	body = body[strings.Index(body, "\n")+1:]
	if end := strings.Index(body, "\n\n=== request"); end >= 0 {
		body = body[:end]
	} else {
		body = body[:strings.Index(body, "\n\ndry run:")]
	}
	size := 0
	for _, part := range strings.Split(body, "\n--- ")[0:] {
		part = strings.TrimPrefix(part, "--- ")
		nl := strings.Index(part, "\n")
		size += len(part[nl+1:])
	}
	return size
}

func TestJudgeUsageErrors(t *testing.T) {
	scriptedJudge(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no labels", []string{"--config", judgeConfig, judgeTraces}, "--config, --labels and at least one OTLP file are required"},
		{"unknown rubric", []string{"--config", judgeConfig, "--labels", judgeLabels, "--rubric", "nope", judgeTraces}, `--rubric: no rubric "nope" in connectors::llmjudge (have helpful, quality)`},
		{"bad split", []string{"--config", judgeConfig, "--labels", judgeLabels, "--split", "all", judgeTraces}, `--split: "all" is not one of train, dev, test`},
		{"score on a binary rubric", []string{"--config", judgeConfig, "--labels", writeFile(t, "l.csv", "0102000000000000,helpful,4\n"), judgeTraces}, `l.csv:1: rubric "helpful" is pass/fail; label it pass or fail`},
		{"label names no rubric", []string{"--config", judgeConfig, "--labels", writeFile(t, "l2.csv", "0102000000000000,tone,pass\n"), judgeTraces}, `l2.csv:1: no rubric "tone" in connectors::llmjudge`},
		{"bad human value", []string{"--config", judgeConfig, "--labels", writeFile(t, "l3.csv", "0102000000000000,helpful,maybe\n"), judgeTraces}, `l3.csv:1: human verdict "maybe" is neither pass, fail nor a score`},
		{"no connector", []string{"--config", writeFile(t, "c.yaml", "processors: { batch: {} }"), "--labels", judgeLabels, judgeTraces}, "no llmjudge connector in connectors"},
		{"broken rubric", []string{"--config", writeFile(t, "c2.yaml", "model: { endpoint: http://127.0.0.1:1/v1, name: m }\nrubrics: [{name: helpful, prompt: '{{.Span.Nope}}'}]"), "--labels", judgeLabels, judgeTraces},
			`connectors::llmjudge: rubrics[0] "helpful": prompt:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(append([]string{"judge"}, tt.args...)...)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, tt.want)
		})
	}
}

func TestSpearman(t *testing.T) {
	tests := []struct {
		x, y []float64
		want float64
	}{
		{[]float64{1, 2, 3}, []float64{10, 20, 30}, 1},
		{[]float64{1, 2, 3}, []float64{3, 2, 1}, -1},
		{[]float64{5, 4, 2, 1, 3}, []float64{4, 5, 2, 2, 3}, 8.5 / math.Sqrt(95)},
		{[]float64{1, 1, 1}, []float64{1, 2, 3}, math.NaN()},
		{[]float64{1}, []float64{1}, math.NaN()},
	}
	for _, tt := range tests {
		got := spearman(tt.x, tt.y)
		if math.IsNaN(tt.want) {
			assert.True(t, math.IsNaN(got), "%v %v", tt.x, tt.y)
			continue
		}
		assert.InDelta(t, tt.want, got, 1e-12, "%v %v", tt.x, tt.y)
	}
}
