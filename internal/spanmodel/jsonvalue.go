package spanmodel

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// JSON decoding helpers shared by the layout decoders.

// viewBytes views s as bytes without copying; json.Unmarshal only reads its
// input and every decoded string is a copy.
func viewBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// errNestedShape marks a wrong shape found by a nested decode; its offset
// would be relative, so it is not reported.
var errNestedShape = errors.New("unexpected JSON shape")

// contentError explains why the content attribute key cannot be decoded,
// naming the key and a byte offset, never the content (json's own messages
// quote characters from the input).
func contentError(key string, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if strings.HasSuffix(se.Error(), "exceeded max depth") {
			return fmt.Errorf("%s: JSON nested too deeply at byte %d", key, se.Offset)
		}
		return fmt.Errorf("%s: invalid JSON at byte %d", key, se.Offset)
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Errorf("%s: unexpected JSON shape at byte %d", key, ute.Offset)
	}
	return fmt.Errorf("%s: unexpected JSON shape", key)
}

func sizeError(key string, n int) error {
	return fmt.Errorf("%s: %d bytes exceeds %d bytes", key, n, MaxContentBytes)
}

func typeError(key string, t pcommon.ValueType, want string) error {
	return fmt.Errorf("%s: unexpected %s value, want %s", key, t, want)
}

// unmarshalContent decodes the JSON text s of attribute key into out.
func unmarshalContent(key, s string, out any) error {
	if len(s) > MaxContentBytes {
		return sizeError(key, len(s))
	}
	if err := json.Unmarshal(viewBytes(s), out); err != nil {
		return contentError(key, err)
	}
	return nil
}

// unmarshalLocal is unmarshalContent into *out through a copy on the heap:
// encoding/json takes its target as an interface, which moves a caller's
// local to the heap on every call, also when the one-pass reader decodes it
// and encoding/json is never called.
func unmarshalLocal[T any](key, s string, out *T) error {
	p := new(T)
	*p = *out
	err := unmarshalContent(key, s, p)
	*out = *p
	return err
}

// jsonText is a JSON value read as text: a string is unquoted, null is
// empty, anything else is kept as its raw JSON text.
type jsonText struct {
	s   string
	set bool
}

func (t *jsonText) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) >= 2 && b[0] == '"':
		t.set = true
		if !slices.Contains(b, '\\') {
			t.s = string(b[1 : len(b)-1])
			return nil
		}
		if err := json.Unmarshal(b, &t.s); err != nil {
			return errNestedShape
		}
	case string(b) == "null":
		t.s, t.set = "", false
	default:
		t.s, t.set = string(b), true
	}
	return nil
}
