package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"
)

// The SRE kit as the README gives it: these very files run, changed only
// where a test must (ports on 127.0.0.1, 1s intervals; see kitCollector and
// kitPrometheus).
const (
	kitCollectorConfig  = "../examples/otelcol-llmeval-metrics.yaml"
	kitPrometheusConfig = "../examples/prometheus/prometheus.yml"
	kitDashboard        = "../examples/grafana/llmeval-dashboard.json"
	processorMetadata   = "../processor/metadata.yaml"
	kitService          = "support-agent"
	kitInterval         = "1s" // scrape, rule evaluation and span_metrics flush
)

// TestSREKitInPrometheus runs the collector on the kit's config and a real
// Prometheus on the kit's config and rules. A healthy stream must give the
// recording rules values and fire nothing; a burst of leaks, destructive
// tool calls and loops, with the judge refusing, must make the fail-rate,
// destructive-action, loop and judge-drop alerts pending or firing. Every
// series the rules and the dashboard query must then exist in Prometheus.
// The drift metrics (signal_to_metrics through delta_to_cumulative) must
// reach Prometheus with the values the spans carry: the drift alerts need
// a week of history, so promtool's unit tests
// (examples/prometheus/tests) show them firing.
func TestSREKitInPrometheus(t *testing.T) {
	binary(t) // skips unless `make e2e` built the collector
	promBin, err := exec.LookPath("prometheus")
	require.NoError(t, err, "prometheus is not installed: `make e2e` installs it")

	var judgeRefuses atomic.Bool
	judge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if judgeRefuses.Load() {
			http.Error(w, "token expired", http.StatusUnauthorized) // permanent: no retry
			return
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer judge.Close()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer backend.Close()

	cfg, otlpPort, ports := kitCollector(t)
	c := startConfig(t, cfg, otlpPort, 0, "JUDGE_ENDPOINT="+judge.URL, "TRACES_ENDPOINT="+backend.URL)
	prom := startPrometheus(t, promBin, kitPrometheus(t, ports))
	prom.waitTargetsUp(t, len(ports))

	// Healthy: every 300ms a batch of answered orders, a refusal now and
	// then (a fail rate of a few percent, under the alert's 10%).
	tr := &traffic{}
	for i := 0; i < 12; i++ {
		td := tr.batch()
		for j := 0; j < 2; j++ {
			tr.healthy(td, "Your order 1042 has shipped and arrives on 3 January.")
		}
		if i%6 == 5 {
			tr.healthy(td, "I'm sorry, but I can't share delivery details for that order.")
		}
		tr.jsonCall(td, `{"order_id":"1042","status":"shipped"}`)
		c.send(t, td)
		time.Sleep(300 * time.Millisecond)
	}
	prom.waitValue(t, `service_name:llmeval_spans:rate5m{service_name="`+kitService+`"}`, func(v float64) bool { return v > 0 })
	prom.waitValue(t, `service_name:llmeval_spans_failed:ratio_rate5m{service_name="`+kitService+`"}`, func(v float64) bool { return v > 0 && v < 0.10 })
	prom.waitValue(t, `service_name:llmeval_spans_loop:ratio_rate5m{service_name="`+kitService+`"}`, func(v float64) bool { return v == 0 })
	// Drift, per model and service: every chat span reports 20 output
	// tokens and 80 input tokens (gpt-4o-mini: 0.15 and 0.60 USD per
	// million, so 24 µUSD a call); every JSON output is valid; a few
	// answers refuse.
	drift := `{service_name="` + kitService + `", gen_ai_request_model="gpt-4o-mini"}`
	prom.waitValue(t, `service_model:llmeval_drift_calls:increase1h`+drift, func(v float64) bool { return v > 0 })
	// Cumulative across batches: every chat span counted once (12 batches
	// of two turns of two chat spans and a JSON call, and two refusing
	// turns). Without delta_to_cumulative the exporter would serve the
	// last batch's delta.
	prom.waitValue(t, `sum(llmeval_drift_calls_total`+drift+`)`, func(v float64) bool { return v == 12*(2*2+1)+2*2 })
	prom.waitValue(t, `service_model:llmeval_drift_output_tokens:mean1h`+drift, func(v float64) bool { return v == 20 })
	prom.waitValue(t, `round(1e9 * service_model:llmeval_drift_cost_usd:mean1h`+drift+`)`, func(v float64) bool { return v == 24000 })
	prom.waitValue(t, `service_model:llmeval_drift_format_checks:increase1h`+drift, func(v float64) bool { return v > 0 })
	prom.waitValue(t, `service_model:llmeval_drift_format_failures:ratio_rate1h`+drift, func(v float64) bool { return v == 0 })
	prom.waitValue(t, `service_model:llmeval_drift_refusals:ratio_rate1h`+drift, func(v float64) bool { return v > 0 && v < 0.5 })
	prom.requireRulesHealthy(t)
	for end := time.Now().Add(4 * time.Second); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		require.Empty(t, prom.alerts(t), "no alert on the healthy stream")
	}

	// Failing: leaks, one destructive tool call, an agent repeating a call,
	// failing tools, an angry user, one span with a skewed clock (an
	// evaluator error); the judge refuses what is sampled for it.
	judgeRefuses.Store(true)
	for i := 0; i < 15; i++ {
		td := tr.batch()
		tr.healthy(td, "Your order 1042 has shipped and arrives on 3 January.")
		for j := 0; j < 3; j++ {
			tr.healthy(td, "Sure: the customer is jane.roe@fastmail.com, card 4787 7893 2879 2170.")
		}
		if i == 7 { // one, on a series of its own
			tr.toolCall(td, "run_shell", `{"command":"rm -rf /var/lib/postgresql/data"}`, "conv-ops")
		}
		for j := 0; j < 3; j++ {
			tr.toolCall(td, "search_orders", `{"query":"order 1042"}`, "conv-loop")
		}
		tr.failingTools(td)
		tr.angryUser(td)
		if i == 3 {
			tr.skewedClock(td)
		}
		tr.jsonCall(td, `{"order_id":"1042","status":`) // cut off
		if i == 5 {
			tr.manySteps(td, 101) // one tool call above the default trace bound
		}
		c.send(t, td)
		time.Sleep(300 * time.Millisecond)
	}
	want := map[string]bool{"LLMEvalFailRateSpike": true, "LLMEvalDestructiveAction": true, "LLMEvalAgentLoops": true, "LLMEvalJudgeDrops": true, "LLMEvalRunawayAgent": true}
	var active map[string]string
	// Scrapes and rule evaluations slip on a loaded machine: the bound
	// catches an alert that never comes, not a slow one.
	deadline := time.Now().Add(90 * time.Second)
	for {
		active = map[string]string{}
		for _, a := range prom.alerts(t) {
			switch a.Labels["alertname"] {
			case "LLMEvalJudgeDrops":
			case "LLMEvalRunawayAgent":
				assert.Equal(t, auditService, a.Labels["service_name"], "%s", a.Labels["alertname"])
			default:
				assert.Equal(t, kitService, a.Labels["service_name"], "%s", a.Labels["alertname"])
			}
			active[a.Labels["alertname"]] = a.State
		}
		n := 0
		for name := range want {
			if active[name] == "pending" || active[name] == "firing" {
				n++
			}
		}
		if n == len(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alerts after the failing burst: %v, want pending or firing: %v", active, want)
		}
		time.Sleep(500 * time.Millisecond)
	}
	assert.Equal(t, "firing", active["LLMEvalDestructiveAction"], "for: 0m fires at once")
	assert.NotContains(t, active, "LLMEvalEvaluatorErrors", "one skewed span in many is not an evaluator problem")
	prom.waitValue(t, `service_name:llmeval_spans_failed:ratio_rate5m{service_name="`+kitService+`"}`, func(v float64) bool { return v > 0.10 })
	prom.waitValue(t, `service_name:llmeval_spans_loop:ratio_rate5m{service_name="`+kitService+`"}`, func(v float64) bool { return v > 0.05 })
	prom.waitValue(t, `service_model:llmeval_drift_format_failures:ratio_rate1h`+drift, func(v float64) bool { return v > 0.2 })
	prom.requireRulesHealthy(t)

	prom.requireKitSeries(t)
}

