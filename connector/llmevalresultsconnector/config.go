package llmevalresultsconnector

import (
	"errors"
	"strings"

	"go.opentelemetry.io/collector/component"
)

// Config is the llmeval_results connector's configuration.
type Config struct {
	// AttributePrefix is the llmeval processor's attribute_prefix: the
	// verdicts read are <prefix>.<evaluator>.verdict|score|reason.
	AttributePrefix string `mapstructure:"attribute_prefix"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ component.Config = (*Config)(nil)

func createDefaultConfig() component.Config {
	return &Config{AttributePrefix: "llmeval"}
}

// Validate checks the prefix as the processor does.
func (cfg *Config) Validate() error {
	p := cfg.AttributePrefix
	if p == "" || strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") || strings.ContainsAny(p, " \t\n") {
		return errors.New("attribute_prefix: must be non-empty, without whitespace or a leading or trailing '.'")
	}
	return nil
}
