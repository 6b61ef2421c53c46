package spanmodel

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Reading attribute values that are not plain strings. A client may send a
// map or slice nested a million deep, or content as hundreds of thousands
// of small structured parts: pdata's own renderers (Value.AsString,
// Value.AsRaw, encoding/json) recurse, and a deep enough value overflows
// the goroutine stack, a fatal error no recover catches. So the view checks
// such values first, without recursion, and refuses them with an error
// naming the attribute: the evaluators that read them give an `error`
// verdict and the span passes through untouched.

// MaxValueDepth bounds how deeply a map or slice attribute value may nest
// for the view to read it as text.
const MaxValueDepth = 64

var (
	errValueTooDeep  = fmt.Errorf("map or slice value nested deeper than %d", MaxValueDepth)
	errValueTooLarge = fmt.Errorf("text from structured values exceeds %d bytes per span", MaxContentBytes)
)

// valueReader reads attribute values as text under one span's limits. Text
// the view assembles from structured values (maps and slices rendered as
// JSON, parts of messages given as pdata slices, indexed attributes) counts
// against MaxContentBytes per read: a side of the conversation, the system
// instructions, the tool definitions, one attribute. That is the bound each
// JSON string attribute has, and it keeps every read independent of which
// others came first: a span's facts do not depend on the evaluators
// configured. A plain string attribute is read as it is.
type valueReader struct {
	left int   // bytes the span may still assemble
	err  error // first error since the last take
}

func (r *valueReader) reset() { r.left, r.err = MaxContentBytes, nil }

// take returns the first error since the last take, and forgets it.
func (r *valueReader) take() error {
	err := r.err
	r.err = nil
	return err
}

func (r *valueReader) fail(key string, err error) {
	if r.err == nil {
		r.err = fmt.Errorf("%s: %w", key, err)
	}
}

// attr reads the top-level attribute key: a string as it is, a map or a
// slice as JSON (checked first), another scalar as Value.AsString renders
// it. On error it records it and returns "".
func (r *valueReader) attr(key string, val pcommon.Value) string {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		return val.Str()
	case pcommon.ValueTypeEmpty:
		return ""
	case pcommon.ValueTypeMap, pcommon.ValueTypeSlice, pcommon.ValueTypeBytes:
		if err := checkValue(val, r.left); err != nil {
			r.fail(key, err)
			return ""
		}
		s := val.AsString()
		if !r.charge(key, len(s)) {
			return ""
		}
		return s
	}
	return val.AsString()
}

// part reads a value inside structured content: its text counts against
// the span's budget whatever its type.
func (r *valueReader) part(key string, val pcommon.Value) string {
	if val.Type() != pcommon.ValueTypeStr {
		return r.attr(key, val)
	}
	s := val.Str()
	if !r.charge(key, len(s)) {
		return ""
	}
	return s
}

func (r *valueReader) charge(key string, n int) bool {
	if n > r.left {
		r.left = 0
		r.fail(key, errValueTooLarge)
		return false
	}
	r.left -= n
	return true
}

// checkValue walks val with an explicit stack, never recursing, and
// reports whether it nests deeper than MaxValueDepth or would render as
// more than limit bytes of JSON (estimated from below: keys, strings and a
// few bytes per element). It stops at the first excess, so a value a
// million deep costs MaxValueDepth steps.
func checkValue(val pcommon.Value, limit int) error {
	type item struct {
		v     pcommon.Value
		depth int
	}
	stack := []item{{val, 1}}
	size := 0
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch it.v.Type() {
		case pcommon.ValueTypeMap:
			if it.depth > MaxValueDepth {
				return errValueTooDeep
			}
			size += 2
			for k, e := range it.v.Map().All() {
				size += len(k) + 4
				if size > limit {
					return errValueTooLarge
				}
				stack = append(stack, item{e, it.depth + 1})
			}
		case pcommon.ValueTypeSlice:
			if it.depth > MaxValueDepth {
				return errValueTooDeep
			}
			s := it.v.Slice()
			size += 2
			for i := 0; i < s.Len(); i++ {
				size++
				if size > limit {
					return errValueTooLarge
				}
				stack = append(stack, item{s.At(i), it.depth + 1})
			}
		case pcommon.ValueTypeStr:
			size += len(it.v.Str()) + 2
		case pcommon.ValueTypeBytes:
			size += it.v.Bytes().Len()*4/3 + 2
		default:
			size += 4
		}
		if size > limit {
			return errValueTooLarge
		}
	}
	return nil
}

// IsValueError reports whether err comes from a value the view refused to
// read (too deep, or too much text for one span).
func IsValueError(err error) bool {
	return errors.Is(err, errValueTooDeep) || errors.Is(err, errValueTooLarge)
}
