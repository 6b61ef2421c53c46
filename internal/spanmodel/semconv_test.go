package spanmodel

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel/spantest"
)

// The GenAI semconv examples and schema test cases (testdata/semconv), each
// sent as JSON strings (as written, and re-encoded) and as structured
// AnyValues: every form gives the same view, nothing errors, and each
// marker lands in exactly the targets the fixture names.

var semconvTargets = map[string]Target{
	"output": tOutput, "input": tInput, "system": tSystem, "reasoning": tReason,
	"tool_arguments": tArgs, "tool_result": tResult,
}

func TestSemconvFixtures(t *testing.T) {
	for _, f := range spantest.SemconvFixtures(t, "testdata/semconv") {
		t.Run(f.Name, func(t *testing.T) {
			for name := range f.Lands {
				_, known := semconvTargets[name]
				require.True(t, known || name == "none", "unknown target %q", name)
			}
			var want string
			for _, form := range spantest.Forms {
				v := &View{}
				v.Reset(f.Span(t, form))
				checkLands(t, &f, v, form)
				got := viewSnapshot(t, v)
				if form == spantest.FormJSON {
					want = got
					continue
				}
				assert.Equal(t, want, got, "%s form differs from the JSON form", form)
			}
		})
	}
}

// checkLands checks where each marker lands and the no-text rule: output,
// reasoning and tool_result are read exactly when a marker is to land there.
func checkLands(t *testing.T, f *spantest.Fixture, v *View, form spantest.Form) {
	t.Helper()
	markers := f.Markers()
	for name, target := range semconvTargets {
		text, ok, err := v.Text(target)
		require.NoError(t, err, "%s %s", form, name)
		want := f.Lands[name]
		switch name {
		case "output", "reasoning", "tool_result":
			assert.Equal(t, len(want) > 0, ok, "%s: %s read", form, name)
		}
		for _, m := range markers {
			in := false
			for _, w := range want {
				in = in || w == m
			}
			assert.Equal(t, in, strings.Contains(text, m), "%s: %s holds %s", form, name, m)
		}
	}
}

// viewSnapshot renders every fact of a view. JSON values (arguments,
// results, parameters) are rendered canonical: the string form keeps the
// producer's spacing and key order, a structured value has neither.
func viewSnapshot(t *testing.T, v *View) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "layout=%s op=%s finish=%q\n", v.Layout(), v.Operation(), v.FinishReasons())
	for _, name := range []string{"output", "input", "system", "reasoning"} {
		text, ok, err := v.Text(semconvTargets[name])
		fmt.Fprintf(&b, "%s: %q %v %v\n", name, text, ok, err)
	}
	for _, name := range []string{"tool_arguments", "tool_result"} {
		_, ok, err := v.Text(semconvTargets[name])
		fmt.Fprintf(&b, "%s: %v %v\n", name, ok, err)
	}
	for _, side := range []string{"in", "out"} {
		get := v.InputMessages
		if side == "out" {
			get = v.OutputMessages
		}
		msgs, err := get()
		require.NoError(t, err)
		for _, m := range msgs {
			fmt.Fprintf(&b, "%s %s text=%q reasoning=%q finish=%q\n", side, m.Role, m.Text, m.Reasoning, m.FinishReason)
			for _, c := range m.ToolCalls {
				fmt.Fprintf(&b, "  call %q %q %s server=%v\n", c.ID, c.Name, canonicalJSON(c.Arguments), c.Server)
			}
			for _, r := range m.ToolResults {
				fmt.Fprintf(&b, "  result %q %q %s server=%v\n", r.ID, r.Name, canonicalJSON(r.Content), r.Server)
			}
		}
	}
	calls, err := v.ToolCalls()
	require.NoError(t, err)
	for _, c := range calls {
		fmt.Fprintf(&b, "tool call %q %q %s server=%v\n", c.ID, c.Name, canonicalJSON(c.Arguments), c.Server)
	}
	if v.IsToolSpan() {
		text, _, err := v.Text(tResult)
		require.NoError(t, err)
		fmt.Fprintf(&b, "tool span result %s\n", canonicalJSON(text))
	}
	defs, err := v.ToolDefinitions()
	require.NoError(t, err)
	for _, d := range defs {
		fmt.Fprintf(&b, "tool %q %q %s\n", d.Name, d.Description, canonicalJSON(d.Parameters))
	}
	return b.String()
}

// canonicalJSON re-encodes JSON text compact with sorted keys; other text
// is quoted as it is.
func canonicalJSON(s string) string {
	var x any
	if strings.TrimSpace(s) == "" || json.Unmarshal([]byte(s), &x) != nil {
		return fmt.Sprintf("%q", s)
	}
	if _, isStr := x.(string); isStr {
		return fmt.Sprintf("%q", s)
	}
	out, _ := json.Marshal(x)
	return string(out)
}
