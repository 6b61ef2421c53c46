// Package examples holds the SRE kit: a collector config turning verdicts
// and signals into metrics, a Prometheus config with recording and alert
// rules, and a Grafana dashboard. These tests check the kit's structure
// and that the README shows it as it is; e2e/prometheus_test.go runs it
// with the built collector and a real Prometheus and checks every series
// it queries against what Prometheus stores.
package examples

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
)

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Record      string            `yaml:"record"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// ruleFiles are the kit's rule files: what prometheus.yml loads.
func ruleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("prometheus/llmeval-*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

// alertNames are the kit's alerts, in file order.
func alertNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, path := range ruleFiles(t) {
		body, err := os.ReadFile(path)
		require.NoError(t, err)
		var f ruleFile
		require.NoError(t, yaml.Unmarshal(body, &f), path)
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				if r.Alert != "" {
					names = append(names, r.Alert)
				}
			}
		}
	}
	return names
}

func TestRuleFiles(t *testing.T) {
	promtool, promtoolErr := exec.LookPath("promtool")
	names := map[string]bool{}
	for _, path := range ruleFiles(t) {
		if promtoolErr == nil {
			out, err := exec.Command(promtool, "check", "rules", path).CombinedOutput()
			require.NoError(t, err, string(out))
		}
		body, err := os.ReadFile(path)
		require.NoError(t, err)
		var f ruleFile
		require.NoError(t, yaml.Unmarshal(body, &f), path)
		require.NotEmpty(t, f.Groups, path)
		for _, g := range f.Groups {
			require.NotEmpty(t, g.Name, path)
			for _, r := range g.Rules {
				assert.NotEmpty(t, strings.TrimSpace(r.Expr), "%s: %s%s", path, r.Alert, r.Record)
				name := r.Alert + r.Record
				assert.False(t, names[name], "%s: duplicate rule %s", path, name)
				names[name] = true
				if r.Record != "" {
					// Prometheus's level:metric:operations naming.
					assert.Regexp(t, `^[a-z_]+:llmeval_[a-z0-9_]+:[a-z0-9_]+$`, r.Record, path)
					continue
				}
				assert.Regexp(t, `^LLMEval[A-Z][A-Za-z]+$`, r.Alert, path)
				assert.Regexp(t, `^\d+[smh]$`, r.For, r.Alert)
				assert.Contains(t, []string{"info", "warning", "critical"}, r.Labels["severity"], r.Alert)
				assert.NotEmpty(t, r.Annotations["summary"], r.Alert)
				assert.NotEmpty(t, r.Annotations["description"], r.Alert)
			}
		}
	}
}

func TestPrometheusConfigLoadsTheRules(t *testing.T) {
	body, err := os.ReadFile("prometheus/prometheus.yml")
	require.NoError(t, err)
	var cfg struct {
		RuleFiles []string `yaml:"rule_files"`
	}
	require.NoError(t, yaml.Unmarshal(body, &cfg))
	for _, path := range ruleFiles(t) {
		loaded := false
		for _, pattern := range cfg.RuleFiles {
			ok, err := filepath.Match(pattern, filepath.Base(path))
			require.NoError(t, err)
			loaded = loaded || ok
		}
		assert.True(t, loaded, "prometheus.yml does not load %s", path)
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
	for _, p := range d.Panels {
		require.NotEmpty(t, p.Targets, p.Title)
		for _, tg := range p.Targets {
			assert.NotEmpty(t, strings.TrimSpace(tg.Expr), p.Title)
		}
	}
}

// readmeFile is a file of the kit the README shows: its path in
// backquotes and a colon, an empty line, then a fenced block.
var readmeFile = regexp.MustCompile("(?s)`(examples/[^`]+)`[^\n]*:\n\n```[a-z]*\n(.*?)```\n")

// TestReadmeShowsTheKit: the README's "Alerting in 10 minutes" shows every
// config and rule file of the kit exactly as it is (the files the e2e test
// runs), and has a runbook row for every alert.
func TestReadmeShowsTheKit(t *testing.T) {
	body, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	readme := string(body)
	shown := map[string]string{}
	for _, m := range readmeFile.FindAllStringSubmatch(readme, -1) {
		shown[m[1]] = m[2]
	}
	kit, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	prom, err := filepath.Glob("prometheus/*.y*ml")
	require.NoError(t, err)
	kit = append(kit, prom...)
	require.NotEmpty(t, kit)
	for _, path := range kit {
		want, err := os.ReadFile(path)
		require.NoError(t, err)
		got, ok := shown["examples/"+path]
		if assert.True(t, ok, "README does not show examples/%s", path) {
			assert.Equal(t, string(want), got, "README's copy of examples/%s", path)
		}
	}
	for _, name := range alertNames(t) {
		assert.Regexp(t, "(?m)^\\| `"+name+"` \\|[^|\n]+\\|[^|\n]+\\|$", readme, "README has no runbook row for %s", name)
	}
}

// promtoolTests are the rule files' unit tests (`promtool test rules`).
type promtoolTests struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		AlertRuleTests []struct {
			EvalTime  string `yaml:"eval_time"`
			Alertname string `yaml:"alertname"`
			ExpAlerts []any  `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// TestRuleUnitTests: every alert of a rule file that has promtool unit
// tests is tested both firing and quiet. `make promtool` runs the tests
// (about 10 s: a week of samples), so they are not run twice here.
func TestRuleUnitTests(t *testing.T) {
	files, err := filepath.Glob("prometheus/tests/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		body, err := os.ReadFile(path)
		require.NoError(t, err)
		var pt promtoolTests
		require.NoError(t, yaml.Unmarshal(body, &pt), path)
		require.NotEmpty(t, pt.RuleFiles, path)
		fires, quiet := map[string]bool{}, map[string]bool{}
		for _, tc := range pt.Tests {
			for _, at := range tc.AlertRuleTests {
				if len(at.ExpAlerts) > 0 {
					fires[at.Alertname] = true
				} else {
					quiet[at.Alertname] = true
				}
			}
		}
		for _, rf := range pt.RuleFiles {
			rules, err := os.ReadFile(filepath.Join(filepath.Dir(path), rf))
			require.NoError(t, err, path)
			var f ruleFile
			require.NoError(t, yaml.Unmarshal(rules, &f), rf)
			for _, g := range f.Groups {
				for _, r := range g.Rules {
					if r.Alert == "" {
						continue
					}
					assert.True(t, fires[r.Alert], "%s: no test where %s fires", path, r.Alert)
					assert.True(t, quiet[r.Alert], "%s: no test where %s stays quiet", path, r.Alert)
				}
			}
		}
	}
}

// metricsKit is the part of the kit's collector config the drift metrics
// depend on.
type metricsKit struct {
	Processors map[string]any `yaml:"processors"`
	Connectors struct {
		SignalToMetrics struct {
			Spans []struct {
				Name                      string           `yaml:"name"`
				IncludeResourceAttributes []map[string]any `yaml:"include_resource_attributes"`
				Attributes                []map[string]any `yaml:"attributes"`
				Conditions                []string         `yaml:"conditions"`
				Sum                       *struct {
					Monotonic bool `yaml:"monotonic"`
				} `yaml:"sum"`
				Histogram *struct {
					Value string `yaml:"value"`
				} `yaml:"histogram"`
			} `yaml:"spans"`
		} `yaml:"signal_to_metrics"`
	} `yaml:"connectors"`
	Service struct {
		Pipelines map[string]struct {
			Receivers  []string `yaml:"receivers"`
			Processors []string `yaml:"processors"`
			Exporters  []string `yaml:"exporters"`
		} `yaml:"pipelines"`
	} `yaml:"service"`
}

// evaluatorKey matches the llmeval keys a drift metric reads:
// llmeval.<evaluator>.verdict or .score.
var evaluatorKey = regexp.MustCompile(`"llmeval\.([a-z0-9_]+)\.(?:verdict|score)"`)

// driftSeries matches the series the drift rules read (not the middle of
// a recording rule's level:metric:operations name).
var driftSeries = regexp.MustCompile(`(?:^|[^:\w])(llmeval_drift_\w+)`)

// TestDriftMetrics: the drift metrics read the verdicts of evaluators the
// kit runs, with passes recorded (the rates' denominators); they carry the
// labels the rules group by; the rules read only series they produce as
// Prometheus names them; and their deltas go through delta_to_cumulative
// before the prometheus exporter.
func TestDriftMetrics(t *testing.T) {
	body, err := os.ReadFile("otelcol-llmeval-metrics.yaml")
	require.NoError(t, err)
	var kit metricsKit
	require.NoError(t, yaml.Unmarshal(body, &kit))
	var llmeval struct {
		RecordPasses      bool `yaml:"record_passes"`
		DefaultEvaluators bool `yaml:"default_evaluators"`
		Evaluators        []struct {
			Name string `yaml:"name"`
		} `yaml:"evaluators"`
	}
	raw, err := yaml.Marshal(kit.Processors["llmeval"])
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, &llmeval))
	assert.True(t, llmeval.RecordPasses, "the drift ratios count passes: record_passes must be on")
	runs := map[string]bool{}
	for _, e := range llmeval.Evaluators {
		runs[e.Name] = true
	}
	if llmeval.DefaultEvaluators || len(llmeval.Evaluators) == 0 {
		for _, e := range evaluators.DefaultSet() {
			runs[e.Name] = true
		}
	}

	metrics := kit.Connectors.SignalToMetrics.Spans
	require.NotEmpty(t, metrics)
	produced := map[string]bool{}
	for _, m := range metrics {
		require.True(t, strings.HasPrefix(m.Name, "llmeval.drift."), m.Name)
		prom := strings.ReplaceAll(m.Name, ".", "_")
		switch {
		case m.Sum != nil:
			assert.True(t, m.Sum.Monotonic, "%s: a counter", m.Name)
			produced[prom+"_total"] = true
		case m.Histogram != nil:
			for _, s := range []string{"_sum", "_count", "_bucket"} {
				produced[prom+s] = true
			}
		default:
			t.Errorf("%s: neither a sum nor a histogram", m.Name)
		}
		assert.Equal(t, []map[string]any{{"key": "gen_ai.request.model"}}, m.Attributes, m.Name)
		assert.Equal(t, []map[string]any{{"key": "service.name"}}, m.IncludeResourceAttributes, m.Name)
		reads := strings.Join(m.Conditions, " ")
		if m.Histogram != nil {
			reads += " " + m.Histogram.Value
			// A value a client sends is type-checked first: the connector
			// would log a value of the wrong type (error_mode: ignore).
			if !strings.Contains(m.Histogram.Value, `"llmeval.`) {
				assert.Regexp(t, `Is(Int|Double)\(`+regexp.QuoteMeta(m.Histogram.Value)+`\)`, reads, "%s: the condition checks the value's type", m.Name)
			}
		}
		for _, k := range evaluatorKey.FindAllStringSubmatch(reads, -1) {
			assert.True(t, runs[k[1]], "%s reads the verdicts of %q, which the kit does not run", m.Name, k[1])
		}
	}

	rules, err := os.ReadFile("prometheus/llmeval-drift.yaml")
	require.NoError(t, err)
	var f ruleFile
	require.NoError(t, yaml.Unmarshal(rules, &f))
	read := map[string]bool{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			for _, m := range driftSeries.FindAllStringSubmatch(r.Expr, -1) {
				s := m[1]
				read[s] = true
				assert.True(t, produced[s], "%s reads %s, which the kit does not produce", r.Alert+r.Record, s)
			}
			for _, m := range byLabels.FindAllStringSubmatch(r.Expr, -1) {
				assert.Equal(t, "service_name, gen_ai_request_model", m[1], r.Record)
			}
		}
	}
	require.NotEmpty(t, read)

	found := false
	for name, p := range kit.Service.Pipelines {
		fed := false
		for _, r := range p.Receivers {
			fed = fed || r == "signal_to_metrics"
		}
		if !fed {
			continue
		}
		found = true
		require.NotEmpty(t, p.Processors, name)
		assert.Equal(t, "delta_to_cumulative", p.Processors[0], "%s: deltas become cumulative first", name)
		assert.Contains(t, p.Processors, "transform/drift", "%s: service.name onto the data points", name)
		assert.Contains(t, p.Exporters, "prometheus", name)
	}
	assert.True(t, found, "no pipeline receives from signal_to_metrics")
}

var byLabels = regexp.MustCompile(`\bby \(([^)]*)\)`)
