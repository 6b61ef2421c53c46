package signals

import (
	"hash/maphash"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// Reading a resent history once. An agent sends its whole conversation on
// every model call, so the chat signals of its next call would otherwise
// read the whole history again, and the loop check links every tool call
// in it. The history memory keeps, per conversation, where the last span's
// input was summarised: a mark (byte offset, element and counts) at its
// last assistant message, a hash of every byte before the mark, and what
// the signals need from before it (the last two user messages and the last
// answer as byte ranges, the loop check's calls, and the near-duplicate
// comparisons' word sets: history_words.go). The next span of the
// conversation hashes its input up to the mark; when the bytes are the
// same, only the messages from the mark on are scanned and decoded. When
// the history was edited, truncated or compacted the hash differs (or the
// input is shorter than the mark) and the whole input is read, as the
// first span of a conversation is. Results are those of a full read either
// way: the state at the mark is a function of the bytes before it alone.
//
// The hash is XXH3 with a seed drawn at start: 10-20 µs for a 440 KB
// history in the cache, ~43 µs as a receiver hands it over (its decoded
// copy is read at close to memory speed), against milliseconds for a
// decode. Any exact guard reads every byte, so this is the floor. A client
// that could make two histories collide gains nothing it could not get by
// sending the old history, and without the seed it cannot aim for a
// collision.

// A short history is not remembered. Below historyFromBytes the memory's
// fixed cost per span (taking and putting the entry, hashing, copying the
// state at the mark) is more than the decoding it saves: the messages from
// the mark on are decoded either way, and before the mark of an input this
// short there are a few hundred bytes (BenchmarkHistoryFrom: the direct
// read costs 1.2-1.5x less at 0.4-1.3 KiB, the memory 1.2x less at 1.8 KiB
// and 1.5x at 2.8 KiB; the bound leaves a margin). Such an input is decoded
// whole in the scan's one pass (shortConversation), as a full read would,
// and the conversation's memory is left as it was: an entry is only ever
// used for an input whose bytes before its mark are the hashed ones, so
// skipping spans changes no result.
const historyFromBytes = 1024

// historySeed keys the prefix hash.
var historySeed = rand.Uint64()

// maxOldOpenCalls bounds the calls older than the loop check's window
// still waiting for a result that one remembered history keeps: a later
// result may still answer them. A history with more is not remembered.
const maxOldOpenCalls = 32

// entryCalls is the capacity of a remembered history's calls: the
// maxLoopCalls the loop check reads, and room to add calls before the
// oldest are moved out.
const entryCalls = maxLoopCalls + 16

// historyBytes is what one remembered history costs at most: its entry
// (key, marks, ranges, its lru node, the word sets' headers; 384), its calls
// (entryCalls recent ones, maxOldOpenCalls IDs of older open ones) and its
// word sets (wordSetBytes), plus 256 for its map slot and the allocator's
// size classes.
const historyBytes = 384 + entryCalls*histCallBytes + maxOldOpenCalls*8 + wordSetBytes + 256

// histCall is a call as the memory keeps it: the loop check's call (name
// and arguments hashes, failed), a hash of its ID (0 for none) and whether
// it still waits for its result.
type histCall struct {
	name, args, id uint64
	failed, open   bool
}

func (c histCall) call() call { return call{name: c.name, args: c.args, failed: c.failed} }

// histCallBytes is the size of a histCall (three hashes, two flags, padded).
const histCallBytes = 32

// loopState is the loop check's view of the calls read so far: the last
// maxLoopCalls calls or more, in order, and the IDs of every older call
// still open, oldest first. Results are linked as loop() links them: by ID
// to the latest open call with that ID, else to the oldest open call; a
// call older than the window only needs to be known while it is open.
type loopState struct {
	calls   []histCall
	oldOpen []uint64
}

func (s *loopState) copyFrom(o *loopState) {
	s.calls = append(s.calls[:0], o.calls...)
	s.oldOpen = append(s.oldOpen[:0], o.oldOpen...)
}

// idHash is a call ID's hash; 0 stands for no ID.
func idHash(id string) uint64 {
	if id == "" {
		return 0
	}
	if h := maphash.String(argsSeed, id); h != 0 {
		return h
	}
	return 1
}

// add folds one input message into s as loop() reads it; false for what
// only the full read handles (an ID equal to loop()'s answered marker).
func (d *Detector) add(s *loopState, m *spanmodel.Message) bool {
	for _, tc := range m.ToolCalls {
		if tc.ID == answered {
			return false
		}
		if len(s.calls) == cap(s.calls) && len(s.calls) > maxLoopCalls {
			s.trim() // room without growing
		}
		c := callOf(tc)
		s.calls = append(s.calls, histCall{name: c.name, args: c.args, id: idHash(tc.ID), open: true})
	}
	for _, r := range m.ToolResults {
		if r.ID == answered {
			return false
		}
		d.link(s, r.ID, r.Content)
	}
	if m.Role == "tool" && len(m.ToolResults) == 0 {
		d.link(s, "", m.Text)
	}
	return true
}

// link is markResult on a loopState.
func (d *Detector) link(s *loopState, id, content string) {
	if id != "" {
		h := idHash(id)
		for i := len(s.calls) - 1; i >= 0; i-- {
			if c := &s.calls[i]; c.open && c.id == h {
				c.open, c.failed = false, d.reportsFailure(content)
				return
			}
		}
		for i := len(s.oldOpen) - 1; i >= 0; i-- {
			if s.oldOpen[i] == h {
				// Answered outside the window: its flag is never read.
				s.oldOpen = append(s.oldOpen[:i], s.oldOpen[i+1:]...)
				return
			}
		}
	}
	if len(s.oldOpen) > 0 {
		s.oldOpen = append(s.oldOpen[:0], s.oldOpen[1:]...)
		return
	}
	for i := range s.calls {
		if c := &s.calls[i]; c.open {
			c.open, c.failed = false, d.reportsFailure(content)
			return
		}
	}
}

// trim keeps the last maxLoopCalls calls, moving the open ones before them
// to oldOpen.
func (s *loopState) trim() {
	cut := len(s.calls) - maxLoopCalls
	if cut <= 0 {
		return
	}
	for _, c := range s.calls[:cut] {
		if c.open {
			s.oldOpen = append(s.oldOpen, c.id)
		}
	}
	s.calls = append(s.calls[:0], s.calls[cut:]...)
}

// elemRef is an input message's byte range (end 0: none), with the hash of
// its text (textHash; 0: unknown).
type elemRef struct {
	start, end int
	words      uint64
}

// histEntry is one conversation's remembered history.
type histEntry struct {
	key  uint64
	seen time.Time // wall clock of the last span

	hash  uint64              // XXH3 of the input's bytes before mark.Offset
	mark  spanmodel.InputMark // the last assistant message of the input
	users [2]elemRef          // the last two user messages before mark, newest last
	text  elemRef             // the last assistant message with text before mark
	loop  loopState           // the calls before mark

	// The near-duplicate comparisons' memory (history_words.go): the
	// word sets of the last user message compared and of the last
	// answer, and the last comparison of two user messages.
	lastUser, answer textWords
	pair             nearPair
}

// histories remembers the summarised histories of at most max
// conversations, forgetting the least recently used (counted) and those
// idle for longer than the window.
type histories struct {
	window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	recent *lru[*histEntry] // the entries no span works on
	free   []*histEntry     // forgotten entries, for reuse

	evictions atomic.Int64 // forgotten to stay within max
	expired   atomic.Int64 // forgotten after window idle
	hits      atomic.Int64 // spans read from a remembered mark
	misses    atomic.Int64 // spans of a conversation read whole
}

// newEntry empties e for key, keeping its buffers (made if it has none).
func newEntry(key uint64, e *histEntry) *histEntry {
	calls, oldOpen := e.loop.calls, e.loop.oldOpen
	if calls == nil {
		calls, oldOpen = make([]histCall, 0, entryCalls), make([]uint64, 0, maxOldOpenCalls)
	}
	lu, an := e.lastUser.ws.set[:0], e.answer.ws.set[:0]
	*e = histEntry{key: key, loop: loopState{calls: calls[:0], oldOpen: oldOpen[:0]},
		lastUser: textWords{ws: wordSet{set: lu}}, answer: textWords{ws: wordSet{set: an}}}
	return e
}

// keep copies a scratch entry into one the memory can keep: one it forgot
// earlier, or a new one.
func (h *histories) keep(src *histEntry) *histEntry {
	h.mu.Lock()
	var e *histEntry
	if n := len(h.free); n > 0 {
		e, h.free = h.free[n-1], h.free[:n-1]
	}
	h.mu.Unlock()
	if e == nil {
		e = &histEntry{}
	}
	calls, oldOpen := e.loop.calls, e.loop.oldOpen
	if calls == nil {
		calls, oldOpen = make([]histCall, 0, entryCalls), make([]uint64, 0, maxOldOpenCalls)
	}
	lu, an := e.lastUser.ws.set, e.answer.ws.set
	*e = *src
	e.loop = loopState{calls: append(calls[:0], src.loop.calls...), oldOpen: append(oldOpen[:0], src.loop.oldOpen...)}
	e.lastUser.ws.set, e.answer.ws.set = lu, an
	e.lastUser.copyFrom(src.lastUser.text, &src.lastUser.ws)
	e.answer.copyFrom(src.answer.text, &src.answer.ws)
	return e
}

// reuse keeps a forgotten entry for a later keep (up to maxFree).
func (h *histories) reuse(e *histEntry) {
	if len(h.free) < maxFree {
		h.free = append(h.free, e)
	}
}

// maxFree bounds the forgotten entries kept for reuse.
const maxFree = 64

// fits reports whether e's calls fit a kept history's buffers: a history
// with more open calls is not kept.
func (e *histEntry) fits() bool {
	return len(e.loop.calls) <= entryCalls && len(e.loop.oldOpen) <= maxOldOpenCalls
}

// bounded reports whether e's buffers are a kept history's (historyBytes).
func (e *histEntry) bounded() bool {
	return cap(e.loop.calls) <= entryCalls && cap(e.loop.oldOpen) <= maxOldOpenCalls &&
		cap(e.lastUser.ws.set) <= maxSimilarityWords && cap(e.answer.ws.set) <= maxSimilarityWords
}

func newHistories(max int, window time.Duration) *histories {
	return &histories{window: window, now: time.Now, recent: newLRU[*histEntry](max)}
}

// take removes and returns the entry of key, or nil. While a span works
// on it no other span sees it (a concurrent span of the same conversation
// reads its input whole).
func (h *histories) take(key uint64) *histEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.expire(h.now())
	e, _ := h.recent.take(key)
	return e
}

