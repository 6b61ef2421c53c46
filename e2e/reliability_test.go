package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

func leakTraces(from, to byte) ptrace.Traces {
	td := ptrace.NewTraces()
	for i := from; i <= to; i++ {
		agentTrace(td, i, "hi", fmt.Sprintf("Mail a%d@fastmail.com", i))
	}
	return td
}

// TestShutdownFlushesUndecidedTraces: traces still waiting for their
// decision when the collector gets SIGTERM are decided and sent to the
// judge before it exits.
func TestShutdownFlushesUndecidedTraces(t *testing.T) {
	judgeOut := newSink(t)
	judgePort := freePort(t)
	startConfig(t, judgeConfig(judgePort, freePort(t), judgeOut.path), judgePort, 0)
	main := newSink(t)
	c := start(t, fmt.Sprintf(`sampling:
  decision_wait: 1h
  max_trace_duration: 1h
  baseline_ratio: 1
judge:
  otlp_http: { endpoint: "http://127.0.0.1:%d", compression: none }
`, judgePort), main)
	td := ptrace.NewTraces()
	agentTrace(td, 1, "hi", "fine")
	agentTrace(td, 2, "hi", "fine too")
	c.send(t, td)
	main.waitSpans(t, 6)
	time.Sleep(300 * time.Millisecond)
	judgeOut.read(t)
	require.Zero(t, judgeOut.spans, "undecided: nothing sent yet")

	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("collector did not exit on SIGTERM")
	}
	assert.Equal(t, map[byte]int{1: 3, 2: 3}, tracesOf(judgeOut.waitSpans(t, 6)), "decided and flushed at shutdown, whole")
}

// slowJudge is an OTLP/HTTP endpoint that answers after a delay.
type slowJudge struct {
	delay time.Duration
	spans atomic.Int64
}

func (j *slowJudge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	time.Sleep(j.delay)
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err == nil {
		j.spans.Add(int64(req.Traces().SpanCount()))
	}
	resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

// TestSlowJudgeDoesNotSlowTheMainStream: a judge taking seconds per request
// leaves the main stream's latency alone; its copies still arrive.
func TestSlowJudgeDoesNotSlowTheMainStream(t *testing.T) {
	judge := &slowJudge{delay: 3 * time.Second}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: judge, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	main := newSink(t)
	c := start(t, fmt.Sprintf(`sampling:
  rules: [{ name: leaks, verdict_failed: [pii] }]
judge:
  otlp_http: { endpoint: "http://%s", compression: none, timeout: 10s }
`, l.Addr()), main)
	for i := byte(1); i <= 10; i++ {
		began := time.Now()
		c.send(t, leakTraces(i, i))
		assert.Less(t, time.Since(began), time.Second, "the receiver answers without waiting for the judge")
	}
	main.waitSpans(t, 30)
	deadline := time.Now().Add(30 * time.Second)
	for judge.spans.Load() < 30 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	assert.Equal(t, int64(30), judge.spans.Load(), "the slow judge still gets every sampled span")
}

// TestJudgeBackAfterOutage: the judge is down when the collector starts;
// copies are dropped and counted; once it is up, sampled traces flow again.
func TestJudgeBackAfterOutage(t *testing.T) {
	judgePort := freePort(t)
	main := newSink(t)
	c := start(t, samplingProcessor(judgePort), main)
	c.send(t, leakTraces(1, 5))
	main.waitSpans(t, 15)
	c.metrics(t, `otelcol_exporter_send_failed_spans`)

	judgeOut := newSink(t)
	startConfig(t, judgeConfig(judgePort, freePort(t), judgeOut.path), judgePort, 0)
	c.send(t, leakTraces(6, 8))
	got := tracesOf(judgeOut.waitSpans(t, 9))
	for i := byte(6); i <= 8; i++ {
		assert.Equal(t, 3, got[i], "trace %d sampled after the judge came back", i)
	}
	main.waitSpans(t, 24)
}

// certs writes a CA, a server certificate for 127.0.0.1 and a client
// certificate, as PEM files in dir.
func certs(t *testing.T, dir string) (caFile, serverCert, serverKey, clientCert, clientKey string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "llmeval test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
		return p
	}
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (string, string) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		require.NoError(t, err)
		kder, err := x509.MarshalECPrivateKey(key)
		require.NoError(t, err)
		return write(name+".crt", "CERTIFICATE", der), write(name+".key", "EC PRIVATE KEY", kder)
	}
	caFile = write("ca.crt", "CERTIFICATE", caDER)
	serverCert, serverKey = leaf("server", 2, x509.ExtKeyUsageServerAuth)
	clientCert, clientKey = leaf("client", 3, x509.ExtKeyUsageClientAuth)
	return
}

