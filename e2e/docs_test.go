package e2e

// Tests that hold the documentation to the repository: the version set the
// README states, component names, and the environment each example config
// needs. They read files only, so they also run in the unit tests.

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func readRepoFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", rel))
	require.NoError(t, err)
	return string(b)
}

// markdownSection returns the text of the section whose heading is title,
// up to the next heading of the same or a higher level.
func markdownSection(t *testing.T, doc, title string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^(#+) ` + regexp.QuoteMeta(title) + `\s*$`)
	loc := re.FindStringSubmatchIndex(doc)
	require.NotNil(t, loc, "section %q", title)
	level := loc[3] - loc[2]
	rest := doc[loc[1]:]
	next := regexp.MustCompile(`(?m)^#{1,` + string(rune('0'+level)) + `} `).FindStringIndex(rest)
	if next == nil {
		return rest
	}
	return rest[:next[0]]
}

// yamlBlocks returns the ```yaml code blocks of a markdown text.
func yamlBlocks(doc string) []string {
	var out []string
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(doc, -1) {
		out = append(out, m[1])
	}
	return out
}

// versionSet is the collector version set the README's Versions section
// states.
type versionSet struct{ core, stable, contrib, ocb string }

func readmeVersions(t *testing.T) versionSet {
	t.Helper()
	sec := markdownSection(t, readRepoFile(t, "README.md"), "Versions")
	row := func(what string) string {
		m := regexp.MustCompile(`(?m)^\| ` + what + `\b[^|\n]*\| ` + "`" + `(v\d+\.\d+\.\d+)` + "`" + ` \|$`).FindStringSubmatch(sec)
		require.NotNil(t, m, "README Versions: a row for %s", what)
		return m[1]
	}
	return versionSet{core: row("collector core"), stable: row("collector stable"), contrib: row("contrib"), ocb: row("ocb")}
}

// want returns the version a collector module must have under the set, and
// whether the module belongs to the set at all.
func (v versionSet) want(module, version string) (string, bool) {
	switch {
	case module == "go.opentelemetry.io/collector/cmd/builder":
		return v.ocb, true
	case module == "go.opentelemetry.io/collector" || strings.HasPrefix(module, "go.opentelemetry.io/collector/"):
		if strings.HasPrefix(version, "v1.") {
			return v.stable, true
		}
		return v.core, true
	case strings.HasPrefix(module, "github.com/open-telemetry/opentelemetry-collector-contrib/"):
		return v.contrib, true
	}
	return "", false
}

// manifestModules lists the "module version" pairs of an ocb manifest.
func manifestModules(t *testing.T, manifest string) [][2]string {
	t.Helper()
	var m map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(manifest), &m))
	var out [][2]string
	for _, kind := range []string{"extensions", "receivers", "processors", "exporters", "connectors", "providers", "converters"} {
		list, _ := m[kind].([]any)
		for _, c := range list {
			gomod, _ := c.(map[string]any)["gomod"].(string)
			f := strings.Fields(gomod)
			require.Len(t, f, 2, "%s: gomod %q", kind, gomod)
			out = append(out, [2]string{f[0], f[1]})
		}
	}
	require.NotEmpty(t, out)
	return out
}

