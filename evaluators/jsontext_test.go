package evaluators

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExtractJSON(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{in: ` {"a":1} `, want: `{"a":1}`},
		{in: "```json\n{\"a\":1}\n```", want: `{"a":1}`},
		{in: "```JSON\n[1]\n```", want: `[1]`},
		{in: "Sure:\n```\n[1]\n```\nbye", want: `[1]`},
		{in: "```json {\"a\":1}```", err: "unterminated code fence"},
		{in: "```json\n{\"a\":1}", err: "unterminated code fence"},
		{in: "```yaml\na: 1\n```", err: "code fence is not json"},
		{in: "```json\n1\n```\n```json\n2\n```", err: "more than one code fence"},
		{in: "no json here", want: "no json here"},
	}
	for _, tc := range cases {
		got, err := ExtractJSON(tc.in)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, tc.in)
			continue
		}
		assert.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}
