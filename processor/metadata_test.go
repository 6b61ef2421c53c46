package llmevalprocessor

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// metadata.yaml documents the metric attributes' values for mdatagen; they
// must be the lists the code uses, so the generated docs cannot drift.
func TestMetadataEnumsFollowTheCode(t *testing.T) {
	raw, err := os.ReadFile("metadata.yaml")
	require.NoError(t, err)
	var md struct {
		Attributes map[string]struct {
			Enum []string `yaml:"enum"`
		} `yaml:"attributes"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &md))
	assert.Equal(t, SignalCategories(), md.Attributes["category"].Enum, "category")
	var layouts []string
	for l := spanmodel.LayoutNone + 1; l < spanmodel.NumLayouts; l++ {
		layouts = append(layouts, l.String())
	}
	assert.Equal(t, layouts, md.Attributes["layout"].Enum, "layout")
	var verdicts []string
	for v := evaluators.Pass; v <= evaluators.Error; v++ {
		verdicts = append(verdicts, v.String())
	}
	assert.Equal(t, verdicts, md.Attributes["verdict"].Enum, "verdict")
}