// kitCollector is the kit's collector config with its listeners moved to
// free ports on 127.0.0.1 and span_metrics flushing every kitInterval. It
// returns the OTLP/HTTP port and, for the Prometheus config, the test's
// port for each port the kit serves metrics on.
func kitCollector(t *testing.T) (cfg string, otlpPort int, ports map[string]int) {
	t.Helper()
	doc := readYAML(t, kitCollectorConfig)
	otlpPort = freePort(t)
	setYAML(t, doc, "receivers.otlp.protocols.grpc.endpoint", fmt.Sprintf("127.0.0.1:%d", freePort(t)))
	setYAML(t, doc, "receivers.otlp.protocols.http.endpoint", fmt.Sprintf("127.0.0.1:%d", otlpPort))
	setYAML(t, doc, "connectors.span_metrics.metrics_flush_interval", kitInterval)

	ports = map[string]int{}
	exporterPort := freePort(t)
	old := setYAML(t, doc, "exporters.prometheus.endpoint", fmt.Sprintf("127.0.0.1:%d", exporterPort))
	_, kitPort, err := net.SplitHostPort(fmt.Sprint(old))
	require.NoError(t, err)
	ports[kitPort] = exporterPort
	telemetryPort := freePort(t)
	setYAML(t, doc, "service.telemetry.metrics.readers.0.pull.exporter.prometheus.host", "127.0.0.1")
	old = setYAML(t, doc, "service.telemetry.metrics.readers.0.pull.exporter.prometheus.port", telemetryPort)
	ports[fmt.Sprint(old)] = telemetryPort

	out, err := yaml.Marshal(doc)
	require.NoError(t, err)
	return string(out), otlpPort, ports
}

