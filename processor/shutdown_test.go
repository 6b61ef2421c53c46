package llmevalprocessor

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/metadatatest"
)

// hangingServer accepts OTLP/HTTP requests and answers none of them until
// the test ends.
func hangingServer(t *testing.T) (endpoint string, requests *atomic.Int64) {
	t.Helper()
	release := make(chan struct{})
	requests = new(atomic.Int64)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{ReadHeaderTimeout: time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() {
		close(release)
		_ = srv.Close()
	})
	return "http://" + l.Addr().String(), requests
}

// TestShutdownDoesNotWaitForAHangingJudge builds the processor with the
// real OTLP/HTTP judge exporter (default queue and retry) pointed at a
// judge that never answers, buffers thousands of undecided traces and shuts
// down: Shutdown returns within judge.shutdown_timeout, so whatever follows
// llmeval in the pipeline is shut down (and flushes the main stream) in
// time.
func TestShutdownDoesNotWaitForAHangingJudge(t *testing.T) {
	endpoint, requests := hangingServer(t)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"sampling": map[string]any{"decision_wait": "1h", "max_trace_duration": "1h", "baseline_ratio": 1.0},
		"judge": map[string]any{
			"otlp_http":        map[string]any{"endpoint": endpoint, "compression": "none"},
			"shutdown_timeout": "1s",
		},
	}).Unmarshal(cfg))
	require.NoError(t, cfg.Validate())
	assert.False(t, cfg.Judge.OTLPHTTP.QueueConfig.Get().WaitForResult, "the user's config is not changed")

	sink := new(consumertest.TracesSink)
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tt), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))

	const traces = 3000
	td, ss := newScope()
	for i := 0; i < traces; i++ {
		sp := chatSpan(ss, "chat", "fine", time.Second)
		sp.SetTraceID(pcommon.TraceID{byte(i), byte(i >> 8), 1})
	}
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	assert.Equal(t, traces, sink.SpanCount(), "the main stream went on at once")

	// Let some copies reach the hanging judge first.
	time.Sleep(200 * time.Millisecond)
	began := time.Now()
	require.NoError(t, p.Shutdown(context.Background()))
	took := time.Since(began)
	// Waiting for the judge would take the exporter's 30 s timeout or its
	// retries' 5 minutes; 10 s leaves room for a loaded machine.
	assert.Less(t, took, 10*time.Second, "shutdown waited %s for a judge that never answers", took)
	assert.GreaterOrEqual(t, took, 900*time.Millisecond, "it gave the judge its shutdown_timeout")
	assert.Positive(t, requests.Load(), "copies were offered to the judge")
	_, ok := sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get("llmeval.judge.sampled")
	assert.False(t, ok, "the main stream never carries judge marks")
	// Sampled copies still queued at the deadline, or inside the exporter
	// (which never got an answer), are counted.
	m, err := tt.GetMetric("otelcol_processor_llmeval_judge_spans_dropped")
	require.NoError(t, err)
	var shutdownDrops int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if v, _ := dp.Attributes.Value("cause"); v.AsString() == "shutdown" {
			shutdownDrops = dp.Value
		}
	}
	assert.Positive(t, shutdownDrops)
}
