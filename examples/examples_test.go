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
