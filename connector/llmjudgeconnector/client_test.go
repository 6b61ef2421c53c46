package llmjudgeconnector

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/fakellm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// fakeClock is a clock whose sleeps return at once and move it on.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.waits = append(c.waits, d)
	return ctx.Err()
}

// testConfig is a config judging with endpoint, binary rubric "quality"
// on the final chat span unless rubrics are given.
func testConfig(endpoint string, rubrics ...RubricConfig) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Model.ClientConfig.Endpoint = endpoint
	cfg.Model.Name = "judge-model"
	cfg.Model.APIKey = "sk-test"
	if len(rubrics) == 0 {
		rubrics = []RubricConfig{{
			Name:   "quality",
			When:   []string{`span.name == "chat final"`},
			Prompt: "Is this answer to {{.Span.LastUserText}} helpful?\n{{.Span.OutputText}}",
		}}
	}
	cfg.Rubrics = rubrics
	return cfg
}

// startJudge builds and starts a Judge on a fake clock.
func startJudge(t *testing.T, cfg *Config) (*Judge, *fakeClock) {
	t.Helper()
	require.NoError(t, cfg.Validate())
	j, err := NewJudge(cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.NoError(t, j.Start(context.Background(), componenttest.NewNopHost(), componenttest.NewNopTelemetrySettings()))
	clock := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	j.client.now, j.client.sleep = clock.now, clock.sleep
	return j, clock
}

// tasks renders every task td calls for.
func tasks(t *testing.T, j *Judge, td ptrace.Traces) []*Task {
	t.Helper()
	var out []*Task
	j.Tasks(context.Background(), td, func(*Task) bool { return true }, func(task *Task) { out = append(out, task) })
	return out
}

func oneTask(t *testing.T, j *Judge) *Task {
	t.Helper()
	td := ptrace.NewTraces()
	agentTrace(td, 1, "shop", "It shipped today.")
	ts := tasks(t, j, td)
	require.Len(t, ts, 1)
	return ts[0]
}

func TestEvaluateAnswers(t *testing.T) {
	tests := []struct {
		name     string
		replies  []fakellm.Reply
		retry    bool
		timeout  time.Duration
		label    string
		errType  string
		requests int
		waits    []time.Duration // nil: not checked
		expl     string
	}{
		{name: "json schema answer", replies: []fakellm.Reply{ok(`{"explanation":"Answers the question.","verdict":"pass"}`)},
			label: "pass", requests: 1, expl: "Answers the question."},
		{name: "fenced answer", replies: []fakellm.Reply{ok("```json\n{\"explanation\":\"Vague.\",\"verdict\":\"fail\"}\n```")},
			label: "fail", requests: 1, expl: "Vague."},
		{name: "bare answer", replies: []fakellm.Reply{ok("It names the date.\nPASS")},
			label: "pass", requests: 1, expl: "It names the date."},
		{name: "429 with Retry-After", retry: true,
			replies: []fakellm.Reply{{Status: 429, Headers: map[string]string{"Retry-After": "7"}, Body: `{"error":"slow down"}`}, ok(`{"explanation":"x","verdict":"pass"}`)},
			label:   "pass", requests: 2, waits: []time.Duration{7 * time.Second}},
		{name: "429 with an HTTP-date Retry-After", retry: true,
			replies: []fakellm.Reply{{Status: 429, Headers: map[string]string{"Retry-After": "Sun, 01 Mar 2026 12:00:30 GMT"}}, ok(`{"explanation":"x","verdict":"fail"}`)},
			label:   "fail", requests: 2, waits: []time.Duration{30 * time.Second}},
		{name: "429 whose Retry-After outlasts max_elapsed_time", retry: true,
			replies: []fakellm.Reply{{Status: 429, Headers: map[string]string{"Retry-After": "3600"}}},
			label:   "error", errType: errRateLimited, requests: 1, waits: []time.Duration{}},
		{name: "500s then an answer", retry: true,
			replies: []fakellm.Reply{{Status: 500}, {Status: 503}, ok(`{"explanation":"x","verdict":"pass"}`)},
			label:   "pass", requests: 3},
		{name: "500s until max_elapsed_time", retry: true,
			replies: []fakellm.Reply{{Status: 500}},
			label:   "error", errType: errServer},
		{name: "400 is not retried", retry: true,
			replies: []fakellm.Reply{{Status: 400, Body: `{"error":"bad request"}`}},
			label:   "error", errType: errClient, requests: 1},
		{name: "timeout", timeout: 100 * time.Millisecond,
			replies: []fakellm.Reply{{Delay: 2 * time.Second, Body: fakellm.Completion(`{"explanation":"x","verdict":"pass"}`)}},
			label:   "error", errType: errTimeout, requests: 1},
		{name: "malformed JSON", replies: []fakellm.Reply{{Body: `{"choices": [`}},
			label: "error", errType: errMalformed, requests: 1},
		{name: "no choices", replies: []fakellm.Reply{{Body: `{"id":"x","choices":[]}`}},
			label: "error", errType: errMalformed, requests: 1},
		{name: "refusal field", replies: []fakellm.Reply{{Body: `{"choices":[{"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}`}},
			label: "error", errType: errRefused, requests: 1},
		{name: "content filter", replies: []fakellm.Reply{{Body: `{"choices":[{"message":{"role":"assistant","content":""},"finish_reason":"content_filter"}]}`}},
			label: "error", errType: errRefused, requests: 1},
		{name: "refusing in prose", replies: []fakellm.Reply{ok("I'm sorry, but I can't evaluate this conversation.")},
			label: "error", errType: errUnparseable, requests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeJudge(t, func(n int, _ fakellm.Request) fakellm.Reply { return tt.replies[min(n, len(tt.replies)-1)] })
			cfg := testConfig(f.URL + "/v1")
			cfg.Model.RetryOnFailure.Enabled = tt.retry
			if tt.timeout > 0 {
				cfg.Model.ClientConfig.Timeout = tt.timeout
			}
			j, clock := startJudge(t, cfg)
			o := j.Evaluate(context.Background(), oneTask(t, j))
			assert.Equal(t, tt.label, o.Label)
			assert.Equal(t, tt.errType, o.ErrorType)
			if tt.requests > 0 {
				assert.Equal(t, tt.requests, f.Count())
				assert.Equal(t, tt.requests-1, o.Retries)
			}
			if tt.waits != nil {
				assert.Equal(t, tt.waits, append([]time.Duration{}, clock.waits...))
			}
			if tt.expl != "" {
				assert.Equal(t, tt.expl, o.Explanation)
			}
			assert.True(t, o.Called)
		})
	}
}

