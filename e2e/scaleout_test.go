package e2e

import (
	"compress/gzip"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// The scale-out tests run the two-tier topology of docs/scale-out.md on
// loopback, from the very config files the page shows
// (examples/scale-out/tier1.yaml and tier2.yaml); a second config file per
// process only moves listeners to free loopback ports, names the tier-2
// addresses, shortens the sampling waits, lifts the budget and gives the
// judge exporter a queue for the burst.
//
//	test ──► tier 1 (load_balancing, traceID) ──► tier 2 a ──► main sink a (in the test)
//	                                          └──► tier 2 b ──► main sink b (in the test)
//	                       both tier-2 judges ──► judge collector (file exporter)

const (
	scaleTraces   = 400 // traces of 6 spans, each sent as 3 requests; LLMEVAL_E2E_SCALE_TRACES overrides
	scaleGroup    = 50  // traces per request
	scaleBaseline = 0.2 // the overlay's baseline_ratio, so both backends sample some
	decisionWait  = 2 * time.Second
)

// scaleTrace is one agent run: a root, two chat calls with their HTTP
// children and a tool call. Which rule it should trip is chosen up front.
type scaleTrace struct {
	n           int
	id          pcommon.TraceID
	escalation  bool // the user asks for a human in the first chat (request 1)
	toolFailure bool // the tool span ends in error (request 2)
	leak        bool // the final answer holds an e-mail address (request 2)
}

func scaleTraceSet(t *testing.T) []scaleTrace {
	t.Helper()
	n := scaleTraces
	if v := os.Getenv("LLMEVAL_E2E_SCALE_TRACES"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err)
		require.True(t, n > 0 && n < 1<<16, "LLMEVAL_E2E_SCALE_TRACES: 1 to 65535")
	}
	rng := rand.New(rand.NewPCG(17, 17))
	out := make([]scaleTrace, n)
	for i := range out {
		var id pcommon.TraceID
		for j := range id {
			id[j] = byte(rng.UintN(256))
		}
		k := i % 10
		out[i] = scaleTrace{n: i, id: id, leak: k == 0 || k == 4, escalation: k == 1, toolFailure: k == 2 || k == 3 || k == 4}
	}
	return out
}

func (st scaleTrace) spanID(k int) pcommon.SpanID {
	return pcommon.SpanID{0x5c, byte(st.n >> 8), byte(st.n), byte(k)}
}


// appendPart adds the spans of request p of the trace to ss.
func (st scaleTrace) appendPart(ss ptrace.ScopeSpans, p int) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(st.n) * time.Second)
	span := func(k, parent int, name string, from, to time.Duration) ptrace.Span {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(st.id)
		sp.SetSpanID(st.spanID(k))
		if parent > 0 {
			sp.SetParentSpanID(st.spanID(parent))
		}
		sp.SetName(name)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0.Add(from)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(t0.Add(to)))
		return sp
	}
	msg := func(role, text string) string {
		return `[{"role":"` + role + `","parts":[{"type":"text","content":"` + text + `"}]}]`
	}
	chat := func(k int, user, answer string, from, to time.Duration) {
		a := span(k, 1, "chat gpt-4o", from, to).Attributes()
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutStr("gen_ai.input.messages", msg("user", user))
		a.PutStr("gen_ai.output.messages", msg("assistant", answer))
	}
	switch p {
	case 0:
		user := "Where is my order?"
		if st.escalation {
			user = "This is useless, let me talk to a human"
		}
		chat(2, user, "Let me look that up.", 0, time.Second)
		span(3, 2, "POST /v1/chat/completions", 100*time.Millisecond, 900*time.Millisecond).
			Attributes().PutStr("http.request.method", "POST")
	case 1:
		tool := span(4, 1, "execute_tool lookup_order", time.Second, 1500*time.Millisecond)
		a := tool.Attributes()
		a.PutStr("gen_ai.operation.name", "execute_tool")
		a.PutStr("gen_ai.tool.name", "lookup_order")
		a.PutStr("gen_ai.tool.call.arguments", fmt.Sprintf(`{"order_id":%d}`, st.n))
		if st.toolFailure {
			tool.Status().SetCode(ptrace.StatusCodeError)
			tool.Status().SetMessage("order service failed")
		} else {
			a.PutStr("gen_ai.tool.call.result", `{"status":"shipped"}`)
		}
		answer := "Your order ships today."
		if st.leak {
			answer = fmt.Sprintf("Your order ships today; we emailed jane.doe%d@fastmail.com.", st.n)
		}
		chat(5, "Where is my order?", answer, 1500*time.Millisecond, 2500*time.Millisecond)
	case 2:
		span(6, 5, "POST /v1/chat/completions", 1600*time.Millisecond, 2400*time.Millisecond).
			Attributes().PutStr("http.request.method", "POST")
		span(1, 0, "invoke_agent support", 0, 3*time.Second).
			Attributes().PutStr("gen_ai.operation.name", "invoke_agent")
	}
}

