package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/taubench"
)

func runCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

const collectorConfig = `receivers:
  otlp: { protocols: { http: {} } }
processors:
  batch: {}
  llmeval/checks:
    evaluators:
      - { name: no_sorry, type: regex, must_not_match: '(?i)sorry' }
      - { name: slow, type: latency, max: 30s, when: ['span.attributes["gen_ai.operation.name"] == "chat"'] }
exporters:
  debug: {}
service:
  pipelines:
    traces: { receivers: [otlp], processors: [llmeval/checks, batch], exporters: [debug] }
`

func TestCheck(t *testing.T) {
	code, out, errOut := runCmd("check", "--config", writeFile(t, "c.yaml", collectorConfig))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "llmeval/checks is valid")
	assert.Regexp(t, `no_sorry\s+regex\s+output\s+spans with the output, not agent/workflow spans\s+always`, out)
	assert.Regexp(t, `slow\s+latency\s+-\s+all LLM/agent spans\s+span.attributes`, out)

	bad := strings.Replace(collectorConfig, "'(?i)sorry'", "'(sorry'", 1)
	code, _, errOut = runCmd("check", "--config", writeFile(t, "bad.yaml", bad))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `evaluators[0] "no_sorry": must_not_match: error parsing regexp`, "the collector's own error")

	code, _, errOut = runCmd("check", "--config", writeFile(t, "none.yaml", "processors: { batch: {} }"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no llmeval processor")
}

// otlpLines turns the real-producer fixtures into a file exporter file:
// one compact ExportTraceServiceRequest per line.
func otlpLines(t *testing.T) (lines []string, spans int) {
	t.Helper()
	files, err := filepath.Glob("../../testdata/fixtures/real/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(body)
		require.NoError(t, err)
		line, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		require.NoError(t, err)
		lines = append(lines, string(line))
		spans += td.SpanCount()
	}
	return lines, spans
}

func TestReplay(t *testing.T) {
	lines, spans := otlpLines(t)
	plain := writeFile(t, "traces.jsonl", strings.Join(lines[:9], "\n")+"\n{not json}\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(strings.Join(lines[9:], "\n")))
	require.NoError(t, zw.Close())
	zipped := writeFile(t, "traces.jsonl.gz", gz.String())
	cfg := writeFile(t, "p.yaml", "{}\n") // a bare processor config: the defaults
	out := filepath.Join(t.TempDir(), "annotated.jsonl")

	code, stdout, stderr := runCmd("replay", "--config", cfg, "--examples", "2", "--out", out, plain, zipped)
	assert.Equal(t, 1, code, "a bad line makes the exit status 1")
	assert.Contains(t, stderr, fmt.Sprintf("bad line: %s:10 (byte %d):", plain, len(strings.Join(lines[:9], "\n"))+1))
	assert.Contains(t, stdout, fmt.Sprintf("%d spans", spans), "every span of both files, gzip included")
	assert.Regexp(t, `refusal\s+\d+\s+\d+\s+[3-9]\s+0\s+`, stdout, "the three producers' refusals fail")
	assert.Regexp(t, `pii\s+\d+\s+\d+\s+[1-9]`, stdout)
	assert.Contains(t, stdout, "failing spans:")
	assert.Equal(t, 2, strings.Count(stdout, "\n  trace "), "--examples 2")

	// --out holds every span, annotated.
	var annotated int
	require.NoError(t, readTraces(out, new(int64), func(td ptrace.Traces) error {
		annotated += td.SpanCount()
		return nil
	}, func(e *lineError) { t.Errorf("bad line in --out: %v", e) }))
	assert.Equal(t, spans, annotated)

	code, _, stderr = runCmd("replay", "--config", cfg, filepath.Join(t.TempDir(), "missing.jsonl"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "no such file")
}

// TestReplayLogRecords: a line may hold spans and GenAI log records (the
// OTel OpenAI instrumentation keeps content in the records); replay
// evaluates both with one instance, as a collector with llmeval in a traces
// and a logs pipeline does, and a leak found on a record samples its trace.
func TestReplayLogRecords(t *testing.T) {
	raw, err := os.ReadFile("../../processor/testdata/captures/otel_openai-leak.json")
	require.NoError(t, err)
	var line bytes.Buffer
	require.NoError(t, json.Compact(&line, raw))
	file := writeFile(t, "both.jsonl", line.String()+"\n")
	cfg := writeFile(t, "p.yaml", `sampling:
  rules:
    - { name: leaks, verdict_failed: [pii] }
judge:
  otlp_http: { endpoint: "http://127.0.0.1:1" }
`)
	code, stdout, stderr := runCmd("replay", "--config", cfg, "--examples", "1", file)
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `\d+ spans, \d+ with a verdict; 3 log records, 1 with a verdict`, stdout)
	assert.Regexp(t, `pii\s+1\s+0\s+1\s+0`, stdout, "the leak is on the gen_ai.choice record")
	assert.Contains(t, stdout, "log record  pii: pii found")
	assert.Regexp(t, `judge: 1 traces sampled\n\s+leaks\s+1`, stdout)
}

func TestReplaySampling(t *testing.T) {
	lines, _ := otlpLines(t)
	cfg := writeFile(t, "p.yaml", `sampling:
  rules:
    - { name: leaks, verdict_failed: [pii] }
judge:
  otlp_http: { endpoint: "http://127.0.0.1:1" }
`)
	code, stdout, stderr := runCmd("replay", "--config", cfg, writeFile(t, "t.jsonl", strings.Join(lines, "\n")))
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `judge: [1-9]\d* traces sampled\n\s+leaks\s+[1-9]`, stdout, "the rules run as in the collector, without reaching the judge")
}

// annotatedSpan is a span the processor wrote verdicts on.
func annotatedSpan(ss ptrace.ScopeSpans, trace, span byte, verdicts map[string]string) {
	sp := ss.Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{trace})
	sp.SetSpanID(pcommon.SpanID{trace, span})
	sp.Attributes().PutStr("llmeval.verdict", "pass")
	for name, v := range verdicts {
		sp.Attributes().PutStr("llmeval."+name+".verdict", v)
		if v == "fail" {
			sp.Attributes().PutStr("llmeval.verdict", "fail")
		}
	}
}

