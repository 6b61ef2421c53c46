package signals

import (
	"hash/maphash"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/spanmodel"
)

// Remembering the near-duplicate comparisons' word sets. Misalignment
// compares the last user message with the one before; stagnation the
// answer with the last answer in the input. On an agent's next call one
// side of each comparison is usually a text an earlier call of the
// conversation already compared: the previous user message was the last
// one then, the last answer in the input was the previous call's output.
// The history memory keeps, per conversation, the word set of the last
// user message compared and of the last answer, each with a hash of the
// text it was built from, and the last user comparison's result with the
// hashes of both texts. A span builds the word sets of its new texts only,
// and a message before the mark whose word set (or comparison) is
// remembered is not decoded at all: its byte range carries the hash of its
// text (the prefix hash proves the bytes, hence the text, unchanged).
// Lookups are by text hash, so a set is used only for the text it was
// built from; with no memory, after an eviction or an edit, the
// comparison is made from the texts, as without the memory.

// textWords is a remembered word set and the hash of its text (0: none).
type textWords struct {
	text uint64
	ws   wordSet
}

// copyFrom makes t a copy of o in t's own buffer.
func (t *textWords) copyFrom(text uint64, ws *wordSet) {
	if &t.ws != ws {
		t.ws.copyFrom(ws)
	}
	t.text = text
}

// nearPair is a comparison of two texts by their hashes (last 0: none).
type nearPair struct {
	last, prev uint64
	dup        bool
}

// wordSetBytes is what the remembered word sets of one conversation cost
// at most beyond its entry: two sets of maxSimilarityWords hashes (1,600
// bytes, in the allocator's 1,792-byte size class).
const wordSetBytes = 2 * 1792

// textHash is the hash of a message's text, never 0 (0 stands for
// unknown).
func textHash(s string) uint64 {
	if h := maphash.String(wordSeed, s); h != 0 {
		return h
	}
	return 1
}

// nearScratch is one span's word sets and text hashes, in its histScratch.
type nearScratch struct {
	user, prev, out, ans wordSet
	buf                  []byte
	built                int        // word sets built by this span
	hashes               [4]segHash // text hashes of segment messages
}

// segHash is the text hash of the segment message at index i-1 (i 0: none).
type segHash struct {
	i int
	h uint64
}

// hash is textHash of msgs[i].Text, computed once per span for the few
// messages it is asked for.
func (n *nearScratch) hash(msgs []spanmodel.Message, i int) uint64 {
	for k := range n.hashes {
		switch n.hashes[k].i {
		case i + 1:
			return n.hashes[k].h
		case 0:
			n.hashes[k].i, n.hashes[k].h = i+1, textHash(msgs[i].Text)
			return n.hashes[k].h
		}
	}
	return textHash(msgs[i].Text)
}

func (n *nearScratch) reset() { n.hashes, n.built = [4]segHash{}, 0 }

// remembered is the remembered word set of the text of hash h, or nil.
func (e *histEntry) remembered(h uint64) *wordSet {
	switch h {
	case e.lastUser.text:
		return &e.lastUser.ws
	case e.answer.text:
		return &e.answer.ws
	}
	return nil
}

// setOf is the word set of text (hash h): the remembered one of that
// text, else built into ws.
func (n *nearScratch) setOf(e *histEntry, h uint64, text string, ws *wordSet) *wordSet {
	if r := e.remembered(h); r != nil {
		return r
	}
	n.buf = ws.build(text, n.buf)
	n.built++
	return ws
}

// near is whether the text of hash h is near the whole word set ws: by
// its remembered word set, else by reading it as far as needed into
// scratch (nearText; not remembered: only whole sets are).
func (n *nearScratch) near(e *histEntry, ws *wordSet, h uint64, text string, scratch *wordSet, threshold float64) bool {
	if r := e.remembered(h); r != nil {
		return ws.near(r, threshold)
	}
	var dup bool
	dup, n.buf = ws.nearText(text, threshold, scratch, n.buf)
	n.built++
	return dup
}

