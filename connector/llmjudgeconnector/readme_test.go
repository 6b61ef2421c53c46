package llmjudgeconnector

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestReadmePrompts renders the README's example prompts on an agent
// trace, so the documented data model and the code cannot drift apart.
func TestReadmePrompts(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	block := func(after string) string {
		i := strings.Index(string(raw), after)
		require.GreaterOrEqual(t, i, 0, after)
		rest := string(raw)[i:]
		start := strings.Index(rest, "```\n") + 4
		end := strings.Index(rest[start:], "```")
		return rest[start : start+end]
	}
	cfg := testConfig("http://127.0.0.1:1",
		RubricConfig{Name: "span_example", When: []string{`span.name == "chat final"`}, Prompt: block("Span-level example")},
		RubricConfig{Name: "trace_example", Level: "trace", Prompt: block("Trace-level example")},
	)
	require.NoError(t, cfg.Validate())
	j := buildJudge(t, cfg)
	td := ptrace.NewTraces()
	agentTrace(td, 1, "shop", "It shipped today.")
	ts := tasks(t, j, td)
	require.Len(t, ts, 2)
	assert.Equal(t, `Judge whether the assistant's answer helps the user.
User: Where is order 42?
Answer: It shipped today.

`, prompt(ts[0]))
	assert.Equal(t, `Did the agent complete the user's task? The steps:
- invoke_agent: user:  | answer: 
- chat: user: Where is order 42? | answer: 
- execute_tool order_status: arguments {"id":42}, result {"status":"shipped"}
- chat: user: Where is order 42? | answer: It shipped today.

`, prompt(ts[1]))
}
