package spanmodel

import (
	"errors"
	"fmt"
	"strings"
)

// TargetKind is what an evaluator reads from a span.
type TargetKind uint8

const (
	TargetOutput TargetKind = iota + 1
	TargetInput
	TargetSystem
	TargetToolArguments
	TargetToolResult
	TargetAttribute
	TargetReasoning
)

// Target is a parsed `target` value.
type Target struct {
	Kind TargetKind
	// Key is the attribute key for TargetAttribute.
	Key string
}

// TargetNames lists the accepted target spellings, for docs and errors.
const TargetNames = "output, input, system, reasoning, tool_arguments, tool_result, attribute:<key>"

// ParseTarget parses a `target` value. Empty yields def.
func ParseTarget(s string, def TargetKind) (Target, error) {
	switch s {
	case "":
		return Target{Kind: def}, nil
	case "output":
		return Target{Kind: TargetOutput}, nil
	case "input":
		return Target{Kind: TargetInput}, nil
	case "system":
		return Target{Kind: TargetSystem}, nil
	case "tool_arguments":
		return Target{Kind: TargetToolArguments}, nil
	case "tool_result":
		return Target{Kind: TargetToolResult}, nil
	case "reasoning":
		return Target{Kind: TargetReasoning}, nil
	}
	if key, ok := strings.CutPrefix(s, "attribute:"); ok {
		if key == "" {
			return Target{}, errors.New("attribute: needs a key, e.g. attribute:gen_ai.output.messages")
		}
		return Target{Kind: TargetAttribute, Key: key}, nil
	}
	return Target{}, fmt.Errorf("unknown target %q (want one of %s)", s, TargetNames)
}

// String returns the config spelling of t.
func (t Target) String() string {
	switch t.Kind {
	case TargetOutput:
		return "output"
	case TargetInput:
		return "input"
	case TargetSystem:
		return "system"
	case TargetToolArguments:
		return "tool_arguments"
	case TargetToolResult:
		return "tool_result"
	case TargetAttribute:
		return "attribute:" + t.Key
	case TargetReasoning:
		return "reasoning"
	}
	return ""
}
