package signals

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// maxRememberedCalls bounds the calls kept per conversation.
const maxRememberedCalls = 32

// conversationBytes is what one remembered conversation costs at most: its
// entry (hashed key, links, last-seen time, map slot) and
// maxRememberedCalls+1 calls with their times. Keys and tool names come
// from clients and may be any length, so neither is kept: both are hashed
// to 8 bytes, and the state is bounded in bytes by max_conversations ×
// conversationBytes (README, "Signals").
const conversationBytes = 256 + (maxRememberedCalls+1)*(callBytes+8)

// conversations remembers the recent tool calls of each conversation, so
// loops spanning several spans or traces are seen. It holds at most max
// conversations, forgetting the least recently seen (counted as an
// eviction); a conversation idle for longer than the window is forgotten
// too, since none of its calls would still count.
type conversations struct {
	window time.Duration
	now    func() time.Time // wall clock for idleness; tests pass a fake

	mu        sync.Mutex
	lru       *lru[convCalls]
	evictions atomic.Int64
	expired   atomic.Int64
}

type convCalls struct {
	seen  time.Time // wall clock of the last call recorded
	calls []call
	at    []int64 // span end times, Unix nanoseconds
}

var keySeed = maphash.MakeSeed()

// hashKey is a conversation key of bounded size, whatever its length.
// Collisions between two live conversations are as likely as for any
// 64-bit hash (about 3 in 10^9 at 10,000 conversations) and only merge
// their recent calls.
func hashKey(s string) uint64 { return maphash.String(keySeed, s) }

// traceKey is the key of a trace's state: its runaway sums, and its calls
// and remembered history when its spans have no conversation ID. It is a
// seeded hash of the ID's 16 bytes (the empty ID's included), moved away
// from the conversations' keys (hashKey) by a constant: a client that does
// not know the seed cannot name a conversation after a trace.
func traceKey(id pcommon.TraceID) uint64 { return maphash.Bytes(keySeed, id[:]) ^ 0x9e3779b97f4a7c15 }

// conversationKey is the conversation the span v belongs to, as the
// cross-span states key it: its conversation ID, else its trace.
func conversationKey(v *spanmodel.View) uint64 {
	if id := v.ConversationID(); id != "" {
		return hashKey(id)
	}
	return traceKey(v.Span().TraceID())
}

func newConversations(max int, window time.Duration) *conversations {
	return &conversations{window: window, now: time.Now, lru: newLRU[convCalls](max)}
}

// record adds a call made at time at to the conversation of hashed key h
// and appends the conversation's calls within the window, oldest first,
// to buf.
func (c *conversations) record(h uint64, cl call, at time.Time, buf []call) []call {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	cc := c.lru.get(h)
	if cc == nil {
		// A new conversation: a forgotten one's entry and buffers serve
		// it when there is one (a full state forgets the least recently
		// seen), as new ones would, without allocating.
		var evicted bool
		cc, evicted = c.lru.add(h)
		if evicted {
			c.evictions.Add(1)
		}
		if cc.calls == nil {
			cc.calls, cc.at = make([]call, 0, maxRememberedCalls+1), make([]int64, 0, maxRememberedCalls+1)
		}
		*cc = convCalls{calls: cc.calls[:0], at: cc.at[:0]}
	}
	cc.seen = now
	ns := at.UnixNano()
	cc.calls = append(cc.calls, cl)
	cc.at = append(cc.at, ns)
	cut := 0
	for cut < len(cc.at) && time.Duration(ns-cc.at[cut]) > c.window {
		cut++
	}
	if extra := len(cc.calls) - cut - maxRememberedCalls; extra > 0 {
		cut += extra
	}
	if cut > 0 {
		// Copied down, so the slices keep their fixed capacity.
		cc.calls = append(cc.calls[:0], cc.calls[cut:]...)
		cc.at = append(cc.at[:0], cc.at[cut:]...)
	}
	return append(buf, cc.calls...)
}

// expire forgets the conversations idle for longer than the window; the
// least recently seen are at the back.
func (c *conversations) expire(now time.Time) {
	for cc := c.lru.oldest(); cc != nil && now.Sub(cc.seen) > c.window; cc = c.lru.oldest() {
		c.lru.removeOldest()
		c.expired.Add(1)
	}
}

// len is how many conversations are remembered.
func (c *conversations) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.len()
}
