package sampling

import (
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spans"
)

// RedactConfig removes or masks message content on the judge's copies,
// for judges outside the trust boundary. The main stream is never touched.
type RedactConfig struct {
	// Mode is "drop" or "mask"; empty turns redaction off.
	Mode string `mapstructure:"mode"`
	// Attributes are the keys to redact; a trailing * matches a prefix.
	// Empty means every content key of the span model (spanmodel.ContentKeys).
	Attributes []string `mapstructure:"attributes"`
}

const redactedMask = "[redacted]"

// Validate names the field.
func (c *RedactConfig) Validate() error {
	switch c.Mode {
	case "", "drop", "mask":
	default:
		return fmt.Errorf("mode: %q is not one of drop, mask", c.Mode)
	}
	for i, a := range c.Attributes {
		if strings.TrimSuffix(a, "*") == "" {
			return fmt.Errorf("attributes[%d]: empty key", i)
		}
	}
	if c.Mode == "" && len(c.Attributes) > 0 {
		return errors.New("mode: required with attributes")
	}
	return nil
}

type redactor struct {
	mask     bool
	exact    map[string]bool
	prefixes []string
}

func newRedactor(c RedactConfig) *redactor {
	if c.Mode == "" {
		return nil
	}
	r := &redactor{mask: c.Mode == "mask", exact: map[string]bool{}}
	keys := c.Attributes
	if len(keys) == 0 {
		keys = spanmodel.ContentKeys()
	}
	for _, k := range keys {
		if p, ok := strings.CutSuffix(k, "*"); ok {
			r.prefixes = append(r.prefixes, p)
		} else {
			r.exact[k] = true
		}
	}
	return r
}

func (r *redactor) matches(k string) bool {
	if r.exact[k] {
		return true
	}
	for _, p := range r.prefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// apply redacts every span's attributes and event attributes in td.
func (r *redactor) apply(td ptrace.Traces) {
	eachSpan(td, func(sp ptrace.Span) {
		r.attrs(sp.Attributes())
		for i := 0; i < sp.Events().Len(); i++ {
			r.attrs(sp.Events().At(i).Attributes())
		}
	})
}

func (r *redactor) attrs(m pcommon.Map) {
	if r.mask {
		for k, v := range m.All() {
			if r.matches(k) {
				v.SetStr(redactedMask)
			}
		}
		return
	}
	m.RemoveIf(func(k string, _ pcommon.Value) bool { return r.matches(k) })
}

func eachSpan(td ptrace.Traces, f func(ptrace.Span)) {
	spans.Each(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) { f(sp) })
}
