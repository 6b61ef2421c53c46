package signals

import (
	"bytes"
	"math/bits"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// One pass over a text for several categories' phrases. The last user
// message is read for misalignment, disengagement and satisfaction, a tool
// result for failure and exhaustion: matching each category on its own
// normalised the text and looked every word up once per category.
// phraseIndex holds every category's compiled phrases (textmatch, the
// same normal form) under their first word, so a text is normalised once
// and each of its words looked up once, for all the categories asked.
//
// The results are textmatch.Phrases.Each's, category by category: Each
// visits the word starts of the text in order, and at each one not inside
// its previous match tries the phrases starting with that word, longest
// first; matches of one category never overlap, those of different
// categories are independent. Every place Each resumes after a match is a
// word start of the text (a phrase ending in a letter must end at a word
// boundary; one ending in punctuation is followed by a word start or a
// non-word byte), so walking the text's word starts once and keeping, per
// category, where its last match ended visits exactly the positions each
// category's Each visits, in the same order (FuzzPhraseIndex checks it).

// catMask is a set of categories.
type catMask uint16

func maskOf(cats ...Category) catMask {
	var m catMask
	for _, c := range cats {
		m |= 1 << c
	}
	return m
}

// The categories read in one pass: a user message's, a tool result's.
var (
	userCats   = maskOf(Misalignment, Disengagement, Satisfaction)
	resultCats = maskOf(Failure, Exhaustion)
)

// indexedPhrase is one phrase in normal form with its category's leaf
// kind and its index in the category's compiled set.
type indexedPhrase struct {
	norm []byte
	kind string
	idx  int
}

// firstWord are the phrases starting with one word, per category, longest
// first within a category (textmatch's order among equals).
type firstWord struct {
	cats    catMask
	phrases [NumCategories][]indexedPhrase
}

// phraseIndex is every category's phrases by first word. It is immutable.
type phraseIndex struct {
	byFirst map[string]*firstWord
	// filter has the bit of filterBit(first word) of every first word
	// set: most words of a text start no phrase, and one bit test
	// spares them the map lookup.
	filter [filterWords]uint64
}

const filterWords = 64 // 4,096 bits

// filterBit is a word's bit in phraseIndex.filter: of its length and its
// first and last bytes.
func filterBit(w []byte) uint {
	h := uint(len(w))*0x9e37 ^ uint(w[0])*0x85eb ^ uint(w[len(w)-1])*0xc2b2
	return (h ^ h>>7) % (filterWords * 64)
}

// newPhraseIndex indexes the compiled sets' phrases.
func newPhraseIndex(sets [NumCategories]*phraseSet) *phraseIndex {
	x := &phraseIndex{byFirst: map[string]*firstWord{}}
	for cat, set := range sets {
		if set == nil {
			continue
		}
		for i := 0; i < set.phrases.Len(); i++ {
			n := []byte(set.phrases.Phrase(i))
			w := n[:textmatch.WordEnd(n, 0)]
			fw := x.byFirst[string(w)]
			if fw == nil {
				fw = &firstWord{}
				x.byFirst[string(w)] = fw
				b := filterBit(w)
				x.filter[b/64] |= 1 << (b % 64)
			}
			fw.cats |= 1 << cat
			// Longest first, after the earlier phrases of equal length
			// (the stable sort textmatch.Compile does).
			list := fw.phrases[cat]
			at := len(list)
			for at > 0 && len(list[at-1].norm) < len(n) {
				at--
			}
			list = append(list, indexedPhrase{})
			copy(list[at+1:], list[at:])
			list[at] = indexedPhrase{norm: n, kind: set.kinds[i], idx: i}
			fw.phrases[cat] = list
		}
	}
	return x
}

// each calls fn for every match of the phrases of cats in norm (text in
// textmatch's normal form), in order of position within each category,
// as textmatch.Phrases.Each on each category's phrases would. It stops
// when fn returns false.
func (x *phraseIndex) each(cats catMask, norm []byte, fn func(c Category, p *indexedPhrase) bool) {
	var next [NumCategories]int // per category: where its last match ended
	for i := 0; i < len(norm); {
		if !textmatch.IsWord(norm[i]) {
			i++
			continue
		}
		we := textmatch.WordEnd(norm, i)
		w := norm[i:we]
		if b := filterBit(w); x.filter[b/64]&(1<<(b%64)) != 0 {
			if fw := x.byFirst[string(w)]; fw != nil {
				for m := fw.cats & cats; m != 0; m &= m - 1 {
					c := Category(bits.TrailingZeros16(uint16(m)))
					if next[c] > i {
						continue // inside c's last match
					}
					for k := range fw.phrases[c] {
						p := &fw.phrases[c][k]
						if !bytes.HasPrefix(norm[i:], p.norm) {
							continue
						}
						end := i + len(p.norm)
						if end < len(norm) && textmatch.IsWord(norm[end]) && textmatch.IsWord(p.norm[len(p.norm)-1]) {
							continue // the phrase ends inside a longer word
						}
						if !fn(c, p) {
							return
						}
						next[c] = max(end, we) // matches do not overlap
						break
					}
				}
			}
		}
		i = we
	}
}

// matchCats adds every phrase of the categories in cats found in text: what
// match does for each of them, with one normalisation and one pass.
func (d *Detector) matchCats(cats catMask, text string, f *Found) {
	if text == "" {
		return
	}
	bp := d.bufs.Get().(*[]byte)
	norm := textmatch.Normalize((*bp)[:0], text)
	d.index.each(cats, norm, func(c Category, p *indexedPhrase) bool {
		f.Add(c, p.kind, 1)
		return true
	})
	*bp = norm
	d.bufs.Put(bp)
}

// reportsFailure reports whether a tool result holds a failure phrase.
func (d *Detector) reportsFailure(text string) bool {
	if text == "" {
		return false
	}
	bp := d.bufs.Get().(*[]byte)
	norm := textmatch.Normalize((*bp)[:0], text)
	found := false
	d.index.each(maskOf(Failure), norm, func(Category, *indexedPhrase) bool {
		found = true
		return false
	})
	*bp = norm
	d.bufs.Put(bp)
	return found
}

// userPhrases: the phrases of misalignment (the user corrects the agent,
// rephrases, asks what it means), disengagement (asks for a human, gives
// up, complains, swears) and satisfaction (thanks, confirms, reports
// success) in the last user message, in one pass. They come first in
// each of those categories, as when each category matched on its own.
func (d *Detector) userPhrases(c conversation, f *Found) {
	d.matchCats(userCats, c.lastUserText(), f)
}
