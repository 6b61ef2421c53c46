// Command loadgen load-tests the built collector: it sends realistic LLM
// traces over OTLP/HTTP at a fixed rate to three builds of the same
// pipeline (without llmeval, with per-span checks, with checks, sampling and
// a judge that is a second collector), then bursts at ten times the rate
// without llmeval and with sampling on, and reports what each costs; the
// burst's peak RSS with llmeval must stay within the documented bound
// (memoryBound) over the burst's without it. A last, hostile phase
// sends incompressible content, 64 KiB conversation IDs and tool names and
// traces that never complete, with a judge that never answers, and checks
// peak RSS against the same bound.
//
//	go run ./tools/loadgen --binary bin/otelcol-llmeval [--rate 2000] [--duration 30s]
//
// `make loadtest` runs it. It is not part of `make test`.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/loadshape"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spans"
)

const sentKey = loadshape.SentKey

func main() {
	binary := flag.String("binary", "bin/otelcol-llmeval", "collector binary")
	rate := flag.Int("rate", 2000, "steady rate, spans per second")
	duration := flag.Duration("duration", 30*time.Second, "length of each steady phase")
	rounds := flag.Int("rounds", 1, "how many times the three steady phases run, one after another (the CPU ratios are given per round and as the median)")
	burst := flag.Duration("burst", 30*time.Second, "length of the 10x burst phase (0: skip it)")
	failures := flag.Float64("failures", 0.1, "share of traces with a leaking or refusing answer")
	loops := flag.Float64("loops", 0.05, "share of traces with a tool loop")
	maxBytes := flag.Int64("max-bytes", 64<<20, "sampling.max_bytes for the sampling build")
	hostile := flag.Duration("hostile", 60*time.Second, "length of the hostile phase (0: skip it)")
	hostileRate := flag.Int("hostile-rate", 40, "hostile phase: traces per second")
	hostileMaxBytes := flag.Int64("hostile-max-bytes", 16<<20, "hostile phase: sampling.max_bytes")
	onlyHostile := flag.Bool("only-hostile", false, "run the hostile phase only")
	flag.StringVar(&profileDir, "pprof", "", "write a CPU profile of each phase's collector into this directory (the binary must include contrib's pprofextension, which the distribution does not ship)")
	flag.Parse()
	if *onlyHostile {
		if err := runHostile(*binary, *hostileRate, *hostile, *hostileMaxBytes); err != nil {
			fmt.Fprintf(os.Stderr, "hostile: %v\n", err)
			os.Exit(1)
		}
		return
	}
	gen := &generator{mix: loadshape.Mix{Failures: *failures, Loops: *loops}}
	var rows []result
	for round := 1; round <= max(*rounds, 1); round++ {
		for _, b := range steadyBuilds(*maxBytes) {
			if *rounds > 1 {
				b.name = fmt.Sprintf("%s (round %d)", b.name, round)
			}
			r, err := runPhase(*binary, b, gen, *rate, *duration)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", b.name, err)
				os.Exit(1)
			}
			rows = append(rows, r)
		}
	}
	if *burst > 0 { // --burst 0: the steady phases only (CPU ratios)
		// The same burst without llmeval first: its peak RSS is what the
		// collector itself needs at that rate, which the documented bound
		// on llmeval's memory adds to.
		for _, b := range []build{
			{name: "burst 10x, no llmeval", processors: "[batch]"},
			{name: "burst 10x, sampling + judge", processors: "[llmeval, batch]", judge: true, maxBytes: *maxBytes},
		} {
			r, err := runPhase(*binary, b, gen, *rate*10, *burst)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", b.name, err)
				os.Exit(1)
			}
			rows = append(rows, r)
		}
	}
	report(os.Stdout, rows, *rate, *maxBytes)
	status := 0
	for _, row := range rows {
		if row.lost > 0 {
			fmt.Fprintf(os.Stderr, "%s: %d spans of the main stream lost\n", row.name, row.lost)
			status = 1
		}
	}
	if *burst > 0 {
		base, r := rows[len(rows)-2], rows[len(rows)-1]
		if bound := memoryBound(defaultBounds(*maxBytes)); r.peakRSS > base.peakRSS+bound {
			fmt.Fprintf(os.Stderr, "burst: peak RSS %d MiB above the bound: %d MiB without llmeval + %d MiB\n",
				r.peakRSS>>20, base.peakRSS>>20, bound>>20)
			status = 1
		}
	}
	if *hostile > 0 {
		if err := runHostile(*binary, *hostileRate, *hostile, *hostileMaxBytes); err != nil {
			fmt.Fprintf(os.Stderr, "hostile: %v\n", err)
			status = 1
		}
	}
	os.Exit(status)
}

