package evaluators

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// refusalEvaluator fails outputs in which the model declines the request
// (the English grammar in refusal_grammar.go, and the user's own phrases),
// and empty answers the model ended normally. Only what the model says in
// its own voice counts: quotations, drafted letters and code are left out.
type refusalEvaluator struct {
	target  spanmodel.Target
	grammar bool               // the built-in English grammar
	phrases *textmatch.Phrases // the user's phrases, or nil
	list    []string           // the phrases as written, for reasons
	// grammarLits and phraseLits are the grammar's words and the user's
	// phrases in the target's literal automaton.
	grammarLits, phraseLits literals
}

type refusalSettings struct {
	Phrases         []string `mapstructure:"phrases"`
	ReplaceDefaults bool     `mapstructure:"replace_defaults"`
}

// normBuffers holds normalisation scratch so a 2 KB answer costs no
// allocation per span.
var normBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func newRefusal(e config.Evaluator, target spanmodel.Target, set *Settings) (Evaluator, error) {
	var s refusalSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	if s.ReplaceDefaults && len(s.Phrases) == 0 {
		return nil, fmt.Errorf("phrases: required when replace_defaults is true")
	}
	ev := &refusalEvaluator{target: target, grammar: !s.ReplaceDefaults, list: s.Phrases}
	if len(s.Phrases) > 0 {
		p, err := textmatch.Compile(s.Phrases)
		if err != nil {
			return nil, fmt.Errorf("phrases%w", err)
		}
		ev.phrases = p
		norm := make([]string, p.Len()) // trimmed, as they are matched
		for i := range norm {
			norm[i] = p.Phrase(i)
		}
		ev.phraseLits = set.literals.add(target, norm...)
	}
	if ev.grammar {
		ev.grammarLits = set.literals.add(target, grammarNeedles...)
	}
	return ev, nil
}

func (e *refusalEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	text, r, ok := textOf(v, e.target)
	if !ok {
		return r
	}
	if strings.TrimSpace(text) == "" {
		if e.target.Kind == spanmodel.TargetOutput && endedNormally(v) {
			return Failed("empty answer with finish reason stop")
		}
		return Passed()
	}
	// Without a literal of the phrases or of the grammar in the text,
	// neither can match. The grammar reads words (sentence.tokenize: split
	// at every character that is neither a letter, a digit nor an
	// apostrophe, apostrophes dropped, lower-cased), of stretches that
	// OwnVoice and nextSentence cut at such characters or at apostrophes
	// and backticks: so a rule's word in a sentence is a word hit of the
	// scan (textmatch.Hits.Word), and "prefer" inside "preference" rules
	// out no grammar (FuzzGrammarWordHits). A JSON answer is read as its
	// decoded values, which the scan of the raw text does not see: it is
	// always read.
	phrases, grammar := e.phrases != nil, e.grammar
	if !jsonShaped(text) {
		phrases = phrases && e.phraseLits.mayAny(e.phraseLits.hits(v, text))
		grammar = grammar && e.grammarLits.mayAnyWord(e.grammarLits.hits(v, text))
	}
	if !phrases && !grammar {
		return Passed()
	}
	bp := normBuffers.Get().(*[]byte)
	defer normBuffers.Put(bp)
	found := Passed()
	forEachAnswer(text, func(answer string) bool {
		if phrases {
			textmatch.OwnVoice(answer, func(part string) {
				if found.Verdict == Fail {
					return
				}
				*bp = textmatch.Normalize((*bp)[:0], part)
				if idx, ok := e.phrases.First(*bp); ok {
					found = Failed("refusal phrase %q", e.list[idx])
				}
			})
		}
		if found.Verdict != Fail && grammar {
			if kind, ok := findRefusal(answer); ok {
				found = Failed("refusal (%s)", kind)
			}
		}
		return found.Verdict != Fail
	})
	return found
}

// forEachAnswer calls fn with text, or, when text is a JSON document (a
// structured answer), with each of its string values: there a refusal
// is a value ({"refusal": "I can't…"}), and its quotes are JSON syntax,
// not a quotation. fn returns false to stop.
func forEachAnswer(text string, fn func(string) bool) {
	if !jsonShaped(text) {
		fn(text)
		return
	}
	var doc any
	if json.Unmarshal([]byte(strings.TrimSpace(text)), &doc) != nil {
		fn(text)
		return
	}
	var walk func(any) bool
	walk = func(x any) bool {
		switch x := x.(type) {
		case string:
			return fn(x)
		case []any:
			for _, e := range x {
				if !walk(e) {
					return false
				}
			}
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys) // one answer, one reason
			for _, k := range keys {
				if !walk(x[k]) {
					return false
				}
			}
		}
		return true
	}
	walk(doc)
}

// jsonShaped reports whether text, trimmed, is bracketed like a JSON
// object or array: forEachAnswer tries to decode it.
func jsonShaped(text string) bool {
	t := strings.TrimSpace(text)
	return len(t) >= 2 && (t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']')
}

// endedNormally reports whether the model said it stopped of its own accord.
func endedNormally(v *spanmodel.View) bool {
	reasons := v.FinishReasons()
	for _, r := range reasons {
		if NormalizeFinishReason(r) != FinishStop {
			return false
		}
	}
	return len(reasons) > 0
}
