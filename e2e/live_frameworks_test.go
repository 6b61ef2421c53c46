package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// liveFramework is one agent framework of tools/fixturegen/lib/frameworks.mjs
// as the live test runs it, and what the collector must read from it.
type liveFramework struct {
	name string
	// layout is the `layout` value of the llm_spans metric its content is
	// read as.
	layout string
	// toolFailure reports whether the failing_tool scenario's failure was
	// caught: where it shows depends on what the framework records.
	toolFailure func(items []pcommon.Map) bool
}

// toolSpanFailed: a tool span failed (status ERROR, or Langfuse level
// ERROR): the failure signal's tool_error.
func toolSpanFailed(items []pcommon.Map) bool { return kindsOf(items, "failure")["tool_error"] }

// toolResultFailed: the error came back to the model as a tool result and
// the model said so (no tool span, or one without status).
func toolResultFailed(items []pcommon.Map) bool {
	return len(kindsOf(items, "exhaustion")) > 0 || len(kindsOf(items, "failure")) > 0
}

// failedOf and kindsOf are failedNames and signalKinds over the
// attributes of spans and log records.
func failedOf(items []pcommon.Map) map[string]bool {
	out := map[string]bool{}
	for _, m := range items {
		if f, ok := m.Get("llmeval.failed"); ok && f.Type() == pcommon.ValueTypeSlice {
			for _, n := range f.Slice().AsRaw() {
				out[fmt.Sprint(n)] = true
			}
		}
	}
	return out
}

func kindsOf(items []pcommon.Map, category string) map[string]bool {
	out := map[string]bool{}
	for _, m := range items {
		if k, ok := m.Get("llmeval.signal." + category + ".kinds"); ok && k.Type() == pcommon.ValueTypeSlice {
			for _, n := range k.Slice().AsRaw() {
				out[fmt.Sprint(n)] = true
			}
		}
	}
	return out
}

// liveFrameworks are the frameworks whose content is in span attributes.
var liveFrameworks = []liveFramework{
	{"openai_agents", "openinference", toolResultFailed},
	{"google_adk", "google_adk", toolResultFailed},
	{"langfuse", "langfuse", toolSpanFailed},
	{"agent365", "gen_ai", toolSpanFailed},
	{"mastra", "mastra", toolSpanFailed},
	{"traceloop_agent", "traceloop", toolResultFailed},
	{"langchain", "openinference", toolResultFailed},
	{"openlit", "gen_ai", toolResultFailed},
	{"vercel_ai", "gen_ai", toolSpanFailed},
}

var frameworkScenarios = []string{"normal", "leak", "refusal", "failing_tool"}

// TestLiveFrameworks runs every framework of liveFrameworks, four scenarios
// each, against the fake model server, all into one collector with the
// default configuration (what a new user runs), and checks per framework
// that its content is read and that the leak, the refusal and the failing
// tool are caught.
func TestLiveFrameworks(t *testing.T) {
	runLiveFrameworks(t, false, liveFrameworks)
}

// runLiveFrameworks runs frameworks against one collector with llmeval's
// default configuration; withLogs puts llmeval in a logs pipeline too.
func runLiveFrameworks(t *testing.T, withLogs bool, frameworks []liveFramework) {
	binary(t)
	if _, err := os.Stat(filepath.Join(fixturegen, "node_modules", "@google", "adk")); err != nil {
		t.Fatalf("Node packages missing in %s (make e2e installs them with npm ci): %v", fixturegen, err)
	}
	node, err := exec.LookPath("node")
	require.NoError(t, err, "node is needed for the live agents")

	main := newSink(t)
	logsPath := filepath.Join(t.TempDir(), "logs.jsonl")
	var c *collector
	if withLogs {
		otlpPort, metricsPort := freePort(t), freePort(t)
		c = startConfig(t, logsPipelineConfig(otlpPort, metricsPort, main.path, logsPath), otlpPort, metricsPort)
	} else {
		c = start(t, "", main)
	}

	// Frameworks run three at a time, each with its four scenarios in
	// parallel processes: about a dozen Node processes at once.
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 3)
	outs := make([]string, len(frameworks))
	errs := make([]error, len(frameworks))
	for i, fw := range frameworks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cmd := exec.Command(node, append([]string{"live.mjs", "--producer", fw.name, "--otlp", c.otlpURL}, frameworkScenarios...)...)
			cmd.Dir = fixturegen
			out, err := cmd.CombinedOutput()
			outs[i], errs[i] = string(out), err
		}()
	}
	wg.Wait()
	for i, fw := range frameworks {
		require.NoError(t, errs[i], "%s:\n%s", fw.name, outs[i])
	}
	t.Logf("%d frameworks × %d scenarios ran in %s", len(frameworks), len(frameworkScenarios), time.Since(start).Round(time.Second))

	waitQuiet(t, main, len(frameworks)*len(frameworkScenarios)*2)
	got, byTrace := frameworkSpans(t, main)
	if withLogs {
		time.Sleep(2 * time.Second) // the logs pipeline's file exporter flushes on its own
		frameworkLogs(t, logsPath, byTrace, got)
	}
	metrics := c.metrics(t, "llmeval_llm_spans")
	for _, fw := range frameworks {
		t.Run(fw.name, func(t *testing.T) {
			for _, sc := range frameworkScenarios {
				items := got[fw.name+"/"+sc]
				require.NotEmpty(t, items, "%s/%s: spans reach the main output", fw.name, sc)
				t.Logf("%s: failed %v, failure %v, exhaustion %v", sc, keys(failedOf(items)), keys(kindsOf(items, "failure")), keys(kindsOf(items, "exhaustion")))
			}
			assert.NotContains(t, failedOf(got[fw.name+"/normal"]), "pii", "a good answer leaks nothing")
			assert.NotContains(t, failedOf(got[fw.name+"/normal"]), "refusal", "a good answer refuses nothing")
			assert.True(t, failedOf(got[fw.name+"/leak"])["pii"], "the leaked SSN and email are caught")
			assert.True(t, failedOf(got[fw.name+"/refusal"])["refusal"], "the refusal is caught")
			if fw.toolFailure != nil {
				assert.True(t, fw.toolFailure(got[fw.name+"/failing_tool"]), "the failing tool is caught")
			}
			if fw.layout != "" {
				assert.Contains(t, metrics, `layout="`+fw.layout+`"`, "spans are read as %s", fw.layout)
			}
		})
	}
}

