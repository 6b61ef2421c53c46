package signals

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/memtest"
)

// TestConversationStateIsBoundedInBytes: long conversation IDs and long
// tool names from clients do not pin memory: what the state keeps is
// bounded by max_conversations × conversationBytes whatever their length.
func TestConversationStateIsBoundedInBytes(t *testing.T) {
	const conversations, calls, long = 300, 8, 16 << 10
	d := newDetector(t, Config{MaxConversations: conversations})
	t0 := time.Now()
	before := memtest.LiveHeap()
	for i := 0; i < conversations; i++ {
		id := fmt.Sprintf("%05d", i) + strings.Repeat("c", long)
		for j := 0; j < calls; j++ {
			name := fmt.Sprintf("%05d-%d", i, j) + strings.Repeat("t", long)
			detect(t, d, toolSpan(t, id, 1, name, `{}`, t0, ""))
		}
	}
	grew := memtest.LiveHeap() - before
	bound := int64(conversations * conversationBytes)
	assert.Equal(t, conversations, d.state.len())
	assert.LessOrEqual(t, grew, bound+(1<<20), "state grew %d bytes; bound %d (+1 MiB slack); the IDs and names alone are %d", grew, bound, conversations*(calls+1)*long)
	t.Logf("state grew %d bytes for %d conversations (bound %d)", grew, conversations, bound)
	runtime.KeepAlive(d)
}

// TestIdleConversationsExpire: a conversation with no call for longer than
// conversation_window is forgotten, not held until max_conversations
// pushes it out.
func TestIdleConversationsExpire(t *testing.T) {
	d := newDetector(t, Config{ConversationWindow: time.Minute})
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d.state.now = func() time.Time { return clock }
	for i := 0; i < 3; i++ {
		detect(t, d, toolSpan(t, fmt.Sprintf("idle-%d", i), 1, "f", `{}`, clock, ""))
	}
	assert.Equal(t, 3, d.state.len())
	clock = clock.Add(30 * time.Second)
	detect(t, d, toolSpan(t, "idle-0", 1, "f", `{}`, clock, ""))
	clock = clock.Add(45 * time.Second) // idle-1 and idle-2: 75 s idle; idle-0: 45 s
	detect(t, d, toolSpan(t, "fresh", 1, "f", `{}`, clock, ""))
	assert.Equal(t, 2, d.state.len(), "idle-0 and fresh remain")
	assert.Equal(t, int64(2), d.state.expired.Load())
	assert.Zero(t, d.Evictions(), "expiry is not an eviction")
}