// put remembers e as the most recently used entry, replacing any entry a
// concurrent span left for the same key.
func (h *histories) put(e *histEntry) {
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	e.seen = now
	slot := h.recent.get(e.key)
	if slot == nil {
		var evicted bool
		if slot, evicted = h.recent.add(e.key); evicted {
			h.reuse(*slot)
			h.evictions.Add(1)
		}
	} else {
		// A concurrent span of the conversation left its entry first.
		h.reuse(*slot)
	}
	*slot = e
}

func (h *histories) expire(now time.Time) {
	for e := h.recent.oldest(); e != nil && now.Sub((*e).seen) > h.window; e = h.recent.oldest() {
		h.reuse(*e)
		h.recent.removeOldest()
		h.expired.Add(1)
	}
}

// len is how many histories are remembered.
func (h *histories) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.recent.len()
}

// histScratch is one span's working memory on the fast path, pooled.
type histScratch struct {
	hasher *xxh3.Hasher
	fresh  histEntry // a new conversation's entry until it is kept
	loop   loopState
	in     []spanmodel.Message
	calls  []call
	ids    []string // shortConversation's call IDs, cleared after use
	near   nearScratch
}

var histScratchPool = sync.Pool{New: func() any {
	sc := &histScratch{hasher: xxh3.NewSeed(historySeed)}
	newEntry(0, &sc.fresh)
	return sc
}}