// TestJudgeOverMutualTLSWithSecretHeader: the judge is reached over TLS
// with a custom CA and a client certificate, with an Authorization header
// taken from the environment; the secret never shows in the logs.
func TestJudgeOverMutualTLSWithSecretHeader(t *testing.T) {
	dir := t.TempDir()
	caFile, srvCert, srvKey, cliCert, cliKey := certs(t, dir)
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(caFile)
	require.NoError(t, err)
	require.True(t, pool.AppendCertsFromPEM(caPEM))
	cert, err := tls.LoadX509KeyPair(srvCert, srvKey)
	require.NoError(t, err)

	var mu sync.Mutex
	var auth []string
	var clients []string
	var spans atomic.Int64
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12,
	})
	require.NoError(t, err)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			clients = append(clients, r.TLS.PeerCertificates[0].Subject.CommonName)
		}
		mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		req := ptraceotlp.NewExportRequest()
		if req.UnmarshalProto(body) == nil {
			spans.Add(int64(req.Traces().SpanCount()))
		}
		resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(resp)
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	const token = "s3cret-judge-token"
	main := newSink(t)
	otlpPort, metricsPort := freePort(t), freePort(t)
	c := startConfig(t, pipelineConfig(otlpPort, metricsPort, main.path, fmt.Sprintf(`sampling:
  rules: [{ name: leaks, verdict_failed: [pii] }]
judge:
  otlp_http:
    endpoint: https://%s
    compression: none
    headers: { authorization: "Bearer ${env:JUDGE_TOKEN}" }
    tls: { ca_file: %s, cert_file: %s, key_file: %s }
`, l.Addr(), caFile, cliCert, cliKey)), otlpPort, metricsPort, "JUDGE_TOKEN="+token)
	c.send(t, leakTraces(1, 2))
	main.waitSpans(t, 6)
	deadline := time.Now().Add(20 * time.Second)
	for spans.Load() < 6 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, int64(6), spans.Load(), "the judge got the sampled traces over mTLS")
	mu.Lock()
	defer mu.Unlock()
	for _, a := range auth {
		assert.Equal(t, "Bearer "+token, a)
	}
	assert.Contains(t, clients, "client", "the collector presented its client certificate")
	c.stop()
	assert.NotContains(t, c.stderr.String(), token, "the header's secret is never logged")
}

// TestJudgeWithAuthExtension: the judge exporter authenticates through a
// Collector auth extension (bearertokenauth, in this distribution), as any
// standard exporter does.
func TestJudgeWithAuthExtension(t *testing.T) {
	const token = "ext-token-42"
	var got atomic.Value
	var spans atomic.Int64
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		body, _ := io.ReadAll(r.Body)
		req := ptraceotlp.NewExportRequest()
		if req.UnmarshalProto(body) == nil {
			spans.Add(int64(req.Traces().SpanCount()))
		}
		resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(resp)
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	main := newSink(t)
	otlpPort, metricsPort := freePort(t), freePort(t)
	cfg := pipelineConfig(otlpPort, metricsPort, main.path, fmt.Sprintf(`sampling:
  rules: [{ name: leaks, verdict_failed: [pii] }]
judge:
  otlp_http:
    endpoint: http://%s
    compression: none
    auth: { authenticator: bearertokenauth }
`, l.Addr()))
	cfg = "extensions:\n  bearertokenauth:\n    token: ${env:JUDGE_TOKEN}\n" +
		strings.Replace(cfg, "service:\n", "service:\n  extensions: [bearertokenauth]\n", 1)
	c := startConfig(t, cfg, otlpPort, metricsPort, "JUDGE_TOKEN="+token)
	c.send(t, leakTraces(1, 1))
	main.waitSpans(t, 3)
	deadline := time.Now().Add(20 * time.Second)
	for spans.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, int64(3), spans.Load())
	assert.Equal(t, "Bearer "+token, got.Load())
	c.stop()
	assert.NotContains(t, c.stderr.String(), token)
}

// TestJudgeFlapping: the judge goes up, down and up again; the main stream
// never misses a span and samples flow whenever the judge is there.
func TestJudgeFlapping(t *testing.T) {
	judgePort := freePort(t)
	main := newSink(t)
	c := start(t, samplingProcessor(judgePort), main)
	want := 0
	for round, up := range []bool{true, false, true, false, true} {
		var out *sink
		var judge *collector
		if up {
			out = newSink(t)
			judge = startConfig(t, judgeConfig(judgePort, freePort(t), out.path), judgePort, 0)
		}
		first := byte(round*10 + 1)
		c.send(t, leakTraces(first, first+2))
		want += 9
		main.waitSpans(t, want)
		if up {
			got := tracesOf(out.waitSpans(t, 9))
			for i := first; i <= first+2; i++ {
				assert.Equal(t, 3, got[i], "round %d: trace %d reaches the judge while it is up", round, i)
			}
			judge.stop()
		}
	}
	main.read(t)
	assert.Equal(t, want, main.spans, "the main stream kept every span through the flapping")
}
