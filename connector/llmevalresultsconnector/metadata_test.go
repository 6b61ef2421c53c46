package llmevalresultsconnector

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/mdenums"
)

// The label values metadata.yaml documents are the record labels.
func TestMetadataEnumsFollowTheCode(t *testing.T) {
	enums, err := mdenums.Read("metadata.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{evalrecord.LabelPass, evalrecord.LabelFail, evalrecord.LabelError}, enums["label"])
}