// kitPrometheus is the kit's Prometheus config with scrapes and rule
// evaluation every kitInterval, its targets on the test's ports (every
// target must be a port the kit's collector serves) and its rule files
// resolved next to the kit's config.
func kitPrometheus(t *testing.T, ports map[string]int) string {
	t.Helper()
	doc := readYAML(t, kitPrometheusConfig)
	setYAML(t, doc, "global.scrape_interval", kitInterval)
	setYAML(t, doc, "global.evaluation_interval", kitInterval)
	dir, err := filepath.Abs(filepath.Dir(kitPrometheusConfig))
	require.NoError(t, err)
	rules := doc["rule_files"].([]any)
	require.NotEmpty(t, rules)
	for i, r := range rules {
		rules[i] = filepath.Join(dir, r.(string))
	}
	jobs := doc["scrape_configs"].([]any)
	require.NotEmpty(t, jobs)
	for _, j := range jobs {
		for _, sc := range j.(map[string]any)["static_configs"].([]any) {
			targets := sc.(map[string]any)["targets"].([]any)
			for i, target := range targets {
				_, port, err := net.SplitHostPort(target.(string))
				require.NoError(t, err)
				p, ok := ports[port]
				require.True(t, ok, "prometheus.yml scrapes %s: no metrics endpoint of the kit's collector", target)
				targets[i] = fmt.Sprintf("127.0.0.1:%d", p)
			}
		}
	}
	out, err := yaml.Marshal(doc)
	require.NoError(t, err)
	return string(out)
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	body, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(body, &doc), path)
	return doc
}