// sendParts sends request p of every trace, scaleGroup traces per request.
func sendParts(t *testing.T, c *collector, traces []scaleTrace, p int) {
	t.Helper()
	for from := 0; from < len(traces); from += scaleGroup {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "support-agent")
		ss := rs.ScopeSpans().AppendEmpty()
		for _, st := range traces[from:min(from+scaleGroup, len(traces))] {
			st.appendPart(ss, p)
		}
		c.send(t, td)
	}
}

// The documented consistent hash (README, "Consistent decisions"): 64-bit
// FNV-1a over the 16 trace-ID bytes, followed for a rule's ratio by the
// rule's name; kept when the hash is below ratio × 2^64. Written here from
// the documentation, not imported, so the documentation is what is tested.
func keptByHash(id pcommon.TraceID, rule string, ratio float64) bool {
	h := fnv.New64a()
	h.Write(id[:])
	h.Write([]byte(rule))
	return float64(h.Sum64()) < ratio*math.Exp2(64)
}

// reason predicts llmeval.judge.reason for a trace decided on the spans of
// the given requests, under the rules of examples/scale-out/tier2.yaml (in
// their order) and the overlay's baseline; "" means not sampled.
func (st scaleTrace) reason(parts ...int) string {
	has := map[int]bool{}
	for _, p := range parts {
		has[p] = true
	}
	var rules []string
	if st.leak && has[1] {
		rules = append(rules, "leaks")
	}
	if st.escalation && has[0] {
		rules = append(rules, "escalations")
	}
	if st.toolFailure && has[1] && keptByHash(st.id, "tool_failures", 0.5) {
		rules = append(rules, "tool_failures")
	}
	if len(rules) > 0 {
		return strings.Join(rules, ",")
	}
	if keptByHash(st.id, "", scaleBaseline) {
		return "baseline"
	}
	return ""
}

// decidedEarly: a ratio-1 rule (leaks, escalations) matched within requests
// 1 and 2, so the trace was decided before its root arrived.
func (st scaleTrace) decidedEarly() bool { return st.leak || st.escalation }

type spanKey struct {
	trace pcommon.TraceID
	span  pcommon.SpanID
}

// mainSink is an OTLP/HTTP endpoint inside the test standing for a tier-2
// collector's traces backend: it counts every span it is sent.
type mainSink struct {
	url   string
	mu    sync.Mutex
	spans map[spanKey]int
}

func newMainSink(t *testing.T) *mainSink {
	t.Helper()
	m := &mainSink{spans: map[spanKey]int{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(m.serve)}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	m.url = "http://" + l.Addr().String()
	return m
}

func (m *mainSink) serve(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(raw); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	m.mu.Lock()
	forEachSpan(req.Traces(), func(sp ptrace.Span) { m.spans[spanKey{sp.TraceID(), sp.SpanID()}]++ })
	m.mu.Unlock()
	resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

func (m *mainSink) snapshot() map[spanKey]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[spanKey]int, len(m.spans))
	for k, v := range m.spans {
		out[k] = v
	}
	return out
}

