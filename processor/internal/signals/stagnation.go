package signals

import (
	"strings"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// stagnation: the task takes more user turns than it should, or the agent
// repeats its previous answer.
func (d *Detector) stagnation(c *conversation, f *Found) {
	if c.userTurns > d.cfg.UserTurnBaseline {
		f.Add(Stagnation, "too_many_turns", 1)
	}
	if c.near.set {
		if c.near.answer {
			f.Add(Stagnation, "repeated_response", 1)
		}
		return
	}
	answer := c.answer
	if answer == "" {
		return
	}
	for i := len(c.in) - 1; i >= 0; i-- {
		if c.in[i].Role == "assistant" && c.in[i].Text != "" {
			if nearDuplicate(answer, c.in[i].Text, d.cfg.NearDuplicate) {
				f.Add(Stagnation, "repeated_response", 1)
			}
			return
		}
	}
}

// joinText is the text of msgs, one message a line.
func joinText(msgs []spanmodel.Message) string {
	only := -1 // the one message with text
	for i := range msgs {
		if msgs[i].Text != "" {
			if only >= 0 {
				only = -2
				break
			}
			only = i
		}
	}
	switch only {
	case -1:
		return ""
	case -2:
	default:
		return msgs[only].Text // no copy
	}
	var b strings.Builder
	for _, m := range msgs {
		if m.Text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(m.Text)
	}
	return b.String()
}
