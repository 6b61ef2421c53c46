package llmjudgeconnector

import (
	"context"
	"net/url"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-llmeval/otelcol-llmeval/connector/llmjudgeconnector/internal/metadata"
)

// judgeConnector receives traces, renders the rubrics' prompts at once
// and queues them; a fixed set of workers calls the judge under the
// budget and writes one record per judgement. ConsumeTraces never waits
// for a judge: a full queue, an exhausted budget or a slow judge means
// skipped judgements, counted.
type judgeConnector struct {
	cfg       *Config
	judge     *Judge
	next      consumer.Logs
	telemetry component.TelemetrySettings
	tb        *metadata.TelemetryBuilder
	logger    *zap.Logger
	keys      recordKeys
	budget    *budget
	now       func() time.Time

	queue chan *Task
	stop  chan struct{}
	wg    sync.WaitGroup
	// callCtx ends the calls in flight at shutdown.
	callCtx    context.Context
	cancelCall context.CancelFunc

	mu      sync.RWMutex
	closed  bool
	started bool
}

func newConnector(set connector.Settings, cfg *Config, next consumer.Logs) (*judgeConnector, error) {
	j, err := NewJudge(cfg, set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	c := &judgeConnector{
		cfg:       cfg,
		judge:     j,
		next:      next,
		telemetry: set.TelemetrySettings,
		tb:        tb,
		logger:    set.Logger,
		keys:      newRecordKeys(cfg.AttributePrefix),
		budget:    newBudget(cfg.Budget),
		now:       time.Now,
		queue:     make(chan *Task, cfg.QueueSize),
		stop:      make(chan struct{}),
	}
	c.callCtx, c.cancelCall = context.WithCancel(context.Background())
	return c, nil
}

func (c *judgeConnector) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c *judgeConnector) Start(ctx context.Context, host component.Host) error {
	if !c.cfg.Model.Enabled() {
		c.logger.Warn("llmjudge: no judge model configured (model.endpoint and model.name are empty): nothing is judged, "+
			"and the traces this pipeline receives reach only its other exporters",
			zap.Strings("rubrics", c.judge.Rubrics()))
		return nil
	}
	if err := c.judge.Start(ctx, host, c.telemetry); err != nil {
		return err
	}
	endpointHost := ""
	if u, err := url.Parse(c.cfg.Model.ClientConfig.Endpoint); err == nil {
		endpointHost = u.Host // never the path or query, which may hold a key
	}
	c.logger.Info("llmjudge: judging", zap.String("model", c.cfg.Model.Name), zap.String("endpoint_host", endpointHost),
		zap.Strings("rubrics", c.judge.Rubrics()), zap.Int("max_concurrency", c.cfg.MaxConcurrency), zap.Int("queue_size", c.cfg.QueueSize))
	c.mu.Lock()
	c.started = true
	c.mu.Unlock()
	for range c.cfg.MaxConcurrency {
		c.wg.Add(1)
		go c.work()
	}
	return nil
}

// Shutdown drops the queued judgements and ends the calls in flight, all
// counted as skipped: a judge's answer is not worth holding up a
// collector's stop for.
func (c *judgeConnector) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	wasClosed := c.closed
	c.closed = true
	c.mu.Unlock()
	if !wasClosed {
		close(c.stop)
	}
	for drained := false; !drained; {
		select {
		case t := <-c.queue:
			c.tb.ConnectorLlmjudgeQueueLength.Add(ctx, -1)
			c.skip(ctx, t, skipShutdown)
		default:
			drained = true
		}
	}
	c.cancelCall()
	c.wg.Wait()
	c.tb.Shutdown()
	return nil
}

func (c *judgeConnector) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	c.mu.RLock()
	running := c.started && !c.closed
	c.mu.RUnlock()
	if !running {
		return nil
	}
	now := c.now()
	c.judge.Tasks(ctx, td, func(t *Task) bool {
		switch {
		case len(c.queue) >= cap(c.queue):
			c.skip(ctx, t, skipQueueFull)
			return false
		case !c.budget.spendLeft(now):
			c.skip(ctx, t, skipDailySpend)
			return false
		}
		return true
	}, func(t *Task) {
		switch {
		case t.skip != "":
			c.skip(ctx, t, t.skip)
		case t.errType != "":
			// Nothing to ask: the error record is written now.
			c.finish(ctx, t, c.judge.Evaluate(ctx, t))
		default:
			c.enqueue(ctx, t)
		}
	})
	return nil
}