// waitTotal waits until the sinks together hold n span copies.
func waitTotal(t *testing.T, n int, sinks ...*mainSink) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := 0
		for _, s := range sinks {
			for _, c := range s.snapshot() {
				got += c
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the main stream delivered %d spans, want %d", got, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// scaleTopology is the running two-tier deployment.
type scaleTopology struct {
	tier1    *collector
	tier2    [2]*collector
	ports    [2]int // tier-2 OTLP/gRPC ports, named in tier 1's resolver
	sinks    [2]*mainSink
	judgeOut *sink
	env      []string
}

func repoFile(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", rel))
	require.NoError(t, err)
	_, err = os.Stat(p)
	require.NoError(t, err)
	return p
}

func writeOverlay(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "overlay.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func telemetryOverlay(metricsPort int) string {
	return "service:\n" + telemetryYAML(metricsPort)
}

// startTier2 runs replica i of tier 2 from examples/scale-out/tier2.yaml.
func (s *scaleTopology) startTier2(t *testing.T, i int) {
	t.Helper()
	metricsPort := freePort(t)
	overlay := writeOverlay(t, fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
processors:
  llmeval:
    sampling:
      decision_wait: %s
      baseline_ratio: %g
      budget: { max_traces_per_second: 0 }
    judge:
      otlp_http:
        sending_queue: { queue_size: 100000 } # one request per sampled trace: room for the unbudgeted burst
`, s.ports[i], decisionWait, scaleBaseline)+telemetryOverlay(metricsPort))
	env := append([]string{"TRACES_ENDPOINT=" + s.sinks[i].url}, s.env...)
	s.tier2[i] = startArgs(t, []string{"--config", repoFile(t, "examples/scale-out/tier2.yaml"), "--config", overlay}, s.ports[i], metricsPort, env...)
}

func startScaleTopology(t *testing.T) *scaleTopology {
	t.Helper()
	s := &scaleTopology{judgeOut: newSink(t)}
	judgePort := freePort(t)
	startConfig(t, judgeConfig(judgePort, freePort(t), s.judgeOut.path), judgePort, 0)
	s.env = []string{fmt.Sprintf("JUDGE_ENDPOINT=http://127.0.0.1:%d", judgePort)}
	for i := range s.tier2 {
		s.ports[i] = freePort(t)
		s.sinks[i] = newMainSink(t)
		s.startTier2(t, i)
	}
	httpPort, grpcPort, metricsPort := freePort(t), freePort(t), freePort(t)
	overlay := writeOverlay(t, fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
      http:
        endpoint: 127.0.0.1:%d
exporters:
  load_balancing:
    resolver:
      static:
        hostnames: [127.0.0.1:%d, 127.0.0.1:%d]
`, grpcPort, httpPort, s.ports[0], s.ports[1])+telemetryOverlay(metricsPort))
	s.tier1 = startArgs(t, []string{"--config", repoFile(t, "examples/scale-out/tier1.yaml"), "--config", overlay}, httpPort, metricsPort)
	return s
}

// cpu reads the CPU time each collector of the topology used so far
// (tier 1, then the tier-2 replicas), from /proc; nil where unavailable.
func (s *scaleTopology) cpu(t *testing.T) []time.Duration {
	t.Helper()
	var out []time.Duration
	for _, c := range []*collector{s.tier1, s.tier2[0], s.tier2[1]} {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
		if err != nil {
			return nil
		}
		// Fields after the command name (which ends with ')'): utime and
		// stime are the 12th and 13th, in clock ticks (100 per second).
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		utime, _ := strconv.Atoi(f[11])
		stime, _ := strconv.Atoi(f[12])
		out = append(out, time.Duration(utime+stime)*10*time.Millisecond)
	}
	return out
}

// logCPU reports the CPU each tier spent per 10,000 spans since before:
// with LLMEVAL_E2E_SCALE_TRACES raised, the sizing figures of
// docs/scale-out.md.
func (s *scaleTopology) logCPU(t *testing.T, before []time.Duration, spans int) {
	t.Helper()
	after := s.cpu(t)
	if before == nil || after == nil {
		return
	}
	per := func(d time.Duration) float64 { return d.Seconds() / float64(spans) * 10000 }
	tier2 := after[1] - before[1] + after[2] - before[2]
	t.Logf("CPU per 10k spans (%d spans): tier 1 %.3f s, tier 2 (both replicas) %.3f s", spans, per(after[0]-before[0]), per(tier2))
}

// routing maps each trace to the tier-2 replica whose main stream carried
// its spans, failing on a trace split across replicas.
func (s *scaleTopology) routing(t *testing.T, traces []scaleTrace) map[pcommon.TraceID]int {
	t.Helper()
	out := map[pcommon.TraceID]int{}
	for i, sk := range s.sinks {
		for k := range sk.snapshot() {
			if prev, ok := out[k.trace]; ok && prev != i {
				t.Errorf("trace %s split across tier-2 replicas", k.trace)
			}
			out[k.trace] = i
		}
	}
	require.Len(t, out, len(traces), "every trace reached a replica")
	return out
}

// judgeSpans reads the judge's output: each span copy's reason, and how
// many copies of it arrived.
func (s *scaleTopology) judgeSpans(t *testing.T, atLeast int) (map[spanKey]string, map[spanKey]int) {
	t.Helper()
	s.judgeOut.waitSpans(t, atLeast)
	reasons, copies := map[spanKey]string{}, map[spanKey]int{}
	s.judgeOut.mu.Lock()
	defer s.judgeOut.mu.Unlock()
	for _, td := range s.judgeOut.traces {
		forEachSpan(td, func(sp ptrace.Span) {
			k := spanKey{sp.TraceID(), sp.SpanID()}
			r, _ := sp.Attributes().Get("llmeval.judge.reason")
			reasons[k] = r.Str()
			copies[k]++
		})
	}
	return reasons, copies
}

// assertJudge waits for the predicted judge copies, then long enough for
// any unexpected ones, and compares span by span.
func (s *scaleTopology) assertJudge(t *testing.T, want map[spanKey]string) {
	t.Helper()
	s.judgeSpans(t, len(want))
	time.Sleep(decisionWait + time.Second) // every trace is decided by now; nothing more may come
	got, copies := s.judgeSpans(t, len(want))
	for k, n := range copies {
		if n != 1 {
			t.Errorf("the judge got %d copies of span %s of trace %s", n, k.span, k.trace)
		}
	}
	if !assert.Equal(t, len(want), len(got), "spans at the judge") {
		for k, r := range want {
			if got[k] != r {
				t.Logf("trace %s span %s: want %q, got %q", k.trace, k.span, r, got[k])
			}
		}
	}
	assert.Equal(t, want, got, "the judge receives exactly the predicted spans, with the predicted reasons")
}

// assertMainStream: every span of every trace exactly once, on the replica
// its trace was routed to.
func assertMainStream(t *testing.T, s *scaleTopology, traces []scaleTrace) map[pcommon.TraceID]int {
	t.Helper()
	route := s.routing(t, traces)
	for _, st := range traces {
		for k := 1; k <= 6; k++ {
			key := spanKey{st.id, st.spanID(k)}
			assert.Equal(t, 1, s.sinks[route[st.id]].snapshot()[key], "trace %d span %d on its replica's main stream", st.n, k)
		}
	}
	per := [2]int{}
	for _, r := range route {
		per[r]++
	}
	for i, n := range per {
		assert.Greater(t, n, len(traces)/10, "replica %d gets a share of the traces (%v)", i, per)
	}
	return route
}

// metricValue returns the value of the first series of name whose labels
// contain every label given as `key="value"`.
func metricValue(scrape, name string, labels ...string) (float64, bool) {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `(\{[^}]*\})? ([0-9.e+-]+)$`)
	for _, m := range re.FindAllStringSubmatch(scrape, -1) {
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(m[1], l)
		}
		if ok {
			v, err := strconv.ParseFloat(m[2], 64)
			return v, err == nil
		}
	}
	return 0, false
}

