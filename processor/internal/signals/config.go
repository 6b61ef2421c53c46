package signals

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Config tunes the detectors. The zero value of every field means its
// documented default.
type Config struct {
	// Enabled turns signals on; default true.
	Enabled *bool `mapstructure:"enabled"`
	// UserTurnBaseline is how many user turns a task may take before the
	// conversation counts as stagnating.
	UserTurnBaseline int `mapstructure:"user_turn_baseline"`
	// NearDuplicate is the word-set similarity (Jaccard, 0..1) at which two
	// messages count as the same message said again.
	NearDuplicate float64 `mapstructure:"near_duplicate_similarity"`
	// LoopRepeats is how many times a call or a pattern of calls must
	// repeat in a row to be a loop.
	LoopRepeats int `mapstructure:"loop_repeats"`
	// ConversationWindow is how long tool calls of one conversation are
	// remembered across spans and traces.
	ConversationWindow time.Duration `mapstructure:"conversation_window"`
	// MaxConversations bounds the conversations remembered; the least
	// recently seen is forgotten first.
	MaxConversations int `mapstructure:"max_conversations"`
	// FeedbackAttribute names a span attribute carrying explicit user
	// feedback; empty turns the feedback signal off.
	FeedbackAttribute string `mapstructure:"feedback_attribute"`
	// NegativeFeedbackValues are the values of FeedbackAttribute that count
	// as negative (compared case-insensitively).
	NegativeFeedbackValues []string `mapstructure:"negative_feedback_values"`
	// Phrases adds phrases per "category.kind", e.g. disengagement.escalation.
	Phrases map[string][]string `mapstructure:"phrases"`
	// Runaway bounds trajectory cost per trace and per conversation.
	Runaway RunawayConfig `mapstructure:"runaway"`
	// ReplacePhrases replaces the defaults of the listed "category.kind"
	// entries instead of adding to them.
	ReplacePhrases []string `mapstructure:"replace_phrases"`
}

// Defaults of Config.
const (
	DefaultUserTurnBaseline   = 8
	DefaultNearDuplicate      = 0.85
	DefaultLoopRepeats        = 3
	DefaultConversationWindow = time.Hour
	DefaultMaxConversations   = 10000
)

// DefaultNegativeFeedback are the values of the feedback attribute that
// count as negative unless configured otherwise.
var DefaultNegativeFeedback = []string{"negative", "thumbs_down", "down", "bad", "-1", "0", "false"}

// IsEnabled reports whether signals run.
func (c *Config) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.UserTurnBaseline == 0 {
		c.UserTurnBaseline = DefaultUserTurnBaseline
	}
	if c.NearDuplicate == 0 {
		c.NearDuplicate = DefaultNearDuplicate
	}
	if c.LoopRepeats == 0 {
		c.LoopRepeats = DefaultLoopRepeats
	}
	if c.ConversationWindow == 0 {
		c.ConversationWindow = DefaultConversationWindow
	}
	if c.MaxConversations == 0 {
		c.MaxConversations = DefaultMaxConversations
	}
	if c.NegativeFeedbackValues == nil {
		c.NegativeFeedbackValues = DefaultNegativeFeedback
	}
	c.Runaway = c.Runaway.withDefaults()
	return c
}

// validate names the field of every mistake. It is not the collector's
// Validate: the collector would name the block on the first line only, so
// the processor reports these through New, one line each.
func (c *Config) validate() error {
	var errs []error
	if c.UserTurnBaseline < 0 {
		errs = append(errs, errors.New("user_turn_baseline: must be positive"))
	}
	if c.NearDuplicate < 0 || c.NearDuplicate > 1 {
		errs = append(errs, fmt.Errorf("near_duplicate_similarity: %g is outside [0, 1]", c.NearDuplicate))
	}
	if c.LoopRepeats < 0 || c.LoopRepeats == 1 {
		errs = append(errs, errors.New("loop_repeats: must be at least 2"))
	}
	if c.ConversationWindow < 0 {
		errs = append(errs, errors.New("conversation_window: must be positive"))
	}
	if c.MaxConversations < 0 {
		errs = append(errs, errors.New("max_conversations: must be positive"))
	}
	errs = append(errs, c.Runaway.validate()...)
	keys := make([]string, 0, len(c.Phrases))
	for k := range c.Phrases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, _, err := parseKindKey(k); err != nil {
			errs = append(errs, fmt.Errorf("phrases[%s]: %w", k, err))
		}
	}
	for i, k := range c.ReplacePhrases {
		if _, _, err := parseKindKey(k); err != nil {
			errs = append(errs, fmt.Errorf("replace_phrases[%d]: %w", i, err))
		}
	}
	if _, _, err := compilePhrases(c.withDefaults()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// parseKindKey splits "category.kind" and checks the category has phrase
// lists.
func parseKindKey(k string) (Category, string, error) {
	cat, kind, ok := strings.Cut(k, ".")
	c, known := CategoryByName(cat)
	if !ok || !known || kind == "" {
		return 0, "", fmt.Errorf("want category.kind, e.g. disengagement.escalation")
	}
	if _, has := defaultPhrases[c]; !has {
		return 0, "", fmt.Errorf("category %s has no phrase lists", cat)
	}
	return c, kind, nil
}
