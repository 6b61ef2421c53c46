package llmevalprocessor

import (
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.yaml.in/yaml/v3"
)

// FuzzConfig feeds arbitrary YAML through the collector's own unmarshal and
// our validation: a config may be rejected, never crash the collector.
func FuzzConfig(f *testing.F) {
	for _, s := range []string{
		"{}",
		"record_passes: true\nevaluators: [{name: a, type: json}]",
		"evaluators: [{name: r, type: regex, must_not_match: '(?i)x', when: ['span.name == \"x\"']}]",
		"evaluators: [{name: l, type: latency, max: 1s}, {name: o, type: ottl, fail_when: ['span.attributes[\"x\"] > 1']}]",
		"evaluators: [{name: c, type: contains, any: [a, b], case_sensitive: true, target: 'attribute:x'}]",
		"attribute_prefix: ''\ndefault_evaluators: true",
		"evaluators: [{name: x, type: regex, must_match: '((('}]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var raw map[string]any
		if yaml.Unmarshal([]byte(doc), &raw) != nil {
			return
		}
		cfg := NewFactory().CreateDefaultConfig().(*Config)
		if confmap.NewFromStringMap(raw).Unmarshal(cfg) != nil {
			return
		}
		_ = cfg.Validate()
	})
}
