package evaluators

import (
	"bytes"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

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
	// notRefusal rules describe look-alikes: where one matches, no rule
	// starting at the same word counts ("I won't share your data" is a
	// promise).
	notRefusal refusalKind = ""
)

// requestVerbs act on a request: declining to do one of these is
// declining the request. Verbs of perception and feeling (see, find,
// believe, wait, stress, guarantee, say) are left out on purpose.
var requestVerbs = wordSet(`help assist provide share give write create generate do comply fulfill fulfil answer continue process book
	access discuss disclose reveal diagnose offer support produce make complete look send sign remove transfer
	move tell walk translate open browse summarise summarize extract lift override waive speculate comment
	engage participate reproduce draft compose prescribe release unlock bypass search run execute check refund
	issue cancel approve grant accept impersonate pretend recommend play roleplay teach explain proceed build
	code fill retrieve fetch obtain identify confirm verify predict advise endorse condone encourage promote
	facilitate enable entertain honor honour accommodate allow permit authorize authorise perform handle edit
	delete post publish contact email schedule order purchase buy pay respond reply elaborate name list quote
	recreate replicate copy print output display show repeat read view watch listen remember store save track
	monitor set reserve reset hack crack weigh join`)

// requestGerunds are the -ing forms, for "I won't be writing that" and
// "I'm not comfortable writing…".
var requestGerunds = wordSet(`helping assisting providing sharing giving writing creating generating doing complying fulfilling
	answering continuing processing booking accessing discussing disclosing revealing diagnosing offering
	supporting producing making completing looking sending signing removing transferring moving telling walking
	translating opening browsing summarising summarizing extracting lifting overriding waiving speculating
	commenting engaging participating reproducing drafting composing prescribing releasing unlocking bypassing
	searching running executing checking refunding issuing canceling approving granting accepting impersonating
	pretending recommending playing roleplaying teaching explaining proceeding building coding filling
	retrieving fetching obtaining identifying confirming verifying predicting advising endorsing condoning
	encouraging promoting facilitating enabling entertaining honoring honouring accommodating allowing permiting
	authorizing authorising performing handling editing deleting posting publishing contacting emailing
	scheduling ordering purchasing buying paying responding replying elaborating naming listing quoting
	recreating replicating copying printing outputing displaying showing repeating reading viewing watching
	listening remembering storing saving tracking monitoring setting reserving reseting hacking cracking
	weighing joining`)

// refusalAdverbs may stand between the speaker and the refusal: "I really
// can't", "I can't in good conscience" (read as "in", "good", "conscience"
// being optional words is too loose: only single adverbs).
var refusalAdverbs = wordSet(`really simply just truly honestly unfortunately regretfully respectfully actually
	sadly afraid genuinely definitely certainly absolutely`)

// habitVerbs follow "I don't": "I don't provide legal advice", not "I
// don't have", "I don't think".
var habitVerbs = wordSet(`help assist provide share give write create generate reveal disclose produce engage
	participate discuss comment speculate make do offer`)

// offerWords open the clause after "but" when it only offers or
// redirects: "…, but I can explain the causes", "…, but you can book in
// the app".
var offerWords = [][]string{{"i", "can"}, {"i", "could"}, {"i", "would"}, {"id"}, {"im", "happy"}, {"i", "am", "happy"},
	{"happy", "to"}, {"ill"}, {"i", "will"}, {"you", "can"}, {"you", "could"}, {"you", "may"}, {"you", "might"},
	{"please"}, {"feel", "free"}, {"try"}, {"if", "you"}, {"consider"}, {"we", "can"}, {"let", "me"},
	{"youll"}, {"you", "will"}, {"you", "need"}, {"you", "should"}, {"youd"}, {"you", "would"}, {"contact"},
	{"reach"}, {"ask"}, {"check"}, {"go"}, {"visit"}, {"speak"}, {"talk"}, {"call"}, {"see"}}

