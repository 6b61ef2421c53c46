package signals

import (
	"hash/maphash"
	"sync"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// Reading the same text once. An agent's model calls of one user turn all
// carry the same last user message, and a tool's result is read on its
// tool span, then on the chat span that reacts to it, by the failure
// signal and by the loop check's linking: each normalised and looked up
// again for the same phrases. The phrase memo remembers, for the last
// texts read (a fixed number of slots, chosen by hash), which phrases a
// text holds for a set of categories: a text read again costs a hash and
// a slot lookup. A slot is keyed by a seeded 64-bit hash of the text and
// the categories: a different text in the slot is read and replaces it,
// and without the seed a client cannot aim two texts at one key (as for
// the history memory's hashes). Only the phrases' numbers are kept, no
// content.

// memoSlots is the number of remembered texts; memoFound the phrases a
// remembered text may hold (a text with more is read every time).
const (
	memoSlots  = 512
	memoShards = 16
	memoFound  = 7
)

// phraseMemoBytes is what the memo costs, fixed: its slots (key, count,
// phrase numbers: 40 bytes) and locks.
const phraseMemoBytes = memoSlots*40 + memoShards*64

var memoSeed = maphash.MakeSeed()

type phraseMemo struct {
	shards [memoShards]struct {
		mu sync.Mutex
		_  [56]byte // a lock per cache line
	}
	slots [memoSlots]memoSlot
}

type memoSlot struct {
	key   uint64 // 0: empty
	n     uint8
	found [memoFound]int32
}

// memoKey is text's key for the lookup of mode (the categories, and
// whether only the first phrase is wanted); never 0.
func memoKey(text string, mode uint64) uint64 {
	h := maphash.String(memoSeed, text) ^ mode*0x9e3779b97f4a7c15
	if h == 0 {
		h = 1
	}
	return h
}

// get copies the phrases remembered under key into found.
func (m *phraseMemo) get(key uint64, found *[memoFound]int32) (n int, ok bool) {
	i := key % memoSlots
	sh := &m.shards[i%memoShards]
	sh.mu.Lock()
	s := &m.slots[i]
	if s.key == key {
		n, ok = int(s.n), true
		*found = s.found
	}
	sh.mu.Unlock()
	return n, ok
}

// put remembers found[:n] under key.
func (m *phraseMemo) put(key uint64, found *[memoFound]int32, n int) {
	i := key % memoSlots
	sh := &m.shards[i%memoShards]
	sh.mu.Lock()
	m.slots[i] = memoSlot{key: key, n: uint8(n), found: *found}
	sh.mu.Unlock()
}

// phrasesIn finds the phrases of cats in text, in EachOf's order, into
// found: from the memo, else by reading the text (remembered when they
// fit). first stops at the first phrase. ok is false when the text holds
// more than memoFound phrases: the caller reads it itself.
func (d *Detector) phrasesIn(cats textmatch.Labels, text string, first bool, found *[memoFound]int32) (n int, ok bool) {
	if d.noPhraseMemo {
		return 0, false
	}
	mode := uint64(cats) << 1
	if first {
		mode |= 1
	}
	key := memoKey(text, mode)
	if n, ok := d.memo.get(key, found); ok {
		return n, true
	}
	bp := d.bufs.Get().(*[]byte)
	norm := textmatch.Normalize((*bp)[:0], text)
	ok = true
	d.phrases.EachOf(cats, norm, func(i, _, _ int) bool {
		if n == memoFound {
			ok = false
			return false
		}
		found[n] = int32(i)
		n++
		return !first
	})
	*bp = norm
	d.bufs.Put(bp)
	if ok {
		d.memo.put(key, found, n)
	}
	return n, ok
}
