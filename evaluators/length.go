package evaluators

import (
	"context"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// lengthEvaluator bounds the size of a text in characters (code points) and
// words (runs of non-space). Its score is the character count.
type lengthEvaluator struct {
	target             spanmodel.Target
	minChars, maxChars int
	minWords, maxWords int
	words              bool // some bound needs the word count
}

type lengthSettings struct {
	MinChars int `mapstructure:"min_chars"`
	MaxChars int `mapstructure:"max_chars"`
	MinWords int `mapstructure:"min_words"`
	MaxWords int `mapstructure:"max_words"`
}

func newLength(e config.Evaluator, target spanmodel.Target, _ *Settings) (Evaluator, error) {
	var s lengthSettings
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	if s.MinChars == 0 && s.MaxChars == 0 && s.MinWords == 0 && s.MaxWords == 0 {
		return nil, errors.New("min_chars, max_chars, min_words or max_words: at least one is required")
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"min_chars", s.MinChars}, {"max_chars", s.MaxChars}, {"min_words", s.MinWords}, {"max_words", s.MaxWords}} {
		if f.v < 0 {
			return nil, fmt.Errorf("%s: must not be negative", f.name)
		}
	}
	if s.MaxChars > 0 && s.MinChars > s.MaxChars {
		return nil, fmt.Errorf("min_chars: %d is above max_chars %d", s.MinChars, s.MaxChars)
	}
	if s.MaxWords > 0 && s.MinWords > s.MaxWords {
		return nil, fmt.Errorf("min_words: %d is above max_words %d", s.MinWords, s.MaxWords)
	}
	return &lengthEvaluator{
		target: target, minChars: s.MinChars, maxChars: s.MaxChars, minWords: s.MinWords, maxWords: s.MaxWords,
		words: s.MinWords > 0 || s.MaxWords > 0,
	}, nil
}

func (e *lengthEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	text, r, ok := textOf(v, e.target)
	if !ok {
		return r
	}
	chars := utf8.RuneCountInString(text)
	score := float64(chars)
	switch {
	case e.minChars > 0 && chars < e.minChars:
		return Failed("%s has %d chars, min %d", e.target, chars, e.minChars).WithScore(score)
	case e.maxChars > 0 && chars > e.maxChars:
		return Failed("%s has %d chars, max %d", e.target, chars, e.maxChars).WithScore(score)
	}
	if e.words {
		words := countWords(text)
		switch {
		case e.minWords > 0 && words < e.minWords:
			return Failed("%s has %d words, min %d", e.target, words, e.minWords).WithScore(score)
		case e.maxWords > 0 && words > e.maxWords:
			return Failed("%s has %d words, max %d", e.target, words, e.maxWords).WithScore(score)
		}
	}
	return Passed().WithScore(score)
}

func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}
