package signals

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/otelcol-llmeval/otelcol-llmeval/evaluators"
	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// RunawayConfig bounds what a trajectory costs: per trace, and per
// conversation over a sliding wall-clock window. An agent repeating a
// failing call thousands of times an hour is caught by the conversation's
// model and tool calls within the window, so an alert can fire within
// minutes, not when the bill comes.
type RunawayConfig struct {
	// Window is the conversation's sliding window.
	Window time.Duration `mapstructure:"window"`
	// MaxTraces bounds the traces whose sums are remembered; the least
	// recently seen is forgotten first (counted).
	MaxTraces int `mapstructure:"max_traces"`
	// Trace and Conversation are the bounds; a span that takes a sum above
	// its bound, and every later one while it stays above, gets the
	// runaway kind <scope>_<measure>.
	Trace        Bounds `mapstructure:"trace"`
	Conversation Bounds `mapstructure:"conversation"`
	// Prices override the cost check's default prices (USD per million
	// tokens), for the cost measure.
	Prices map[string]evaluators.Price `mapstructure:"prices"`
}

// Bounds are the limits of one scope. 0 means the default; a negative
// value turns the bound off.
type Bounds struct {
	MaxSteps      int64   `mapstructure:"max_steps"`
	MaxModelCalls int64   `mapstructure:"max_model_calls"`
	MaxToolCalls  int64   `mapstructure:"max_tool_calls"`
	MaxTokens     int64   `mapstructure:"max_tokens"`
	MaxCostUSD    float64 `mapstructure:"max_cost_usd"`
}

// Defaults of RunawayConfig. Tokens and cost depend on the model and the
// task, so they are off unless set; steps and calls have generous bounds
// no healthy agent should reach (a conversation making a model or tool
// call every 6 seconds for an hour).
const (
	DefaultRunawayWindow      = time.Hour
	DefaultRunawayMaxTraces   = 10000
	DefaultTraceMaxSteps      = 200
	DefaultTraceMaxModelCalls = 100
	DefaultTraceMaxToolCalls  = 100
	DefaultConvMaxModelCalls  = 600
	DefaultConvMaxToolCalls   = 600
)

func (b Bounds) withDefaults(steps, model, tool int64) Bounds {
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&b.MaxSteps, steps)
	def(&b.MaxModelCalls, model)
	def(&b.MaxToolCalls, tool)
	def(&b.MaxTokens, -1)
	if b.MaxCostUSD == 0 {
		b.MaxCostUSD = -1
	}
	return b
}

func (c RunawayConfig) withDefaults() RunawayConfig {
	if c.Window == 0 {
		c.Window = DefaultRunawayWindow
	}
	if c.MaxTraces == 0 {
		c.MaxTraces = DefaultRunawayMaxTraces
	}
	c.Trace = c.Trace.withDefaults(DefaultTraceMaxSteps, DefaultTraceMaxModelCalls, DefaultTraceMaxToolCalls)
	c.Conversation = c.Conversation.withDefaults(-1, DefaultConvMaxModelCalls, DefaultConvMaxToolCalls)
	return c
}

func (c RunawayConfig) validate() []error {
	var errs []error
	if c.Window < 0 {
		errs = append(errs, errors.New("runaway: window: must be positive"))
	}
	if c.MaxTraces < 0 {
		errs = append(errs, errors.New("runaway: max_traces: must be positive"))
	}
	if _, err := evaluators.NewPriceTable(c.Prices); err != nil {
		errs = append(errs, fmt.Errorf("runaway: prices: %w", err))
	}
	return errs
}

// Measures are what spans cost: LLM/agent spans (steps), model calls,
// tool calls, tokens (input and output) and USD.
type Measures struct {
	Steps, ModelCalls, ToolCalls, Tokens int64
	CostUSD                              float64
}

// Add adds o to m.
func (m *Measures) Add(o Measures) {
	m.Steps += o.Steps
	m.ModelCalls += o.ModelCalls
	m.ToolCalls += o.ToolCalls
	m.Tokens += o.Tokens
	m.CostUSD += o.CostUSD
}

// Totals are what a judge copy carries of a trace's cost: the sums over
// its spans, and its conversation's sums over the window as the latest of
// its spans that has a conversation saw them.
type Totals struct {
	Trace        Measures
	Conversation Measures
}

// Add adds the spans of o to t; o's conversation sums, when it has some,
// are the later ones.
func (t *Totals) Add(o Totals) {
	t.Trace.Add(o.Trace)
	if o.Conversation.Steps > 0 {
		t.Conversation = o.Conversation
	}
}

