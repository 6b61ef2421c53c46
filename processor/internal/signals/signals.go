// Package signals finds cheap, model-free indicators of trouble in an LLM or
// agent trajectory (the taxonomy of Chen et al. 2026, "Signals: Trajectory
// Sampling and Triage for Agentic Interactions"), one file per category.
package signals

import "github.com/otelcol-llmeval/otelcol-llmeval/internal/trouble"

// Category is a signal category; its name is the attribute key segment
// <prefix>.signal.<category>.
type Category uint8

const (
	Misalignment Category = iota
	Stagnation
	Disengagement
	Satisfaction
	Failure
	Loop
	Exhaustion
	Feedback
	Runaway
	NumCategories
)

var categoryNames = [NumCategories]string{
	"misalignment", "stagnation", "disengagement", "satisfaction",
	"failure", "loop", "exhaustion", "feedback", "runaway",
}

func (c Category) String() string {
	if c < NumCategories {
		return categoryNames[c]
	}
	return "unknown"
}

// CategoryNames lists every category's name, in Category order; callers
// must not modify the slice.
func CategoryNames() []string { return categoryNames[:] }

// CategoryByName returns the category a name denotes.
func CategoryByName(name string) (Category, bool) {
	for i, n := range categoryNames {
		if n == name {
			return Category(i), true
		}
	}
	return 0, false
}

// Found is what the detectors saw on one span: per category, how many
// instances and which leaf kinds (e.g. loop: same_call, oscillation).
// It is reused across spans; Reset clears it without freeing.
type Found struct {
	counts [NumCategories]int
	kinds  [NumCategories][]string
	// Cost is what the span costs (runaway's measures).
	Cost Measures
	// Conversation is what the span's conversation cost over the runaway
	// window, this span included; zero without a conversation.
	Conversation Measures
}

// Reset clears f for the next span.
func (f *Found) Reset() {
	f.counts = [NumCategories]int{}
	f.Cost, f.Conversation = Measures{}, Measures{}
	for i := range f.kinds {
		f.kinds[i] = f.kinds[i][:0]
	}
}

// Add records n instances of a kind. Kinds are static strings from the
// detectors, never span content.
func (f *Found) Add(c Category, kind string, n int) {
	if n <= 0 {
		return
	}
	f.counts[c] += n
	for _, k := range f.kinds[c] {
		if k == kind {
			return
		}
	}
	f.kinds[c] = append(f.kinds[c], kind)
}

// Count is the number of instances of c.
func (f *Found) Count(c Category) int { return f.counts[c] }

// Kinds lists the leaf kinds of c seen, in the order first seen.
func (f *Found) Kinds(c Category) []string { return f.kinds[c] }

// HasKind reports whether kind of c was seen.
func (f *Found) HasKind(c Category, kind string) bool {
	for _, k := range f.kinds[c] {
		if k == kind {
			return true
		}
	}
	return false
}

// Severity maps a count to 0 (none), 1 (1-2), 2 (3-4) or 3 (5+): the
// scale the trouble score weighs features by (trouble.Severity).
func Severity(count int) int { return int(trouble.Severity(count)) }
