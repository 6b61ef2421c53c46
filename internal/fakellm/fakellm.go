// Package fakellm is a scripted OpenAI-compatible chat completions server
// for tests: the judge's unit tests, the llmeval tool's tests and the
// end-to-end tests talk to it on 127.0.0.1.
package fakellm

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Request is a chat completions request as the server received it.
type Request struct {
	Auth           string          `json:"-"`
	Path           string          `json:"-"`
	Model          string          `json:"model"`
	Messages       []Message       `json:"messages"`
	Temperature    float64         `json:"temperature"`
	MaxTokens      int             `json:"max_tokens"`
	ResponseFormat json.RawMessage `json:"response_format"`
}

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Prompt is the request's last message: the rendered prompt.
func (r Request) Prompt() string {
	if len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[len(r.Messages)-1].Content
}

// Reply is what the server answers one request with.
type Reply struct {
	Status  int // 200 when 0
	Headers map[string]string
	Body    string
	Delay   time.Duration // before answering; cut short when the client goes
}

// OK answers with a chat completion whose message is content.
func OK(content string) Reply { return Reply{Body: Completion(content)} }

// Completion is a chat completion body answering content, reporting 1000
// prompt and 100 completion tokens.
func Completion(content string) string {
	b, _ := json.Marshal(map[string]any{
		"id":      "chatcmpl-judge",
		"object":  "chat.completion",
		"model":   "judge-model-2025",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": content}, "finish_reason": "stop"}},
		"usage":   map[string]any{"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100},
	})
	return string(b)
}

// Server is the scripted server.
type Server struct {
	URL string // http://127.0.0.1:port
	srv *httptest.Server

	mu          sync.Mutex
	requests    []Request
	inFlight    int
	maxInFlight int
	reply       func(n int, req Request) Reply
}

// New starts a server answering request n (from 0) with reply(n, req);
// a nil reply passes everything.
func New(reply func(n int, req Request) Reply) *Server {
	s := &Server{reply: reply}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var req Request
	_ = json.Unmarshal(raw, &req)
	req.Auth, req.Path = r.Header.Get("Authorization"), r.URL.Path
	s.mu.Lock()
	n := len(s.requests)
	s.requests = append(s.requests, req)
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	fn := s.reply
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	rep := OK(`{"explanation":"fine","verdict":"pass"}`)
	if fn != nil {
		rep = fn(n, req)
	}
	if rep.Delay > 0 {
		select {
		case <-time.After(rep.Delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range rep.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.Status != 0 {
		w.WriteHeader(rep.Status)
	}
	_, _ = io.WriteString(w, rep.Body)
}

// Count is the number of requests received.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// MaxInFlight is the most requests the server held at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}
