package llmjudgeconnector

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spans"
)

// buildJudge builds a Judge without a client: rendering only.
func buildJudge(t *testing.T, cfg *Config) *Judge {
	t.Helper()
	j, err := NewJudge(cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	return j
}

func TestSpanPromptData(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1", RubricConfig{
		Name: "all_fields",
		When: []string{`span.name == "chat final"`},
		Prompt: `{{with .Span}}{{.Name}}|{{.Kind}}|{{.Operation}}|{{.Model}}|{{.Status}}|{{.Duration}}|{{.TraceID}}/{{.SpanID}}<-{{.ParentSpanID}}
user: {{.LastUserText}}
out: {{.OutputText}}
{{range .Output}}{{.Role}}:{{.Text}}:{{.FinishReason}}{{end}}
failed: {{join .Failed ","}}
{{range .Verdicts}}{{.Name}}={{.Verdict}} ({{.Reason}}){{end}}
{{range .Signals}}{{.Category}} x{{.Count}} sev {{.Severity}} {{join .Kinds ","}}{{end}}
attr: {{.Attr "app.tier"}}{{.Attr "missing"}}
usage: {{.Usage.Input}}/{{.Usage.Output}}{{end}}
rubric: {{.Rubric}} {{.Level}} steps: {{len .Trace.Steps}}`,
	})
	j := buildJudge(t, cfg)
	td := ptrace.NewTraces()
	agentTrace(td, 1, "shop", "It shipped today.")
	final := findSpan(td, "chat final")
	a := final.Attributes()
	a.PutStr("app.tier", "gold")
	a.PutStr("llmeval.verdict", "fail")
	a.PutStr("llmeval.pii.verdict", "fail")
	a.PutStr("llmeval.pii.reason", "pii found: email (1)")
	a.PutStr("llmeval.refusal.verdict", "pass")
	a.PutInt("llmeval.signal.satisfaction.count", 2)
	a.PutInt("llmeval.signal.satisfaction.severity", 1)
	kinds := a.PutEmptySlice("llmeval.signal.satisfaction.kinds")
	kinds.AppendEmpty().SetStr("gratitude")
	kinds.AppendEmpty().SetStr("success")
	a.PutInt("gen_ai.usage.input_tokens", 40)
	a.PutInt("gen_ai.usage.output_tokens", 7)
	final.Status().SetCode(ptrace.StatusCodeOk)
	final.SetKind(ptrace.SpanKindClient)

	ts := tasks(t, j, td)
	require.Len(t, ts, 1)
	task := ts[0]
	assert.Equal(t, pcommon.SpanID{1, 4}, task.SpanID)
	assert.Equal(t, "chatcmpl-final-1", task.ResponseID)
	assert.Equal(t, "shop", task.Resource.Attributes().AsRaw()["service.name"])
	want := `chat final|client|chat|gpt-4o-mini|ok|500ms|0a010000000000000000000000000000/0104000000000000<-0101000000000000
user: Where is order 42?
out: It shipped today.
assistant:It shipped today.:stop
failed: pii
pii=fail (pii found: email (1))refusal=pass ()
satisfaction x2 sev 1 gratitude,success
attr: gold
usage: 40/7
rubric: all_fields span steps: 4`
	assert.Equal(t, want, prompt(task))
}

func TestTracePromptData(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1", RubricConfig{
		Name:  "task_done",
		Level: "trace",
		Prompt: `trace {{.Trace.TraceID}} judged at {{.Span.Name}}
{{range $i, $s := .Trace.Steps}}{{$i}} {{.Operation}}{{if .IsTool}} {{.ToolName}}({{.ToolArguments}}) -> {{.ToolResult}}{{else}}{{with .ToolCalls}} calls {{json .}}{{end}} says {{printf "%q" .OutputText}}{{end}}
{{end}}omitted: {{.Trace.OmittedSteps}}`,
	})
	j := buildJudge(t, cfg)
	td := ptrace.NewTraces()
	agentTrace(td, 1, "shop", "It shipped today.")
	agentTrace(td, 2, "shop", "No idea.")
	ts := tasks(t, j, td)
	require.Len(t, ts, 2, "one judgement per trace")
	assert.Equal(t, pcommon.SpanID{1, 1}, ts[0].SpanID, "parented to the root span")
	assert.Equal(t, pcommon.SpanID{2, 1}, ts[1].SpanID)
	assert.Equal(t, `trace 0a010000000000000000000000000000 judged at invoke_agent support
0 invoke_agent says ""
1 chat calls [{"ID":"c1","Name":"order_status","Arguments":"{\"id\":42}"}] says ""
2 execute_tool order_status({"id":42}) -> {"status":"shipped"}
3 chat says "It shipped today."
omitted: 0`, prompt(ts[0]), "steps in start order, the HTTP span left out")

	// Without its root (a late part of a trace), the record goes to the
	// earliest LLM span whose parent did not arrive; max_steps cuts steps.
	cfg.MaxSteps = 2
	j = buildJudge(t, cfg)
	td = ptrace.NewTraces()
	agentTrace(td, 3, "shop", "x")
	removeSpan(td, "invoke_agent support")
	ts = tasks(t, j, td)
	require.Len(t, ts, 1)
	assert.Equal(t, pcommon.SpanID{3, 2}, ts[0].SpanID)
	prompt := prompt(ts[0])
	assert.True(t, strings.HasPrefix(prompt, "trace 0a030000000000000000000000000000 judged at chat tool\n0 chat calls"), prompt)
	assert.True(t, strings.HasSuffix(prompt, "omitted: 1"), prompt)
}

