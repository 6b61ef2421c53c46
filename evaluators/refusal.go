package evaluators

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// defaultRefusalPhrases are the stock English phrasings of a model declining
// a request. Matching ignores case, apostrophes (straight or curly, or none)
// and spacing, and needs whole words.
var defaultRefusalPhrases = []string{
	"I can't help with", "I cannot help with", "I can't assist with", "I cannot assist with",
	"I can't help you with", "I cannot help you with", "I can't provide", "I cannot provide",
	"I can't comply", "I cannot comply", "I can't do that", "I cannot do that",
	"I can't fulfill", "I cannot fulfill", "I can't fulfil", "I cannot fulfil",
	"I can't support that", "I can't share", "I cannot share",
	"I won't be able to help", "I won't help with", "I will not help with", "I won't provide", "I will not provide",
	"I'm unable to help", "I am unable to help", "I'm unable to assist", "I am unable to assist",
	"I'm unable to provide", "I am unable to provide", "I'm unable to comply", "I am unable to comply",
	"I'm not able to help", "I am not able to help", "I'm not able to provide", "I am not able to provide",
	"I'm not able to assist", "I am not able to assist",
	"I'm sorry, but I can't", "I'm sorry, but I cannot", "I'm sorry, I can't", "I am sorry, but I cannot",
	"sorry, but I can't", "sorry, I can't help",
	"I must decline", "I must refuse", "I have to decline", "I'm going to decline",
	"as an AI language model, I", "as an AI, I can't", "as an AI, I cannot", "as an AI, I don't",
	"that's not something I can help with", "that is not something I can help with",
	"that's not something I can do", "I'm not allowed to", "I am not allowed to",
	"I'm not permitted to", "I am not permitted to", "against my guidelines", "violates my guidelines",
}

// refusalEvaluator fails outputs in which the model declines, by phrase, and
// empty answers the model ended normally.
type refusalEvaluator struct {
	target  spanmodel.Target
	phrases *textmatch.Phrases
	list    []string // the phrases as written, for reasons
}

type refusalSettings struct {
	Phrases         []string `mapstructure:"phrases"`
	ReplaceDefaults bool     `mapstructure:"replace_defaults"`
}

// normBuffers holds normalisation scratch so a 2 KB answer costs no
// allocation per span.
var normBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func newRefusal(e config.Evaluator, target spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s refusalSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	if s.ReplaceDefaults && len(s.Phrases) == 0 {
		return nil, fmt.Errorf("phrases: required when replace_defaults is true")
	}
	// Compiled alone first so an error points at the user's own index.
	if _, err := textmatch.Compile(s.Phrases); err != nil {
		return nil, fmt.Errorf("phrases%w", err)
	}
	list := s.Phrases
	if !s.ReplaceDefaults {
		list = append(append([]string{}, defaultRefusalPhrases...), s.Phrases...)
	}
	p, err := textmatch.Compile(list)
	if err != nil {
		return nil, err
	}
	return &refusalEvaluator{target: target, phrases: p, list: list}, nil
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
	bp := normBuffers.Get().(*[]byte)
	norm := textmatch.Normalize((*bp)[:0], text)
	idx, found := e.phrases.First(norm)
	*bp = norm
	normBuffers.Put(bp)
	if found {
		return Failed("refusal phrase %q", e.list[idx])
	}
	return Passed()
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
