package evaluators

import (
	"encoding/json"
	"strings"
	"testing"
)

func FuzzExtractJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1}`, "```json\n{\"a\":1}\n```", "text\n```\n[1,2]\n```\nmore", "```", "```json\n",
		"```json\n{}\n```\n```\n{}\n```", "```python\nx\n```", "", "  \n ", "\xff```json\n\xfe\n```",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		doc, err := ExtractJSON(text)
		if err != nil {
			if doc != "" {
				t.Fatalf("error %v with content %q", err, doc)
			}
			return
		}
		if len(doc) > len(text) {
			t.Fatalf("extracted %d bytes from %d", len(doc), len(text))
		}
		if !strings.Contains(text, doc) {
			t.Fatalf("extracted text %q is not part of the input", doc)
		}
		// Our validity check must agree with encoding/json.
		if jsonValid(doc) != json.Valid([]byte(doc)) {
			t.Fatalf("jsonValid disagrees with encoding/json on %q", doc)
		}
		if !jsonValid(doc) && jsonError(doc) == nil {
			t.Fatalf("invalid JSON %q without an explanation", doc)
		}
	})
}