// rememberedConversation builds the chat span's conversation from the
// conversation's remembered history and the messages after its mark, and
// makes its near-duplicate comparisons (rememberedNear). ok is false when
// the input is not one the memory reads (not a GenAI JSON string, or the
// scan is unsure): the caller reads it the usual way. answer is the
// output's text. c.release must be called once the conversation is no
// longer used.
func (d *Detector) rememberedConversation(v *spanmodel.View, out []spanmodel.Message, answer string) (c conversation, ok bool) {
	s, ok := v.InputJSON()
	if !ok {
		return c, false
	}
	key := conversationKey(v)
	e := d.history.take(key)
	sc := histScratchPool.Get().(*histScratch)
	sc.near.reset()
	h := sc.hasher
	h.Reset()
	hashed := 0 // h holds s[:hashed]
	resumed := false
	if e != nil && e.mark.Offset > 0 && e.mark.Offset <= len(s) {
		_, _ = h.WriteString(s[:e.mark.Offset]) // never fails
		hashed = e.mark.Offset
		resumed = h.Sum64() == e.hash && v.ResumeInput(e.mark)
	}
	msgs, elems, base, total, ok := v.InputFrom()
	if !ok {
		histScratchPool.Put(sc)
		return c, false
	}
	if resumed && base == e.mark {
		d.history.hits.Add(1)
	} else {
		// New, edited, truncated or compacted: read whole.
		if e == nil {
			// Kept only if the input has an assistant message to resume
			// at: until then the span's scratch entry serves.
			e = &sc.fresh
		}
		e = newEntry(key, e)
		d.history.misses.Add(1)
	}
	// The new mark: the input's last assistant message (the old mark's
	// message when nothing newer came).
	newMark := -1
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "assistant" {
			newMark = i
			break
		}
	}
	// Everything before the new mark goes into the entry; the rest into
	// this span's copy. users and text follow the whole input, with the
	// segment index each was read at (-1: from the entry).
	oldUsers, oldText := e.users, e.text
	o := nearOperands{users: e.users, userAt: [2]int{-1, -1}, text: e.text, textAt: -1, total: total.Users}
	markUserAt, markTextAt := o.userAt, o.textAt
	var segUsers int
	if newMark < 0 {
		sc.loop.copyFrom(&e.loop)
	}
	for i := range msgs {
		if i == newMark {
			e.users, e.text = o.users, o.text
			markUserAt, markTextAt = o.userAt, o.textAt
			e.loop.trim()
			sc.loop.copyFrom(&e.loop)
		}
		st := &e.loop
		if i >= newMark {
			st = &sc.loop
		}
		if !d.add(st, &msgs[i]) {
			histScratchPool.Put(sc)
			return c, false
		}
		r := elemRef{start: elems[i].Mark.Offset, end: elems[i].End}
		switch msgs[i].Role {
		case "user":
			o.users, o.userAt = [2]elemRef{o.users[1], r}, [2]int{o.userAt[1], i}
			segUsers++
		case "assistant":
			if msgs[i].Text != "" {
				o.text, o.textAt = r, i
			}
		}
	}

	// The conversation: what the signals read from before the segment
	// (the last user messages and the last answer, when the segment lacks
	// them), then the segment. The trailing tool results are all in the
	// segment: it starts at an assistant message or at the input's start.
	// The previous user message and the last answer, read only by the
	// near-duplicate comparisons, are not decoded when those are
	// remembered.
	var hU uint64 // the last user message's text hash, when the previous one may be elided
	switch {
	case total.Users < 2 || o.userAt[0] >= 0:
	case o.userAt[1] >= 0:
		hU = sc.near.hash(msgs, o.userAt[1])
	default:
		hU = o.users[1].words
	}
	o.elide(e, hU, answer != "")
	sc.in = sc.in[:0]
	need := min(total.Users, 2) - segUsers
	var pre [3]elemRef
	np := 0
	for k := 2 - need; need > 0 && k < 2; k++ {
		if k == 2-need && total.Users >= 2 && o.elideP {
			continue // the previous user message
		}
		pre[np], np = oldUsers[k], np+1
	}
	if answer != "" && o.textAt < 0 && oldText.end > 0 && !o.elideAns {
		pre[np], np = oldText, np+1
	}
	sortRefs(pre[:np])
	for _, r := range pre[:np] {
		m, ok := v.InputElement(r.start, r.end)
		if !ok {
			histScratchPool.Put(sc)
			return c, false
		}
		sc.in = append(sc.in, m)
	}
	sc.in = append(sc.in, msgs...)
	c = newConversation(sc.in, out)
	c.userTurns, c.answer = total.Users, answer
	sc.calls = sc.calls[:0]
	for _, hc := range sc.loop.calls {
		sc.calls = append(sc.calls, hc.call())
	}
	c.inCalls, c.inCallsSet = sc.calls, true
	c.scratch = sc
	if !d.rememberedNear(v, &c, e, &sc.near, &o) {
		c.release()
		return conversation{}, false
	}

	// Remember the new mark, with the hash of every byte before it and
	// the text hashes of the messages the comparisons may read from
	// before it.
	if newMark >= 0 && e.fits() {
		for k, at := range markUserAt {
			if at >= 0 {
				e.users[k].words = sc.near.hash(msgs, at)
			}
		}
		if markTextAt >= 0 {
			e.text.words = sc.near.hash(msgs, markTextAt)
		}
		m := elems[newMark].Mark
		if m.Offset < hashed {
			h.Reset()
			hashed = 0
		}
		_, _ = h.WriteString(s[hashed:m.Offset]) // never fails
		e.hash, e.mark = h.Sum64(), m
		if e == &sc.fresh || !e.bounded() {
			e = d.history.keep(e)
		}
		d.history.put(e)
	}
	return c, true
}