// logsPipelineConfig is pipelineConfig with llmeval in a logs pipeline too,
// its records written to logsPath.
func logsPipelineConfig(otlpPort, metricsPort int, outPath, logsPath string) string {
	cfg := pipelineConfig(otlpPort, metricsPort, outPath, "")
	cfg = strings.Replace(cfg, "exporters:\n", fmt.Sprintf("exporters:\n  file/logs:\n    path: %s\n    flush_interval: 50ms\n", logsPath), 1)
	return cfg + "    logs:\n      receivers: [otlp]\n      processors: [llmeval]\n      exporters: [file/logs]\n"
}

// frameworkLogs adds the attributes of the log records in path to got,
// by the scenario of their trace.
func frameworkLogs(t *testing.T, path string, byTrace map[pcommon.TraceID]string, got map[string][]pcommon.Map) {
	t.Helper()
	body, err := os.ReadFile(path)
	require.NoError(t, err, "the logs pipeline wrote nothing")
	n := 0
	for _, line := range bytes.Split(body, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(line)
		require.NoError(t, err)
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			sls := ld.ResourceLogs().At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					if key, ok := byTrace[lrs.At(k).TraceID()]; ok {
						got[key] = append(got[key], lrs.At(k).Attributes())
						n++
					}
				}
			}
		}
	}
	require.Positive(t, n, "log records of the scenarios' traces")
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// frameworkSpans groups the attributes of what a sink received by
// "<producer>/<scenario>", and maps each trace to its key.
// The fixture keys are resource attributes, or span attributes for a
// producer that builds its own resource (OpenLIT); a span without them
// belongs to the scenario of its trace.
func frameworkSpans(t *testing.T, s *sink) (map[string][]pcommon.Map, map[pcommon.TraceID]string) {
	t.Helper()
	s.read(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	byTrace := map[pcommon.TraceID]string{}
	key := func(m pcommon.Map) string {
		p, ok1 := m.Get("fixture.producer")
		sc, ok2 := m.Get("fixture.scenario")
		if !ok1 || !ok2 {
			return ""
		}
		return p.Str() + "/" + sc.Str()
	}
	type item struct {
		k  string
		sp ptrace.Span
	}
	var all []item
	for _, td := range s.traces {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			rk := key(rs.Resource().Attributes())
			forEachSpan(traceOf(rs), func(sp ptrace.Span) {
				k := rk
				if k == "" {
					k = key(sp.Attributes())
				}
				if k != "" {
					byTrace[sp.TraceID()] = k
				}
				all = append(all, item{k, sp})
			})
		}
	}
	out := map[string][]pcommon.Map{}
	for _, it := range all {
		k := it.k
		if k == "" {
			k = byTrace[it.sp.TraceID()]
		}
		out[k] = append(out[k], it.sp.Attributes())
	}
	return out, byTrace
}

// eventFrameworks put their content in span events (Strands) or log
// records (the OpenTelemetry openai instrumentation, Logfire): llmeval
// reads them when it runs in the traces and the logs pipeline.
var eventFrameworks = []liveFramework{
	{"strands", "", toolResultFailed},
	{"strands_latest", "", toolResultFailed},
	{"otel_openai", "", toolResultFailed},
	{"logfire", "", toolResultFailed},
}

// TestLiveEventFrameworks runs the frameworks whose content is in GenAI
// span events and log records, with llmeval in both pipelines.
func TestLiveEventFrameworks(t *testing.T) {
	runLiveFrameworks(t, true, eventFrameworks)
}
