// Package labelsplit assigns a trace or span ID to the train, dev or test
// split: the one rule `llmeval calibrate --split` and the corpus tools share.
package labelsplit

import (
	"hash/fnv"
	"strings"
)

// Of puts an ID in train (20%), dev (40%) or test (40%) by FNV-1a 32 of
// the lower-case ID mod 100, so a team tunes on dev and reports on test
// once, and every run agrees.
func Of(id string) string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(id)))
	switch p := h.Sum32() % 100; {
	case p < 20:
		return "train"
	case p < 60:
		return "dev"
	}
	return "test"
}
