// Package trouble scores how troubled a trace looks: a weighted sum, over
// the signal kinds and failed checks seen on its spans, of their severity.
// The processor's sampler and `llmeval tune` / `llmeval replay` share this
// code, so a weight learned offline means the same thing in the pipeline.
package trouble

import (
	"math"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Counts is, per feature, how many spans of a trace carried it. Feature
// names are "<category>.<kind>" for a signal kind (loop.same_call) and
// "failed.<evaluator>" for a failed check (failed.pii): static names from
// the detectors and the config, never span content.
type Counts map[string]int

// FailedPrefix starts the feature name of a failed check.
const FailedPrefix = "failed."

// Failed is the feature name of a failed check.
func Failed(evaluator string) string { return FailedPrefix + evaluator }

// Kind is the feature name of a signal kind.
func Kind(category, kind string) string { return category + "." + kind }

// Merge adds other's counts to c.
func (c Counts) Merge(other Counts) {
	for k, n := range other {
		c[k] += n
	}
}

// AddSpan adds the features an annotated span carries under prefix
// (<prefix>.signal.<category>.kinds and <prefix>.failed), as the processor
// wrote them: the offline path reads back what the online one wrote.
func AddSpan(c Counts, attrs pcommon.Map, prefix string) {
	sig := prefix + ".signal."
	for k, v := range attrs.All() {
		switch {
		case strings.HasPrefix(k, sig) && strings.HasSuffix(k, ".kinds") && v.Type() == pcommon.ValueTypeSlice:
			cat := strings.TrimSuffix(strings.TrimPrefix(k, sig), ".kinds")
			s := v.Slice()
			for i := 0; i < s.Len(); i++ {
				c[Kind(cat, s.At(i).Str())]++
			}
		case k == prefix+".failed" && v.Type() == pcommon.ValueTypeSlice:
			s := v.Slice()
			for i := 0; i < s.Len(); i++ {
				c[Failed(s.At(i).Str())]++
			}
		}
	}
}

// Severity maps a count (of signal instances on a span, or of spans of a
// trace carrying a feature) to 0 (none), 1 (1-2), 2 (3-4) or 3 (5+): the
// one severity scale, so one span more does not double a score, and a
// trace of 200 spans does not outweigh every other by length alone.
func Severity(spans int) float64 {
	switch {
	case spans <= 0:
		return 0
	case spans <= 2:
		return 1
	case spans <= 4:
		return 2
	}
	return 3
}

// Weights maps feature names to weights. "<category>.*" and "failed.*"
// are the fallbacks for kinds and checks without a weight of their own
// (custom phrase kinds, user-named evaluators).
type Weights map[string]float64

// Wildcard is the fallback name of a feature's family.
func Wildcard(feature string) string {
	fam, _, _ := strings.Cut(feature, ".")
	return fam + ".*"
}

// Of is the weight of a feature: its own, else its family's, else 0.
func (w Weights) Of(feature string) float64 {
	if v, ok := w[feature]; ok {
		return v
	}
	return w[Wildcard(feature)]
}

// Score is the trace's trouble score: Σ weight × severity.
func (w Weights) Score(c Counts) float64 {
	s := 0.0
	for name, n := range c {
		s += w.Of(name) * Severity(n)
	}
	return s
}

// Contribution is one feature's part of a score.
type Contribution struct {
	Feature string
	Value   float64
}

// Explain lists the features that raised the score, largest first, at
// most n: why a trace was chosen.
func (w Weights) Explain(c Counts, n int) []Contribution {
	var out []Contribution
	for name, spans := range c {
		if v := w.Of(name) * Severity(spans); v > 0 {
			out = append(out, Contribution{name, v})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value > out[j].Value
		}
		return out[i].Feature < out[j].Feature
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Round keeps a score's written form short and stable.
func Round(s float64) float64 { return math.Round(s*1000) / 1000 }
