package textmatch

import (
	"bytes"
	"fmt"
	"math/bits"
)

// Phrases is one or more compiled phrase lists, each under its label (a
// check's list, or one per category of a detector), matched in one pass
// over a text: the text is normalised once and each of its words looked up
// once, for every list asked. Within a list, matches never overlap and
// the most specific phrase wins (see EachOf); lists are independent of one
// another. It is immutable and safe for concurrent use.
type Phrases struct {
	phrases [][]byte // in normal form, numbered across the lists in order
	labels  []Label  // each phrase's list
	all     Labels
	// byFirst holds the phrases by their first word.
	byFirst map[string]*firstWord
	// filter has the bit of filterBit(first word) of every first word
	// set: most words of a text start no phrase, and one bit test
	// spares them the map lookup.
	filter [filterWords]uint64
}

// firstWord are the phrases starting with one word, longest first and,
// among phrases of one length, in the order they were added, so that
// within a list the most specific phrase is reported; labels are their
// lists.
type firstWord struct {
	labels  Labels
	phrases []int
}

// Label names a list of a Phrases: the n-th list added is Label(n).
type Label uint8

// Labels is a set of labels.
type Labels uint16

// MaxLabels is how many lists one Phrases holds at most.
const MaxLabels = 16

// Set is the set holding l alone.
func (l Label) Set() Labels { return 1 << l }

const filterWords = 64 // 4,096 bits

// filterBit is a word's bit in Phrases.filter: of its length and its first
// and last bytes.
func filterBit(w []byte) uint {
	h := uint(len(w))*0x9e37 ^ uint(w[0])*0x85eb ^ uint(w[len(w)-1])*0xc2b2
	return (h ^ h>>7) % (filterWords * 64)
}

// PhraseLists builds a Phrases from labelled lists. The zero value is
// ready to use.
type PhraseLists struct {
	p *Phrases
}

// Add normalises a list and adds it under the next label. A phrase that is
// empty once normalised, or that does not start with a word character, is
// an error naming its index in the list; so is a list past MaxLabels.
func (b *PhraseLists) Add(list []string) (Label, error) {
	if b.p == nil {
		b.p = &Phrases{byFirst: map[string]*firstWord{}}
	}
	p := b.p
	n := bits.OnesCount16(uint16(p.all))
	if n == MaxLabels {
		return 0, fmt.Errorf("more than %d phrase lists", MaxLabels)
	}
	normal := make([][]byte, len(list))
	for i, s := range list {
		norm := Normalize(nil, s)
		if len(norm) == 0 {
			return 0, fmt.Errorf("[%d]: empty phrase", i)
		}
		if !IsWord(norm[0]) {
			return 0, fmt.Errorf("[%d]: %q must start with a letter or digit", i, s)
		}
		normal[i] = norm
	}
	label := Label(n)
	p.all |= label.Set()
	for _, norm := range normal {
		idx := len(p.phrases)
		p.phrases = append(p.phrases, norm)
		p.labels = append(p.labels, label)
		w := norm[:WordEnd(norm, 0)]
		fw := p.byFirst[string(w)]
		if fw == nil {
			fw = &firstWord{}
			p.byFirst[string(w)] = fw
			bit := filterBit(w)
			p.filter[bit/64] |= 1 << (bit % 64)
		}
		fw.labels |= label.Set()
		// Longest first, after the phrases of equal length added before.
		at := len(fw.phrases)
		for at > 0 && len(p.phrases[fw.phrases[at-1]]) < len(norm) {
			at--
		}
		fw.phrases = append(fw.phrases, 0)
		copy(fw.phrases[at+1:], fw.phrases[at:])
		fw.phrases[at] = idx
	}
	return label, nil
}

// Phrases returns the lists added so far, compiled. The builder must not
// be used afterwards.
func (b *PhraseLists) Phrases() *Phrases {
	if b.p == nil {
		b.p = &Phrases{byFirst: map[string]*firstWord{}}
	}
	p := b.p
	b.p = nil
	return p
}