// steadyBuilds are the steady phases' collectors, in the order each round
// runs them: the first is the baseline of the CPU ratios.
func steadyBuilds(maxBytes int64) []build {
	return []build{
		{name: "no llmeval", processors: "[batch]"},
		{name: "llmeval checks", processors: "[llmeval, batch]", llmeval: "{}"},
		{name: "llmeval checks + sampling + judge", processors: "[llmeval, batch]", judge: true, maxBytes: maxBytes},
	}
}

// profileDir, when set, is where each phase's CPU profile is written.
var profileDir string

type build struct {
	name       string
	processors string
	llmeval    string
	judge      bool
	maxBytes   int64
}

type result struct {
	name                string
	rate                int
	sent, received      int64
	lost                int64
	seconds             float64
	cpuPer10k           float64
	peakRSS             int64
	p50, p99            time.Duration
	judgeSpans          int64
	handoffDrops, drops string
}

// generator numbers the traces it builds (loadshape) across phases.
type generator struct {
	mix loadshape.Mix
	seq atomic.Uint64
}

func (g *generator) trace(ss ptrace.ScopeSpans, now time.Time) int {
	return g.mix.Trace(ss, g.seq.Add(1), now)
}

// sink is an OTLP/HTTP endpoint counting spans and their end-to-end latency.
type sink struct {
	url   string
	spans atomic.Int64
	mu    sync.Mutex
	lat   []time.Duration
}

func newSink() (*sink, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	s := &sink{url: "http://" + l.Addr().String()}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return s, func() { _ = srv.Close() }, nil
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	now := time.Now().UnixNano()
	td := req.Traces()
	var lat []time.Duration
	spans.Each(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) {
		if v, ok := sp.Attributes().Get(sentKey); ok {
			lat = append(lat, time.Duration(now-v.Int()))
		}
	})
	s.spans.Add(int64(td.SpanCount()))
	s.mu.Lock()
	s.lat = append(s.lat, lat...)
	s.mu.Unlock()
	resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

// posters posts the bodies put on jobs to url as OTLP protobuf, with n
// clients; wait closes jobs, waits for the clients and returns the last
// error (a failed post or a status other than 200).
func posters(url string, n, queue int, timeout time.Duration) (jobs chan<- []byte, wait func() error) {
	ch := make(chan []byte, queue)
	client := &http.Client{Timeout: timeout}
	var sendErr atomic.Value
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range ch {
				resp, err := client.Post(url, "application/x-protobuf", bytes.NewReader(body))
				if err != nil {
					sendErr.Store(err)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					sendErr.Store(fmt.Errorf("status %d", resp.StatusCode))
				}
			}
		}()
	}
	return ch, func() error {
		close(ch)
		wg.Wait()
		err, _ := sendErr.Load().(error)
		return err
	}
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// process is a running collector.
type process struct {
	cmd *exec.Cmd
}

func startCollector(binary, cfg string) (*process, error) {
	dir, err := os.MkdirTemp("", "loadgen")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, "--config", path)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &process{cmd: cmd}, nil
}

func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

func waitPort(port int) error {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			_ = c.Close()
			return nil
		}
	}
	return fmt.Errorf("port %d not ready", port)
}

// procStats reads CPU seconds and peak RSS from /proc.
func procStats(pid int) (cpu float64, peakRSS int64) {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
		if len(f) > 12 {
			ut, _ := strconv.ParseFloat(f[11], 64)
			st, _ := strconv.ParseFloat(f[12], 64)
			cpu = (ut + st) / 100 // USER_HZ
		}
	}
	if f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		defer func() { _ = f.Close() }()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
				peakRSS = kb << 10
			}
		}
	}
	return cpu, peakRSS
}

func collectorConfig(b build, otlpPort, metricsPort int, sinkURL, judgeURL string) string {
	llmeval := ""
	if strings.Contains(b.processors, "llmeval") {
		llmeval = "  llmeval: {}\n"
		if b.judge {
			llmeval = fmt.Sprintf(`  llmeval:
    sampling:
      decision_wait: 2s
      max_bytes: %d
      baseline_ratio: 0.01
      rules:
        - { name: leaks, verdict_failed: [pii, refusal] }
        - { name: loops, signals: [loop] }
    judge:
      otlp_http: { endpoint: %s, compression: none }
`, b.maxBytes, judgeURL)
		}
	}
	return pipelineYAML(otlpPort, metricsPort, llmeval, sinkURL, b.processors)
}

