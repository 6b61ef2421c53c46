package evaluators

import "sync"

// Pricing a model once. Every chat span's cost is priced by its model's
// name (by the cost check and by the runaway signal), and a deployment
// calls a handful of models: the price table's lookup (an exact match,
// then patterns, then the name without its provider prefix) is the same
// work again on every span. The price memo remembers the answer for the
// last models seen, a fixed number of slots chosen by the name's length
// and last byte, names copied into the slot (at most memoModelBytes;
// longer ones are looked up every time), so it allocates nothing and holds
// no span's memory. A different name in the slot is looked up and
// replaces it: the answer is the table's either way.

const (
	priceSlots     = 16
	memoModelBytes = 48
	priceMemoBytes = priceSlots * 96 // a slot: lock, length, name, price, flag
)

type priceMemo struct {
	slots [priceSlots]priceSlot
}

type priceSlot struct {
	mu    sync.Mutex
	n     int // the name's length; 0: empty
	model [memoModelBytes]byte
	price Price
	ok    bool
}

// price is prices.Lookup(model), remembered in m.
func (m *priceMemo) price(prices *PriceTable, model string) (Price, bool) {
	if model == "" || len(model) > memoModelBytes {
		return prices.lookup(model)
	}
	s := &m.slots[(len(model)+int(model[len(model)-1]))%priceSlots]
	s.mu.Lock()
	if s.n == len(model) && string(s.model[:s.n]) == model {
		p, ok := s.price, s.ok
		s.mu.Unlock()
		return p, ok
	}
	s.mu.Unlock()
	p, ok := prices.lookup(model)
	s.mu.Lock()
	s.n = copy(s.model[:], model)
	s.price, s.ok = p, ok
	s.mu.Unlock()
	return p, ok
}
