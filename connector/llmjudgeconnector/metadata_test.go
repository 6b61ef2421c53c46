package llmjudgeconnector

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/evalrecord"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/mdenums"
)

// metadata.yaml documents the metric attributes' values for mdatagen; they
// must be the lists the code uses, so the generated docs cannot drift.
func TestMetadataEnumsFollowTheCode(t *testing.T) {
	enums, err := mdenums.Read("metadata.yaml")
	require.NoError(t, err)
	assert.Equal(t, errorTypes, enums["error_type"], "error_type")
	assert.Equal(t, skipReasons, enums["reason"], "reason")
	assert.Equal(t, []string{evalrecord.LabelPass, evalrecord.LabelFail, evalrecord.LabelError}, enums["label"], "label")
	assert.Equal(t, []string{"input", "output"}, enums["token_type"], "token_type")
}