// TestVersionsMatchTheReadme: every collector module in go.mod, in
// builder-config.yaml and in the README's example manifest is on the set
// the README's Versions section states, and so is ocb in the Makefile.
func TestVersionsMatchTheReadme(t *testing.T) {
	v := readmeVersions(t)
	assert.Equal(t, v.core, v.ocb, "ocb's version is the core version")
	check := func(where, module, version string) {
		if want, ok := v.want(module, version); ok {
			assert.Equal(t, want, version, "%s: %s", where, module)
		}
	}

	sc := bufio.NewScanner(strings.NewReader(readRepoFile(t, "go.mod")))
	seen := 0
	for sc.Scan() {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require "))
		if len(f) >= 2 && strings.HasPrefix(f[1], "v") {
			if _, ok := v.want(f[0], f[1]); ok {
				seen++
			}
			check("go.mod", f[0], f[1])
		}
	}
	assert.Greater(t, seen, 10, "go.mod requires collector modules")

	for _, mv := range manifestModules(t, readRepoFile(t, "builder-config.yaml")) {
		check("builder-config.yaml", mv[0], mv[1])
	}
	build := markdownSection(t, readRepoFile(t, "README.md"), "Add it to your own collector build")
	blocks := yamlBlocks(build)
	require.NotEmpty(t, blocks)
	for _, mv := range manifestModules(t, blocks[0]) {
		check("README manifest", mv[0], mv[1])
	}

	ocb := regexp.MustCompile(`(?m)^OCB_VERSION\s*:=\s*(\S+)$`).FindStringSubmatch(readRepoFile(t, "Makefile"))
	require.NotNil(t, ocb)
	assert.Equal(t, v.ocb, ocb[1], "Makefile OCB_VERSION")
}

// deprecatedTypes are the component type aliases the v0.161.0 set still
// accepts with a warning (each component's metadata.yaml deprecated_type),
// by the config section they would appear in, with their current names.
var deprecatedTypes = map[string]map[string]string{
	"exporters":  {"otlp": "otlp_grpc", "otlphttp": "otlp_http", "loadbalancing": "load_balancing", "spanmetrics": "span_metrics", "signaltometrics": "signal_to_metrics"},
	"receivers":  {"spanmetrics": "span_metrics", "signaltometrics": "signal_to_metrics"},
	"connectors": {"spanmetrics": "span_metrics", "signaltometrics": "signal_to_metrics"},
	"processors": {"deltatocumulative": "delta_to_cumulative"},
}

// deprecatedNames walks a parsed config (or fragment) and reports every
// component ID or pipeline reference that uses a deprecated type.
func deprecatedNames(node any, path string, report func(string)) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if aliases, ok := deprecatedTypes[k]; ok {
				var ids []string
				switch c := v.(type) {
				case map[string]any:
					for id := range c {
						ids = append(ids, id)
					}
				case []any:
					for _, id := range c {
						if s, ok := id.(string); ok {
							ids = append(ids, s)
						}
					}
				}
				for _, id := range ids {
					typ, _, _ := strings.Cut(id, "/")
					if now, bad := aliases[typ]; bad {
						report(path + "." + k + ": " + id + " (use " + now + ")")
					}
				}
			}
			deprecatedNames(v, path+"."+k, report)
		}
	case []any:
		for _, v := range n {
			deprecatedNames(v, path, report)
		}
	}
}

// TestNoDeprecatedComponentNames: the configs users copy (examples, test
// configs, README and docs snippets) use current component names.
func TestNoDeprecatedComponentNames(t *testing.T) {
	type source struct{ where, text string }
	var sources []source
	for _, pattern := range []string{"examples/*.yaml", "examples/*/*.yaml", "testdata/collector/*.yaml"} {
		files, err := filepath.Glob(filepath.Join("..", pattern))
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			sources = append(sources, source{f, string(b)})
		}
	}
	docs, err := filepath.Glob("../docs/*.md")
	require.NoError(t, err)
	for _, f := range append(docs, "../README.md", "../processor/README.md") {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for i, block := range yamlBlocks(string(b)) {
			sources = append(sources, source{f + " yaml block " + strconv.Itoa(i+1), block})
		}
	}
	require.Greater(t, len(sources), 10)
	for _, s := range sources {
		var node any
		if err := yaml.Unmarshal([]byte(s.text), &node); err != nil {
			t.Errorf("%s: not YAML: %v", s.where, err)
			continue
		}
		deprecatedNames(node, "", func(msg string) { t.Errorf("%s: deprecated component name %s", s.where, msg) })
	}
	// Prose too: the deprecated names in backticks, as a reader would copy them.
	for _, f := range append(docs, "../README.md", "../processor/README.md") {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for i, line := range strings.Split(string(b), "\n") {
			for _, old := range []string{"`spanmetrics`", "`otlphttp`", "`loadbalancing`", "`signaltometrics`", "`deltatocumulative`"} {
				if strings.Contains(line, old) {
					t.Errorf("%s:%d: deprecated component name %s", f, i+1, old)
				}
			}
		}
	}
}

