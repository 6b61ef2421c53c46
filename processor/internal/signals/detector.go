package signals

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// Detector finds signals on spans. It is safe for concurrent use: the
// phrase sets are immutable and the cross-span state has its own lock.
type Detector struct {
	cfg Config
	// phrases are every category's phrases, one list per category
	// (labelled by it), and kinds the leaf kind of each phrase.
	phrases  *textmatch.Phrases
	kinds    []string
	negative map[string]bool
	state    *conversations
	history  *histories // nil: every input is read as the span has it
	prices   *evaluators.PriceTable
	// traceCost and convCost are the runaway sums.
	traceCost *traceCosts
	convCost  *convCosts
	bufs      sync.Pool
	memo      phraseMemo
	// noPhraseMemo reads every text (tests compare both ways).
	noPhraseMemo bool
	// historyFrom is the input size (bytes) from which the history
	// memory reads a chat span's input; a shorter one is read directly
	// (shortConversation).
	historyFrom int
}

// New validates cfg and builds a detector; errors name the field.
func New(cfg Config) (*Detector, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	phrases, kinds, err := compilePhrases(cfg)
	if err != nil {
		return nil, err
	}
	prices, err := evaluators.NewPriceTable(cfg.Runaway.Prices)
	if err != nil {
		return nil, err
	}
	d := &Detector{cfg: cfg, phrases: phrases, kinds: kinds, negative: map[string]bool{}, state: newConversations(cfg.MaxConversations, cfg.ConversationWindow),
		history:     newHistories(cfg.MaxConversations, cfg.ConversationWindow),
		prices:      prices,
		traceCost:   newTraceCosts(cfg.Runaway.MaxTraces),
		convCost:    newConvCosts(cfg.MaxConversations, cfg.Runaway.Window),
		historyFrom: historyFromBytes,
	}
	for _, v := range cfg.NegativeFeedbackValues {
		d.negative[strings.ToLower(v)] = true
	}
	d.bufs.New = func() any { b := make([]byte, 0, 4096); return &b }
	return d, nil
}

// compilePhrases merges the defaults with the configured phrases: one
// list per category, labelled by it (categories without phrases have an
// empty list), its phrases by leaf kind in the kinds' order; kinds is the
// leaf kind of each phrase, numbered as the Phrases number them.
func compilePhrases(cfg Config) (*textmatch.Phrases, []string, error) {
	replace := map[string]bool{}
	for _, k := range cfg.ReplacePhrases {
		replace[k] = true
	}
	var b textmatch.PhraseLists
	var kinds []string
	for cat := Category(0); cat < NumCategories; cat++ {
		lists := map[string][]string{}
		for kind, list := range defaultPhrases[cat] {
			if !replace[cat.String()+"."+kind] {
				lists[kind] = append(lists[kind], list...)
			}
		}
		for key, list := range cfg.Phrases {
			c, kind, err := parseKindKey(key)
			if err != nil || c != cat {
				continue
			}
			lists[kind] = append(lists[kind], list...)
		}
		names := make([]string, 0, len(lists))
		for k := range lists {
			names = append(names, k)
		}
		sort.Strings(names)
		var all []string
		for _, k := range names {
			for _, p := range lists[k] {
				all = append(all, p)
				kinds = append(kinds, k)
			}
		}
		if _, err := b.Add(all); err != nil {
			return nil, nil, fmt.Errorf("phrases: %s: %w", cat, err)
		}
	}
	return b.Phrases(), kinds, nil
}

// The categories are the phrase lists' labels.
var _ = [textmatch.MaxLabels - NumCategories]struct{}{} // NumCategories <= MaxLabels

// Evictions is how many conversations the cross-span state forgot to stay
// within max_conversations.
func (d *Detector) Evictions() int64 { return d.state.evictions.Load() }

// HistoryEvictions is how many remembered input histories were forgotten
// to stay within max_conversations.
func (d *Detector) HistoryEvictions() int64 {
	if d.history == nil {
		return 0
	}
	return d.history.evictions.Load()
}

// HistoryReads is how many chat spans' inputs were read from a remembered
// mark, and how many whole (first seen, edited, truncated or compacted).
func (d *Detector) HistoryReads() (remembered, whole int64) {
	if d.history == nil {
		return 0, 0
	}
	return d.history.hits.Load(), d.history.misses.Load()
}

// DisableHistoryMemory turns the history memory off: every chat span's
// input is read as if its conversation were new. Tests compare both ways.
func (d *Detector) DisableHistoryMemory() { d.history = nil }