func TestCalibrate(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	// Six spans judged by humans for pii, written without record_passes:
	// a pass leaves no attribute of its own. The evaluator failed spans 1,
	// 2 and 3 and passed 4, 5 and 6; humans said fail for 1, 2 and 4.
	annotatedSpan(ss, 1, 1, map[string]string{"pii": "fail"})
	annotatedSpan(ss, 2, 1, map[string]string{"pii": "fail"})
	annotatedSpan(ss, 3, 1, map[string]string{"pii": "fail"})
	annotatedSpan(ss, 4, 1, nil)
	annotatedSpan(ss, 5, 1, nil)
	annotatedSpan(ss, 6, 1, nil)
	// A trace-level label: trace 7 has one failing span among two.
	annotatedSpan(ss, 7, 1, nil)
	annotatedSpan(ss, 7, 2, map[string]string{"refusal": "fail"})
	file := writeTraces(t, td)
	id := func(trace, span byte) string { return pcommon.SpanID{trace, span}.String() }
	labels := writeFile(t, "labels.csv", "span_id,evaluator,human\n"+
		id(1, 1)+",pii,fail\n"+id(2, 1)+",pii,fail\n"+id(3, 1)+",pii,pass\n"+
		id(4, 1)+",pii,fail\n"+id(5, 1)+",pii,pass\n"+id(6, 1)+",pii,pass\n"+
		pcommon.TraceID{7}.String()+",refusal,fail\n"+
		id(9, 9)+",pii,fail\n")

	code, out, stderr := runCmd("calibrate", "--labels", labels, file)
	require.Equal(t, 0, code, stderr)
	// By hand: TP=2 (1,2) FP=1 (3) FN=1 (4) TN=2 (5,6). TPR 2/3, TNR 2/3,
	// precision 2/3; po=4/6, pe=(3*3+3*3)/36=0.5, kappa=(0.667-0.5)/0.5=0.333.
	// The label for span 9/9, which is not in the file, is "no verdict".
	assert.Regexp(t, `pii\s+6\s+2\s+1\s+1\s+2\s+0\.667\s+0\.667\s+0\.667\s+0\.333\s+1\s+0\n`, out)
	assert.Regexp(t, `refusal\s+1\s+1\s+0\s+0\s+0\s+1\.000\s+-\s+1\.000\s+-\s+0\s+0\n`, out)

	bad := writeFile(t, "bad.csv", id(1, 1)+",pii,maybe\n")
	code, _, stderr = runCmd("calibrate", "--labels", bad, file)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `bad.csv:1: human verdict "maybe" is neither pass nor fail`)
}

func writeTraces(t *testing.T, td ptrace.Traces) string {
	t.Helper()
	line, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	return writeFile(t, "annotated.jsonl", string(line)+"\n")
}

// TestCalibrateNoVerdictIsNotAMiss: with passes recorded (as replay
// writes them), a span an evaluator has no verdict on is one it did not
// apply to; a label naming an evaluator that is nowhere in the files is a
// typo or an unconfigured evaluator. Neither may become a false negative.
func TestCalibrateNoVerdictIsNotAMiss(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	annotatedSpan(ss, 1, 1, map[string]string{"pii": "fail", "latency": "pass"})
	annotatedSpan(ss, 2, 1, map[string]string{"pii": "pass", "latency": "pass"})
	// An agent span pii skips: evaluated (latency), no pii verdict.
	annotatedSpan(ss, 3, 1, map[string]string{"latency": "pass"})
	annotatedSpan(ss, 4, 1, map[string]string{"pii": "error", "latency": "pass"})
	file := writeTraces(t, td)
	id := func(trace byte) string { return pcommon.SpanID{trace, 1}.String() }
	labels := writeFile(t, "labels.csv", id(1)+",pii,fail\n"+id(2)+",pii,pass\n"+id(3)+",pii,fail\n"+
		id(4)+",pii,fail\n"+id(1)+",pi,fail\n"+id(2)+",pi,pass\n"+id(1)+",refusal,fail\n")

	code, out, stderr := runCmd("calibrate", "--labels", labels, file)
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `pii\s+2\s+1\s+0\s+0\s+1\s+1\.000\s+1\.000\s+1\.000\s+1\.000\s+1\s+1\n`, out,
		"span 3 is no verdict and span 4 an error, neither a false negative")
	assert.NotRegexp(t, `(?m)^pi\s`, out, "the misspelt evaluator gets no row")
	assert.Contains(t, out, "labels for evaluators that gave no verdict anywhere in these files")
	assert.Regexp(t, `\n\s+pi: 2 labels\n\s+refusal: 1 labels\n`, out)

	// A gate fails on labels it cannot compare: a typo must not pass CI.
	code, out, _ = runCmd("calibrate", "--labels", labels, "--min-precision", "0.9", file)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "pi: no verdict in these files (not configured?)")
	assert.NotContains(t, out, "pii: precision")
}

