package llmevalresultsconnector

import (
	"fmt"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
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
	if err := config.ValidatePrefix(cfg.AttributePrefix); err != nil {
		return fmt.Errorf("attribute_prefix: %w", err)
	}
	return nil
}