func wordSet(s string) map[string]bool {
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
type refusalPattern struct {
	kind    refusalKind
	pattern string
	// strong patterns decline whatever follows: a trailing ", but…" does
	// not make them a caveat.
	strong bool
}

var refusalPatterns = []refusalPattern{
	// Inability.
	{refusalInability, "i|we [{adv}] cant|cannot|can_not [and_will_not|and_wont|and_i_wont] [{adv}] [in_good_conscience] [be_able_to] {V}", false},
	{refusalInability, "i|we [{adv}] cant|cannot|can_not be of [any|much] help|assistance|use", false},
	{refusalInability, "i|we [{adv}] cant|cannot|can_not go_into|get_into|weigh_in|speak_to", false},
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
	// Promises about the user's things, not refusals.
	{notRefusal, "i|we wont|will_not|never|dont|do_not [ever] {V} your|yours", false},
	{notRefusal, "i|we wont|will_not|never|dont|do_not [ever] {V} {any} with anyone|anybody|third_parties", false},
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

// refusalGrammar is the compiled rule set, indexed by the words a rule can
// start with, so a word that starts no rule costs one map lookup.
type refusalGrammar struct {
	rules   []refusalRule
	byFirst map[string][]int // first word → rules
	atStart []int            // rules anchored at the sentence start (^)
	// firstByte marks the bytes a first word starts with: most words
	// start no rule, and a table lookup is cheaper than the map's hash.
	firstByte [256]bool

	// A rule's required word elements (not optional, words not a class)
	// are its groups. A sentence the rule matches holds every word of the
	// alternative it matched for each group, so one word per alternative
	// (selectiveWord) stands for the group: a sentence without a word of each
	// of a rule's groups cannot match it, and the rule is not tried
	// (refusal, TestGrammarFilterDifferential). groupWords holds the
	// words with the groups each stands for, by length and first letter
	// (the pattern's words are a-z, shorter than maxGroupWord); needs[k]
	// the groups rule k needs.
	groupWords [maxGroupWord][26][]groupWord
	needs      []groupSet
}

// maxGroupWord bounds the length of the grammar's words.
const maxGroupWord = 24

// groupWord is a word standing for groups.
type groupWord struct {
	word   string
	groups groupSet
}

// groupsOf returns the groups w stands for, if any.
func (g *refusalGrammar) groupsOf(w []byte) *groupSet {
	if len(w) >= maxGroupWord || w[0] < 'a' || w[0] > 'z' {
		return nil
	}
	list := g.groupWords[len(w)][w[0]-'a']
	for i := range list {
		if list[i].word == string(w) {
			return &list[i].groups
		}
	}
	return nil
}

// groupSet is a set of rule groups.
type groupSet [4]uint64

func (g *groupSet) add(i int) { g[i>>6] |= 1 << (i & 63) }
func (g *groupSet) or(o *groupSet) {
	g[0], g[1], g[2], g[3] = g[0]|o[0], g[1]|o[1], g[2]|o[2], g[3]|o[3]
}
func (g *groupSet) covers(o *groupSet) bool {
	return g[0]&o[0] == o[0] && g[1]&o[1] == o[1] && g[2]&o[2] == o[2] && g[3]&o[3] == o[3]
}

// ruleSet is a set of rules.
type ruleSet uint64

// selectiveWord is an alternative's most selective word: the longest,
// common words last. It stands for the alternative in a group (any word
// of it would do) and in grammarNeedles.
func selectiveWord(alt []string) string {
	best, bestScore := "", -1
	for _, w := range alt {
		s := len(w) * 100
		if commonWords[w] {
			s = len(w)
		}
		if s > bestScore {
			best, bestScore = w, s
		}
	}
	return best
}

// compileGroups sets the grammar's groups from its rules.
func (g *refusalGrammar) compileGroups() {
	if len(g.rules) > 64 {
		panic("refusal grammar: more than 64 rules for ruleSet") // ours: grow ruleSet
	}
	ids := map[string]int{} // a group's words, sorted and joined → its index
	for _, r := range g.rules {
		var need groupSet
		for _, e := range r.elems {
			if e.optional || e.alts == nil {
				continue
			}
			words := make([]string, 0, len(e.alts))
			for _, alt := range e.alts {
				words = append(words, selectiveWord(alt))
			}
			sort.Strings(words)
			key := strings.Join(words, " ")
			id, ok := ids[key]
			if !ok {
				id = len(ids)
				if id >= 64*len(groupSet{}) {
					panic("refusal grammar: too many word groups for groupSet") // ours: grow groupSet
				}
				ids[key] = id
				for _, w := range words {
					if len(w) >= maxGroupWord || w[0] < 'a' || w[0] > 'z' {
						panic("refusal grammar: word " + w + " is not a-z or too long") // ours
					}
					list := &g.groupWords[len(w)][w[0]-'a']
					k := 0
					for k < len(*list) && (*list)[k].word != w {
						k++
					}
					if k == len(*list) {
						*list = append(*list, groupWord{word: w})
					}
					(*list)[k].groups.add(id)
				}
			}
			need.add(id)
		}
		g.needs = append(g.needs, need)
	}
}

var grammar = compileRefusalRules()

func compileRefusalRules() *refusalGrammar {
	g := &refusalGrammar{byFirst: map[string][]int{}}
	// Look-alike rules first: at a word, they veto the others.
	patterns := make([]refusalPattern, 0, len(refusalPatterns))
	for _, p := range refusalPatterns {
		if p.kind == notRefusal {
			patterns = append(patterns, p)
		}
	}
	for _, p := range refusalPatterns {
		if p.kind != notRefusal {
			patterns = append(patterns, p)
		}
	}
	for _, p := range patterns {
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
		k := len(g.rules)
		g.rules = append(g.rules, r)
		first := r.elems[0]
		switch {
		case first.start:
			g.atStart = append(g.atStart, k)
		case first.class != "" || first.optional:
			panic("refusal pattern must start with a word: " + p.pattern)
		default:
			for _, alt := range first.alts {
				g.byFirst[alt[0]] = append(g.byFirst[alt[0]], k)
				g.firstByte[alt[0][0]] = true
			}
		}
	}
	g.compileGroups()
	return g
}

// sentence is one sentence's normalised words, as byte ranges of buf, and
// whether a comma stands before each: the matcher reads them without
// allocating.
type sentence struct {
	buf    []byte
	spans  [][2]int
	commas []bool
}

func (s *sentence) n() int { return len(s.spans) }

func (s *sentence) word(i int) []byte { return s.buf[s.spans[i][0]:s.spans[i][1]] }

func (s *sentence) is(i int, w string) bool { return i < s.n() && string(s.word(i)) == w }

func (s *sentence) hasWords(i int, seq []string) bool {
	if i+len(seq) > s.n() {
		return false
	}
	for k, w := range seq {
		if string(s.word(i+k)) != w {
			return false
		}
	}
	return true
}

// match tries r's elements from element e at word i; it returns the index
// after the match.
func (s *sentence) match(r *refusalRule, e, i int) (int, bool) {
	if e == len(r.elems) {
		return i, true
	}
	el := &r.elems[e]
	switch {
	case el.start:
		if i != 0 {
			return 0, false
		}
		return s.match(r, e+1, i)
	case el.end:
		return i, i == s.n()
	case el.class != "":
		if i < s.n() && s.inClass(el.class, i) {
			if end, ok := s.match(r, e+1, i+1); ok {
				return end, true
			}
		}
		if el.optional {
			return s.match(r, e+1, i)
		}
		return 0, false
	}
	for _, alt := range el.alts {
		if s.hasWords(i, alt) {
			if end, ok := s.match(r, e+1, i+len(alt)); ok {
				return end, true
			}
		}
	}
	if el.optional {
		return s.match(r, e+1, i)
	}
	return 0, false
}

func (s *sentence) inClass(class string, i int) bool {
	w := s.word(i)
	switch class {
	case "V":
		return requestVerbs[string(w)] && !s.idiomAfter(i)
	case "Ving":
		return requestGerunds[string(w)]
	case "Vhabit":
		return habitVerbs[string(w)]
	case "adv":
		return refusalAdverbs[string(w)]
	case "any":
		return true
	}
	return false
}

// idiomAfter spots idioms and promises after a request verb at i: "can't
// help but…", "can't help thinking", "can't recommend it enough", "I won't
// make that mistake again", "I won't tell anyone".
func (s *sentence) idiomAfter(i int) bool {
	if s.is(i, "help") && i+1 < s.n() && (s.is(i+1, "but") || bytes.HasSuffix(s.word(i+1), []byte("ing")) || s.is(i+1, "it") && i+2 == s.n()) {
		return true
	}
	if s.is(i, "tell") && (s.is(i+1, "anyone") || s.is(i+1, "anybody") || s.is(i+1, "how") || s.is(i+1, "you") && s.is(i+2, "how")) {
		return true
	}
	// "I can't recommend this plugin", "I won't pretend this is easy":
	// advice and candour about a thing, not declining a request.
	if (s.is(i, "recommend") || s.is(i, "pretend") || s.is(i, "endorse")) && i+1 < s.n() {
		switch string(s.word(i + 1)) {
		case "this", "that", "it", "these", "those", "using", "relying", "going", "doing", "the", "its", "thats":
			return true
		}
	}
	for k := i + 1; k < s.n(); k++ {
		if s.is(k, "enough") || s.is(k, "again") || s.is(k, "anymore") {
			return true
		}
	}
	return false
}

// possible returns the rules whose groups the sentence's words cover: no
// other rule can match it.
func (s *sentence) possible() ruleSet {
	var have groupSet
	for i := range s.spans {
		if gs := grammar.groupsOf(s.word(i)); gs != nil {
			have.or(gs)
		}
	}
	if have == (groupSet{}) {
		return 0 // every rule needs a group (TestGrammarGroups)
	}
	var rules ruleSet
	for k := range grammar.needs {
		if have.covers(&grammar.needs[k]) {
			rules |= 1 << k
		}
	}
	return rules
}

// refusal returns the rule the sentence matches, if any.
func (s *sentence) refusal() (refusalKind, bool) {
	possible := s.possible()
	if possible == 0 {
		return "", false
	}
	return s.refusalAmong(possible)
}

// refusalAmong is refusal trying only the rules in possible; with every
// rule it is the matcher unfiltered (the tests' oracle).
func (s *sentence) refusalAmong(possible ruleSet) (refusalKind, bool) {
	try := func(rules []int, i int) (refusalKind, bool) {
		for _, k := range rules {
			if possible&(1<<k) == 0 {
				continue // it cannot match: a look-alike no more than a rule
			}
			r := &grammar.rules[k]
			end, ok := s.match(r, 0, i)
			switch {
			case !ok:
				continue
			case r.kind == notRefusal:
				return "", false // a look-alike starts here
			case !r.strong && (s.caveat(end) || s.concessive(i)):
				continue
			}
			return r.kind, true
		}
		return "", false
	}
	if kind, ok := try(grammar.atStart, 0); ok {
		return kind, true
	}
	for i := 0; i < s.n(); i++ {
		if !grammar.firstByte[s.buf[s.spans[i][0]]] {
			continue
		}
		if kind, ok := try(grammar.byFirst[string(s.word(i))], i); ok {
			return kind, true
		}
	}
	return "", false
}

// concessive reports whether the clause at word i is subordinate:
// "Although I can't run the code, here is what it prints" concedes a limit
// and answers. The conjunction must be in the same clause: no comma
// between it and the clause, so "While I understand, I can't help" is
// still a refusal.
func (s *sentence) concessive(i int) bool {
	for k := i; k >= 0; k-- {
		if k < i && (s.is(k, "although") || s.is(k, "though") || s.is(k, "while") || s.is(k, "whilst")) {
			return true
		}
		if s.commas[k] {
			return false
		}
	}
	return false
}

// caveat reports whether the sentence goes on after a declining clause
// ending at word end with "…, but <an answer>" (or "so", "however"): then
// the clause limits the answer rather than refusing. Only an offer or a
// redirection after it keeps it a refusal; a second refusal after it
// ("…, so I can't summarise it") is matched on its own.
func (s *sentence) caveat(end int) bool {
	for k := end; k < s.n(); k++ {
		if !s.is(k, "but") && !s.is(k, "so") && !s.is(k, "however") {
			continue
		}
		if k+1 == s.n() {
			return false
		}
		for _, o := range offerWords {
			if s.hasWords(k+1, o) {
				return false
			}
		}
		return true
	}
	return false
}

// refusalScratches hold the reusable memory of one search.
var refusalScratches = sync.Pool{New: func() any { return &sentence{buf: make([]byte, 0, 1024)} }}

// findRefusal reads the text's own-voice sentences and returns the first
// refusal rule one of them matches.
func findRefusal(text string) (refusalKind, bool) {
	sc := refusalScratches.Get().(*sentence)
	defer refusalScratches.Put(sc)
	var kind refusalKind
	found := false
	textmatch.OwnVoice(text, func(part string) {
		for rest := part; !found && rest != ""; {
			var sent string
			sent, rest = nextSentence(rest)
			sc.tokenize(sent)
			if sc.n() > 0 {
				kind, found = sc.refusal()
			}
		}
	})
	return kind, found
}

// nextSentence cuts s at the first sentence end (. ! ? : followed by a
// space, a line break, '*' or '"', or the end), semicolon or line break.
func nextSentence(s string) (sentence, rest string) {
	for i := sentenceStops.Next(s, 0); i < len(s); i = sentenceStops.Next(s, i+1) {
		switch s[i] {
		case '\n', ';':
			return s[:i], s[i+1:]
		case '.', '!', '?', ':':
			if i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n' || s[i+1] == '*' || s[i+1] == '"' {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// sentenceStops are the bytes nextSentence looks at; it passes over the
// others.
var sentenceStops = textmatch.NewStops("\n;.!?:", false)

// tokenize sets the sentence's words from raw text in one pass: letters
// and digits of any script, lower-cased; apostrophes dropped inside a word
// (straight, curly or backtick, so "can't", "can’t" and "cant" are one
// word, as textmatch.Normalize reads them); everything else separates
// words, and commas are remembered.
func (s *sentence) tokenize(raw string) {
	s.buf, s.spans, s.commas = s.buf[:0], s.spans[:0], s.commas[:0]
	start := -1
	comma := false
	end := func() {
		if start >= 0 {
			s.spans, s.commas = append(s.spans, [2]int{start, len(s.buf)}), append(s.commas, comma)
			start, comma = -1, false
		}
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		if c < utf8.RuneSelf {
			i++
			if asciiAlnumByte[c] {
				// A letter or digit, and the ASCII ones after it, at
				// once: setting 0x20 lowers a capital and keeps a digit
				// or a lower-case letter.
				if start < 0 {
					start = len(s.buf)
				}
				s.buf = append(s.buf, c|0x20)
				for ; i < len(raw) && asciiAlnumByte[raw[i]]; i++ {
					s.buf = append(s.buf, raw[i]|0x20)
				}
				continue
			}
			if c == '\'' || c == '`' {
				continue
			}
			end()
			if c == ',' {
				comma = true
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(raw[i:])
		i += size
		switch {
		case r == '’' || r == '‘' || r == 'ʼ':
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = len(s.buf)
			}
			s.buf = utf8.AppendRune(s.buf, unicode.ToLower(r))
		default:
			end()
		}
	}
	end()
}

// asciiAlnumByte marks the ASCII letters and digits.
var asciiAlnumByte = func() (t [256]bool) {
	for c := range t {
		t[c] = isAlnum(byte(c))
	}
	return t
}()

// grammarNeedles are words one of which every sentence a refusal rule
// matches holds: for each rule, the alternatives of its most selective
// required element (the longest word of each alternative; words common in
// any answer count as least selective). Which words are chosen only
// changes how often the grammar runs, never what it finds. They go into
// the literal automaton of refusal's target; a text holding none of them
// cannot match a rule, and the grammar is not run on it.
var grammarNeedles = func() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range grammar.rules {
		if r.kind == notRefusal {
			continue // look-alikes only veto
		}
		var best []string
		bestScore := -1
		for _, e := range r.elems {
			if e.optional || e.alts == nil {
				continue
			}
			// score: selectivity first, then length.
			words, score, short := make([]string, 0, len(e.alts)), -1, -1
			for _, alt := range e.alts {
				w, sel := selectiveWord(alt), 0
				words = append(words, w)
				if commonWords[w] {
					sel = 0
				} else {
					sel = len(w)
				}
				if score < 0 || sel < score {
					score = sel
				}
				if short < 0 || len(w) < short {
					short = len(w)
				}
			}
			score = score*100 + short
			if score > bestScore {
				best, bestScore = words, score
			}
		}
		if best == nil {
			panic("refusal rule without a required word") // compileRefusalRules' patterns are ours
		}
		for _, w := range best {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}()

// commonWords are words of the rules that most answers hold anyway.
var commonWords = wordSet(`i we can not will have only must into able going be to do is it its my our me of on this that the no
	am im are one use help thing say talk`)
