package evaluators

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// ExtractJSON returns the JSON text an output carries: the whole text, or
// the content of its single fenced code block (```json or ```), which is how
// models commonly wrap JSON. It reports an error for more than one block or
// an unterminated fence.
func ExtractJSON(text string) (string, error) {
	trimmed := strings.TrimSpace(text)
	open := strings.Index(trimmed, "```")
	if open < 0 {
		return trimmed, nil
	}
	rest := trimmed[open+3:]
	// The info string runs to the end of the fence line.
	nl := strings.IndexByte(rest, '\n')
	if nl < 0 {
		return "", errors.New("unterminated code fence")
	}
	lang := strings.TrimSpace(rest[:nl])
	if lang != "" && !strings.EqualFold(lang, "json") {
		return "", errors.New("code fence is not json")
	}
	body := rest[nl+1:]
	end := strings.Index(body, "```")
	if end < 0 {
		return "", errors.New("unterminated code fence")
	}
	if strings.Contains(body[end+3:], "```") {
		return "", errors.New("more than one code fence")
	}
	return strings.TrimSpace(body[:end]), nil
}

func boundLang(s string) string {
	if len(s) > 16 {
		return s[:16]
	}
	return s
}

// jsonError explains why s is not JSON by the byte offset only: the
// decoder's own messages quote a character of the text ("invalid character
// 'I' ..."), and a reason never carries content. Only called once
// json.Valid has said no, so its cost is off the passing path.
func jsonError(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("empty")
	}
	var v json.RawMessage
	err := json.Unmarshal([]byte(s), &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if se.Offset >= int64(len(s)) {
			return fmt.Errorf("ends early (byte %d)", se.Offset)
		}
		return fmt.Errorf("syntax error at byte %d", se.Offset)
	}
	return errors.New("invalid")
}

// jsonValid reports whether s is one JSON value, exactly as json.Valid
// does (TestJSONValidDifferential, FuzzJSONValid), reading s once with the
// span model's scanner: every tool call's arguments are checked by two or
// three checks. Only documents nested deeper than that scanner goes are
// left to json.Valid.
func jsonValid(s string) bool {
	if valid, decided := spanmodel.ValidJSON(s); decided {
		return valid
	}
	return json.Valid(unsafe.Slice(unsafe.StringData(s), len(s)))
}