// TestExampleEnvironmentIsListed: every ${env:NAME} an example config
// reads is named in the file's own header comment and wherever the README
// or the docs point at the file.
func TestExampleEnvironmentIsListed(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	require.NoError(t, err)
	more, err := filepath.Glob("../examples/*/*.yaml")
	require.NoError(t, err)
	files = append(files, more...)
	docs, err := filepath.Glob("../docs/*.md")
	require.NoError(t, err)
	docs = append(docs, "../README.md", "../processor/README.md")
	envRef := regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		text := string(b)
		names := map[string]bool{}
		for _, m := range envRef.FindAllStringSubmatch(text, -1) {
			names[m[1]] = true
		}
		var list []string
		for n := range names {
			list = append(list, n)
		}
		sort.Strings(list)
		var header strings.Builder
		for _, line := range strings.Split(text, "\n") {
			if !strings.HasPrefix(line, "#") {
				break
			}
			header.WriteString(line + "\n")
		}
		for _, n := range list {
			assert.Contains(t, header.String(), n, "%s reads ${env:%s}: its header comment must name it", f, n)
		}
		rel := strings.TrimPrefix(f, "../")
		mentions := 0
		for _, d := range docs {
			b, err := os.ReadFile(d)
			require.NoError(t, err)
			// Prose only: code blocks (a file shown verbatim) mention other files in comments.
			prose := withoutCodeBlocks(string(b))
			for _, para := range strings.Split(prose, "\n\n") {
				if !strings.Contains(para, rel) && !strings.Contains(para, strings.TrimPrefix(rel, "examples/")) {
					continue
				}
				mentions++
				for _, n := range list {
					assert.Contains(t, para, n, "%s points at %s, which reads ${env:%s}, without naming it:\n%s", d, rel, n, para)
				}
			}
		}
		if strings.Count(rel, "/") == 1 || strings.HasPrefix(rel, "examples/scale-out/") {
			assert.Positive(t, mentions, "%s is described somewhere in the README or docs", rel)
		}
	}
}

// TestInternalMetricNamesAsExposed: the docs and the SRE kit write the
// processor's metrics one way, as the collector's Prometheus endpoint
// exposes them: otelcol_ prefix, the metadata.yaml name, no _total suffix.
func TestInternalMetricNamesAsExposed(t *testing.T) {
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^    (processor_llmeval_\w+):$`).FindAllStringSubmatch(readRepoFile(t, "processor/metadata.yaml"), -1) {
		names["otelcol_"+m[1]] = true
	}
	require.NotEmpty(t, names)
	files := []string{"README.md", "processor/README.md", "RELIABILITY.md", "BENCHMARKS.md", "examples/prometheus/llmeval-alerts.yaml", "examples/grafana/llmeval-dashboard.json"}
	docs, err := filepath.Glob("../docs/*.md")
	require.NoError(t, err)
	for _, d := range docs {
		files = append(files, strings.TrimPrefix(d, "../"))
	}
	ref := regexp.MustCompile(`[a-z_]*processor_llmeval_[a-z_]+`)
	for _, f := range files {
		for i, line := range strings.Split(readRepoFile(t, f), "\n") {
			for _, name := range ref.FindAllString(line, -1) {
				if !names[name] {
					t.Errorf("%s:%d: %s is not an exposed metric name (otelcol_ + a metadata.yaml name)", f, i+1, name)
				}
			}
		}
	}
}

// withoutCodeBlocks drops fenced code blocks (lines between ``` fences).
func withoutCodeBlocks(doc string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			in = !in
			continue
		}
		if !in {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
