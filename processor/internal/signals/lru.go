package signals

// lru holds entries under hashed keys, at most max of them (max >= 1, as
// validated), and knows which was used least recently: the bound of the
// cross-span states (tool calls per conversation, cost sums per trace and
// conversation, the remembered histories). Its nodes sit in one slice,
// linked by index: no list element or interface per entry, and for entries
// without pointers (the cost sums) nothing the garbage collector scans.
// Nodes are never freed: a full lru hands the least recently used node to
// a new key, and removed nodes are kept for the next keys, so it holds at
// most max nodes and, once it has, takes new keys without allocating. Its
// owner locks it; an entry's pointer is valid until the next add.
type lru[E any] struct {
	max        int
	byKey      map[uint64]int32
	nodes      []lruNode[E]
	head, tail int32 // most and least recently used; none: -1
	free       int32 // removed nodes, linked by next
	n          int
}

type lruNode[E any] struct {
	key        uint64
	prev, next int32
	val        E
}

func newLRU[E any](max int) *lru[E] {
	return &lru[E]{max: max, byKey: map[uint64]int32{}, head: -1, tail: -1, free: -1}
}

// get returns the entry of key, now the most recently used, or nil. Spans
// of one trace or conversation tend to come one after another, so the
// most recent entry is tried before the map; it is the entry of its key
// (keys are unique among the kept nodes, and the head is kept).
func (l *lru[E]) get(key uint64) *E {
	if l.head >= 0 && l.nodes[l.head].key == key {
		return &l.nodes[l.head].val
	}
	i, ok := l.byKey[key]
	if !ok {
		return nil
	}
	l.unlink(i)
	l.pushFront(i)
	return &l.nodes[i].val
}

// add keeps key, which get did not find, as the most recently used and
// returns its entry: when full, the least recently used key's, that key
// forgotten (evicted); else a removed one or a new one. The entry holds
// what it held before: the caller resets it, keeping its buffers.
func (l *lru[E]) add(key uint64) (e *E, evicted bool) {
	var i int32
	switch {
	case l.n >= l.max:
		i, evicted = l.tail, true
		l.unlink(i)
		delete(l.byKey, l.nodes[i].key)
	case l.free >= 0:
		i, l.free = l.free, l.nodes[l.free].next
	default:
		if len(l.nodes) == cap(l.nodes) {
			// Grown by hand: never past max nodes.
			grown := make([]lruNode[E], len(l.nodes), min(max(2*cap(l.nodes), 16), l.max))
			copy(grown, l.nodes)
			l.nodes = grown
		}
		i = int32(len(l.nodes))
		l.nodes = append(l.nodes, lruNode[E]{})
	}
	l.nodes[i].key = key
	l.pushFront(i)
	l.byKey[key] = i
	return &l.nodes[i].val, evicted
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
	if l.tail < 0 {
		return nil
	}
	return &l.nodes[l.tail].val
}

// take forgets key and returns its entry, if kept, keeping the node for
// the next keys. The node's copy is zeroed: the entry is the caller's
// alone (a pointer is not held twice).
func (l *lru[E]) take(key uint64) (e E, ok bool) {
	i, ok := l.byKey[key]
	if !ok {
		return e, false
	}
	var zero E
	e, l.nodes[i].val = l.nodes[i].val, zero
	l.remove(i)
	return e, true
}

// removeOldest forgets the least recently used key, keeping its node for
// the next keys.
func (l *lru[E]) removeOldest() { l.remove(l.tail) }

// remove forgets node i's key, keeping the node and its entry's buffers
// for the next keys.
func (l *lru[E]) remove(i int32) {
	l.unlink(i)
	delete(l.byKey, l.nodes[i].key)
	l.nodes[i].next, l.free = l.free, i
}

// len is how many keys are kept.
func (l *lru[E]) len() int { return l.n }

// pushFront links node i in as the most recently used.
func (l *lru[E]) pushFront(i int32) {
	l.nodes[i].prev, l.nodes[i].next = -1, l.head
	if l.head >= 0 {
		l.nodes[l.head].prev = i
	} else {
		l.tail = i
	}
	l.head = i
	l.n++
}

// unlink takes node i out of the recency order.
func (l *lru[E]) unlink(i int32) {
	prev, next := l.nodes[i].prev, l.nodes[i].next
	if prev >= 0 {
		l.nodes[prev].next = next
	} else {
		l.head = next
	}
	if next >= 0 {
		l.nodes[next].prev = prev
	} else {
		l.tail = prev
	}
	l.n--
}