// waitMetric polls c's metrics until the series name (any labels) has the
// value want.
func waitMetric(t *testing.T, c *collector, name string, want float64, labels ...string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last float64
	for time.Now().Before(deadline) {
		v, ok := metricValue(c.metrics(t, name), name, labels...)
		if ok && v == want {
			return
		}
		last = v
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s%v is %g, want %g", name, labels, last, want)
}

// TestScaleOutTwoTiers: 400 traces of 6 spans, each split over 3 requests,
// through tier 1 (load_balancing by trace ID) to two llmeval replicas. No
// span is lost or duplicated on the main stream, no trace is split, and
// the judge gets exactly the whole traces the rules and the documented
// hash predict, from both replicas alike.
func TestScaleOutTwoTiers(t *testing.T) {
	s := startScaleTopology(t)
	traces := scaleTraceSet(t)
	before := s.cpu(t)
	for p := 0; p < 3; p++ {
		sendParts(t, s.tier1, traces, p)
	}
	waitTotal(t, 6*len(traces), s.sinks[0], s.sinks[1])
	route := assertMainStream(t, s, traces)

	want := map[spanKey]string{}
	var baseline [2]int
	byReason := map[string]int{}
	for _, st := range traces {
		r := st.reason(0, 1, 2)
		if r == "" {
			continue
		}
		byReason[r]++
		if r == "baseline" {
			baseline[route[st.id]]++
		}
		for k := 1; k <= 6; k++ {
			want[spanKey{st.id, st.spanID(k)}] = r
		}
	}
	t.Logf("predicted judge traces by reason: %v; baseline per replica: %v", byReason, baseline)
	require.Positive(t, baseline[0], "the test needs baseline traces on both replicas")
	require.Positive(t, baseline[1], "the test needs baseline traces on both replicas")
	require.Positive(t, byReason["leaks,tool_failures"], "the test needs traces two rules chose")
	s.assertJudge(t, want)
	s.logCPU(t, before, 6*len(traces))

	// What tier 1 tells an operator: both backends in the ring, every
	// hand-off accepted.
	m := s.tier1.metrics(t, "otelcol_loadbalancer_backend_outcome")
	n, ok := metricValue(m, "otelcol_loadbalancer_num_backends", `resolver="static"`)
	assert.True(t, ok && n == 2, "otelcol_loadbalancer_num_backends{resolver=static} is 2")
	for _, port := range s.ports {
		_, failed := metricValue(m, "otelcol_loadbalancer_backend_outcome", fmt.Sprintf(`endpoint="127.0.0.1:%d"`, port), `success="false"`)
		assert.False(t, failed, "no failed hand-off to 127.0.0.1:%d", port)
		v, ok := metricValue(m, "otelcol_loadbalancer_backend_outcome", fmt.Sprintf(`endpoint="127.0.0.1:%d"`, port), `success="true"`)
		assert.True(t, ok && v > 0, "hand-offs to 127.0.0.1:%d counted", port)
	}
}

// TestScaleOutBackendKilled kills one tier-2 replica (SIGKILL, as an OOM
// kill or a node loss would) after the first two requests of every trace,
// sends the rest while it is down, and restarts it. What is lost is what
// docs/scale-out.md says: the judge copies of the traces it had not yet
// decided, exactly as many as its buffered-traces gauge showed. The main
// stream loses nothing, because tier 1's per-backend queue retries until
// the replica is back; the restarted replica decides the rest of those
// traces as new, partial traces.
func TestScaleOutBackendKilled(t *testing.T) {
	s := startScaleTopology(t)
	traces := scaleTraceSet(t)
	sendParts(t, s.tier1, traces, 0)
	sendParts(t, s.tier1, traces, 1)
	waitTotal(t, 4*len(traces), s.sinks[0], s.sinks[1])
	route := s.routing(t, traces)
	const victim = 1

	// Before the kill, the traces decided early are at the judge.
	early := 0
	undecided := 0
	for _, st := range traces {
		switch {
		case st.decidedEarly():
			early += 4
		case route[st.id] == victim:
			undecided++
		}
	}
	s.judgeSpans(t, early)
	// The victim's gauge shows the traces it holds undecided: what a kill
	// loses, visible to an operator until the moment it dies.
	waitMetric(t, s.tier2[victim], "otelcol_processor_llmeval_judge_buffered_traces", float64(undecided))

	require.NoError(t, s.tier2[victim].cmd.Process.Kill())
	<-s.tier2[victim].exited
	sendParts(t, s.tier1, traces, 2)
	// Tier 1 accepted everything; the spans for the dead replica wait in
	// its queue, retried. Its metrics show no failure; its log does.
	victimAddr := fmt.Sprintf("127.0.0.1:%d", s.ports[victim])
	retrying := regexp.MustCompile(`(?m)^.*Exporting failed\. Will retry the request after interval\..*"endpoint": "` + regexp.QuoteMeta(victimAddr) + `".*$`)
	deadline := time.Now().Add(30 * time.Second)
	for !retrying.MatchString(s.tier1.stderr.String()) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	assert.Regexp(t, retrying, s.tier1.stderr.String(), "tier 1 logs the retries, with the dead replica's endpoint")
	m := s.tier1.metrics(t, "otelcol_loadbalancer_backend_outcome")
	_, failed := metricValue(m, "otelcol_loadbalancer_backend_outcome", `endpoint="`+victimAddr+`"`, `success="false"`)
	assert.False(t, failed, "v0.161.0: a queued hand-off counts as a success; the per-backend exporters have no metrics")

	s.startTier2(t, victim)
	waitTotal(t, 6*len(traces), s.sinks[0], s.sinks[1])
	assertMainStream(t, s, traces)

	want := map[spanKey]string{}
	lost := 0
	for _, st := range traces {
		if route[st.id] != victim {
			for k := 1; k <= 6; k++ {
				want[spanKey{st.id, st.spanID(k)}] = st.reason(0, 1, 2)
			}
			continue
		}
		if st.decidedEarly() {
			for _, k := range []int{2, 3, 4, 5} {
				want[spanKey{st.id, st.spanID(k)}] = st.reason(0, 1)
			}
		} else {
			lost++
		}
		// The restarted replica sees the root and the last HTTP span as a
		// new trace: only the baseline can choose it.
		for _, k := range []int{1, 6} {
			want[spanKey{st.id, st.spanID(k)}] = st.reason(2)
		}
	}
	for k, r := range want {
		if r == "" {
			delete(want, k)
		}
	}
	t.Logf("the victim held %d undecided traces at the kill, lost to the judge; judge spans predicted: %d", lost, len(want))
	s.assertJudge(t, want)
}