// RunawayEvictions are the traces (runaway.max_traces) and conversations
// (max_conversations) whose cost sums were forgotten to stay within bounds.
func (d *Detector) RunawayEvictions() (traces, conversations int64) {
	return d.traceCost.evictions.Load(), d.convCost.evictions.Load()
}

// Detect fills f with the signals of the span v views. f is reset first.
func (d *Detector) Detect(v *spanmodel.View, f *Found) {
	f.Reset()
	d.feedback(v, f)
	d.runaway(v, f)
	if v.IsToolSpan() {
		d.toolSpanFailure(v, f)
		d.toolSpanLoop(v, f, f.Count(Failure) > 0)
		return
	}
	out, err := v.OutputMessages()
	if err != nil {
		out = nil
	}
	c, _ := d.chatConversation(v, out)
	defer c.release()
	// The detectors read the conversation through a pointer: it is too
	// large to copy for each.
	d.userPhrases(&c, f) // satisfaction is phrases only
	d.misalignment(&c, f)
	d.stagnation(&c, f)
	d.disengagement(&c, f)
	d.failure(&c, f)
	d.exhaustion(v, f)
	d.loop(&c, f)
}

// chatConversation reads what the chat signals need of the input. A
// history the conversation's memory has seen is read from where the last
// span left it (rememberedConversation), a short one directly
// (shortConversation); otherwise only the latest messages are read
// (InputTail), unless the input has tool calls: the loop check links
// results from the first call on, so such an input is read whole, in one
// decode.
func (d *Detector) chatConversation(v *spanmodel.View, out []spanmodel.Message) (conversation, bool) {
	answer := joinText(out)
	if d.history != nil {
		if s, ok := v.InputJSON(); ok && len(s) < d.historyFrom {
			if c, ok := d.shortConversation(v, out, answer); ok {
				return c, false
			}
		} else if c, ok := d.rememberedConversation(v, out, answer); ok {
			return c, true
		}
	}
	users, calls, err := v.InputCounts()
	var in []spanmodel.Message
	switch {
	case err != nil:
	case calls > 0:
		in, err = v.InputMessages()
	default:
		in, err = v.InputTail(d.enough(users, answer != ""))
	}
	if err != nil {
		in, users = nil, 0
	}
	c := newConversation(in, out)
	c.userTurns, c.answer = users, answer
	return c, false
}

// enough reports whether a suffix of an input without tool calls holds
// everything the chat signals read, given its user count and whether the
// output has text: the last two user messages, the last assistant message
// with text when the answer is to be compared with it, and the last
// assistant message (InputTail always has it).
func (d *Detector) enough(users int, answer bool) func([]spanmodel.Message) bool {
	needUsers := min(users, 2)
	return func(tail []spanmodel.Message) bool {
		u, text := 0, !answer
		for i := range tail {
			switch tail[i].Role {
			case "user":
				u++
			case "assistant":
				text = text || tail[i].Text != ""
			}
		}
		return u >= needUsers && text
	}
}

// conversation is a chat span's trajectory as the signals read it.
type conversation struct {
	in, out []spanmodel.Message
	// lastUser and prevUser index the last two user messages of in (-1
	// when absent).
	lastUser, prevUser int
	userTurns          int
	answer             string // the output's text (joinText(out))
	// near holds the near-duplicate comparisons when the history memory
	// made them (set): the last user message against the one before, the
	// answer against the last one. in may then lack the messages they
	// compared with.
	near struct{ set, users, answer bool }
	// inCalls are the input's tool calls as the loop check reads them
	// (the last maxLoopCalls or more), when the history memory read them.
	inCalls    []call
	inCallsSet bool
	scratch    *histScratch // the memory's working set, released after Detect
}

func newConversation(in, out []spanmodel.Message) conversation {
	c := conversation{in: in, out: out, lastUser: -1, prevUser: -1}
	for i, m := range in {
		if m.Role == "user" {
			c.userTurns++
			c.prevUser, c.lastUser = c.lastUser, i
		}
	}
	return c
}

func (c *conversation) lastUserText() string {
	if c.lastUser < 0 {
		return ""
	}
	return c.in[c.lastUser].Text
}

// trailingToolResults are the results after the last assistant message:
// what the model is reacting to now, so a result is counted once, not on
// every later span that still carries it.
func (c *conversation) trailingToolResults(fn func(text string)) {
	for i := len(c.in) - 1; i >= 0; i-- {
		m := c.in[i]
		if m.Role == "assistant" {
			return
		}
		for _, r := range m.ToolResults {
			fn(r.Content)
		}
		if m.Role == "tool" && len(m.ToolResults) == 0 {
			fn(m.Text)
		}
	}
}
