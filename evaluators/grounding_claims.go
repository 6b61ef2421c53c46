package evaluators

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// claimKind is what a claim states.
type claimKind uint8

const (
	claimNumber      claimKind = iota // a quantity: 4.19 million, 12.5%, 88 °F
	claimDate                         // August 14, 2024-03-12, 14/08/2024
	claimTime                         // 15:20 UTC, 8:20 AM PDT
	claimIdent                        // a code with digits: A-99812, F12, p99
	claimName                         // a run of capitalised words
	claimQuote                        // a quoted string
	claimNamedNumber                  // a name and its number: Atlas 4, Gate 12
)

// claim is one checkable statement of an answer. number is set for
// figures (quantities, dates, times, codes): one of them missing from the
// context fails the answer.
type claim struct {
	text   string
	number bool
	kind   claimKind
	weight float64
	q      quantity
	dates  [2]groundDate
	nd     int
	t      groundTime
}

// groundingStopwords are capitalised words that name nothing: sentence
// openers, calendar words, units and time zones (answers add them when
// they reformat a date, a time or a quantity).
var groundingStopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`I The A An This That These Those It We You He She They If In On For Yes No
		Please Thank Thanks Sure Hello Hi Dear However Also But And Or So Here There What When Where Why How Which
		Who Your My Our Its Let Note OK Ok Okay Total Summary Key Next Per At By From To With Of As Let's Today
		Tomorrow Yesterday AM PM Celsius Fahrenheit`) {
		m[w] = true
	}
	for w := range monthNames {
		m[strings.ToUpper(w[:1])+w[1:]] = true
	}
	for w := range weekdayNames {
		m[strings.ToUpper(w[:1])+w[1:]] = true
	}
	for z := range zoneOffsets {
		m[strings.ToUpper(z)] = true
	}
	for u := range unitAliases {
		if len(u) > 1 && !strings.ContainsAny(u, " °²") {
			m[strings.ToUpper(u)] = true
			m[strings.ToUpper(u[:1])+u[1:]] = true
		}
	}
	for _, u := range [...]string{"MWh", "kWh", "GWh", "Wh", "Hz", "MHz", "GHz", "mAh", "MP"} {
		m[u] = true
	}
	return m
}()

// extractClaims finds the checkable claims of a text in one pass: figures
// (numbers of two or more digits, with a decimal part, a percent, a scale
// or a currency; dates; clock times; codes with digits), quoted strings
// and runs of capitalised words that are not just a sentence's first word.
func extractClaims(s string) []claim {
	var out []claim
	sentenceStart := true
	for i := 0; i < len(s) && len(out) < maxClaims; {
		c := s[i]
		switch {
		case isDigit(c) && i >= 2 && (s[i-1] == ',' || s[i-1] == '.') && isDigit(s[i-2]):
			// digits after a separator that the previous figure did not
			// take ("0%0,1B"): the context index reads them as part of
			// that number, so they are no claim of their own
			i += digitRun(s, i)
		case isDigit(c):
			c, end := figureAt(s, i)
			if c.text != "" {
				out = append(out, c)
			}
			i, sentenceStart = max(end, i+1), false
		case c == '"':
			if j := strings.IndexByte(s[i+1:], '"'); j >= 2 && j <= 100 {
				out = append(out, claim{text: s[i+1 : i+1+j], kind: claimQuote, weight: 2})
				i += j + 2
			} else {
				i++
			}
			sentenceStart = false
		case strings.HasPrefix(s[i:], "“"):
			rest := s[i+len("“"):]
			if j := strings.Index(rest, "”"); j >= 2 && j <= 100 {
				out = append(out, claim{text: rest[:j], kind: claimQuote, weight: 2})
				i += len("“") + j + len("”")
			} else {
				i += len("“")
			}
			sentenceStart = false
		case c == '.' || c == '!' || c == '?' || c == '\n' || c == ':' || c == '|' || c == '*' || c == '#':
			sentenceStart = true
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) {
				i += size
				continue
			}
			if !unicode.IsUpper(r) {
				// a lower-case word is a claim only as a code (e2e-smoke)
				w := wordAt(s, i)
				if !strings.ContainsAny(w, "0123456789") && (i+len(w) >= len(s) || s[i+len(w)] != '-' && s[i+len(w)] != '_') {
					i, sentenceStart = i+len(w), false
					continue
				}
			}
			if tok := codeAt(s, i); tok != "" {
				out = append(out, claim{text: tok, number: true, kind: claimIdent, weight: 1})
				i, sentenceStart = i+len(tok), false
				continue
			}
			if d, end, ok := monthDateAt(s, i); ok {
				out = append(out, claim{text: s[i:end], number: true, kind: claimDate, weight: 1, dates: [2]groundDate{d}, nd: 1})
				i, sentenceStart = end, false
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
						if unicode.IsUpper(nr) && !groundingStopwords[next] && codeAt(s, end+1) == "" {
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
				out = append(out, claim{text: s[start:end], kind: claimName, weight: float64(min(words, 3))})
				i = end
			}
			// "Atlas 4", "Gate 12", "UA 1472": a number after a name is
			// that name's number
			if words > 0 && end+1 < len(s) && s[end] == ' ' && isDigit(s[end+1]) {
				// not when the number goes on: 2-1, 2.5, 1,000, 9:00
				e := end + 1 + digitRun(s, end+1)
				goesOn := e < len(s) && strings.ContainsRune(":.,-/", rune(s[e])) && e+1 < len(s) && isDigit(s[e+1]) ||
					strings.HasPrefix(s[e:], "–")
				if e-end-1 <= 6 && !startsWord(s, e) && !goesOn {
					out = append(out, claim{text: s[start:e], number: true, kind: claimNamedNumber, weight: 1})
					i = e
				}
			}
			sentenceStart = false
		}
	}
	return out
}

