package sampling

import (
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spans"
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/contract"
)

// RedactConfig removes or masks message content on the judge's copies,
// for judges outside the trust boundary. The main stream is never touched.
type RedactConfig struct {
	// Mode is "drop" or "mask"; empty turns redaction off.
	Mode string `mapstructure:"mode"`
	// Attributes are the keys to redact; a trailing * matches a prefix.
	// Empty means every content key of the span model (spanmodel.ContentKeys)
	// and, on GenAI span events, the event's content attributes
	// (spanmodel.EventContentKeys).
	Attributes []string `mapstructure:"attributes"`
}

const redactedMask = "[redacted]"

// ValidateRedact names the field of every mistake in c. It is not a
// Validate method: the collector would name the block on the first line
// only, so the processor reports these, one line each.
func ValidateRedact(c RedactConfig) error {
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
	// events are the content attributes of GenAI span events, by event
	// name; nil with an explicit attribute list.
	events map[string]map[string]bool
	// own is "<prefix>.": the reasons we wrote under it are redacted too
	// (they hold no content, but a judge outside the trust boundary gets
	// nothing it does not need), except judgeReason, the sampling rules.
	own, judgeReason string
}

// newRedactor redacts c's keys, plus the reasons and evaluation-event
// explanations the processor wrote under prefix.
func newRedactor(c RedactConfig, prefix string) *redactor {
	if c.Mode == "" {
		return nil
	}
	r := &redactor{
		mask: c.Mode == "mask", exact: map[string]bool{},
		own: prefix + ".", judgeReason: prefix + "." + contract.Judge + "." + contract.JudgeReason,
	}
	keys := c.Attributes
	if len(keys) == 0 {
		keys = spanmodel.ContentKeys()
		r.events = map[string]map[string]bool{}
		for name, ks := range spanmodel.EventContentKeys() {
			r.events[name] = map[string]bool{}
			for _, k := range ks {
				r.events[name][k] = true
			}
		}
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
	if strings.HasPrefix(k, r.own) && strings.HasSuffix(k, "."+contract.Reason) && k != r.judgeReason {
		return true
	}
	for _, p := range r.prefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// apply redacts every span's attributes and event attributes in td, and
// the explanation of the evaluation events.
func (r *redactor) apply(td ptrace.Traces) {
	eachSpan(td, func(sp ptrace.Span) {
		r.attrs(sp.Attributes())
		for i := 0; i < sp.Events().Len(); i++ {
			ev := sp.Events().At(i)
			r.attrs(ev.Attributes())
			for k := range r.events[ev.Name()] {
				r.key(ev.Attributes(), k)
			}
			if ev.Name() == contract.EvaluationEvent {
				r.key(ev.Attributes(), contract.EvaluationExplanation)
			}
		}
	})
}

// key redacts one key of m.
func (r *redactor) key(m pcommon.Map, k string) {
	v, ok := m.Get(k)
	switch {
	case !ok:
	case r.mask:
		v.SetStr(redactedMask)
	default:
		m.Remove(k)
	}
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

// Redaction is a RedactConfig built for showing traces to people (llmeval
// review): the judge copies' rule, applied the same way.
type Redaction struct{ r *redactor }

// NewRedaction builds c under prefix; nil when c turns redaction off.
func NewRedaction(c RedactConfig, prefix string) *Redaction {
	if r := newRedactor(c, prefix); r != nil {
		return &Redaction{r}
	}
	return nil
}

// Apply redacts td in place, as a judge copy is.
func (x *Redaction) Apply(td ptrace.Traces) { x.r.apply(td) }

// Hides reports whether the redaction removes or masks the attribute key.
func (x *Redaction) Hides(key string) bool { return x.r.matches(key) }
