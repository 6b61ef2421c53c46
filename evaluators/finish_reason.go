package evaluators

import (
	"context"
	"fmt"
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/config"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// The normalised finish reasons every producer's spelling maps to.
const (
	FinishStop          = "stop"
	FinishLength        = "length"
	FinishContentFilter = "content_filter"
	FinishToolCalls     = "tool_calls"
	FinishError         = "error"
	FinishOther         = "other"
)

var finishVocabulary = []string{FinishStop, FinishLength, FinishContentFilter, FinishToolCalls, FinishError, FinishOther}

// finishSpellings maps producer spellings, lower-cased with '-' as '_', to
// the vocabulary: OpenAI, Anthropic, Google Gemini/Vertex, AWS Bedrock,
// Mistral, Cohere and the Vercel AI SDK.
var finishSpellings = map[string]string{
	"stop": FinishStop, "end_turn": FinishStop, "stop_sequence": FinishStop, "complete": FinishStop,
	"eos": FinishStop, "eos_token": FinishStop, "finish_reason_stop": FinishStop, "pause_turn": FinishStop,

	"length": FinishLength, "max_tokens": FinishLength, "max_output_tokens": FinishLength,
	"model_length": FinishLength, "token_limit": FinishLength, "model_context_window_exceeded": FinishLength,
	"error_limit": FinishLength,

	"content_filter": FinishContentFilter, "content_filtered": FinishContentFilter, "safety": FinishContentFilter,
	"recitation": FinishContentFilter, "blocklist": FinishContentFilter, "prohibited_content": FinishContentFilter,
	"spii": FinishContentFilter, "image_safety": FinishContentFilter, "guardrail_intervened": FinishContentFilter,
	"refusal": FinishContentFilter, "error_toxic": FinishContentFilter,

	"tool_calls": FinishToolCalls, "tool_call": FinishToolCalls, "tool_use": FinishToolCalls,
	"function_call": FinishToolCalls, "function_calls": FinishToolCalls,

	"error": FinishError, "malformed_function_call": FinishError, "unexpected_tool_call": FinishError,

	"other": FinishOther, "unknown": FinishOther, "finish_reason_unspecified": FinishOther,
}

// NormalizeFinishReason maps a producer's finish reason to stop, length,
// content_filter, tool_calls, error or other. Case, '-' versus '_',
// CamelCase (.NET's ContentFilter), an enum's type prefix
// (FinishReason.STOP, FINISH_REASON_MAX_TOKENS) and surrounding space do
// not matter; an unknown spelling is "other" and an empty one "".
func NormalizeFinishReason(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if n, ok := finishSpellings[s]; ok { // the common case: already normal
		return n
	}
	if i := strings.LastIndexByte(s, '.'); i >= 0 && i+1 < len(s) {
		s = s[i+1:]
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			if i > 0 && 'a' <= s[i-1] && s[i-1] <= 'z' {
				b.WriteByte('_')
			}
			b.WriteByte(c + 'a' - 'A')
		case c == '-' || c == ' ':
			b.WriteByte('_')
		default:
			b.WriteByte(c)
		}
	}
	key := b.String()
	if n, ok := finishSpellings[key]; ok {
		return n
	}
	if n, ok := finishSpellings[strings.TrimPrefix(key, "finish_reason_")]; ok {
		return n
	}
	return FinishOther
}

// finishReasonEvaluator fails spans whose model stopped for a reason in
// failOn, such as hitting the token limit or a content filter.
type finishReasonEvaluator struct {
	failOn map[string]bool
}

type finishReasonSettings struct {
	FailOn []string `mapstructure:"fail_on"`
}

func newFinishReason(e config.Evaluator, _ spanmodel.Target, _ *Settings) (Evaluator, error) {
	s := finishReasonSettings{FailOn: []string{FinishLength, FinishContentFilter, FinishError}}
	if err := e.DecodeSettings(&s); err != nil {
		return nil, err
	}
	if len(s.FailOn) == 0 {
		return nil, fmt.Errorf("fail_on: must list at least one of %s", strings.Join(finishVocabulary, ", "))
	}
	ev := &finishReasonEvaluator{failOn: map[string]bool{}}
	for i, r := range s.FailOn {
		if !isFinishVocabulary(r) {
			return nil, fmt.Errorf("fail_on[%d]: %q is not one of %s", i, r, strings.Join(finishVocabulary, ", "))
		}
		ev.failOn[r] = true
	}
	return ev, nil
}

func isFinishVocabulary(r string) bool {
	for _, v := range finishVocabulary {
		if r == v {
			return true
		}
	}
	return false
}

func (e *finishReasonEvaluator) Evaluate(_ context.Context, v *spanmodel.View) Result {
	reasons := v.FinishReasons()
	if len(reasons) == 0 {
		return Skipped()
	}
	for _, r := range reasons {
		if n := NormalizeFinishReason(r); e.failOn[n] {
			// The normalized reason only: the producer's spelling is
			// whatever the span says.
			return Failed("finish reason %s", n)
		}
	}
	return Passed()
}