// pipelineYAML is the collector under test: OTLP/HTTP in on otlpPort, the
// llmeval block (indented under processors, may be empty) and a batch
// processor, OTLP/HTTP out to sinkURL, detailed internal metrics on
// metricsPort.
func pipelineYAML(otlpPort, metricsPort int, llmeval, sinkURL, processors string) string {
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:%d" }
processors:
%s  batch: { timeout: 200ms }
exporters:
  otlp_http: { endpoint: %s, compression: none }
service:
  telemetry:
    logs: { level: warn }
    metrics:
      level: detailed
      readers:
        - pull: { exporter: { prometheus: { host: 127.0.0.1, port: %d } } }
  pipelines:
    traces: { receivers: [otlp], processors: %s, exporters: [otlp_http] }
`, otlpPort, llmeval, sinkURL, metricsPort, processors)
}

func runPhase(binary string, b build, gen *generator, rate int, d time.Duration) (result, error) {
	res := result{name: b.name, rate: rate}
	out, closeOut, err := newSink()
	if err != nil {
		return res, err
	}
	defer closeOut()
	judgeURL := ""
	var judgeSink *sink
	if b.judge {
		js, closeJudge, err := newSink()
		if err != nil {
			return res, err
		}
		defer closeJudge()
		judgeSink = js
		jport := freePort()
		judge, err := startCollector(binary, fmt.Sprintf(`receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:%d" } } }
exporters:
  otlp_http: { endpoint: %s, compression: none }
service:
  telemetry:
    logs: { level: warn }
    metrics:
      readers:
        - pull: { exporter: { prometheus: { host: 127.0.0.1, port: %d } } }
  pipelines:
    traces: { receivers: [otlp], exporters: [otlp_http] }
`, jport, js.url, freePort()))
		if err != nil {
			return res, err
		}
		defer judge.stop()
		if err := waitPort(jport); err != nil {
			return res, err
		}
		judgeURL = fmt.Sprintf("http://127.0.0.1:%d", jport)
	}
	port, mport := freePort(), freePort()
	cfg := collectorConfig(b, port, mport, out.url, judgeURL)
	pprofPort := 0
	if profileDir != "" {
		pprofPort = freePort()
		cfg = withPprof(cfg, pprofPort)
	}
	p, err := startCollector(binary, cfg)
	if err != nil {
		return res, err
	}
	defer p.stop()
	if err := waitPort(port); err != nil {
		return res, err
	}
	cpu0, _ := procStats(p.cmd.Process.Pid)
	profiled := make(chan error, 1)
	if pprofPort > 0 {
		go func() { profiled <- profile(pprofPort, b.name, d) }()
	} else {
		profiled <- nil
	}

	// Send batches of ~100 spans every 1/(rate/100) seconds.
	url := fmt.Sprintf("http://127.0.0.1:%d/v1/traces", port)
	var sent atomic.Int64
	tick := time.Duration(float64(time.Second) * 100 / float64(rate))
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	jobs, waitSent := posters(url, 8, 64, 10*time.Second)
	began := time.Now()
	t := time.NewTicker(tick)
	for loop := true; loop; {
		select {
		case <-ctx.Done():
			loop = false
		case now := <-t.C:
			td := ptrace.NewTraces()
			ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
			td.ResourceSpans().At(0).Resource().Attributes().PutStr("service.name", "loadgen-agent")
			n := 0
			for n < 100 {
				n += gen.trace(ss, now)
			}
			body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
			if err != nil {
				return res, err
			}
			sent.Add(int64(n))
			select {
			case jobs <- body:
			default:
				sent.Add(-int64(n)) // the generator itself could not keep up; not the collector's loss
			}
		}
	}
	t.Stop()
	sendErr := waitSent()
	elapsed := time.Since(began)
	// Let the pipeline drain.
	for deadline := time.Now().Add(20 * time.Second); out.spans.Load() < sent.Load() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	cpu1, rss := procStats(p.cmd.Process.Pid)
	if sendErr != nil {
		return res, fmt.Errorf("sending: %w", sendErr)
	}
	if err := <-profiled; err != nil {
		return res, fmt.Errorf("profile: %w", err)
	}
	res.sent, res.received = sent.Load(), out.spans.Load()
	res.lost = res.sent - res.received
	res.seconds = elapsed.Seconds()
	if res.received > 0 {
		res.cpuPer10k = (cpu1 - cpu0) / float64(res.received) * 10000
	}
	res.peakRSS = rss
	out.mu.Lock()
	lat := append([]time.Duration(nil), out.lat...)
	out.mu.Unlock()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		res.p50, res.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	if judgeSink != nil {
		res.judgeSpans = judgeSink.spans.Load()
		res.handoffDrops = scrape(mport, "otelcol_processor_llmeval_judge_handoff_drops")
		res.drops = scrape(mport, "otelcol_processor_llmeval_judge_spans_dropped")
	}
	return res, nil
}

// withPprof adds contrib's pprof extension on port to a collector config.
func withPprof(cfg string, port int) string {
	cfg = strings.Replace(cfg, "service:\n", "service:\n  extensions: [pprof]\n", 1)
	return fmt.Sprintf("extensions:\n  pprof: { endpoint: \"127.0.0.1:%d\" }\n", port) + cfg
}

// profile takes a CPU profile of the phase's steady part (from 3 s in to
// 2 s before its end) and then a heap profile, into
// profileDir/<phase>.pprof and <phase>.heap.
func profile(port int, phase string, d time.Duration) error {
	secs := int((d - 5*time.Second).Seconds())
	if secs < 1 {
		return fmt.Errorf("phase of %s too short to profile", d)
	}
	time.Sleep(3 * time.Second)
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(phase))
	client := &http.Client{Timeout: time.Duration(secs+30) * time.Second}
	base := fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/", port)
	if err := save(client, base+"profile?seconds="+strconv.Itoa(secs), name+".pprof"); err != nil {
		return err
	}
	// The heap as of the last collection, near the phase's end.
	return save(client, base+"heap", name+".heap")
}

// save writes what url answers to profileDir/file.
func save(client *http.Client, url, file string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", url, resp.StatusCode)
	}
	f, err := os.Create(filepath.Join(profileDir, file))
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// scrape returns the value of a counter from the collector's own metrics,
// "0" when it was never incremented.
func scrape(port int, name string) string {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		return "?"
	}
	defer func() { _ = resp.Body.Close() }()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name) {
			f := strings.Fields(line)
			return f[len(f)-1]
		}
	}
	return "0"
}

func report(w io.Writer, rows []result, rate int, maxBytes int64) {
	fmt.Fprintf(w, "| build | offered spans/s | accepted spans/s | lost | CPU s per 10k spans | peak RSS MiB | latency p50 | latency p99 | judge spans | judge handoff drops |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %d | %.0f | %d | %.3f | %.0f | %s | %s | %d | %s |\n", r.name, r.rate,
			float64(r.received)/r.seconds, r.lost, r.cpuPer10k, float64(r.peakRSS)/(1<<20),
			r.p50.Round(time.Millisecond), r.p99.Round(time.Millisecond), r.judgeSpans, r.handoffDrops)
	}
	steady := len(steadyBuilds(maxBytes))
	var checks, sampling []float64
	for i := 0; i+steady <= len(rows) && rows[i].rate == rate; i += steady {
		if base := rows[i].cpuPer10k; base > 0 {
			checks = append(checks, rows[i+1].cpuPer10k/base)
			sampling = append(sampling, rows[i+2].cpuPer10k/base)
		}
	}
	if len(checks) > 0 {
		fmt.Fprintf(w, "\nCPU per span relative to no llmeval: checks %s, checks + sampling + judge %s\n",
			ratios(checks), ratios(sampling))
	}
	if len(rows) > steady && rows[len(rows)-1].rate != rate { // the burst phases ran
		base, r := rows[len(rows)-2], rows[len(rows)-1]
		fmt.Fprintf(w, "burst: peak RSS %.0f MiB without llmeval, %.0f MiB with it: llmeval added %.0f MiB; documented bound 2 × (1.55 × max_bytes (%d MiB) + bookkeeping at the default bounds) = %.0f MiB\n",
			float64(base.peakRSS)/(1<<20), float64(r.peakRSS)/(1<<20), float64(r.peakRSS-base.peakRSS)/(1<<20),
			maxBytes>>20, float64(memoryBound(defaultBounds(maxBytes)))/(1<<20))
	}
}

// ratios formats one ratio per round, and their median when there are
// several rounds.
func ratios(r []float64) string {
	parts := make([]string, len(r))
	for i, x := range r {
		parts[i] = fmt.Sprintf("%.2fx", x)
	}
	if len(r) == 1 {
		return parts[0]
	}
	sorted := slices.Clone(r)
	slices.Sort(sorted)
	med := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		med = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	return fmt.Sprintf("%.2fx (median of %s)", med, strings.Join(parts, ", "))
}
