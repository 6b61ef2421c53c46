package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// The hostile phase: what an attacker, or an unlucky deployment, does to
// the memory the judge path holds.
//
//   - content is incompressible (random base64), so the buffer's
//     compression does not help: 4 KiB per chat span and, in one trace of
//     fifty, a 1 MiB span;
//   - every trace has a fresh 64 KiB conversation ID and a 64 KiB tool
//     name, which the loop signal remembers (max_conversations 500, so
//     the state fills and evicts within the phase);
//   - no trace ever completes (no root span), so undecided traces pile up
//     until max_bytes decides them, and every decided trace is sampled
//     (baseline 1);
//   - the judge accepts connections and never answers.
//
// The same load first runs through the same collector without llmeval;
// that run's peak RSS is the base the formula adds to.

// Documented sizes (README, "Memory"): the defaults of the bounds the
// load test's builds leave alone, and what each unit of state costs at most.
const (
	defaultMaxTraces      = 50_000  // sampling.max_traces
	defaultDecisionCache  = 100_000 // sampling.decision_cache_size
	defaultConversations  = 10_000  // signals.max_conversations
	defaultRunawayTraces  = 10_000  // signals.runaway.max_traces
	hostileConversations  = 500     // signals.max_conversations of the hostile build, low so that evictions happen within the phase
	bytesPerBufferedTrace = 400     // a buffered trace's bookkeeping beside its copy
	bytesPerDecision      = 160     // one remembered decision
	bytesPerConversation  = 9318    // signals: recent calls, runaway sums and input history summary (9.1 KiB)
	bytesPerRunawayTrace  = 830     // signals: one trace's runaway sums
	inFlightFactor        = 3.2     // a copy inside the judge exporter: decoded, as pdata, re-encoded
	gcFactor              = 2       // Go's heap target at GOGC=100: twice the live heap
	judgeShare            = 0.25    // of max_bytes
)

// bounds are the settings memoryBound reads.
type bounds struct {
	maxBytes                                           int64
	maxTraces, decisions, conversations, runawayTraces int
}

// defaultBounds are the load test's bounds: max_bytes as given, every
// other bound at its default.
func defaultBounds(maxBytes int64) bounds {
	return bounds{maxBytes, defaultMaxTraces, defaultDecisionCache, defaultConversations, defaultRunawayTraces}
}

// memoryBound is the documented bound on what llmeval adds to a collector's
// RSS: twice (the GC's headroom) the live bytes it can hold, which are
// max_bytes (handoff queue, buffer and the judge's share together, by
// their accounted bytes), the extra of copies inside the judge exporter
// over their accounted size, and the bookkeeping of traces, decisions,
// conversations and runaway sums.
func memoryBound(b bounds) int64 {
	live := float64(b.maxBytes) +
		(inFlightFactor-1)*judgeShare*float64(b.maxBytes) +
		bytesPerBufferedTrace*float64(b.maxTraces) +
		bytesPerDecision*float64(b.decisions) +
		bytesPerConversation*float64(b.conversations) +
		bytesPerRunawayTrace*float64(b.runawayTraces)
	return int64(gcFactor * live)
}

// hangingJudge accepts OTLP requests and never answers them.
type hangingJudge struct {
	url      string
	requests atomic.Int64
	release  chan struct{}
	srv      *http.Server
}

func newHangingJudge() (*hangingJudge, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	j := &hangingJudge{url: "http://" + l.Addr().String(), release: make(chan struct{})}
	j.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.requests.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-j.release:
		case <-r.Context().Done():
		}
	})}
	go func() { _ = j.srv.Serve(l) }()
	return j, nil
}

func (j *hangingJudge) close() {
	close(j.release)
	_ = j.srv.Close()
}

func noise(n int) string {
	b := make([]byte, n*3/4)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// hostileTrace appends one trace that never completes: a chat span with
// incompressible messages (sometimes 1 MiB) and a tool span with a 64 KiB
// conversation ID and tool name.
func hostileTrace(ss ptrace.ScopeSpans, n uint64, now time.Time) int {
	var id pcommon.TraceID
	_, _ = rand.Read(id[:])
	parent := pcommon.SpanID{0xff, 1} // never sent: the trace has no root
	span := func(name string, k byte) ptrace.Span {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(id)
		sp.SetSpanID(pcommon.SpanID{k, byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24), 3})
		sp.SetParentSpanID(parent)
		sp.SetName(name)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Second)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
		sp.Attributes().PutInt(sentKey, now.UnixNano())
		return sp
	}
	size := 4 << 10
	if n%50 == 0 {
		size = 1 << 20
	}
	chat := span("chat", 1)
	a := chat.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"`+noise(512)+`"}]}]`)
	a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"`+noise(size)+`"}]}]`)
	tool := span("execute_tool", 2)
	t := tool.Attributes()
	t.PutStr("gen_ai.operation.name", "execute_tool")
	t.PutStr("gen_ai.tool.name", noise(64<<10))
	t.PutStr("gen_ai.conversation.id", noise(64<<10))
	t.PutStr("gen_ai.tool.call.arguments", `{"q":"`+noise(256)+`"}`)
	return 2
}

func hostileConfig(withLLMEval bool, otlpPort, metricsPort int, sinkURL, judgeURL string, maxBytes int64) string {
	llmeval, procs := "", "[batch]"
	if withLLMEval {
		procs = "[llmeval, batch]"
		llmeval = fmt.Sprintf(`  llmeval:
    sampling:
      max_bytes: %d
      baseline_ratio: 1
    signals:
      max_conversations: %d
    judge:
      otlp_http: { endpoint: %s, compression: none }
`, maxBytes, hostileConversations, judgeURL)
	}
	return pipelineYAML(otlpPort, metricsPort, llmeval, sinkURL, procs)
}