// Compile compiles one list, under Label(0). A phrase that is empty once
// normalised, or that does not start with a word character, is an error
// naming its index.
func Compile(list []string) (*Phrases, error) {
	var b PhraseLists
	if _, err := b.Add(list); err != nil {
		return nil, err
	}
	return b.Phrases(), nil
}

// Len is the number of phrases, over all lists.
func (p *Phrases) Len() int { return len(p.phrases) }

// Phrase returns phrase i in normal form. Phrases are numbered across the
// lists in the order they were added.
func (p *Phrases) Phrase(i int) string { return string(p.phrases[i]) }

// Label is the list phrase i belongs to.
func (p *Phrases) Label(i int) Label { return p.labels[i] }

// Each is EachOf every list.
func (p *Phrases) Each(norm []byte, fn func(phrase, start, end int) bool) {
	p.EachOf(p.all, norm, fn)
}

// EachOf calls fn for every whole-word match in norm (text in normal form,
// see Normalize) of the phrases of the lists in labels, list by list as if
// each were matched alone, and stops when fn returns false. Within a list,
// matches come in order of position: at a word start, the longest phrase
// starting there (the first added among equals), then the search goes on
// after it, so matches never overlap ("this is ridiculous" is one match,
// not also "ridiculous"). Matches of different lists are independent and
// may overlap; at one position they come longest first.
//
// Matching one list alone would visit the word starts of the text in
// order, skipping those inside its last match. Every place it resumes
// after a match is a word start or a non-word byte (a phrase ending in a
// word byte must end at a word boundary, one ending otherwise is followed
// by a word start or a non-word byte; the match covers the whole first
// word), so walking every word start once and keeping, per list, where its
// last match ended visits exactly the positions each list alone would, in
// the same order (FuzzPhraseLists checks it against a list matched alone).
func (p *Phrases) EachOf(labels Labels, norm []byte, fn func(phrase, start, end int) bool) {
	labels &= p.all
	if labels == 0 {
		return
	}
	var next [MaxLabels]int // per list: where its last match ended
	for i := 0; i < len(norm); {
		if !IsWord(norm[i]) {
			i++
			continue
		}
		we := WordEnd(norm, i)
		w := norm[i:we]
		if bit := filterBit(w); p.filter[bit/64]&(1<<(bit%64)) != 0 {
			if fw := p.byFirst[string(w)]; fw != nil && fw.labels&labels != 0 {
				open := Labels(0) // the lists asked not inside their last match
				for m := fw.labels & labels; m != 0; m &= m - 1 {
					if l := bits.TrailingZeros16(uint16(m)); next[l] <= i {
						open |= 1 << l
					}
				}
				for _, idx := range fw.phrases {
					l := p.labels[idx]
					if open&l.Set() == 0 {
						continue
					}
					ph := p.phrases[idx]
					if !bytes.HasPrefix(norm[i:], ph) {
						continue
					}
					end := i + len(ph)
					if end < len(norm) && IsWord(norm[end]) && IsWord(ph[len(ph)-1]) {
						continue // the phrase ends inside a longer word
					}
					if !fn(idx, i, end) {
						return
					}
					next[l] = max(end, we) // matches do not overlap
					if open &^= l.Set(); open == 0 {
						break
					}
				}
			}
		}
		i = we
	}
}

// First returns the first phrase found in norm, of any list.
func (p *Phrases) First(norm []byte) (phrase int, found bool) {
	phrase = -1
	p.Each(norm, func(idx, _, _ int) bool {
		phrase = idx
		return false
	})
	return phrase, phrase >= 0
}

// Count returns how many matches norm holds, over all lists.
func (p *Phrases) Count(norm []byte) int {
	n := 0
	p.Each(norm, func(int, int, int) bool { n++; return true })
	return n
}
