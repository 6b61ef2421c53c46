package signals

// lru holds entries under hashed keys, at most max of them (max >= 1, as
// validated), and knows which was used least recently: the bound of the
// cross-span states (tool calls per conversation, cost sums per trace and
// conversation). Its nodes are linked in place (no list element, no
// interface to assert) and never freed: a full lru hands the least
// recently used node to a new key, and removed nodes are kept for the
// next keys, so it holds at most max nodes and, once it has, takes new
// keys without allocating. Its owner locks it.
type lru[E any] struct {
	max        int
	byKey      map[uint64]*lruNode[E]
	head, tail *lruNode[E] // most and least recently used
	n          int
	free       *lruNode[E] // removed nodes, linked by next
}

type lruNode[E any] struct {
	key        uint64
	prev, next *lruNode[E]
	val        E
}

func newLRU[E any](max int) *lru[E] {
	return &lru[E]{max: max, byKey: map[uint64]*lruNode[E]{}}
}

// get returns the entry of key, now the most recently used, or nil. Spans
// of one trace or conversation tend to come one after another, so the
// most recent entry is tried before the map; it is the entry of its key
// (keys are unique among the kept nodes, and the head is kept).
func (l *lru[E]) get(key uint64) *E {
	if l.head != nil && l.head.key == key {
		return &l.head.val
	}
	nd := l.byKey[key]
	if nd == nil {
		return nil
	}
	l.unlink(nd)
	l.pushFront(nd)
	return &nd.val
}

// add keeps key, which get did not find, as the most recently used and
// returns its entry: when full, the least recently used key's, that key
// forgotten (evicted); else a removed one or a new one. The entry holds
// what it held before: the caller resets it, keeping its buffers.
func (l *lru[E]) add(key uint64) (e *E, evicted bool) {
	var nd *lruNode[E]
	switch {
	case l.n >= l.max:
		nd, evicted = l.tail, true
		l.unlink(nd)
		delete(l.byKey, nd.key)
	case l.free != nil:
		nd, l.free = l.free, l.free.next
	default:
		nd = &lruNode[E]{}
	}
	nd.key = key
	l.pushFront(nd)
	l.byKey[key] = nd
	return &nd.val, evicted
}

// use returns the entry of key, now the most recently used; a key not
// kept gets a zero entry (evicted: the least recently used key was
// forgotten for it).
func (l *lru[E]) use(key uint64) (e *E, evicted bool) {
	if e = l.get(key); e == nil {
		e, evicted = l.add(key)
		var zero E
		*e = zero
	}
	return e, evicted
}

// oldest is the least recently used entry, or nil.
func (l *lru[E]) oldest() *E {
	if l.tail == nil {
		return nil
	}
	return &l.tail.val
}

// removeOldest forgets the least recently used key, keeping its node for
// the next keys.
func (l *lru[E]) removeOldest() {
	nd := l.tail
	l.unlink(nd)
	delete(l.byKey, nd.key)
	nd.next, l.free = l.free, nd
}

// len is how many keys are kept.
func (l *lru[E]) len() int { return l.n }

func (l *lru[E]) pushFront(nd *lruNode[E]) {
	nd.prev, nd.next = nil, l.head
	if l.head != nil {
		l.head.prev = nd
	} else {
		l.tail = nd
	}
	l.head = nd
	l.n++
}

func (l *lru[E]) unlink(nd *lruNode[E]) {
	if nd.prev != nil {
		nd.prev.next = nd.next
	} else {
		l.head = nd.next
	}
	if nd.next != nil {
		nd.next.prev = nd.prev
	} else {
		l.tail = nd.prev
	}
	nd.prev, nd.next = nil, nil
	l.n--
}
