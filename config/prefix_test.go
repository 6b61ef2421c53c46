package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidatePrefix(t *testing.T) {
	for p, want := range map[string]string{
		"llmeval":   "",
		"acme.eval": "",
		"":          "must not be empty",
		".llmeval":  "must not start or end with '.'",
		"llmeval.":  "must not start or end with '.'",
		"llm eval":  "must not contain whitespace",
	} {
		err := ValidatePrefix(p)
		if want == "" {
			assert.NoError(t, err, p)
			continue
		}
		assert.EqualError(t, err, want, p)
	}
}
