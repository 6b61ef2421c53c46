// Package examples holds the SRE kit: a collector config turning verdicts
// and signals into metrics, Prometheus alert rules and a Grafana dashboard.
// The tests keep the three consistent with each other and with the
// processor's metrics.
package examples

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

type alertFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// knownSeries are the series names the kit may use: span_metrics calls and
// the collector's own metrics, the processor's from its metadata.yaml, as
// the collector's Prometheus endpoint exposes them (otelcol_ prefix, no
// _total suffix in v0.161.0).
func knownSeries(t *testing.T) map[string]bool {
	t.Helper()
	known := map[string]bool{
		"traces_span_metrics_calls_total":    true,
		"otelcol_exporter_send_failed_spans": true,
	}
	meta, err := os.ReadFile("../processor/metadata.yaml")
	require.NoError(t, err)
	for _, m := range regexp.MustCompile(`(?m)^    (processor_llmeval_\w+):$`).FindAllStringSubmatch(string(meta), -1) {
		known["otelcol_"+m[1]] = true
	}
	return known
}

// knownLabels are the spanmetrics dimensions of the example config, as
// Prometheus labels, plus the standard ones.
func knownLabels(t *testing.T) map[string]bool {
	t.Helper()
	var cfg struct {
		Connectors struct {
			Spanmetrics struct {
				Dimensions []struct {
					Name string `yaml:"name"`
				} `yaml:"dimensions"`
			} `yaml:"span_metrics"`
		} `yaml:"connectors"`
	}
	body, err := os.ReadFile("otelcol-llmeval-metrics.yaml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(body, &cfg))
	labels := map[string]bool{"service_name": true, "span_name": true, "evaluator": true, "rule": true, "exporter": true, "category": true}
	for _, d := range cfg.Connectors.Spanmetrics.Dimensions {
		labels[strings.ReplaceAll(d.Name, ".", "_")] = true
	}
	return labels
}

var (
	seriesRef = regexp.MustCompile(`\b((?:traces|otelcol)_[a-z_]+)\b`)
	labelRef  = regexp.MustCompile(`\b([a-z_]+)\s*(?:=~|!=|=)\s*"`)
	byRef     = regexp.MustCompile(`by \(([^)]*)\)`)
)

// checkExpr reports series and labels an expression uses that nothing
// produces.
func checkExpr(t *testing.T, where, expr string, series, labels map[string]bool) {
	t.Helper()
	for _, m := range seriesRef.FindAllStringSubmatch(expr, -1) {
		assert.True(t, series[m[1]], "%s: series %s is produced by nothing in the kit", where, m[1])
	}
	var used []string
	for _, m := range labelRef.FindAllStringSubmatch(expr, -1) {
		used = append(used, m[1])
	}
	for _, m := range byRef.FindAllStringSubmatch(expr, -1) {
		for _, l := range strings.Split(m[1], ",") {
			used = append(used, strings.TrimSpace(l))
		}
	}
	for _, l := range used {
		assert.True(t, labels[l], "%s: label %s is not a spanmetrics dimension or metric attribute", where, l)
	}
}

func TestAlertRules(t *testing.T) {
	body, err := os.ReadFile("prometheus/llmeval-alerts.yaml")
	require.NoError(t, err)
	if promtool, err := exec.LookPath("promtool"); err == nil {
		out, err := exec.Command(promtool, "check", "rules", "prometheus/llmeval-alerts.yaml").CombinedOutput()
		require.NoError(t, err, string(out))
	}
	var f alertFile
	require.NoError(t, yaml.Unmarshal(body, &f))
	require.NotEmpty(t, f.Groups)
	series, labels := knownSeries(t), knownLabels(t)
	names := map[string]bool{}
	for _, g := range f.Groups {
		require.NotEmpty(t, g.Name)
		for _, r := range g.Rules {
			assert.Regexp(t, `^[A-Z][A-Za-z]+$`, r.Alert)
			assert.False(t, names[r.Alert], "duplicate alert %s", r.Alert)
			names[r.Alert] = true
			assert.NotEmpty(t, strings.TrimSpace(r.Expr), r.Alert)
			assert.Equal(t, strings.Count(r.Expr, "("), strings.Count(r.Expr, ")"), "%s: unbalanced parentheses", r.Alert)
			assert.Regexp(t, `^\d+[smh]$`, r.For, r.Alert)
			assert.Contains(t, []string{"info", "warning", "critical"}, r.Labels["severity"], r.Alert)
			assert.NotEmpty(t, r.Annotations["summary"], r.Alert)
			checkExpr(t, r.Alert, r.Expr, series, labels)
		}
	}
	for _, want := range []string{"LLMEvalFailRateSpike", "LLMEvalAgentLoops", "LLMEvalJudgeDrops"} {
		assert.True(t, names[want], "the kit alerts on %s", want)
	}
}

func TestDashboard(t *testing.T) {
	body, err := os.ReadFile("grafana/llmeval-dashboard.json")
	require.NoError(t, err)
	var d struct {
		Title  string `json:"title"`
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(body, &d))
	require.NotEmpty(t, d.UID)
	require.NotEmpty(t, d.Panels)
	series, labels := knownSeries(t), knownLabels(t)
	for _, p := range d.Panels {
		require.NotEmpty(t, p.Targets, p.Title)
		for _, tg := range p.Targets {
			checkExpr(t, p.Title, tg.Expr, series, labels)
		}
	}
}
