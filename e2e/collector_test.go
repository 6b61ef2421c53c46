// Package e2e runs the real otelcol-llmeval binary: OTLP in over HTTP, the
// exported spans caught by an OTLP receiver inside the test.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// binaryEnv names the collector binary under test; `make e2e` sets it.
const binaryEnv = "LLMEVAL_E2E_BINARY"

func binary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv(binaryEnv)
	if bin == "" {
		t.Skipf("%s is not set: run `make e2e` to build the collector and run these tests", binaryEnv)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s=%s: %v", binaryEnv, bin, err)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// sink is the file exporter's output: one OTLP JSON export request per
// line, read back as the collector writes it.
type sink struct {
	path string

	mu     sync.Mutex
	traces []ptrace.Traces
	spans  int
}

func newSink(t *testing.T) *sink {
	t.Helper()
	return &sink{path: filepath.Join(t.TempDir(), "out.jsonl")}
}

// read parses everything the exporter wrote so far.
func (s *sink) read(t *testing.T) {
	t.Helper()
	body, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	require.NoError(t, err)
	var traces []ptrace.Traces
	spans := 0
	for _, line := range bytes.Split(body, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(line)
		if err != nil {
			return // a line still being written: read again later
		}
		traces = append(traces, td)
		spans += td.SpanCount()
	}
	s.mu.Lock()
	s.traces, s.spans = traces, spans
	s.mu.Unlock()
}

// waitSpans waits until at least n spans were written and returns every
// span, keyed by span ID.
func (s *sink) waitSpans(t *testing.T, n int) map[string]ptrace.Span {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s.read(t)
		s.mu.Lock()
		got := s.spans
		s.mu.Unlock()
		if got >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the file exporter wrote %d spans, want %d", got, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]ptrace.Span{}
	for _, td := range s.traces {
		forEachSpan(td, func(sp ptrace.Span) { out[sp.SpanID().String()] = sp })
	}
	return out
}

func forEachSpan(td ptrace.Traces, f func(ptrace.Span)) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		sss := td.ResourceSpans().At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				f(spans.At(k))
			}
		}
	}
}

// collector is a running otelcol-llmeval process.
type collector struct {
	otlpURL    string
	metricsURL string
	stderr     *lockedBuffer
	stop       func() // interrupts the process and waits for it to exit; once
	cmd        *exec.Cmd
	exited     chan struct{} // closed when the process has exited
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// pipelineConfig is a collector config with an OTLP/HTTP receiver, the
// llmeval processor configured by processorYAML (indented under
// `llmeval:`), and a file exporter writing to outPath.
func pipelineConfig(otlpPort, metricsPort int, outPath, processorYAML string) string {
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
processors:
  llmeval:
%s
exporters:
  file:
    path: %s
    flush_interval: 50ms
service:
%s  pipelines:
    traces:
      receivers: [otlp]
      processors: [llmeval]
      exporters: [file]
`, otlpPort, indent(processorYAML, "    "), outPath, telemetryYAML(metricsPort))
}

// telemetryYAML is a `service.telemetry` block: info logs, detailed
// internal metrics pulled from 127.0.0.1:metricsPort.
func telemetryYAML(metricsPort int) string {
	return fmt.Sprintf(`  telemetry:
    logs:
      level: info
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
`, metricsPort)
}

func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return prefix + "{}"
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// start runs the collector with the llmeval processor configured by
// processorYAML, exporting to the sink, and waits until it is ready.
func start(t *testing.T, processorYAML string, s *sink) *collector {
	t.Helper()
	otlpPort, metricsPort := freePort(t), freePort(t)
	return startConfig(t, pipelineConfig(otlpPort, metricsPort, s.path, processorYAML), otlpPort, metricsPort)
}

// startConfig runs the collector with a whole config whose OTLP/HTTP
// receiver listens on otlpPort and waits until it accepts connections.
func startConfig(t *testing.T, cfg string, otlpPort, metricsPort int, env ...string) *collector {
	t.Helper()
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(cfg), 0o600))
	return startArgs(t, []string{"--config", cfgPath}, otlpPort, metricsPort, env...)
}

// startArgs runs the collector with the given arguments (several --config
// files are merged in order) and waits until otlpPort accepts connections.
func startArgs(t *testing.T, args []string, otlpPort, metricsPort int, env ...string) *collector {
	t.Helper()
	bin := binary(t)
	c := &collector{
		otlpURL:    fmt.Sprintf("http://127.0.0.1:%d/v1/traces", otlpPort),
		metricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort),
		stderr:     &lockedBuffer{},
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = c.stderr, c.stderr
	require.NoError(t, cmd.Start())
	c.cmd, c.exited = cmd, make(chan struct{})
	exited := make(chan error, 1)
	go func() { err := cmd.Wait(); close(c.exited); exited <- err }()
	var once sync.Once
	c.stop = func() {
		once.Do(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		})
	}
	t.Cleanup(func() {
		c.stop()
		if t.Failed() {
			t.Logf("collector output:\n%s", c.stderr.String())
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("collector exited before it was ready: %v\n%s", err, c.stderr.String())
		default:
		}
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", otlpPort), time.Second)
		if err == nil {
			conn.Close()
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("collector not ready after 30s\n%s", c.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sendJSON posts an OTLP JSON export request.
func (c *collector) sendJSON(t *testing.T, body []byte) {
	t.Helper()
	c.post(t, "application/json", body)
}

// send posts traces as OTLP protobuf.
func (c *collector) send(t *testing.T, td ptrace.Traces) {
	t.Helper()
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	c.post(t, "application/x-protobuf", body)
}

func (c *collector) post(t *testing.T, contentType string, body []byte) {
	t.Helper()
	c.postTimeout(t, contentType, body, 20*time.Second)
}

// postTimeout posts body and requires 200 within timeout.
func (c *collector) postTimeout(t *testing.T, contentType string, body []byte, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.otlpURL, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, "OTLP export rejected: %s", msg)
}

// metrics returns the collector's own Prometheus metrics once they contain
// want (internal metrics are exported on a pull interval).
func (c *collector) metrics(t *testing.T, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(c.metricsURL)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = string(b)
			if strings.Contains(last, want) {
				return last
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("internal metrics never contained %q; last scrape:\n%s", want, last)
	return ""
}
