package llmevalresultsconnector

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
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
	assert.Equal(t, []string{evalrecord.LabelPass, evalrecord.LabelFail, evalrecord.LabelError}, md.Attributes["label"].Enum, "label")
}
