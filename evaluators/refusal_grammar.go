package evaluators

import (
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// A refusal, in English, is the speaker declining the request: an
// inability ("I can't help with…", "I'm not able to share…"), an
// unwillingness ("I won't write…", "I'd rather not speculate…", "I'm not
// comfortable…"), a policy ("my guidelines don't allow…", "this goes
// against the usage policies") or a scope ("I can only help with…"),
// often after an apology ("I'm sorry, but…", "Regrettably,…"). The
// grammar below reads each sentence of what the model says in its own
// voice (textmatch.OwnVoice: quotations, drafted letters and code are
// someone else's words) and matches those shapes, where the first person
// acts on the request. Inability and unwillingness need a verb that acts
// on a request (help, write, share ...), so "I can't stress enough",
// "I can't wait" and "I won't forget" are not refusals; and a sentence
// that goes on ", but <an answer>" is a caveat ("I can't see your screen,
// but the setting is under Privacy"), unless what follows is only an
// offer or a redirection ("…, but I can explain…", "…, but you can…").

// refusalKind names a grammar rule for reasons: no text of the answer
// ever appears in one.
type refusalKind string

const (
	refusalInability     refusalKind = "inability"
	refusalUnwillingness refusalKind = "unwillingness"
	refusalPolicy        refusalKind = "policy"
	refusalScope         refusalKind = "scope"
)

// requestVerbs act on a request: declining to do one of these is
// declining the request. Verbs of perception and feeling (see, find,
// believe, wait, stress, guarantee, say) are left out on purpose.
var requestVerbs = words(`help assist provide share give write create generate do comply fulfill fulfil answer
	continue process book access discuss disclose reveal diagnose offer support produce make complete look send sign
	remove transfer move tell walk translate open browse summarise summarize extract lift override waive speculate
	comment engage participate reproduce draft compose prescribe release unlock bypass search run execute check
	refund issue cancel approve grant accept assist impersonate pretend recommend play roleplay teach explain proceed
	generate build code fill book`)

// requestGerunds are the -ing forms, for "I won't be writing that" and
// "I'm not comfortable writing…".
var requestGerunds = words(`helping assisting providing sharing giving writing creating generating doing complying
	fulfilling answering continuing processing booking accessing discussing disclosing revealing diagnosing offering
	supporting producing making completing looking sending signing removing transferring moving telling walking
	translating opening browsing summarising summarizing extracting speculating commenting engaging participating
	reproducing drafting composing prescribing releasing unlocking bypassing searching running executing checking
	refunding issuing cancelling canceling approving granting accepting impersonating pretending recommending playing
	roleplaying teaching explaining building coding filling proceeding`)

// refusalAdverbs may stand between the speaker and the refusal: "I really
// can't", "I can't in good conscience" (read as "in", "good", "conscience"
// being optional words is too loose: only single adverbs).
var refusalAdverbs = words(`really simply just truly honestly unfortunately regretfully respectfully actually
	sadly afraid genuinely definitely certainly absolutely`)

// habitVerbs follow "I don't": "I don't provide legal advice", not "I
// don't have", "I don't think".
var habitVerbs = words(`help assist provide share give write create generate reveal disclose produce engage
	participate discuss comment speculate make do offer`)

// offerWords open the clause after "but" when it only offers or
// redirects: "…, but I can explain the causes", "…, but you can book in
// the app".
var offerWords = [][]string{{"i", "can"}, {"i", "could"}, {"i", "would"}, {"id"}, {"im", "happy"}, {"i", "am", "happy"},
	{"happy", "to"}, {"ill"}, {"i", "will"}, {"you", "can"}, {"you", "could"}, {"you", "may"}, {"you", "might"},
	{"please"}, {"feel", "free"}, {"try"}, {"if", "you"}, {"consider"}, {"we", "can"}, {"let", "me"},
	{"youll"}, {"you", "will"}, {"you", "need"}, {"you", "should"}, {"youd"}, {"you", "would"}, {"contact"},
	{"reach"}, {"ask"}, {"check"}, {"go"}, {"visit"}, {"speak"}, {"talk"}, {"call"}, {"see"}}

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// refusalPatterns are the rules, tried at every word of a sentence.
// Elements: a word, alternatives "a|b", an optional element "[a|b]",
// "_" joining words of one alternative ("i_am|im"), {V} a request verb,
// {Ving} its -ing form, {Vhabit} a verb after "don't", {any} any word,
// ^ the sentence start, $ the sentence end.
var refusalPatterns = []struct {
	kind    refusalKind
	pattern string
	// strong patterns decline whatever follows: a trailing ", but…" does
	// not make them a caveat.
	strong bool
}{
	// Inability.
	{refusalInability, "i|we [{adv}] cant|cannot|can_not [and_will_not|and_wont|and_i_wont] [{adv}] [in_good_conscience] [be_able_to] {V}", false},
	{refusalInability, "i|we [{adv}] cant|cannot|can_not be of [any|much] help|assistance|use", false},
	{refusalInability, "i_am|im|we_are [{adv}] unable|not_able to {V}", false},
	{refusalInability, "i|we wont|will_not be able to {V}", false},
	{refusalInability, "i_am|im not going to be able to {V}", false},
	{refusalInability, "i dont|do_not have access to", false},
	{refusalInability, "i dont|do_not think i can {V}", false},
	{refusalInability, "i dont|do_not have the ability|permission|authority to {V}", false},
	{refusalInability, "^ cant|cannot|unable_to {V}", false},
	{refusalInability, "sorry|apologies|unfortunately|regrettably [but] cant|cannot {V}", false},
	{refusalInability, "its|it_is not possible for me to", true},
	{refusalInability, "not|isnt|is_not something|anything|a_request|a_thing|one i|we can|could {V}", false},
	{refusalInability, "not|isnt|is_not something|anything|a_request|a_thing|one i_am|im able to {V}", false},
	{refusalInability, "outside|beyond [the_scope_of|of] what i|im|i_am|we", true},
	{refusalInability, "outside [of] my|our scope|remit|area|capabilities|expertise", true},
	{refusalInability, "no can do", true},
	// Unwillingness.
	{refusalUnwillingness, "i|we wont|will_not {V}", false},
	{refusalUnwillingness, "i|we wont|will_not be {Ving}", false},
	{refusalUnwillingness, "i|we dont|do_not {Vhabit}", false},
	{refusalUnwillingness, "i_am|im not going to {V}", false},
	{refusalUnwillingness, "id|i_would rather_not|prefer_not_to {V}", false},
	{refusalUnwillingness, "id|i_would rather_not|prefer_not_to get_into|go_into|weigh_in|talk_about|comment_on", false},
	{refusalUnwillingness, "i_am|im not {Ving} that|this|it", false},
	{refusalUnwillingness, "i refuse to", true},
	{refusalUnwillingness, "i|we must|have_to|need_to|will_have_to [respectfully|politely|regretfully] decline|refuse", true},
	{refusalUnwillingness, "i_am|im going to [have_to] [respectfully|politely] decline|refuse", true},
	{refusalUnwillingness, "^ [so|but|therefore] i|we [respectfully|politely|regretfully] decline", true},
	{refusalUnwillingness, "i dont|do_not think i should {V}", false},
	{refusalUnwillingness, "i shouldnt|should_not {V}", false},
	{refusalUnwillingness, "i|we must|have_to say no", true},
	{refusalUnwillingness, "ill|i_will|i_am_going_to|im_going_to [have_to] pass on this|that", true},
	{refusalUnwillingness, "i_am|im not comfortable", false},
	{refusalUnwillingness, "i dont|do_not feel comfortable", false},
	{refusalUnwillingness, "sorry|apologies but no", true},
	{refusalUnwillingness, "^ declining $", true},
	{refusalUnwillingness, "^ i_decline|i_must_decline $", true},
	// Policy.
	{refusalPolicy, "i_am|im|we_are not allowed|permitted to", true},
	{refusalPolicy, "i_am|im not in a position to", true},
	{refusalPolicy, "it wouldnt|would_not be appropriate for me", true},
	{refusalPolicy, "its|it_is not appropriate for me", true},
	{refusalPolicy, "my guidelines|instructions|rules dont|do_not|wont|will_not allow|permit", true},
	{refusalPolicy, "my guidelines|instructions|rules prevent|prohibit|forbid", true},
	{refusalPolicy, "against|violates|violate|breaks|break my|our guidelines|policies|policy|rules", true},
	{refusalPolicy, "against|violates|violate|breaks|break {any} usage|content|safety guidelines|policies|policy", true},
	// Scope.
	{refusalScope, "i|we can only help|assist|answer|discuss|talk|respond", true},
	{refusalScope, "i_am|im only able to help|assist|answer|discuss", true},
}

type patElem struct {
	alts     [][]string // each alternative is a word sequence
	class    string     // V, Ving, Vhabit, adv, any
	optional bool
	start    bool // ^
	end      bool // $
}

type refusalRule struct {
	kind   refusalKind
	elems  []patElem
	strong bool
}

var refusalRules = compileRefusalRules()

func compileRefusalRules() []refusalRule {
	rules := make([]refusalRule, 0, len(refusalPatterns))
	for _, p := range refusalPatterns {
		r := refusalRule{kind: p.kind, strong: p.strong}
		for _, tok := range strings.Fields(p.pattern) {
			var e patElem
			switch {
			case tok == "^":
				e.start = true
			case tok == "$":
				e.end = true
			case strings.HasPrefix(tok, "[{"):
				e.class, e.optional = strings.Trim(tok, "[{}]"), true
			case strings.HasPrefix(tok, "{"):
				e.class = strings.Trim(tok, "{}")
			default:
				if strings.HasPrefix(tok, "[") {
					e.optional = true
					tok = strings.Trim(tok, "[]")
				}
				for _, alt := range strings.Split(tok, "|") {
					e.alts = append(e.alts, strings.Split(alt, "_"))
				}
			}
			r.elems = append(r.elems, e)
		}
		rules = append(rules, r)
	}
	return rules
}

// match tries the elements from word i; it returns the index after the
// match.
func (r *refusalRule) match(ws []string, elems []patElem, i int) (int, bool) {
	if len(elems) == 0 {
		return i, true
	}
	e := elems[0]
	switch {
	case e.start:
		if i != 0 {
			return 0, false
		}
		return r.match(ws, elems[1:], i)
	case e.end:
		if i != len(ws) {
			return 0, false
		}
		return i, true
	case e.class != "" && e.optional:
		if end, ok := r.match(ws, append([]patElem{{class: e.class}}, elems[1:]...), i); ok {
			return end, true
		}
		return r.match(ws, elems[1:], i)
	case e.class != "":
		if i >= len(ws) {
			return 0, false
		}
		w := ws[i]
		var ok bool
		switch e.class {
		case "V":
			ok = requestVerbs[w] && !idiomAfter(ws, i)
		case "Ving":
			ok = requestGerunds[w]
		case "Vhabit":
			ok = habitVerbs[w]
		case "adv":
			ok = refusalAdverbs[w]
		case "any":
			ok = true
		}
		if !ok {
			return 0, false
		}
		return r.match(ws, elems[1:], i+1)
	}
	for _, alt := range e.alts {
		if hasWords(ws, i, alt) {
			if end, ok := r.match(ws, elems[1:], i+len(alt)); ok {
				return end, true
			}
		}
	}
	if e.optional {
		return r.match(ws, elems[1:], i)
	}
	return 0, false
}

// idiomAfter spots idioms and promises after a request verb at i: "can't
// help but…", "can't help thinking", "can't recommend it enough", "I won't
// make that mistake again", "I won't tell anyone".
func idiomAfter(ws []string, i int) bool {
	if ws[i] == "help" && i+1 < len(ws) && (ws[i+1] == "but" || strings.HasSuffix(ws[i+1], "ing") || ws[i+1] == "it" && i+2 == len(ws)) {
		return true
	}
	if ws[i] == "tell" && i+1 < len(ws) && (ws[i+1] == "anyone" || ws[i+1] == "anybody" || ws[i+1] == "how" ||
		ws[i+1] == "you" && i+2 < len(ws) && ws[i+2] == "how") {
		return true
	}
	for _, w := range ws[i+1:] {
		if w == "enough" || w == "again" || w == "anymore" {
			return true
		}
	}
	return false
}

func hasWords(ws []string, i int, seq []string) bool {
	if i+len(seq) > len(ws) {
		return false
	}
	for k, w := range seq {
		if ws[i+k] != w {
			return false
		}
	}
	return true
}

// refusalIn returns the rule a sentence's words match, if any.
func refusalIn(ws []string, commaBefore []bool) (refusalKind, bool) {
	for i := range ws {
		for k := range refusalRules {
			r := &refusalRules[k]
			end, ok := r.match(ws, r.elems, i)
			if !ok {
				continue
			}
			if !r.strong && (caveat(ws[end:]) || concessive(ws, commaBefore, i)) {
				continue
			}
			return r.kind, true
		}
	}
	return "", false
}

// concessive reports whether the clause at word i is subordinate:
// "Although I can't run the code, here is what it prints" concedes a limit
// and answers. The conjunction must be in the same clause: no comma
// between it and the clause (commaBefore[k] is a comma before word k), so
// "While I understand, I can't help" is still a refusal.
func concessive(ws []string, commaBefore []bool, i int) bool {
	for k := i; k >= 0; k-- {
		if k < i {
			switch ws[k] {
			case "although", "though", "while", "whilst":
				return true
			}
		}
		if commaBefore[k] {
			return false
		}
	}
	return false
}

// caveat reports whether the rest of a sentence after a declining clause
// goes on "…, but <an answer>" (or "so", "however"): then the clause
// limits the answer rather than refusing. Only an offer or a redirection
// after it keeps it a refusal; a second refusal after it ("…, so I can't
// summarise it") is matched on its own.
func caveat(rest []string) bool {
	for k, w := range rest {
		if w != "but" && w != "so" && w != "however" {
			continue
		}
		after := rest[k+1:]
		if len(after) == 0 {
			return false
		}
		for _, o := range offerWords {
			if hasWords(after, 0, o) {
				return false
			}
		}
		return true
	}
	return false
}

// findRefusal reads the text's own-voice sentences and returns the first
// refusal rule one of them matches.
func findRefusal(text string, buf []byte) (refusalKind, bool, []byte) {
	var kind refusalKind
	found := false
	var ws []string
	var commas []bool
	textmatch.OwnVoice(text, func(part string) {
		if found {
			return
		}
		for _, sentence := range sentences(part) {
			buf = textmatch.Normalize(buf[:0], sentence)
			ws, commas = splitWords(ws[:0], commas[:0], buf)
			if len(ws) == 0 {
				continue
			}
			if k, ok := refusalIn(ws, commas); ok {
				kind, found = k, true
				return
			}
		}
	})
	return kind, found, buf
}

// sentences splits text at sentence ends (. ! ? followed by a space or the
// end), semicolons, colons, dashes between spaces and line breaks.
func sentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		cut := false
		switch c {
		case '\n', ';':
			cut = true
		case '.', '!', '?', ':':
			cut = i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n' || s[i+1] == '*' || s[i+1] == '"'
		}
		if cut {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// splitWords appends the words of normalised text (letters and digits,
// any script) to dst, and to commas whether a comma stands before each.
func splitWords(dst []string, commas []bool, norm []byte) ([]string, []bool) {
	s := string(norm)
	start := -1
	comma := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		word := c >= 0x80 || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			dst, commas = append(dst, s[start:i]), append(commas, comma)
			start, comma = -1, false
		}
		if c == ',' {
			comma = true
		}
	}
	if start >= 0 {
		dst, commas = append(dst, s[start:]), append(commas, comma)
	}
	return dst, commas
}
