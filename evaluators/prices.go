package evaluators

// Price is a model's list price in USD per million tokens.
type Price struct {
	InputPerMillion       float64 `mapstructure:"input_per_million"`
	OutputPerMillion      float64 `mapstructure:"output_per_million"`
	CachedInputPerMillion float64 `mapstructure:"cached_input_per_million"`
}

// DefaultPrices are public list prices, USD per million tokens, as of
// 2025-11, for common models. They drift: pin your own with `prices`, which
// override these entry by entry. A trailing `*` covers dated snapshots
// (gpt-4o-2024-08-06); the longest matching pattern wins, so gpt-4o-mini*
// beats gpt-4o*.
var DefaultPrices = map[string]Price{
	// OpenAI
	"gpt-5*":        {1.25, 10, 0.125},
	"gpt-5-mini*":   {0.25, 2, 0.025},
	"gpt-5-nano*":   {0.05, 0.40, 0.005},
	"gpt-4.1*":      {2, 8, 0.50},
	"gpt-4.1-mini*": {0.40, 1.60, 0.10},
	"gpt-4.1-nano*": {0.10, 0.40, 0.025},
	"gpt-4o*":       {2.50, 10, 1.25},
	"gpt-4o-mini*":  {0.15, 0.60, 0.075},
	"o3*":           {2, 8, 0.50},
	"o3-mini*":      {1.10, 4.40, 0.55},
	"o4-mini*":      {1.10, 4.40, 0.275},
	// Anthropic
	"claude-opus-4-5*":   {5, 25, 0.50},
	"claude-opus-4*":     {15, 75, 1.50},
	"claude-sonnet-4*":   {3, 15, 0.30},
	"claude-3-7-sonnet*": {3, 15, 0.30},
	"claude-haiku-4-5*":  {1, 5, 0.10},
	"claude-3-5-haiku*":  {0.80, 4, 0.08},
	// Google
	"gemini-2.5-pro*":        {1.25, 10, 0.31},
	"gemini-2.5-flash*":      {0.30, 2.50, 0.075},
	"gemini-2.5-flash-lite*": {0.10, 0.40, 0.025},
	"gemini-2.0-flash*":      {0.10, 0.40, 0.025},
	// Mistral
	"mistral-large*":  {2, 6, 0},
	"mistral-medium*": {0.40, 2, 0},
	"mistral-small*":  {0.10, 0.30, 0},
}