// over adds the kinds of the bounds m is above, for scope.
func (m Measures) over(b Bounds, scope string, f *Found) {
	check := func(v, bound int64, name string) {
		if bound >= 0 && v > bound {
			f.Add(Runaway, scope+"_"+name, 1)
		}
	}
	check(m.Steps, b.MaxSteps, "steps")
	check(m.ModelCalls, b.MaxModelCalls, "model_calls")
	check(m.ToolCalls, b.MaxToolCalls, "tool_calls")
	check(m.Tokens, b.MaxTokens, "tokens")
	if b.MaxCostUSD >= 0 && m.CostUSD > b.MaxCostUSD {
		f.Add(Runaway, scope+"_cost", 1)
	}
}

// modelOperation reports whether an operation calls a model.
func modelOperation(op string) bool {
	switch op {
	case "chat", "text_completion", "generate_content", "embeddings":
		return true
	}
	return false
}

// measureSpan is what the span v views costs.
func (d *Detector) measureSpan(v *spanmodel.View) Measures {
	m := Measures{Steps: 1}
	switch {
	case v.IsToolSpan():
		m.ToolCalls = 1
	case modelOperation(v.Operation()):
		m.ModelCalls = 1
	}
	u := v.Usage()
	m.Tokens = max(u.Input, 0) + max(u.Output, 0)
	if model := v.Model(); model != "" && m.Tokens > 0 {
		if p, ok := d.prices.Lookup(model); ok {
			m.CostUSD = p.USD(u.Input, u.CachedInput, u.Output)
		}
	}
	return m
}

// runaway adds the span's cost to its trace and conversation, keeps the
// conversation's sums for its judge copy and reports the bounds they are
// above.
func (d *Detector) runaway(v *spanmodel.View, f *Found) {
	m := d.measureSpan(v)
	f.Cost = m
	trace := d.traceCost.add(traceKey(v.Span().TraceID()), m)
	trace.over(d.cfg.Runaway.Trace, "trace", f)
	if conv := v.ConversationID(); conv != "" {
		f.Conversation = d.convCost.addWindowed(hashKey(conv), m)
		f.Conversation.over(d.cfg.Runaway.Conversation, "conversation", f)
	}
}

// costBuckets splits a conversation's window in this many steps: the sum
// slides by window/costBuckets, and a conversation costs a fixed
// costBuckets × 48 bytes.
const costBuckets = 12

// What one remembered trace and conversation cost at most (README,
// "Runaway cost"): a trace its node (key, links and its sum, 56 B) and its
// map slot; a conversation its node (key and links, 16 B), costBuckets
// buckets of measures and start times (48 B each) and its map slot. A
// trace keeps no buckets: its sum is over its whole life.
const (
	traceCostBytes = 128
	convCostBytes  = 704
)

// costState remembers sums per hashed key, at most max, forgetting the
// least recently seen (counted): traceCosts a trace's over its whole life,
// convCosts a conversation's over the buckets within the window.
type costState[E any] struct {
	mu        sync.Mutex
	lru       *lru[E]
	evictions atomic.Int64
}

// entry is key's entry (zero for a key not kept); c.mu is held.
func (c *costState[E]) entry(key uint64) *E {
	e, evicted := c.lru.use(key)
	if evicted {
		c.evictions.Add(1)
	}
	return e
}

type traceCosts struct{ costState[Measures] }

func newTraceCosts(max int) *traceCosts {
	return &traceCosts{costState[Measures]{lru: newLRU[Measures](max)}}
}

// add adds m to key's running sum and returns it.
func (c *traceCosts) add(key uint64, m Measures) Measures {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(key)
	e.Add(m)
	return *e
}

type convCosts struct {
	costState[windowSums]
	window time.Duration
	now    func() time.Time
}

// windowSums are a conversation's sums by bucket of the window.
type windowSums struct {
	buckets [costBuckets]Measures
	starts  [costBuckets]int64 // bucket start, Unix nanoseconds
}

func newConvCosts(max int, window time.Duration) *convCosts {
	return &convCosts{costState: costState[windowSums]{lru: newLRU[windowSums](max)}, window: window, now: time.Now}
}

// addWindowed adds m to key's current bucket and returns the sum over the
// window, by the wall clock.
func (c *convCosts) addWindowed(key uint64, m Measures) Measures {
	now := c.now().UnixNano()
	step := int64(c.window) / costBuckets
	if step <= 0 {
		step = 1
	}
	start := now - now%step
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(key)
	i := int((start / step) % costBuckets)
	if e.starts[i] != start {
		e.buckets[i], e.starts[i] = Measures{}, start
	}
	e.buckets[i].Add(m)
	var sum Measures
	for j := range e.buckets {
		if now-e.starts[j] < int64(c.window) {
			sum.Add(e.buckets[j])
		}
	}
	return sum
}
