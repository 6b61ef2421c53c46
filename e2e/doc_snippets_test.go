package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docFiles are the repository's docs whose YAML snippets users paste.
func docFiles(t *testing.T) []string {
	t.Helper()
	more, err := filepath.Glob("../docs/*.md")
	require.NoError(t, err)
	var out []string
	for _, f := range append([]string{"../README.md", "../processor/README.md"}, more...) {
		if _, err := os.Stat(f); err == nil {
			out = append(out, f)
		}
	}
	return out
}

type snippet struct {
	file string
	line int
	text string
}

func yamlSnippets(t *testing.T, path string) []snippet {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []snippet
	var cur *snippet
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```yaml":
			cur = &snippet{file: path, line: n}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	require.NoError(t, sc.Err())
	return out
}

var envRefRE = regexp.MustCompile(`\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}`)

// placeholders are paths docs show that only exist on a user's machine.
var placeholders = map[string]string{
	"/etc/otelcol/schemas/order.json": "../evaluators/testdata/order.schema.json",
}

// Every YAML snippet in the docs is a config the built collector accepts:
// whole collector configs as they are, processor blocks and evaluator list
// entries inside a minimal pipeline. Snippets of other tools' files (an ocb
// manifest, Prometheus rules) are said to be so and checked where those
// files are tested.
func TestDocSnippetsValidate(t *testing.T) {
	bin := binary(t)
	seen := 0
	for _, path := range docFiles(t) {
		for _, sn := range yamlSnippets(t, path) {
			name := fmt.Sprintf("%s:%d", filepath.Base(sn.file), sn.line)
			cfg, kind := collectorConfig(t, sn.text)
			if cfg == "" {
				t.Logf("%s: %s, not a collector config", name, kind)
				continue
			}
			seen++
			t.Run(name, func(t *testing.T) {
				for from, to := range placeholders {
					cfg = strings.ReplaceAll(cfg, from, to)
				}
				file := filepath.Join(t.TempDir(), "config.yaml")
				require.NoError(t, os.WriteFile(file, []byte(cfg), 0o600))
				cmd := exec.Command(bin, "validate", "--config", file)
				cmd.Env = os.Environ()
				for _, m := range envRefRE.FindAllStringSubmatch(cfg, -1) {
					cmd.Env = append(cmd.Env, m[1]+"="+placeholderEnv(m[1]))
				}
				out, err := cmd.CombinedOutput()
				assert.NoError(t, err, "%s (%s) does not validate:\n%s\n%s", name, kind, out, cfg)
			})
		}
	}
	assert.Greater(t, seen, 10, "snippets found")
}

// placeholderEnv is a value of the right shape for an env var a doc uses.
func placeholderEnv(name string) string {
	switch {
	case strings.HasSuffix(name, "_ENDPOINT") && strings.Contains(name, "GRPC"):
		return "127.0.0.1:4317"
	case strings.HasSuffix(name, "_ENDPOINT"), strings.HasSuffix(name, "_URL"):
		return "http://127.0.0.1:4318"
	}
	return "placeholder"
}

// collectorConfig turns a snippet into a whole collector config, or returns
// "" and what the snippet is.
func collectorConfig(t *testing.T, text string) (string, string) {
	t.Helper()
	first := ""
	for _, l := range strings.Split(text, "\n") {
		if s := strings.TrimSpace(l); s != "" && !strings.HasPrefix(s, "#") {
			first = l
			break
		}
	}
	if strings.HasPrefix(first, " ") {
		return "", "an indented fragment of a config shown whole elsewhere"
	}
	port, metrics := freePort(t), freePort(t)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	switch {
	case strings.Contains(text, "\nservice:") || strings.HasPrefix(first, "service:"):
		return text, "collector config"
	case strings.HasPrefix(first, "processors:"):
		body := strings.TrimPrefix(strings.TrimSpace(text[strings.Index(text, "processors:"):]), "processors:")
		lines := strings.Split(strings.Trim(body, "\n"), "\n")
		if len(lines) > 0 && strings.HasPrefix(strings.TrimSpace(lines[0]), "llmeval") {
			proc := strings.Join(lines[1:], "\n")
			return pipelineConfig(port, metrics, out, dedent(proc)), "processor block"
		}
		return "", "processors of another component"
	case strings.HasPrefix(first, "- "):
		return pipelineConfig(port, metrics, out, "evaluators:\n"+indent(text, "  ")), "evaluator entries"
	case strings.HasPrefix(first, "llmeval:"):
		return pipelineConfig(port, metrics, out, dedent(strings.SplitN(text, "\n", 2)[1])), "processor block"
	}
	key, _, _ := strings.Cut(strings.TrimSpace(first), ":")
	switch key {
	case "dist", "extensions", "receivers", "exporters", "connectors", "providers", "replaces", "groups", "global", "rule_files", "scrape_configs":
		return "", "another tool's file or part (" + key + ")"
	}
	// A processor option block (sampling:, judge:, signals:, evaluators: ...).
	return pipelineConfig(port, metrics, out, text), "processor options"
}

// dedent removes the indentation of the first non-empty line from every line.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	n := -1
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			n = len(l) - len(strings.TrimLeft(l, " "))
			break
		}
	}
	for i, l := range lines {
		if len(l) >= n && n > 0 {
			lines[i] = l[n:]
		}
	}
	return strings.Join(lines, "\n")
}
