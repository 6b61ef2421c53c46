package evaluators

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// maxClaims bounds the claims read from one output.
const maxClaims = 1000

// groundingEvaluator is a cheap faithfulness proxy for RAG: the share of the
// output's checkable claims (numbers, quoted strings, capitalised names)
// that also appear in the context the model was given. Its score is that
// share.
type groundingEvaluator struct {
	minRatio float64
	sources  []string // tool_results, input, system
}

type groundingSettings struct {
	MinRatio *float64 `mapstructure:"min_ratio"`
	Context  []string `mapstructure:"context"`
}

func newGrounding(e config.Evaluator, _ spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s groundingSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	ev := &groundingEvaluator{minRatio: 0.8, sources: []string{"tool_results"}}
	if s.MinRatio != nil {
		if *s.MinRatio < 0 || *s.MinRatio > 1 {
			return nil, fmt.Errorf("min_ratio: %g is outside [0, 1]", *s.MinRatio)
		}
		ev.minRatio = *s.MinRatio
	}
	if s.Context != nil {
		if len(s.Context) == 0 {
			return nil, fmt.Errorf("context: list at least one of tool_results, input, system")
		}
		for i, c := range s.Context {
			switch c {
			case "tool_results", "input", "system":
			default:
				return nil, fmt.Errorf("context[%d]: %q is not one of tool_results, input, system", i, c)
			}
		}
		ev.sources = s.Context
	}
	return ev, nil
}

func (e *groundingEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	out, r, ok := textOf(v, spanmodel.Target{Kind: spanmodel.TargetOutput})
	if !ok {
		return r
	}
	var ctxText strings.Builder
	for _, src := range e.sources {
		switch src {
		case "tool_results":
			msgs, err := v.InputMessages()
			if err != nil {
				return Errored(err)
			}
			for _, m := range msgs {
				for _, tr := range m.ToolResults {
					ctxText.WriteString(tr.Content)
					ctxText.WriteByte('\n')
				}
				if m.Role == "tool" && m.Text != "" {
					ctxText.WriteString(m.Text)
					ctxText.WriteByte('\n')
				}
			}
			// What built-in tools (web search, code interpreter) returned
			// in the same answer grounds it too.
			out, err := v.OutputMessages()
			if err != nil {
				return Errored(err)
			}
			for _, m := range out {
				for _, tr := range m.ToolResults {
					if tr.Server {
						ctxText.WriteString(tr.Content)
						ctxText.WriteByte('\n')
					}
				}
			}
		case "input", "system":
			kind := spanmodel.TargetInput
			if src == "system" {
				kind = spanmodel.TargetSystem
			}
			text, _, err := v.Text(spanmodel.Target{Kind: kind})
			if err != nil {
				return Errored(err)
			}
			ctxText.WriteString(text)
			ctxText.WriteByte('\n')
		}
	}
	if strings.TrimSpace(ctxText.String()) == "" {
		return Skipped() // no context given: not a grounded answer to judge
	}
	g := newGroundingContext(ctxText.String())
	claims := extractClaims(out)
	if len(claims) == 0 {
		return Passed().WithScore(1)
	}
	// Claims are weighted (a run of capitalised words by its length); a
	// figure the context does not hold fails the answer whatever the
	// ratio, so one invented number cannot hide among true ones.
	var total, supported float64
	numbers, others := 0, 0
	for _, c := range claims {
		total += c.weight
		if g.supports(c) {
			supported += c.weight
			continue
		}
		if c.number {
			numbers++
		} else {
			others++
		}
	}
	ratio := supported / total
	if ratio >= e.minRatio && numbers == 0 {
		return Passed().WithScore(ratio)
	}
	// Counts and claim kinds only: an unsupported claim is often exactly
	// what must not leak (a card number, a password, a key).
	return Failed("%d of %d claims not in context (numbers %d, names and quotes %d)",
		numbers+others, len(claims), numbers, others).WithScore(ratio)
}

// wordAt returns the run of letters and digits starting at i.
func wordAt(s string, i int) string {
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		j += size
	}
	return s[i:j]
}

// normalizeClaimText lower-cases and drops thousands separators, so
// "1,200" in the answer matches "1200" in the context.
func normalizeClaimText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ',' && i > 0 && i+1 < len(s) && isDigit(s[i-1]) && isDigit(s[i+1]) {
			continue
		}
		b.WriteByte(c)
	}
	return strings.ToLower(b.String())
}

// containsClaim finds a claim in the context; a number must not be part of
// a longer number ("12" is not in "2012").
func containsClaim(ctx, c string, number bool) bool {
	for off := 0; ; {
		i := strings.Index(ctx[off:], c)
		if i < 0 {
			return false
		}
		s, e := off+i, off+i+len(c)
		if !number || ((s == 0 || !isDigit(ctx[s-1])) && (e == len(ctx) || !isDigit(ctx[e]))) {
			return true
		}
		off = s + 1
	}
}