func (c *judgeConnector) enqueue(ctx context.Context, t *Task) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		c.skip(ctx, t, skipShutdown)
		return
	}
	c.tb.ConnectorLlmjudgeQueueLength.Add(ctx, 1)
	select {
	case c.queue <- t:
	default:
		c.tb.ConnectorLlmjudgeQueueLength.Add(ctx, -1)
		c.skip(ctx, t, skipQueueFull)
	}
}

func (c *judgeConnector) work() {
	defer c.wg.Done()
	ctx := context.Background()
	for {
		select {
		case <-c.stop:
			return
		case t := <-c.queue:
			c.tb.ConnectorLlmjudgeQueueLength.Add(ctx, -1)
			select {
			case <-c.stop:
				c.skip(ctx, t, skipShutdown)
				return
			default:
			}
			c.run(ctx, t)
		}
	}
}

// run makes one judgement under the budget.
func (c *judgeConnector) run(ctx context.Context, t *Task) {
	if reason := c.budget.take(c.now()); reason != "" {
		c.skip(ctx, t, reason)
		return
	}
	o := c.judge.Evaluate(c.callCtx, t)
	if o.ErrorType == errCanceledCall {
		c.skip(ctx, t, skipShutdown)
		return
	}
	c.budget.add(c.now(), o.CostUSD)
	rubric := rubricAttr(t)
	tb := c.tb
	tb.ConnectorLlmjudgeCalls.Add(ctx, 1, rubric)
	tb.ConnectorLlmjudgeCallDuration.Record(ctx, o.Duration.Seconds(), rubric)
	if o.Retries > 0 {
		tb.ConnectorLlmjudgeRetries.Add(ctx, int64(o.Retries))
	}
	if o.InputTokens > 0 {
		tb.ConnectorLlmjudgeTokens.Add(ctx, o.InputTokens, metric.WithAttributes(attribute.String("rubric", t.rubric.name), attribute.String("token_type", "input")))
	}
	if o.OutputTokens > 0 {
		tb.ConnectorLlmjudgeTokens.Add(ctx, o.OutputTokens, metric.WithAttributes(attribute.String("rubric", t.rubric.name), attribute.String("token_type", "output")))
	}
	if o.CostUSD > 0 {
		tb.ConnectorLlmjudgeSpend.Add(ctx, o.CostUSD, rubric)
	}
	c.finish(ctx, t, o)
}

// finish counts the outcome and writes its record.
func (c *judgeConnector) finish(ctx context.Context, t *Task, o Outcome) {
	c.tb.ConnectorLlmjudgeVerdicts.Add(ctx, 1, metric.WithAttributes(attribute.String("rubric", t.rubric.name), attribute.String("label", o.Label)))
	if o.ErrorType != "" {
		c.tb.ConnectorLlmjudgeErrors.Add(ctx, 1, metric.WithAttributes(attribute.String("rubric", t.rubric.name), attribute.String("error_type", o.ErrorType)))
		c.logger.Debug("llmjudge: judgement ended in an error record", append(logTask(t), zap.String("error_type", o.ErrorType))...)
	}
	if err := c.next.ConsumeLogs(ctx, c.keys.record(t, o, c.now(), t.rubric.version)); err != nil {
		c.tb.ConnectorLlmjudgeRecordsDropped.Add(ctx, 1)
		c.logger.Debug("llmjudge: the next consumer refused a record", append(logTask(t), zap.Error(err))...)
	}
}

func (c *judgeConnector) skip(ctx context.Context, t *Task, reason string) {
	c.tb.ConnectorLlmjudgeSkips.Add(ctx, 1, metric.WithAttributes(attribute.String("rubric", t.rubric.name), attribute.String("reason", reason)))
}

func rubricAttr(t *Task) metric.MeasurementOption {
	return metric.WithAttributes(attribute.String("rubric", t.rubric.name))
}