// compare is whether the text of hash h is near the whole word set ws
// (of the text of hash hw). When elided, the text's message was not
// decoded: it is read at ref if its word set is not remembered after all.
// ok is false when that message does not decode.
func (n *nearScratch) compare(v *spanmodel.View, e *histEntry, ws *wordSet, hw, h uint64, text string, elided bool, ref elemRef, scratch *wordSet, threshold float64) (dup, ok bool) {
	if h == hw {
		return ws.near(ws, threshold), true
	}
	if elided && e.remembered(h) == nil {
		m, ok := v.InputElement(ref.start, ref.end)
		if !ok {
			return false, false
		}
		text = m.Text
	}
	return n.near(e, ws, h, text, scratch, threshold), true
}

// nearOperands says where the comparisons' texts are: the last two user
// messages (users[1], users[0]) and the last assistant message with text
// (text), each as a byte range with the segment index it was read at (-1:
// from before the segment, with its text hash in the range).
type nearOperands struct {
	users    [2]elemRef
	userAt   [2]int
	text     elemRef
	textAt   int
	total    int // user messages in the input
	elideP   bool
	elideAns bool
}

// elide decides which messages before the segment the comparisons need
// not decode: the previous user message when the last comparison of the
// same two texts is remembered or its word set is; the last answer when
// its word set is (only read when the output has text). hU is the last
// user message's text hash.
func (o *nearOperands) elide(e *histEntry, hU uint64, answer bool) {
	if p := o.users[0].words; o.total >= 2 && o.userAt[0] < 0 && p != 0 {
		o.elideP = (hU != 0 && e.pair.last == hU && e.pair.prev == p) || e.lastUser.text == p || e.answer.text == p
	}
	if a := o.text.words; answer && o.textAt < 0 && a != 0 {
		o.elideAns = e.lastUser.text == a || e.answer.text == a
	}
}

// rememberedNear makes c's near-duplicate comparisons from the remembered
// word sets and the texts c holds, and remembers this span's in e. msgs
// are the segment's messages. It reports false when an elided message does
// not decode (never expected: it decoded when it was read).
func (d *Detector) rememberedNear(v *spanmodel.View, c *conversation, e *histEntry, n *nearScratch, o *nearOperands) bool {
	th := d.cfg.NearDuplicate
	if o.total >= 2 && c.lastUser < 0 {
		return true // not expected: the signals compare c's texts
	}
	c.near.set = true
	if o.total >= 2 {
		u := c.in[c.lastUser].Text
		hU := textHash(u)
		var p string
		var hP uint64
		if c.prevUser >= 0 {
			p = c.in[c.prevUser].Text
			hP = textHash(p)
		} else {
			hP = o.users[0].words // elided
		}
		if e.pair.last == hU && e.pair.prev == hP {
			c.near.users = e.pair.dup
		} else {
			su := n.setOf(e, hU, u, &n.user)
			dup, ok := n.compare(v, e, su, hU, hP, p, c.prevUser < 0, o.users[0], &n.prev, th)
			if !ok {
				return false
			}
			c.near.users = dup
			e.lastUser.copyFrom(hU, su)
		}
		e.pair = nearPair{last: hU, prev: hP, dup: c.near.users}
	}
	if c.answer == "" {
		return true
	}
	var a string
	var hA uint64
	found := false
	for i := len(c.in) - 1; i >= 0; i-- {
		if c.in[i].Role == "assistant" && c.in[i].Text != "" {
			a, hA, found = c.in[i].Text, textHash(c.in[i].Text), true
			break
		}
	}
	if !found {
		if !o.elideAns {
			return true // no answer before: nothing to compare
		}
		hA = o.text.words
	}
	hOut := textHash(c.answer)
	so := n.setOf(e, hOut, c.answer, &n.out)
	dup, ok := n.compare(v, e, so, hOut, hA, a, !found, o.text, &n.ans, th)
	if !ok {
		return false
	}
	c.near.answer = dup
	e.answer.copyFrom(hOut, so)
	return true
}