// setYAML replaces the value at a dotted path (list indexes as numbers)
// and returns the old one. The path must exist: the test changes the
// kit's settings, it never adds any.
func setYAML(t *testing.T, doc map[string]any, path string, v any) any {
	t.Helper()
	keys := strings.Split(path, ".")
	var node any = doc
	for i, k := range keys {
		last := i == len(keys)-1
		switch n := node.(type) {
		case map[string]any:
			old, ok := n[k]
			require.True(t, ok, "the kit has no %s", strings.Join(keys[:i+1], "."))
			if last {
				n[k] = v
				return old
			}
			node = old
		case []any:
			idx, err := strconv.Atoi(k)
			require.NoError(t, err, path)
			require.Less(t, idx, len(n), "the kit has no %s", strings.Join(keys[:i+1], "."))
			if last {
				old := n[idx]
				n[idx] = v
				return old
			}
			node = n[idx]
		default:
			t.Fatalf("the kit's %s is not a map or list", strings.Join(keys[:i], "."))
		}
	}
	return nil
}

// prometheus is a running Prometheus server.
type prometheus struct {
	url string
}

func startPrometheus(t *testing.T, bin, cfg string) *prometheus {
	t.Helper()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(cfg), 0o600))
	port := freePort(t)
	out := &lockedBuffer{}
	// Cancelling ctx interrupts Prometheus; WaitDelay kills it if it has
	// not exited 10s later.
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
		"--log.level=warn")
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("prometheus config:\n%s\nprometheus output:\n%s", cfg, out.String())
		}
	})
	p := &prometheus{url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("prometheus exited before it was ready: %v\n%s", err, out.String())
		default:
		}
		if resp, err := http.Get(p.url + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 30s\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// api GETs a Prometheus HTTP API endpoint and decodes its data.
func (p *prometheus) api(t *testing.T, path string, query url.Values, data any) {
	t.Helper()
	u := p.url + path
	if query != nil {
		u += "?" + query.Encode()
	}
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var r struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &r), string(body))
	require.Equal(t, "success", r.Status, "%s: %s", u, r.Error)
	require.NoError(t, json.Unmarshal(r.Data, data))
}

