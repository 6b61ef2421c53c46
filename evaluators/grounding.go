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
	ctxNorm := normalizeClaimText(ctxText.String())
	claims := extractClaims(out)
	if len(claims) == 0 {
		return Passed().WithScore(1)
	}
	numbers, others := 0, 0
	for _, c := range claims {
		if containsClaim(ctxNorm, normalizeClaimText(c.text), c.number) {
			continue
		}
		if c.number {
			numbers++
		} else {
			others++
		}
	}
	unsupported := numbers + others
	ratio := float64(len(claims)-unsupported) / float64(len(claims))
	if ratio >= e.minRatio {
		return Passed().WithScore(ratio)
	}
	// Counts and claim kinds only: an unsupported claim is often exactly
	// what must not leak (a card number, a password, a key).
	return Failed("%d of %d claims not in context (numbers %d, names and quotes %d)",
		unsupported, len(claims), numbers, others).WithScore(ratio)
}

type claim struct {
	text   string
	number bool
}

// groundingStopwords are capitalised words that name nothing.
var groundingStopwords = map[string]bool{
	"I": true, "The": true, "A": true, "An": true, "This": true, "That": true, "These": true, "Those": true,
	"It": true, "We": true, "You": true, "He": true, "She": true, "They": true, "If": true, "In": true,
	"On": true, "For": true, "Yes": true, "No": true, "Please": true, "Thank": true, "Thanks": true,
	"Sure": true, "Hello": true, "Hi": true, "Dear": true, "However": true, "Also": true, "But": true,
	"And": true, "Or": true, "So": true, "Here": true, "There": true, "What": true, "When": true,
	"Where": true, "Why": true, "How": true, "Which": true, "Who": true, "Your": true, "My": true,
	"Our": true, "Its": true, "Let": true, "Note": true, "OK": true, "Ok": true, "Okay": true,
}

// extractClaims finds the checkable claims of a text in one pass: numbers
// (two or more digits, or with a decimal part), quoted strings and runs of
// capitalised words that are not just a sentence's first word.
func extractClaims(s string) []claim {
	var out []claim
	sentenceStart := true
	for i := 0; i < len(s) && len(out) < maxClaims; {
		c := s[i]
		switch {
		case isDigit(c):
			j := i
			for j < len(s) && (isDigit(s[j]) || (s[j] == ',' || s[j] == '.') && j+1 < len(s) && isDigit(s[j+1])) {
				j++
			}
			num := s[i:j]
			if len(strings.Trim(num, "0")) >= 2 || strings.ContainsAny(num, ".,") {
				out = append(out, claim{text: num, number: true})
			}
			i, sentenceStart = j, false
		case c == '"':
			if j := strings.IndexByte(s[i+1:], '"'); j >= 2 && j <= 100 {
				out = append(out, claim{text: s[i+1 : i+1+j]})
				i += j + 2
			} else {
				i++
			}
			sentenceStart = false
		case strings.HasPrefix(s[i:], "“"):
			rest := s[i+len("“"):]
			if j := strings.Index(rest, "”"); j >= 2 && j <= 100 {
				out = append(out, claim{text: rest[:j]})
				i += len("“") + j + len("”")
			} else {
				i += len("“")
			}
			sentenceStart = false
		case c == '.' || c == '!' || c == '?' || c == '\n' || c == ':':
			sentenceStart = true
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) {
				i += size
				continue
			}
			start, words, end := i, 0, i
			for {
				w := wordAt(s, end)
				if w == "" {
					break
				}
				wr, _ := utf8.DecodeRuneInString(w)
				if !unicode.IsUpper(wr) || utf8.RuneCountInString(w) < 2 || groundingStopwords[w] {
					break
				}
				words++
				end += len(w)
				if end < len(s) && s[end] == ' ' && end+1 < len(s) {
					if next := wordAt(s, end+1); next != "" {
						nr, _ := utf8.DecodeRuneInString(next)
						if unicode.IsUpper(nr) && !groundingStopwords[next] {
							end++
							continue
						}
					}
				}
				break
			}
			switch {
			case words == 0:
				i += len(wordAt(s, i))
				if i == start {
					i += size
				}
			case words == 1 && sentenceStart:
				i = end
			default:
				out = append(out, claim{text: s[start:end]})
				i = end
			}
			sentenceStart = false
		}
	}
	return out
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