type hostileResult struct {
	sent, received int64
	peakRSS        int64
	metrics        map[string]string
}

func hostilePhase(binary string, withLLMEval bool, tracesPerSec int, d time.Duration, maxBytes int64) (hostileResult, error) {
	var res hostileResult
	out, closeOut, err := newSink()
	if err != nil {
		return res, err
	}
	defer closeOut()
	judge, err := newHangingJudge()
	if err != nil {
		return res, err
	}
	defer judge.close()
	port, mport := freePort(), freePort()
	p, err := startCollector(binary, hostileConfig(withLLMEval, port, mport, out.url, judge.url, maxBytes))
	if err != nil {
		return res, err
	}
	defer p.stop()
	if err := waitPort(port); err != nil {
		return res, err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/v1/traces", port)
	var sent atomic.Int64
	jobs, waitSent := posters(url, 4, 16, 30*time.Second)
	// Batches of 10 traces, tracesPerSec/10 times a second.
	tick := time.NewTicker(time.Second * 10 / time.Duration(tracesPerSec))
	var n uint64
	for end := time.Now().Add(d); time.Now().Before(end); {
		now := <-tick.C
		td := ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		spans := 0
		for i := 0; i < 10; i++ {
			n++
			spans += hostileTrace(ss, n, now)
		}
		body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
		if err != nil {
			return res, err
		}
		sent.Add(int64(spans))
		jobs <- body // waits when the collector is slower: offered load adapts, nothing is dropped here
	}
	tick.Stop()
	sendErr := waitSent()
	for deadline := time.Now().Add(30 * time.Second); out.spans.Load() < sent.Load() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	_, res.peakRSS = procStats(p.cmd.Process.Pid)
	res.sent, res.received = sent.Load(), out.spans.Load()
	if sendErr != nil {
		return res, fmt.Errorf("sending: %w", sendErr)
	}
	res.metrics = map[string]string{}
	if withLLMEval {
		for _, m := range []string{
			"otelcol_processor_llmeval_judge_handoff_drops", "otelcol_processor_llmeval_judge_evictions",
			"otelcol_processor_llmeval_judge_spans_dropped", "otelcol_processor_llmeval_judge_spans_sent",
			"otelcol_processor_llmeval_judge_buffered_bytes", "otelcol_processor_llmeval_signal_state_evictions",
		} {
			res.metrics[m] = scrapeAll(mport, m)
		}
		res.metrics["judge requests (never answered)"] = fmt.Sprint(judge.requests.Load())
	}
	return res, nil
}

// runHostile runs the hostile load without and with llmeval and checks
// that llmeval adds no more than memoryBound to the peak RSS and loses no
// main-stream span.
func runHostile(binary string, tracesPerSec int, d time.Duration, maxBytes int64) error {
	base, err := hostilePhase(binary, false, tracesPerSec, d, maxBytes)
	if err != nil {
		return fmt.Errorf("without llmeval: %w", err)
	}
	r, err := hostilePhase(binary, true, tracesPerSec, d, maxBytes)
	if err != nil {
		return fmt.Errorf("with llmeval: %w", err)
	}
	hb := defaultBounds(maxBytes)
	hb.conversations = hostileConversations
	bound := memoryBound(hb)
	w := os.Stdout
	fmt.Fprintf(w, "\nhostile phase: %d traces/s for %s, incompressible content (4 KiB per chat span, 1 MiB in 1 trace of 50), 64 KiB conversation IDs and tool names, no trace completes, baseline_ratio 1, judge never answers, max_bytes %d MiB\n",
		tracesPerSec, d, maxBytes>>20)
	fmt.Fprintf(w, "| build | spans sent | spans out | lost | peak RSS MiB |\n|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(w, "| no llmeval | %d | %d | %d | %.0f |\n", base.sent, base.received, base.sent-base.received, float64(base.peakRSS)/(1<<20))
	fmt.Fprintf(w, "| llmeval, hanging judge | %d | %d | %d | %.0f |\n", r.sent, r.received, r.sent-r.received, float64(r.peakRSS)/(1<<20))
	for _, k := range sortedKeys(r.metrics) {
		fmt.Fprintf(w, "  %s: %s\n", k, r.metrics[k])
	}
	fmt.Fprintf(w, "llmeval added %.0f MiB; documented bound 2 × (1.55 × max_bytes + bookkeeping) = %.0f MiB\n",
		float64(r.peakRSS-base.peakRSS)/(1<<20), float64(bound)/(1<<20))
	var errs []error
	if lost := r.sent - r.received; lost > 0 {
		errs = append(errs, fmt.Errorf("%d main-stream spans lost", lost))
	}
	if r.peakRSS > base.peakRSS+bound {
		errs = append(errs, fmt.Errorf("peak RSS %d MiB above the bound: %d MiB without llmeval + %d MiB",
			r.peakRSS>>20, base.peakRSS>>20, bound>>20))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%v", errs)
	}
	return nil
}

// scrapeAll returns every series of a metric, "label=value" joined, or "0".
func scrapeAll(port int, name string) string {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		return "?"
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	var out []string
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, name) {
			continue
		}
		f := strings.Fields(line)
		series := f[0]
		if i := strings.IndexByte(series, '{'); i >= 0 {
			var keep []string
			for _, l := range strings.Split(strings.Trim(series[i:], "{}"), ",") {
				if strings.HasPrefix(l, "cause=") {
					keep = append(keep, l)
				}
			}
			series = strings.Join(keep, ",")
		} else {
			series = ""
		}
		out = append(out, strings.TrimSpace(series+" "+f[len(f)-1]))
	}
	if len(out) == 0 {
		return "0"
	}
	return strings.Join(out, "; ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
