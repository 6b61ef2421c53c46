package signals

import (
	"container/list"
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
	trace := d.traceCost.add(traceKey("", v.Span().TraceID()), m)
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

// One remembered trace or conversation costs at most ~830 bytes: its
// entry (key, list element, map slot, ~160 B) and costBuckets buckets of
// measures and start times (56 B each); README, "Runaway cost".

// costState remembers sums per hashed key, at most max, forgetting the
// least recently seen (counted). A conversation's sum is over the buckets
// within the window; a trace's is over its whole life.
type costState struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu        sync.Mutex
	byKey     map[uint64]*list.Element
	lru       *list.List
	evictions atomic.Int64
}

type costEntry struct {
	key     uint64
	total   Measures // a trace's sum
	buckets [costBuckets]Measures
	starts  [costBuckets]int64 // bucket start, Unix nanoseconds
}

func newCostState(max int, window time.Duration) *costState {
	return &costState{max: max, window: window, now: time.Now, byKey: map[uint64]*list.Element{}, lru: list.New()}
}

func (c *costState) entry(key uint64) *costEntry {
	if el, ok := c.byKey[key]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*costEntry)
	}
	if c.lru.Len() >= c.max {
		// Full (max >= 1, as validated, so there is a least recently
		// seen entry): it is forgotten and serves the new key, as
		// pushing a new one and forgetting the oldest would, without
		// allocating.
		el := c.lru.Back()
		e := el.Value.(*costEntry)
		delete(c.byKey, e.key)
		c.evictions.Add(1)
		*e = costEntry{key: key}
		c.lru.MoveToFront(el)
		c.byKey[key] = el
		return e
	}
	e := &costEntry{key: key}
	c.byKey[key] = c.lru.PushFront(e) // not full before, so at most max now
	return e
}

// add adds m to key's running sum and returns it.
func (c *costState) add(key uint64, m Measures) Measures {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(key)
	e.total.Add(m)
	return e.total
}

// addWindowed adds m to key's current bucket and returns the sum over the
// window, by the wall clock.
func (c *costState) addWindowed(key uint64, m Measures) Measures {
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