// TestBackoffGrows: without Retry-After the waits grow by the multiplier
// up to max_interval, and the call ends before max_elapsed_time.
func TestBackoffGrows(t *testing.T) {
	f := newFakeJudge(t, func(int, fakellm.Request) fakellm.Reply { return fakellm.Reply{Status: 502} })
	cfg := testConfig(f.URL)
	cfg.Model.RetryOnFailure.RandomizationFactor = 0
	cfg.Model.RetryOnFailure.InitialInterval = time.Second
	cfg.Model.RetryOnFailure.Multiplier = 2
	cfg.Model.RetryOnFailure.MaxInterval = 5 * time.Second
	cfg.Model.RetryOnFailure.MaxElapsedTime = 20 * time.Second
	j, clock := startJudge(t, cfg)
	o := j.Evaluate(context.Background(), oneTask(t, j))
	assert.Equal(t, errServer, o.ErrorType)
	s := time.Second
	assert.Equal(t, []time.Duration{1 * s, 2 * s, 4 * s, 5 * s, 5 * s}, clock.waits, "1+2+4+5+5 = 17s; another 5s would pass 20s")
	assert.Equal(t, 6, f.Count())
}

func TestRequestShape(t *testing.T) {
	f := newFakeJudge(t, nil)
	cfg := testConfig(f.URL+"/v1/", RubricConfig{
		Name:         "helpful",
		When:         []string{`span.name == "chat final"`},
		Prompt:       "Rate: {{.Span.OutputText}}",
		ExamplesFile: "testdata/examples_numeric.jsonl",
		Scale:        &ScaleConfig{Min: 1, Max: 5, PassThreshold: 4, Anchors: map[string]string{"1": "useless", "5": "complete and correct"}},
	})
	cfg.Model.Temperature = 0
	cfg.Model.MaxTokens = 300
	j, _ := startJudge(t, cfg)
	o := j.Evaluate(context.Background(), oneTask(t, j))
	require.Equal(t, "error", o.Label, "the fake answers pass/fail, which a numeric rubric does not take")
	require.Equal(t, errUnparseable, o.ErrorType)

	req := f.Requests()[0]
	assert.Equal(t, "/v1/chat/completions", req.Path)
	assert.Equal(t, "Bearer sk-test", req.Auth)
	assert.Equal(t, "judge-model", req.Model)
	assert.Equal(t, 300, req.MaxTokens)
	assert.Zero(t, req.Temperature)
	var rf struct {
		Type       string `json:"type"`
		JSONSchema struct {
			Strict bool           `json:"strict"`
			Schema map[string]any `json:"schema"`
		} `json:"json_schema"`
	}
	require.NoError(t, json.Unmarshal(req.ResponseFormat, &rf))
	assert.Equal(t, "json_schema", rf.Type)
	assert.True(t, rf.JSONSchema.Strict)
	assert.Equal(t, []any{"explanation", "score"}, rf.JSONSchema.Schema["required"], "the reasoning comes before the score")
	assert.Equal(t, map[string]any{"type": "integer", "minimum": 1.0, "maximum": 5.0}, rf.JSONSchema.Schema["properties"].(map[string]any)["score"])

	roles := []string{}
	for _, m := range req.Messages {
		roles = append(roles, m.Role)
	}
	assert.Equal(t, []string{"system", "user", "assistant", "user", "assistant", "user"}, roles, "contract, two examples, the prompt")
	assert.Contains(t, req.Messages[0].Content, "1: useless\n5: complete and correct")
	assert.JSONEq(t, `{"explanation":"Answers the question fully.","score":5}`, req.Messages[2].Content)
	assert.Equal(t, "Rate: It shipped today.", req.Prompt())
}

func TestResponseFormatSetting(t *testing.T) {
	for _, tt := range []struct {
		format string
		want   string
	}{{"json_object", `{"type":"json_object"}`}, {"none", ""}} {
		f := newFakeJudge(t, nil)
		cfg := testConfig(f.URL)
		cfg.Model.ResponseFormat = tt.format
		j, _ := startJudge(t, cfg)
		assert.Equal(t, "pass", j.Evaluate(context.Background(), oneTask(t, j)).Label)
		assert.Equal(t, tt.want, string(f.Requests()[0].ResponseFormat), tt.format)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"12":                            12 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"Sun, 01 Mar 2026 12:01:00 GMT": time.Minute,
		"Sun, 01 Mar 2026 11:00:00 GMT": 0,
	} {
		assert.Equal(t, want, parseRetryAfter(v, now), v)
	}
}
