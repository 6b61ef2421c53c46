package sampling

import (
	"github.com/otelcol-llmeval/otelcol-llmeval/processor/internal/signals"

	"context"
	"sync"
)

// sendItem is one sampled trace (or late spans of one) on its way to the
// judge: still compressed, charged raw bytes against the judge's share.
type sendItem struct {
	chunks [][]byte
	raw    int64
	spans  int
	reason string
	score  float64
	cost   signals.Totals
}

// outbox holds sampled copies until a sender hands them to the judge
// exporter. The decision loop only appends to it; senders wait for the
// exporter, so a slow or hanging judge holds senders and the judge's share
// of memory, never the loop and never the main path.
type outbox struct {
	mu     sync.Mutex
	items  []sendItem
	closed bool
	ready  chan struct{} // signalled when an item is added or the outbox closes
}

func newOutbox() *outbox { return &outbox{ready: make(chan struct{}, 1)} }

func (o *outbox) push(it sendItem) {
	o.mu.Lock()
	o.items = append(o.items, it)
	o.mu.Unlock()
	o.signal()
}

func (o *outbox) signal() {
	select {
	case o.ready <- struct{}{}:
	default:
	}
}

// pop waits for an item and returns it with the items queued behind it,
// up to maxItems in all and, beyond the first, maxRaw raw bytes: one
// export then carries what queued while the senders were busy (a decision
// tick samples several traces at once), instead of a request each. It
// appends to items[:0]; false once the outbox is closed and empty, or ctx
// is done.
func (o *outbox) pop(ctx context.Context, items []sendItem, maxItems int, maxRaw int64) ([]sendItem, bool) {
	items = items[:0]
	for {
		o.mu.Lock()
		if len(o.items) > 0 {
			var raw int64
			n := 0
			for n < len(o.items) && n < maxItems && (n == 0 || raw+o.items[n].raw <= maxRaw) {
				raw += o.items[n].raw
				n++
			}
			items = append(items, o.items[:n]...)
			clear(o.items[:n])
			o.items = o.items[n:]
			more := len(o.items) > 0 || o.closed
			o.mu.Unlock()
			if more {
				o.signal() // wake the next sender
			}
			return items, true
		}
		closed := o.closed
		o.mu.Unlock()
		if closed {
			o.signal()
			return items, false
		}
		select {
		case <-o.ready:
		case <-ctx.Done():
			return items, false
		}
	}
}

// close lets senders finish what is queued and stop.
func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.signal()
}

// takeAll empties the outbox, for what is left at the shutdown deadline.
func (o *outbox) takeAll() []sendItem {
	o.mu.Lock()
	defer o.mu.Unlock()
	items := o.items
	o.items = nil
	return items
}