// figureAt reads the figure starting at digit s[i]: a date, a clock time,
// a code (1Z999AA1…) or a number. text is "" when it is no claim (a lone
// digit without percent, scale or currency).
func figureAt(s string, i int) (claim, int) {
	if i > 0 && (isDigit(s[i-1]) || isWordStart(s[i-1])) {
		return claim{}, i + digitRun(s, i)
	}
	if ds, n, end := dateAt(s, i); n > 0 {
		return claim{text: s[i:end], number: true, kind: claimDate, weight: 1, dates: ds, nd: n}, end
	}
	if t, end, ok := timeAt(s, i); ok {
		return claim{text: s[i:end], number: true, kind: claimTime, weight: 1, t: t}, end
	}
	q, end := quantityAt(s, i, false)
	if startsWord(s, end) {
		// letters glued to the digits that are no unit: a code when more
		// digits follow (1Z999AA10123), else an unknown unit
		k := end
		for k < len(s) && (isWordStart(s[k]) || isDigit(s[k]) || s[k] == '-') {
			k++
		}
		tok := strings.TrimRight(s[i:k], "-")
		if strings.IndexFunc(tok[end-i:], unicode.IsDigit) >= 0 {
			return claim{text: tok, number: true, kind: claimIdent, weight: 1}, i + len(tok)
		}
		end += len(wordAt(s, end))
	}
	q.hedged = hedgedBefore(s, i)
	q.money = q.money || moneyBefore(s, i)
	decimal := !q.scaled && q.tols[0] < 0.5
	if q.digits < 2 && !decimal && !q.percent && !q.scaled && !q.money && q.unit == "" {
		return claim{}, end
	}
	return claim{text: s[i:end], number: true, kind: claimNumber, weight: 1, q: q}, end
}

// codeAt returns the code starting at letter s[i] when its token holds
// digits (F12, p99, A-99812, SUP-20931, e2e-smoke), else "".
func codeAt(s string, i int) string {
	k := i
	hasDigit := false
	for k < len(s) {
		c := s[k]
		switch {
		case isDigit(c):
			hasDigit = true
		case isWordStart(c):
		case (c == '-' || c == '_') && k+1 < len(s) && (isDigit(s[k+1]) || isWordStart(s[k+1])):
		default:
			goto done
		}
		k++
	}
done:
	if !hasDigit {
		return ""
	}
	return s[i:k]
}

// groundingContext is a context prepared for lookups: its text for names,
// quotes and codes, its figures by value.
type groundingContext struct {
	ctx   string
	norm  string // lower case, thousands separators dropped
	lower string
	idx   *groundingIndex
	// own holds the context's figures as the claim reader spells them,
	// read only when the index does not support a figure: a figure
	// written the same way in the context is supported, however the two
	// readers split the digits around it ("1 000,0").
	own map[string]bool
}

func newGroundingContext(ctx string) *groundingContext {
	return &groundingContext{ctx: ctx, norm: normalizeClaimText(ctx), lower: strings.ToLower(ctx), idx: buildGroundingIndex(ctx)}
}

func (g *groundingContext) hasOwnFigure(text string) bool {
	if g.own == nil {
		g.own = map[string]bool{}
		for _, c := range extractClaims(g.ctx) {
			if c.kind == claimNumber {
				g.own[c.text] = true
			}
		}
	}
	return g.own[text]
}

func (g *groundingContext) supports(c claim) bool {
	switch c.kind {
	case claimNumber:
		return g.idx.supportsQuantity(c.q) || g.hasOwnFigure(c.text)
	case claimDate:
		return g.idx.supportsDate(c.dates, c.nd) || containsClaim(g.norm, normalizeClaimText(c.text), true)
	case claimTime:
		return g.idx.supportsTime(c.t)
	case claimIdent:
		return containsToken(g.lower, strings.ToLower(c.text))
	case claimNamedNumber:
		// judged only when the context knows the name: then the number
		// must follow it there ("Atlas 4", "order": 1042)
		sp := strings.LastIndexByte(c.text, ' ')
		name, num := strings.ToLower(c.text[:sp]), c.text[sp+1:]
		found := false
		for off := 0; off < len(g.lower); {
			k := strings.Index(g.lower[off:], name)
			if k < 0 {
				break
			}
			found = true
			at := off + k + len(name)
			if near := g.lower[at:min(len(g.lower), at+24)]; containsToken(near, num) {
				return true
			}
			off = at
		}
		return !found
	}
	return containsClaim(g.norm, normalizeClaimText(c.text), false)
}

// containsToken finds tok in ctx not glued to other letters or digits.
func containsToken(ctx, tok string) bool {
	for off := 0; ; {
		i := strings.Index(ctx[off:], tok)
		if i < 0 {
			return false
		}
		s, e := off+i, off+i+len(tok)
		if (s == 0 || !isAlnum(ctx[s-1])) && (e == len(ctx) || !isAlnum(ctx[e])) {
			return true
		}
		off = s + 1
	}
}
