package sampling

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestOutboxPopTakesWhatQueued: a sender takes the first item and those
// queued behind it, within maxItems and, beyond the first, maxRaw.
func TestOutboxPopTakesWhatQueued(t *testing.T) {
	for _, c := range []struct {
		name     string
		raws     []int64
		maxItems int
		maxRaw   int64
		want     []int // items per pop, in order
	}{
		{"all queued in one", []int64{10, 10, 10}, 64, 100, []int{3}},
		{"item bound", []int64{1, 1, 1, 1, 1}, 2, 100, []int{2, 2, 1}},
		{"byte bound", []int64{40, 40, 40, 40}, 64, 100, []int{2, 2}},
		{"a first item above the byte bound goes alone", []int64{500, 10, 10}, 64, 100, []int{1, 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := newOutbox()
			for i, raw := range c.raws {
				o.push(sendItem{raw: raw, spans: i + 1})
			}
			o.close()
			var got []int
			var items []sendItem
			next := 1
			for {
				var ok bool
				if items, ok = o.pop(context.Background(), items, c.maxItems, c.maxRaw); !ok {
					break
				}
				got = append(got, len(items))
				for _, it := range items {
					assert.Equal(t, next, it.spans, "items keep their order")
					next++
				}
			}
			assert.Equal(t, c.want, got)
			assert.Empty(t, items, "nothing once closed and empty")
		})
	}
}

// TestOutboxPopStopsWithContext: a sender waiting on an empty outbox
// returns when its context ends.
func TestOutboxPopStopsWithContext(t *testing.T) {
	o := newOutbox()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	items, ok := o.pop(ctx, nil, 64, 100)
	assert.False(t, ok)
	assert.Empty(t, items)
}
