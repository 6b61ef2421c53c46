package spanmodel

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in      string
		def     TargetKind
		want    Target
		wantErr string
	}{
		{in: "", def: TargetOutput, want: Target{Kind: TargetOutput}},
		{in: "", def: TargetInput, want: Target{Kind: TargetInput}},
		{in: "output", def: TargetInput, want: Target{Kind: TargetOutput}},
		{in: "input", def: TargetOutput, want: Target{Kind: TargetInput}},
		{in: "system", def: TargetOutput, want: Target{Kind: TargetSystem}},
		{in: "tool_arguments", def: TargetOutput, want: Target{Kind: TargetToolArguments}},
		{in: "tool_result", def: TargetOutput, want: Target{Kind: TargetToolResult}},
		{in: "reasoning", def: TargetOutput, want: Target{Kind: TargetReasoning}},
		{in: "attribute:gen_ai.output.messages", def: TargetOutput, want: Target{Kind: TargetAttribute, Key: "gen_ai.output.messages"}},
		// Only the first "attribute:" is the prefix; the rest is the key.
		{in: "attribute:a:b", def: TargetOutput, want: Target{Kind: TargetAttribute, Key: "a:b"}},
		{in: "attribute:", def: TargetOutput, wantErr: "attribute: needs a key"},
		{in: "foo", def: TargetOutput, wantErr: `unknown target "foo"`},
		{in: "Output", def: TargetOutput, wantErr: `unknown target "Output"`},
		{in: " output", def: TargetOutput, wantErr: `unknown target " output"`},
		{in: "attribute", def: TargetOutput, wantErr: `unknown target "attribute"`},
		{in: "attributes:x", def: TargetOutput, wantErr: `unknown target "attributes:x"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTarget(tt.in, tt.def)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				if tt.in != "attribute:" {
					assert.Contains(t, err.Error(), TargetNames, "error lists the accepted targets")
				}
				assert.Equal(t, Target{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTargetStringRoundTrip(t *testing.T) {
	for _, s := range []string{"output", "input", "system", "tool_arguments", "tool_result", "attribute:x.y", "attribute:a:b"} {
		tg, err := ParseTarget(s, TargetOutput)
		require.NoError(t, err, s)
		assert.Equal(t, s, tg.String())
		back, err := ParseTarget(tg.String(), TargetInput)
		require.NoError(t, err)
		assert.Equal(t, tg, back)
	}
	assert.Empty(t, Target{}.String())
}
