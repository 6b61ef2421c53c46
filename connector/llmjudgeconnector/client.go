package llmjudgeconnector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configretry"
)

// maxResponseBytes bounds a judge's HTTP answer; max_tokens bounds the
// text in it, so anything near this is not an answer.
const maxResponseBytes = 4 << 20

// Error types of judgements that end in an error record (error.type).
const (
	errTimeout     = "timeout"
	errTransport   = "transport"
	errRateLimited = "rate_limited"
	errServer      = "server_error"
	errClient      = "client_error"
	errMalformed   = "malformed_response"
	errRefused     = "judge_refused"
	errUnparseable = "unparseable_answer"
	errUndecodable = "undecodable_content"
	errTemplate    = "template_error"
	errCondition   = "condition_error"
	// errCanceledCall ends a call at shutdown; it is counted as a skip,
	// never written.
	errCanceledCall = "canceled"
)

// errorTypes is every error.type a record can carry (metadata.yaml's
// error_type values).
var errorTypes = []string{errTimeout, errTransport, errRateLimited, errServer, errClient, errMalformed,
	errRefused, errUnparseable, errUndecodable, errTemplate, errCondition}

// ChatMessage is one message of a chat completions request.
type ChatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatMessage = ChatMessage

type chatRequest struct {
	Model          string          `json:"model"`
	Messages       []chatMessage   `json:"messages"`
	Temperature    float64         `json:"temperature"`
	MaxTokens      int             `json:"max_tokens"`
	ResponseFormat json.RawMessage `json:"response_format,omitempty"`
}

type chatResponse struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int64 `json:"prompt_tokens"`
		CompletionTokens int64 `json:"completion_tokens"`
	} `json:"usage"`
}

// answer is what a successful call returned.
type answer struct {
	content, refusal, finishReason, model string
	inputTokens, outputTokens             int64
	hasUsage                              bool
	retries                               int
}

// callError is a call that did not produce an answer; typ is its error.type.
type callError struct {
	typ    string
	status int
	err    error
}

func (e *callError) Error() string {
	if e.status != 0 {
		return fmt.Sprintf("%s: HTTP %d", e.typ, e.status)
	}
	return fmt.Sprintf("%s: %v", e.typ, e.err)
}

func (e *callError) retryable() bool {
	switch e.typ {
	case errTimeout, errTransport, errRateLimited, errServer:
		return true
	}
	return false
}

// client calls an OpenAI-compatible chat completions endpoint.
type client struct {
	http   *http.Client
	url    string
	apiKey string
	retry  configretry.BackOffConfig
	// now and sleep are the clock; tests replace them.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func newClient(ctx context.Context, m *ModelConfig, host component.Host, tel component.TelemetrySettings) (*client, error) {
	hc, err := m.ClientConfig.ToClient(ctx, host.GetExtensions(), tel)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return &client{
		http:   hc,
		url:    strings.TrimRight(m.ClientConfig.Endpoint, "/") + "/chat/completions",
		apiKey: string(m.APIKey),
		retry:  m.RetryOnFailure,
		now:    time.Now,
		sleep:  sleepCtx,
	}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// complete posts body, retrying 429s, 5xx answers, timeouts and network
// errors with exponential backoff. A Retry-After header replaces the
// backoff interval; a wait that would end past max_elapsed_time ends the
// call with the last error instead.
func (c *client) complete(ctx context.Context, body []byte) (answer, error) {
	began := c.now()
	interval := c.retry.InitialInterval
	for retries := 0; ; retries++ {
		a, retryAfter, err := c.once(ctx, body)
		a.retries = retries
		var ce *callError
		if err == nil || !c.retry.Enabled || !errors.As(err, &ce) || !ce.retryable() {
			return a, err
		}
		wait := jitter(interval, c.retry.RandomizationFactor)
		if retryAfter > 0 {
			wait = retryAfter
		}
		if c.retry.MaxElapsedTime > 0 && c.now().Sub(began)+wait > c.retry.MaxElapsedTime {
			return a, err
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return a, &callError{typ: errCanceledCall, err: serr}
		}
		interval = min(time.Duration(float64(interval)*max(c.retry.Multiplier, 1)), c.retry.MaxInterval)
	}
}

func jitter(d time.Duration, factor float64) time.Duration {
	if factor <= 0 || d <= 0 {
		return d
	}
	delta := factor * float64(d)
	return time.Duration(float64(d) - delta + rand.Float64()*(2*delta))
}

// once makes one request. retryAfter is the server's Retry-After, if any.
func (c *client) once(ctx context.Context, body []byte) (a answer, retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return a, 0, &callError{typ: errTransport, err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return a, 0, classify(ctx, err)
	}
	defer func() { _ = resp.Body.Close() }()
	// The body of an error answer may echo the prompt: it is drained,
	// never read into an error or a log.
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
		ce := &callError{typ: errClient, status: resp.StatusCode}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			ce.typ = errRateLimited
		case resp.StatusCode >= 500:
			ce.typ = errServer
		}
		return a, parseRetryAfter(resp.Header.Get("Retry-After"), c.now()), ce
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return a, 0, classify(ctx, err)
	}
	var cr chatResponse
	if len(raw) > maxResponseBytes || json.Unmarshal(raw, &cr) != nil || len(cr.Choices) == 0 {
		return a, 0, &callError{typ: errMalformed, err: errors.New("not a chat completion")}
	}
	ch := cr.Choices[0]
	if ch.Message.Content == nil && ch.Message.Refusal == nil {
		return a, 0, &callError{typ: errMalformed, err: errors.New("no message content")}
	}
	a.model, a.finishReason = cr.Model, ch.FinishReason
	if ch.Message.Content != nil {
		a.content = *ch.Message.Content
	}
	if ch.Message.Refusal != nil {
		a.refusal = *ch.Message.Refusal
	}
	if cr.Usage != nil {
		a.inputTokens, a.outputTokens, a.hasUsage = cr.Usage.PromptTokens, cr.Usage.CompletionTokens, true
	}
	return a, 0, nil
}

// classify names a transport failure.
func classify(ctx context.Context, err error) *callError {
	if ctx.Err() != nil {
		return &callError{typ: errCanceledCall, err: ctx.Err()}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &callError{typ: errTimeout, err: err}
	}
	return &callError{typ: errTransport, err: err}
}

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or
// unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