func TestWhenSelects(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1",
		RubricConfig{Name: "every_llm_span", Prompt: "{{.Span.Name}}"},
		RubricConfig{Name: "tools", Prompt: "{{.Span.ToolName}}", When: []string{`span.attributes["gen_ai.operation.name"] == "execute_tool"`}},
		RubricConfig{Name: "gold_traces", Level: "trace", Prompt: "x", When: []string{`resource.attributes["tier"] == "gold"`}},
	)
	j := buildJudge(t, cfg)
	td := ptrace.NewTraces()
	agentTrace(td, 1, "shop", "a")
	agentTrace(td, 2, "shop", "b")
	td.ResourceSpans().At(1).Resource().Attributes().PutStr("tier", "gold")
	got := map[string]int{}
	for _, task := range tasks(t, j, td) {
		got[task.Rubric()]++
	}
	assert.Equal(t, map[string]int{"every_llm_span": 8, "tools": 2, "gold_traces": 1}, got,
		"4 LLM spans per trace (not the HTTP span), one tool span each, one gold trace")
}

func TestPromptFailures(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1",
		RubricConfig{Name: "output", Prompt: "{{.Span.OutputText}}", When: []string{`span.name == "chat final"`}},
		RubricConfig{Name: "name_only", Prompt: "{{.Span.Name}}", When: []string{`span.name == "chat final"`}},
	)
	cfg.MaxPromptBytes = 4096
	j := buildJudge(t, cfg)

	td := ptrace.NewTraces()
	agentTrace(td, 1, "shop", strings.Repeat("long ", 2000))
	agentTrace(td, 2, "shop", "fine")
	findSpanIn(td, 2, "chat final").Attributes().PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"trunc`)
	got := map[string]string{}
	for _, task := range tasks(t, j, td) {
		state := "ready"
		switch {
		case task.skip != "":
			state = "skip " + task.skip
		case task.errType != "":
			state = "error " + task.errType
		}
		got[task.Rubric()+"/"+task.TraceID.String()[:4]] = state
	}
	assert.Equal(t, map[string]string{
		"output/0a01":    "skip prompt_too_large",
		"name_only/0a01": "ready",
		"output/0a02":    "error undecodable_content",
		"name_only/0a02": "ready",
	}, got, "content the template does not read does not matter")
}

func TestPromptIsValidUTF8(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1")
	j := buildJudge(t, cfg)
	td := ptrace.NewTraces()
	agentTrace(td, 1, "shop", "ok")
	findSpan(td, "chat final").Attributes().PutStr("gen_ai.output.messages", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"bad \xff byte\"}]}]")
	ts := tasks(t, j, td)
	require.Len(t, ts, 1)
	assert.Contains(t, prompt(ts[0]), "bad \uFFFD byte")
}

func TestTemplateFuncs(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1", RubricConfig{
		Name:   "funcs",
		When:   []string{`span.name == "chat final"`},
		Prompt: `{{truncate 8 .Span.OutputText}}|{{json .Span.FinishReasons}}|{{join .Span.Failed "+"}}`,
	})
	j := buildJudge(t, cfg)
	td := ptrace.NewTraces()
	agentTrace(td, 1, "shop", "It shipped today.")
	ts := tasks(t, j, td)
	require.Len(t, ts, 1)
	assert.Equal(t, `It sh…|["stop"]|`, prompt(ts[0]))
}

func findSpan(td ptrace.Traces, name string) ptrace.Span { return findSpanIn(td, 0, name) }

// findSpanIn finds a span by name, in trace {0xa, id} when id is not 0.
func findSpanIn(td ptrace.Traces, id byte, name string) ptrace.Span {
	var out ptrace.Span
	spans.Each(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) {
		if sp.Name() == name && (id == 0 || sp.TraceID()[1] == id) {
			out = sp
		}
	})
	return out
}

func removeSpan(td ptrace.Traces, name string) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		sss := td.ResourceSpans().At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			sss.At(j).Spans().RemoveIf(func(sp ptrace.Span) bool { return sp.Name() == name })
		}
	}
}
