package signals

import (
	"container/list"
	"sync"
	"sync/atomic"
	"time"
)

// maxRememberedCalls bounds the calls kept per conversation.
const maxRememberedCalls = 32

// conversations remembers the recent tool calls of each conversation, so
// loops spanning several spans or traces are seen. It holds at most max
// conversations, forgetting the least recently seen, and drops calls older
// than the window.
type conversations struct {
	max    int
	window time.Duration

	mu        sync.Mutex
	byKey     map[string]*list.Element
	lru       *list.List // of *convCalls, most recent first
	evictions atomic.Int64
}

type convCalls struct {
	key   string
	calls []call
	at    []time.Time
}

func newConversations(max int, window time.Duration) *conversations {
	return &conversations{max: max, window: window, byKey: map[string]*list.Element{}, lru: list.New()}
}

// record adds a call made at time at and returns a copy of the
// conversation's calls within the window, oldest first.
func (c *conversations) record(key string, cl call, at time.Time) []call {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if ok {
		c.lru.MoveToFront(el)
	} else {
		el = c.lru.PushFront(&convCalls{key: key})
		c.byKey[key] = el
		for c.lru.Len() > c.max {
			old := c.lru.Back()
			c.lru.Remove(old)
			delete(c.byKey, old.Value.(*convCalls).key)
			c.evictions.Add(1)
		}
	}
	cc := el.Value.(*convCalls)
	cc.calls = append(cc.calls, cl)
	cc.at = append(cc.at, at)
	cut := 0
	for cut < len(cc.at) && at.Sub(cc.at[cut]) > c.window {
		cut++
	}
	if extra := len(cc.calls) - cut - maxRememberedCalls; extra > 0 {
		cut += extra
	}
	if cut > 0 {
		cc.calls = append(cc.calls[:0], cc.calls[cut:]...)
		cc.at = append(cc.at[:0], cc.at[cut:]...)
	}
	return append([]call(nil), cc.calls...)
}