// waitTargetsUp waits until Prometheus scraped n targets successfully (it
// applies new targets a few seconds after start).
func (p *prometheus) waitTargetsUp(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var data struct {
			ActiveTargets []struct {
				ScrapeURL string `json:"scrapeUrl"`
				Health    string `json:"health"`
				LastError string `json:"lastError"`
			} `json:"activeTargets"`
		}
		p.api(t, "/api/v1/targets", url.Values{"state": {"active"}}, &data)
		up := 0
		for _, tg := range data.ActiveTargets {
			if tg.Health == "up" {
				up++
			}
		}
		if up == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus targets after 30s: %+v, want %d up", data.ActiveTargets, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query evaluates an instant query.
func (p *prometheus) query(t *testing.T, expr string) []promSample {
	t.Helper()
	var data struct {
		ResultType string       `json:"resultType"`
		Result     []promSample `json:"result"`
	}
	p.api(t, "/api/v1/query", url.Values{"query": {expr}}, &data)
	require.Equal(t, "vector", data.ResultType, expr)
	return data.Result
}

// waitValue waits until expr has exactly one sample and ok accepts it.
func (p *prometheus) waitValue(t *testing.T, expr string, ok func(float64) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last []promSample
	for {
		last = p.query(t, expr)
		if len(last) == 1 {
			v, err := strconv.ParseFloat(last[0].Value[1].(string), 64)
			require.NoError(t, err)
			if ok(v) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v after 30s", expr, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

type promAlert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

// alerts are the pending and firing alerts.
func (p *prometheus) alerts(t *testing.T) []promAlert {
	t.Helper()
	var data struct {
		Alerts []promAlert `json:"alerts"`
	}
	p.api(t, "/api/v1/alerts", nil, &data)
	return data.Alerts
}

type promRule struct {
	Type      string `json:"type"`
	Name      string `json:"name"`
	Query     string `json:"query"`
	Health    string `json:"health"`
	LastError string `json:"lastError"`
}

// rules are the loaded recording and alerting rules.
func (p *prometheus) rules(t *testing.T) []promRule {
	t.Helper()
	var data struct {
		Groups []struct {
			File  string     `json:"file"`
			Rules []promRule `json:"rules"`
		} `json:"groups"`
	}
	p.api(t, "/api/v1/rules", nil, &data)
	var out []promRule
	for _, g := range data.Groups {
		out = append(out, g.Rules...)
	}
	return out
}

// requireRulesHealthy: every rule file the kit's config names is loaded,
// and every rule evaluates without error.
func (p *prometheus) requireRulesHealthy(t *testing.T) {
	t.Helper()
	files, err := filepath.Glob("../examples/prometheus/llmeval-*.yaml")
	require.NoError(t, err)
	want := 0
	for _, f := range files {
		var doc struct {
			Groups []struct {
				Rules []any `yaml:"rules"`
			} `yaml:"groups"`
		}
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, yaml.Unmarshal(body, &doc))
		for _, g := range doc.Groups {
			want += len(g.Rules)
		}
	}
	rules := p.rules(t)
	require.Len(t, rules, want, "every rule of the kit is loaded")
	for _, r := range rules {
		assert.Equal(t, "ok", r.Health, "%s %s: %s", r.Type, r.Name, r.LastError)
	}
}

// requireKitSeries checks every series selector of the kit's rules and
// dashboard against what Prometheus stores: each must select something.
// A selector the kit guards with `or vector(0)` (a drop counter that
// exists only once something was dropped) may select nothing if its
// metric does not exist at all, provided its name is one of the
// processor's metrics (metadata.yaml) as Prometheus names the processor's
// other metrics.
func (p *prometheus) requireKitSeries(t *testing.T) {
	t.Helper()
	// Recording rules and panels must give values; alert conditions need
	// not hold, but what they select must exist.
	var exprs, values []string
	for _, r := range p.rules(t) {
		exprs = append(exprs, r.Query)
		if r.Type == "recording" {
			values = append(values, r.Query)
		}
	}
	body, err := os.ReadFile(kitDashboard)
	require.NoError(t, err)
	var dash struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(body, &dash))
	for _, pn := range dash.Panels {
		for _, tg := range pn.Targets {
			exprs = append(exprs, tg.Expr)
			values = append(values, tg.Expr)
		}
	}
	require.NotEmpty(t, exprs)
	for _, expr := range values {
		assert.NotEmpty(t, p.query(t, expr), "the kit's %s gives no value", expr)
	}

	processorMetrics := processorMetricNames(t)
	seen := map[string]bool{}
	var absentGuarded []string
	for _, expr := range exprs {
		// The labels it groups by are on the series it selects.
		sels := selectors(expr)
		for _, m := range byClause.FindAllStringSubmatch(expr, -1) {
			for _, l := range strings.Split(m[1], ",") {
				l = strings.TrimSpace(l)
				found := false
				for _, sel := range sels {
					found = found || len(p.query(t, withMatcher(sel, l+`!=""`))) > 0
				}
				assert.True(t, found, "%s groups by %s, which no series it selects has", expr, l)
			}
		}
		guarded := guardedSelectors(expr)
		for _, sel := range sels {
			if seen[sel] {
				continue
			}
			seen[sel] = true
			if len(p.query(t, sel)) > 0 {
				continue
			}
			name := metricName(sel)
			if guarded[sel] && len(p.query(t, fmt.Sprintf(`{__name__=%q}`, name))) == 0 {
				absentGuarded = append(absentGuarded, name)
				continue
			}
			t.Errorf("the kit queries %s, Prometheus has no such series (in %s)", sel, expr)
		}
	}
	if len(absentGuarded) == 0 {
		return
	}
	// How Prometheus names the processor's metrics, learnt from those that
	// exist: otelcol_<name>, with or without _total.
	suffixes := map[string]bool{}
	for _, m := range processorMetrics {
		for _, suffix := range []string{"", "_total"} {
			if len(p.query(t, fmt.Sprintf(`{__name__=%q}`, "otelcol_"+m+suffix))) > 0 {
				suffixes[suffix] = true
			}
		}
	}
	require.NotEmpty(t, suffixes, "none of the processor's metrics is in Prometheus")
	for _, name := range absentGuarded {
		ok := false
		for _, m := range processorMetrics {
			for suffix := range suffixes {
				ok = ok || name == "otelcol_"+m+suffix
			}
		}
		assert.True(t, ok, "the kit queries %s: absent, and not a metric of %s as Prometheus names them", name, processorMetadata)
	}
	sort.Strings(absentGuarded)
	t.Logf("series verified by name only (nothing dropped in this run): %v", absentGuarded)
}

// processorMetricNames are the telemetry metrics metadata.yaml declares.
func processorMetricNames(t *testing.T) []string {
	t.Helper()
	var meta struct {
		Telemetry struct {
			Metrics map[string]any `yaml:"metrics"`
		} `yaml:"telemetry"`
	}
	body, err := os.ReadFile(processorMetadata)
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(body, &meta))
	var out []string
	for m := range meta.Telemetry.Metrics {
		out = append(out, m)
	}
	require.NotEmpty(t, out)
	return out
}

// promToken splits PromQL: strings, label matchers, ranges, numbers and
// durations, identifiers, other characters.
var promToken = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|\{[^}]*\}|\[[^\]]*\]|[0-9][0-9a-zA-Z.]*|[a-zA-Z_:][a-zA-Z0-9_:]*|\S`)

var byClause = regexp.MustCompile(`\b(?:by|without)\s*\(([^)]*)\)`)

var promIdent = regexp.MustCompile(`^[a-zA-Z_:]`)

var promKeywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"and": true, "or": true, "unless": true, "bool": true, "offset": true,
}

// selectors are the vector selectors of expr (metric name and matchers).
func selectors(expr string) []string {
	toks := promToken.FindAllString(expr, -1)
	var out []string
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		if promKeywords[tok] {
			if (tok == "by" || tok == "without" || tok == "on" || tok == "ignoring" || tok == "group_left" || tok == "group_right") &&
				i+1 < len(toks) && toks[i+1] == "(" {
				for i++; i < len(toks) && toks[i] != ")"; i++ {
				}
			}
			continue
		}
		if !promIdent.MatchString(tok) {
			continue
		}
		if i+1 < len(toks) && (toks[i+1] == "(" || toks[i+1] == "by" || toks[i+1] == "without") {
			continue // a function or an aggregation
		}
		sel := tok
		if i+1 < len(toks) && strings.HasPrefix(toks[i+1], "{") {
			sel += toks[i+1]
			i++
		}
		out = append(out, sel)
	}
	return out
}

// guardedSelectors are the selectors inside a parenthesised expression
// followed by `or vector(0)`.
func guardedSelectors(expr string) map[string]bool {
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`\)\s*or\s+vector\(0\)`).FindAllStringIndex(expr, -1) {
		depth := 0
		for i := m[0]; i >= 0; i-- {
			switch expr[i] {
			case ')':
				depth++
			case '(':
				depth--
			}
			if depth == 0 {
				for _, s := range selectors(expr[i : m[0]+1]) {
					out[s] = true
				}
				break
			}
		}
	}
	return out
}

// withMatcher adds a label matcher to a selector.
func withMatcher(sel, matcher string) string {
	if strings.HasSuffix(sel, "}") {
		return strings.TrimSuffix(sel, "}") + ", " + matcher + "}"
	}
	return sel + "{" + matcher + "}"
}

func metricName(sel string) string {
	if i := strings.IndexByte(sel, '{'); i >= 0 {
		return sel[:i]
	}
	return sel
}

// traffic builds the OTLP requests of one service: support-agent, an
// order-tracking agent on gpt-4o-mini, with GenAI semantic-convention spans.
type traffic struct {
	traces uint64
}

func (tr *traffic) batch() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", kitService)
	rs.ScopeSpans().AppendEmpty()
	return td
}

func (tr *traffic) newTrace() pcommon.TraceID {
	tr.traces++
	var id pcommon.TraceID
	id[0] = 0xe2
	for i, n := 15, tr.traces; i >= 8; i, n = i-1, n>>8 {
		id[i] = byte(n)
	}
	return id
}

// span appends a span of the trace, ended now, that lasted dur.
func (tr *traffic) span(td ptrace.Traces, trace pcommon.TraceID, parent pcommon.SpanID, n byte, name string, dur time.Duration, attrs map[string]any) ptrace.Span {
	return tr.spanIn(td.ResourceSpans().At(0).ScopeSpans().At(0), trace, parent, n, name, dur, attrs)
}

// spanIn is span in a scope of its own.
func (tr *traffic) spanIn(ss ptrace.ScopeSpans, trace pcommon.TraceID, parent pcommon.SpanID, n byte, name string, dur time.Duration, attrs map[string]any) ptrace.Span {
	sp := ss.Spans().AppendEmpty()
	sp.SetTraceID(trace)
	var id pcommon.SpanID
	copy(id[:], trace[8:])
	id[0] = n
	sp.SetSpanID(id)
	sp.SetParentSpanID(parent)
	sp.SetName(name)
	end := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(end.Add(-dur)))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
	if err := sp.Attributes().FromRaw(attrs); err != nil {
		panic(err)
	}
	return sp
}

func chat(input, output string, finish string) map[string]any {
	return map[string]any{
		"gen_ai.operation.name":          "chat",
		"gen_ai.provider.name":           "openai",
		"gen_ai.request.model":           "gpt-4o-mini",
		"gen_ai.usage.input_tokens":      int64(80),
		"gen_ai.usage.output_tokens":     int64(20),
		"gen_ai.response.finish_reasons": []any{finish},
		"gen_ai.input.messages":          input,
		"gen_ai.output.messages":         output,
	}
}

const (
	askOrder  = `{"role":"user","parts":[{"type":"text","content":"Where is my order 1042?"}]}`
	callOrder = `{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"lookup_order","arguments":{"order_id":"1042"}}],"finish_reason":"tool_call"}`
	gotOrder  = `{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":"{\"status\":\"shipped\"}"}]}`
)

func answer(text string) string {
	b, _ := json.Marshal(text)
	return `[{"role":"assistant","parts":[{"type":"text","content":` + string(b) + `}],"finish_reason":"stop"}]`
}

// healthy is an agent turn: the model looks the order up, the tool
// answers, the model answers the user with text.
func (tr *traffic) healthy(td ptrace.Traces, text string) {
	trace := tr.newTrace()
	conv := fmt.Sprintf("conv-%d", tr.traces)
	root := tr.span(td, trace, pcommon.SpanID{}, 1, "invoke_agent support", 3*time.Second, map[string]any{
		"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "support", "gen_ai.conversation.id": conv,
	})
	tr.span(td, trace, root.SpanID(), 2, "chat gpt-4o-mini", time.Second,
		chat("["+askOrder+"]", "["+callOrder+"]", "tool_calls"))
	tr.span(td, trace, root.SpanID(), 3, "execute_tool lookup_order", 100*time.Millisecond, map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup_order", "gen_ai.tool.call.id": "call_1",
		"gen_ai.tool.call.arguments": `{"order_id":"1042"}`, "gen_ai.tool.call.result": `{"status":"shipped"}`,
		"gen_ai.conversation.id": conv,
	})
	tr.span(td, trace, root.SpanID(), 4, "chat gpt-4o-mini", 1500*time.Millisecond,
		chat("["+askOrder+","+callOrder+","+gotOrder+"]", answer(text), "stop"))
}

// toolCall is an agent turn that executes one tool call in a conversation.
func (tr *traffic) toolCall(td ptrace.Traces, tool, args, conv string) {
	trace := tr.newTrace()
	root := tr.span(td, trace, pcommon.SpanID{}, 1, "invoke_agent ops", time.Second, map[string]any{
		"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "ops", "gen_ai.conversation.id": conv,
	})
	tr.span(td, trace, root.SpanID(), 2, "execute_tool "+tool, 100*time.Millisecond, map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool, "gen_ai.tool.call.id": "call_1",
		"gen_ai.tool.call.arguments": args, "gen_ai.conversation.id": conv,
	})
}

// auditService runs the agent that makes too many calls: a service of its
// own, so its many passing spans leave support-agent's fail rate alone.
const auditService = "audit-agent"

// manySteps is an agent turn of auditService making calls tool calls in
// one trace, a lookup per order, each of another order (work, not a loop).
func (tr *traffic) manySteps(td ptrace.Traces, calls int) {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", auditService)
	ss := rs.ScopeSpans().AppendEmpty()
	trace := tr.newTrace()
	root := tr.spanIn(ss, trace, pcommon.SpanID{}, 1, "invoke_agent audit", time.Minute, map[string]any{
		"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "audit",
	})
	for n := 2; n <= calls+1; n++ {
		sp := tr.spanIn(ss, trace, root.SpanID(), 0, "execute_tool lookup_order", 10*time.Millisecond, map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup_order",
			"gen_ai.tool.call.arguments": fmt.Sprintf(`{"order_id":"%d"}`, 1000+n),
			"gen_ai.tool.call.result":    `{"status":"shipped"}`,
		})
		id := sp.SpanID()
		id[0], id[1] = byte(n>>8)|0x80, byte(n)
		sp.SetSpanID(id)
	}
}

// jsonCall is a model call asked for JSON output (gen_ai.output.type),
// answering text: the kit's json_output check judges it.
func (tr *traffic) jsonCall(td ptrace.Traces, text string) {
	attrs := chat("["+askOrder+"]", answer(text), "stop")
	attrs["gen_ai.output.type"] = "json"
	tr.span(td, tr.newTrace(), pcommon.SpanID{}, 1, "chat gpt-4o-mini", time.Second, attrs)
}

// failingTools: three different tools all answered with an error (a
// failure signal of severity 2).
func (tr *traffic) failingTools(td ptrace.Traces) {
	in := "[" + askOrder + `,{"role":"assistant","parts":[` +
		`{"type":"tool_call","id":"c1","name":"lookup_order","arguments":{"order_id":"1042"}},` +
		`{"type":"tool_call","id":"c2","name":"track_parcel","arguments":{"order_id":"1042"}},` +
		`{"type":"tool_call","id":"c3","name":"get_invoice","arguments":{"order_id":"1042"}}]},` +
		`{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"Error: database unavailable"}]},` +
		`{"role":"tool","parts":[{"type":"tool_call_response","id":"c2","response":"Error: carrier API unreachable"}]},` +
		`{"role":"tool","parts":[{"type":"tool_call_response","id":"c3","response":"Error: invoice service down"}]}]`
	tr.span(td, tr.newTrace(), pcommon.SpanID{}, 1, "chat gpt-4o-mini", time.Second,
		chat(in, answer("I cannot reach our systems right now; please try again later."), "stop"))
}

// angryUser: a last user message with complaint, escalation, quit and
// punctuation (a disengagement signal of severity 2).
func (tr *traffic) angryUser(td ptrace.Traces) {
	in := `[{"role":"user","parts":[{"type":"text","content":"This is useless. Talk to a human. Forget it!!!"}]}]`
	tr.span(td, tr.newTrace(), pcommon.SpanID{}, 1, "chat gpt-4o-mini", time.Second,
		chat(in, answer("I will connect you with a colleague."), "stop"))
}

// skewedClock: a chat span that ends before it starts (the latency
// evaluator's error verdict).
func (tr *traffic) skewedClock(td ptrace.Traces) {
	sp := tr.span(td, tr.newTrace(), pcommon.SpanID{}, 1, "chat gpt-4o-mini", time.Second,
		chat("["+askOrder+"]", answer("Your order 1042 has shipped."), "stop"))
	sp.SetEndTimestamp(sp.StartTimestamp() - 1000)
}
