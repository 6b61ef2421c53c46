package evaluators

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
// does (TestJSONValidDifferential, FuzzJSONValid): the same grammar, string
// bytes unchecked but for control characters, nesting up to json's limit
// of 10000. It reads s once, without json's per-byte state functions:
// every tool call's arguments are checked by two or three checks.
func jsonValid(s string) bool {
	var objects [(jsonMaxDepth + 63) / 64]uint64 // per open container: 1 for an object
	depth := 0
	i := jsonSpace(s, 0)
	for {
		// a value starts at i
		if i >= len(s) {
			return false
		}
		switch c := s[i]; c {
		case '{', '[':
			if depth == jsonMaxDepth {
				return false
			}
			if c == '{' {
				objects[depth>>6] |= 1 << (depth & 63)
			} else {
				objects[depth>>6] &^= 1 << (depth & 63)
			}
			depth++
			i = jsonSpace(s, i+1)
			if i < len(s) && (c == '{' && s[i] == '}' || c == '[' && s[i] == ']') {
				depth--
				i++
				break // an empty container is a value
			}
			if c == '{' {
				if i = jsonMember(s, i); i < 0 {
					return false
				}
			}
			continue // its first value
		case '"':
			if i = jsonStringEnd(s, i); i < 0 {
				return false
			}
		case 't':
			if !strings.HasPrefix(s[i:], "true") {
				return false
			}
			i += 4
		case 'f':
			if !strings.HasPrefix(s[i:], "false") {
				return false
			}
			i += 5
		case 'n':
			if !strings.HasPrefix(s[i:], "null") {
				return false
			}
			i += 4
		default:
			if i = jsonNumberEnd(s, i); i < 0 {
				return false
			}
		}
		// after a value: close containers, or go on to the next value
		for {
			i = jsonSpace(s, i)
			if depth == 0 {
				return i == len(s)
			}
			if i >= len(s) {
				return false
			}
			object := objects[(depth-1)>>6]&(1<<((depth-1)&63)) != 0
			if object && s[i] == '}' || !object && s[i] == ']' {
				depth--
				i++
				continue
			}
			if s[i] != ',' {
				return false
			}
			i = jsonSpace(s, i+1)
			if object {
				if i = jsonMember(s, i); i < 0 {
					return false
				}
			}
			break
		}
	}
}

// jsonMaxDepth is encoding/json's nesting limit.
const jsonMaxDepth = 10000

// jsonSpace skips JSON white space from i.
func jsonSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// jsonMember reads `"key" :` at i and returns where its value starts (white
// space skipped), or -1.
func jsonMember(s string, i int) int {
	if i >= len(s) || s[i] != '"' {
		return -1
	}
	if i = jsonStringEnd(s, i); i < 0 {
		return -1
	}
	if i = jsonSpace(s, i); i >= len(s) || s[i] != ':' {
		return -1
	}
	return jsonSpace(s, i+1)
}

// jsonStringEnd returns the index after the string opening at i, or -1.
func jsonStringEnd(s string, i int) int {
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i++; i >= len(s) {
				return -1
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s) {
					return -1
				}
				for _, h := range []byte(s[i+1 : i+5]) {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		case c < 0x20:
			return -1
		}
	}
	return -1
}

// jsonNumberEnd returns the index after the number starting at i, or -1.
func jsonNumberEnd(s string, i int) int {
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = jsonDigits(s, i)
	default:
		return -1
	}
	if i < len(s) && s[i] == '.' {
		if i++; i >= len(s) || s[i] < '0' || s[i] > '9' {
			return -1
		}
		i = jsonDigits(s, i)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		if i++; i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return -1
		}
		i = jsonDigits(s, i)
	}
	return i
}

func jsonDigits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}
