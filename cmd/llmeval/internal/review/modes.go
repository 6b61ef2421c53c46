package review

import (
	"sort"
	"strings"
)

// maxExamples bounds the example traces listed per failure mode.
const maxExamples = 5

// Mode is a failure mode: a tag, the traces that carry it, and its share
// of the reviewed traces.
type Mode struct {
	Tag      string    `json:"tag"`
	Count    int       `json:"count"`
	Share    float64   `json:"share"`
	Examples []Example `json:"examples"`
}

// Example is a trace of a failure mode with the start of its note.
type Example struct {
	TraceID string `json:"trace_id"`
	Note    string `json:"note,omitempty"`
}

// Modes is the failure-mode view: tags by count (then name), each with
// its share of the reviewed traces of this queue.
type Modes struct {
	Reviewed int    `json:"reviewed"`
	Traces   int    `json:"traces"`
	Modes    []Mode `json:"modes"`
	// Untagged counts reviewed traces without a tag: notes still to group.
	Untagged int `json:"untagged"`
}

// modes counts tags over the reviewed traces of the queue; annotations of
// traces in other queues are not counted.
func modes(ix *Index, s *Store) Modes {
	reviewed := 0
	for id := range s.reviewedIDs() {
		if _, ok := ix.Get(id); ok {
			reviewed++
		}
	}
	byTag := map[string]*Mode{}
	tagged := 0
	for _, a := range s.annotations() {
		if _, ok := ix.Get(a.TraceID); !ok || len(a.Tags) == 0 {
			continue
		}
		tagged++
		for _, t := range a.Tags {
			m := byTag[t]
			if m == nil {
				m = &Mode{Tag: t, Examples: []Example{}}
				byTag[t] = m
			}
			m.Count++
			if len(m.Examples) < maxExamples {
				m.Examples = append(m.Examples, Example{TraceID: a.TraceID, Note: firstLine(a.Note, 160)})
			}
		}
	}
	out := Modes{Reviewed: reviewed, Traces: ix.Len(), Modes: []Mode{}, Untagged: reviewed - tagged}
	for _, m := range byTag {
		if reviewed > 0 {
			m.Share = float64(m.Count) / float64(reviewed)
		}
		out.Modes = append(out.Modes, *m)
	}
	sort.Slice(out.Modes, func(a, b int) bool {
		if out.Modes[a].Count != out.Modes[b].Count {
			return out.Modes[a].Count > out.Modes[b].Count
		}
		return out.Modes[a].Tag < out.Modes[b].Tag
	})
	return out
}

func firstLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return bound(s, max)
}
