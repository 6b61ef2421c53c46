package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// ocbEnv names the ocb binary; `make e2e` sets it to the one it installed.
const ocbEnv = "LLMEVAL_E2E_OCB"

// checkoutPlaceholder is the path the README's manifest tells users to
// replace with their checkout.
const checkoutPlaceholder = "/path/to/your/checkout/of/otelcol-llmeval"

// TestReadmeManifestBuilds builds the manifest of the README's "Add it to
// your own collector build" section, as written, with ocb: only the
// checkout path and the output directory are filled in. The collector it
// builds must list the components and accept the SRE kit's config.
func TestReadmeManifestBuilds(t *testing.T) {
	ocb := os.Getenv(ocbEnv)
	if ocb == "" {
		t.Skipf("%s is not set: run `make e2e`", ocbEnv)
	}
	blocks := yamlBlocks(markdownSection(t, readRepoFile(t, "README.md"), "Add it to your own collector build"))
	require.NotEmpty(t, blocks)
	manifest := blocks[0]
	require.Contains(t, manifest, checkoutPlaceholder, "the manifest points at a checkout")
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	manifest = strings.ReplaceAll(manifest, checkoutPlaceholder, root)

	var m map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(manifest), &m))
	dist := m["dist"].(map[string]any)
	out := filepath.Join(t.TempDir(), "dist")
	dist["output_path"] = out
	body, err := yaml.Marshal(m)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "manifest.yaml")
	require.NoError(t, os.WriteFile(path, body, 0o600))

	began := time.Now()
	cmd := exec.Command(ocb, "--config", path)
	cmd.Env = os.Environ()
	logs, err := cmd.CombinedOutput()
	require.NoError(t, err, "ocb build of the README manifest:\n%s", logs)
	t.Logf("ocb built the README manifest in %s", time.Since(began).Round(time.Second))

	bin := filepath.Join(out, dist["name"].(string))
	components, err := exec.Command(bin, "components").CombinedOutput()
	require.NoError(t, err, string(components))
	for _, want := range []string{"llmeval", "otlp_grpc", "otlp_http", "span_metrics", "transform", "memory_limiter", "batch"} {
		assert.Contains(t, string(components), "name: "+want, "the built collector has %s", want)
	}
	validate := exec.Command(bin, "validate", "--config", "../examples/otelcol-llmeval-metrics.yaml")
	validate.Env = append(os.Environ(),
		"JUDGE_ENDPOINT=http://127.0.0.1:4319", "TRACES_ENDPOINT=http://127.0.0.1:4320", "METRICS_ENDPOINT=http://127.0.0.1:4321")
	res, err := validate.CombinedOutput()
	require.NoError(t, err, "the SRE kit's config on a build from the README:\n%s", res)
}
