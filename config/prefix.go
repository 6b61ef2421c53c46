package config

import (
	"errors"
	"strings"
)

// ValidatePrefix checks an attribute_prefix: the start of every attribute
// key the components write or read (<prefix>.<evaluator>.verdict).
func ValidatePrefix(p string) error {
	switch {
	case p == "":
		return errors.New("must not be empty")
	case strings.HasPrefix(p, ".") || strings.HasSuffix(p, "."):
		return errors.New("must not start or end with '.'")
	case strings.ContainsAny(p, " \t\n"):
		return errors.New("must not contain whitespace")
	}
	return nil
}
