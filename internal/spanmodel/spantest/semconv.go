package spantest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Fixture is one GenAI semconv example or schema test case transcribed
// into testdata/semconv (see its README), with a personal-data marker in
// every text-bearing part and where each marker must land.
type Fixture struct {
	Name        string
	Source      string `json:"source"`
	Description string `json:"description"`
	// Attributes in file order; values are raw JSON.
	Attributes []Attr `json:"-"`
	// Lands maps a target (output, input, system, reasoning,
	// tool_arguments, tool_result) to the markers it must read; "none"
	// lists markers in parts no target reads.
	Lands map[string][]string `json:"lands"`
}

// Attr is one attribute of a fixture.
type Attr struct {
	Key string
	Raw json.RawMessage
}

// Form is how a fixture's content attributes are sent.
type Form int

const (
	// FormJSON: each content attribute as a JSON string, the file's text.
	FormJSON Form = iota
	// FormCompact: as a JSON string, re-encoded compact with sorted keys.
	FormCompact
	// FormStructured: as a structured AnyValue (slices and maps).
	FormStructured
)

func (f Form) String() string { return [...]string{"json", "compact", "structured"}[f] }

// Forms lists every Form.
var Forms = []Form{FormJSON, FormCompact, FormStructured}

// contentKeys are sent per Form; other attributes always as values.
var contentKeys = map[string]bool{
	"gen_ai.input.messages": true, "gen_ai.output.messages": true,
	"gen_ai.system_instructions": true, "gen_ai.tool.definitions": true,
	"gen_ai.tool.call.arguments": true, "gen_ai.tool.call.result": true,
}

// SemconvFixtures loads every fixture in dir, sorted by name.
func SemconvFixtures(t testing.TB, dir string) []Fixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, dir)
	sort.Strings(files)
	out := make([]Fixture, 0, len(files))
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		var f Fixture
		require.NoError(t, json.Unmarshal(b, &f), file)
		var doc struct {
			Attributes json.RawMessage `json:"attributes"`
		}
		require.NoError(t, json.Unmarshal(b, &doc), file)
		f.Attributes = orderedAttrs(t, doc.Attributes)
		f.Name = strings.TrimSuffix(filepath.Base(file), ".json")
		require.NotEmpty(t, f.Source, file)
		out = append(out, f)
	}
	return out
}

// orderedAttrs reads a JSON object's members in order.
func orderedAttrs(t testing.TB, raw json.RawMessage) []Attr {
	dec := json.NewDecoder(bytes.NewReader(raw))
	_, err := dec.Token()
	require.NoError(t, err)
	var attrs []Attr
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
		attrs = append(attrs, Attr{Key: k.(string), Raw: v})
	}
	return attrs
}

// Markers lists every marker of the fixture.
func (f *Fixture) Markers() []string {
	var all []string
	for _, m := range f.Lands {
		all = append(all, m...)
	}
	sort.Strings(all)
	return all
}

// Span builds the fixture's span with its content in form.
func (f *Fixture) Span(t testing.TB, form Form) (ptrace.ResourceSpans, ptrace.ScopeSpans, ptrace.Span) {
	t.Helper()
	attrs := make([]KV, 0, len(f.Attributes))
	for _, a := range f.Attributes {
		var v any
		require.NoError(t, json.Unmarshal(a.Raw, &v), a.Key)
		switch {
		case !contentKeys[a.Key] || form == FormStructured:
		case form == FormJSON:
			v = string(a.Raw)
		case form == FormCompact:
			b, err := json.Marshal(v)
			require.NoError(t, err)
			v = string(b)
		}
		attrs = append(attrs, KV{a.Key, v})
	}
	return NewSpan(t, attrs...)
}