func TestCalibrateThresholds(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	var csv strings.Builder
	// pii: 9 TP, 1 FN, 0 FP, 10 TN: precision 1, recall 0.9.
	// refusal: 8 TP, 0 FN, 2 FP, 10 TN: precision 0.8, recall 1.
	for i := byte(1); i <= 20; i++ {
		pii, refusal := "pass", "pass"
		if i <= 9 {
			pii = "fail"
		}
		if i <= 8 || i == 11 || i == 12 {
			refusal = "fail"
		}
		annotatedSpan(ss, i, 1, map[string]string{"pii": pii, "refusal": refusal})
		human := func(fail bool) string {
			if fail {
				return "fail"
			}
			return "pass"
		}
		fmt.Fprintf(&csv, "%s,pii,%s\n", pcommon.SpanID{i, 1}, human(i <= 10))
		fmt.Fprintf(&csv, "%s,refusal,%s\n", pcommon.SpanID{i, 1}, human(i <= 8))
	}
	file := writeTraces(t, td)
	labels := writeFile(t, "labels.csv", csv.String())

	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		below     []string
		notBelow  []string
		errSubstr string
	}{
		{name: "no gate", code: 0},
		{name: "both met", args: []string{"--min-precision", "0.8", "--min-recall", "0.9"}, code: 0},
		{name: "precision", args: []string{"--min-precision", "0.95"}, code: 1,
			below: []string{"refusal: precision 0.800 (TP 8, FP 2)"}, notBelow: []string{"pii: precision", "recall"}},
		{name: "recall", args: []string{"--min-recall", "0.95"}, code: 1,
			below: []string{"pii: recall 0.900 (TP 9, FN 1)"}, notBelow: []string{"refusal: recall", "precision 1"}},
		{name: "out of range", args: []string{"--min-recall", "95"}, code: 2, errSubstr: "--min-recall: 95 is not between 0 and 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCmd(append(append([]string{"calibrate", "--labels", labels}, tc.args...), file)...)
			assert.Equal(t, tc.code, code, stderr)
			_, gate, _ := strings.Cut(out, "below the thresholds")
			for _, s := range tc.below {
				assert.Contains(t, gate, s)
			}
			for _, s := range tc.notBelow {
				assert.NotContains(t, gate, s)
			}
			if tc.code == 0 {
				assert.NotContains(t, out, "below the thresholds")
			}
			if tc.errSubstr != "" {
				assert.Contains(t, stderr, tc.errSubstr)
			}
		})
	}

	// An evaluator that measured nothing (no fail labels, no fail
	// verdicts) cannot pass a gate.
	empty := writeFile(t, "empty.csv", pcommon.SpanID{20, 1}.String()+",pii,pass\n")
	code, out, _ := runCmd("calibrate", "--labels", empty, "--min-precision", "0.5", file)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "pii: precision - (TP 0, FP 0)")
}

// TestReplayTauBench replays the 200 tau-bench airline trajectories,
// converted to the file exporter's format, with the collector config `make
// run` uses.
func TestReplayTauBench(t *testing.T) {
	file, spans := tauBenchFile(t)
	code, out, stderr := runCmd("replay", "--config", "../../testdata/collector/run.yaml", file)
	require.Equal(t, 0, code, stderr)
	t.Logf("\n%s", out)
	assert.Contains(t, out, fmt.Sprintf("%d spans", spans))
	assert.Regexp(t, `refusal\s+\d+\s+\d+\s+[1-9]\d*\s+0\s+`, out, "tau-bench agents decline some requests")
	assert.Regexp(t, `loop\s+[1-9]`, out)
}

// tauBenchFile writes the tau-bench airline trajectories in the file
// exporter's format and returns the file and its span count; it skips the
// test when the dataset is not there.
func tauBenchFile(t *testing.T) (string, int) {
	t.Helper()
	path := taubench.DefaultPath()
	if path == "" {
		t.Skip("tau-bench airline dataset not found")
	}
	recs, err := taubench.Load(path)
	require.NoError(t, err)
	var b strings.Builder
	spans := 0
	for _, r := range recs {
		td := r.Traces()
		spans += td.SpanCount()
		line, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	return writeFile(t, "taubench.jsonl", b.String()), spans
}
