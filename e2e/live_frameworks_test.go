package e2e

import (
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
	toolFailure func(spans []ptrace.Span) bool
}

// toolSpanFailed: a tool span failed (status ERROR, or Langfuse level
// ERROR): the failure signal's tool_error.
func toolSpanFailed(spans []ptrace.Span) bool { return signalKinds(spans, "failure")["tool_error"] }

// toolResultFailed: the error came back to the model as a tool result and
// the model said so (no tool span, or one without status).
func toolResultFailed(spans []ptrace.Span) bool {
	return len(signalKinds(spans, "exhaustion")) > 0 || len(signalKinds(spans, "failure")) > 0
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
	runLiveFrameworks(t, "", liveFrameworks)
}

// runLiveFrameworks runs frameworks against one collector (processorYAML
// configures llmeval; a whole config when it has a service block).
func runLiveFrameworks(t *testing.T, processorYAML string, frameworks []liveFramework) (map[string][]ptrace.Span, string) {
	binary(t)
	if _, err := os.Stat(filepath.Join(fixturegen, "node_modules", "@google", "adk")); err != nil {
		t.Fatalf("Node packages missing in %s (make e2e installs them with npm ci): %v", fixturegen, err)
	}
	node, err := exec.LookPath("node")
	require.NoError(t, err, "node is needed for the live agents")

	main := newSink(t)
	var c *collector
	if strings.Contains(processorYAML, "\nservice:") {
		otlpPort, metricsPort := freePort(t), freePort(t)
		c = startConfig(t, fmt.Sprintf(processorYAML, otlpPort, main.path, telemetryYAML(metricsPort)), otlpPort, metricsPort)
	} else {
		c = start(t, processorYAML, main)
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
	got := frameworkSpans(t, main)
	metrics := c.metrics(t, "llmeval_llm_spans")
	for _, fw := range frameworks {
		t.Run(fw.name, func(t *testing.T) {
			for _, sc := range frameworkScenarios {
				spans := got[fw.name+"/"+sc]
				require.NotEmpty(t, spans, "%s/%s: spans reach the main output", fw.name, sc)
				t.Logf("%s: failed %v, failure %v, exhaustion %v", sc, keys(failedNames(spans)), keys(signalKinds(spans, "failure")), keys(signalKinds(spans, "exhaustion")))
			}
			assert.NotContains(t, failedNames(got[fw.name+"/normal"]), "pii", "a good answer leaks nothing")
			assert.NotContains(t, failedNames(got[fw.name+"/normal"]), "refusal", "a good answer refuses nothing")
			assert.True(t, failedNames(got[fw.name+"/leak"])["pii"], "the leaked SSN and email are caught")
			assert.True(t, failedNames(got[fw.name+"/refusal"])["refusal"], "the refusal is caught")
			if fw.toolFailure != nil {
				assert.True(t, fw.toolFailure(got[fw.name+"/failing_tool"]), "the failing tool is caught")
			}
			assert.Contains(t, metrics, `layout="`+fw.layout+`"`, "spans are read as %s", fw.layout)
		})
	}
	return got, metrics
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// frameworkSpans groups what a sink received by "<producer>/<scenario>".
// The fixture keys are resource attributes, or span attributes for a
// producer that builds its own resource (OpenLIT); a span without them
// belongs to the scenario of its trace.
func frameworkSpans(t *testing.T, s *sink) map[string][]ptrace.Span {
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
	out := map[string][]ptrace.Span{}
	for _, it := range all {
		k := it.k
		if k == "" {
			k = byTrace[it.sp.TraceID()]
		}
		out[k] = append(out[k], it.sp)
	}
	return out
}