// shortConversation reads a short input (under historyFromBytes) whole,
// without the history memory: its messages are the full decode's
// (InputFrom from the input's start), and the loop check's calls are
// linked into the span's scratch, not allocated. ok is false when the
// input is not one the scan reads: the caller reads it the usual way. It
// counts as a whole read.
func (d *Detector) shortConversation(v *spanmodel.View, out []spanmodel.Message, answer string) (c conversation, ok bool) {
	msgs, _, _, total, ok := v.InputFrom()
	if !ok {
		return c, false
	}
	d.history.misses.Add(1)
	c = newConversation(msgs, out)
	c.userTurns, c.answer = total.Users, answer
	sc := histScratchPool.Get().(*histScratch)
	sc.calls, sc.ids = d.appendInputCalls(sc.calls[:0], sc.ids[:0], msgs)
	clear(sc.ids) // they point into the span
	c.inCalls, c.inCallsSet, c.scratch = sc.calls, true, sc
	return c, true
}

// release returns the conversation's scratch memory, if any.
func (c *conversation) release() {
	if sc := c.scratch; sc != nil {
		clear(sc.in)
		sc.in = sc.in[:0]
		histScratchPool.Put(sc)
		c.scratch = nil
	}
}

// sortRefs orders up to three ranges by position.
func sortRefs(r []elemRef) {
	for i := 1; i < len(r); i++ {
		for j := i; j > 0 && r[j].start < r[j-1].start; j-- {
			r[j], r[j-1] = r[j-1], r[j]
		}
	}
}
