package textmatch

import (
	"bytes"
	"encoding/binary"
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
	// firsts are the phrases' first words; slots finds them (see
	// lookup).
	firsts []firstWord
	slots  []uint64
	// filter has the bit of filterBit(first word) of every first word
	// set: most words of a text start no phrase, and one bit test of
	// their length and end bytes spares them the hash and the lookup.
	filter [filterWords]uint64
}

const filterWords = 64 // 4,096 bits

// filterBit is a word's bit in Phrases.filter: of its length and its first
// and last bytes.
func filterBit(w []byte) uint {
	h := uint(len(w))*0x9e37 ^ uint(w[0])*0x85eb ^ uint(w[len(w)-1])*0xc2b2
	return (h ^ h>>7) % (filterWords * 64)
}

// firstWord are the phrases starting with one word, longest first and,
// among phrases of one length, in the order they were added, so that
// within a list the most specific phrase is reported; labels are their
// lists.
type firstWord struct {
	word    []byte
	labels  Labels
	phrases []int
}

// The first words are found in an open-addressing table of at least
// four slots per word, by a hash of the word's length and first eight
// bytes (longer words sharing those only share a slot chain): a slot
// holds the hash's upper half and the word's index + 1 (0: empty). A
// word the filter lets through that starts no phrase mostly ends at an
// empty slot or one whose hash differs, without comparing bytes.

// wordHash is the hash lookup takes of the word b[i:we].
func wordHash(b []byte, i, we int) uint64 {
	n := we - i
	var x uint64
	switch {
	case i+8 <= len(b):
		x = binary.LittleEndian.Uint64(b[i:])
		if n < 8 {
			x &= 1<<(8*n) - 1
		}
	default: // near the end of b: at most 7 bytes
		for k := we - 1; k >= i; k-- {
			x = x<<8 | uint64(b[k])
		}
	}
	h := (x ^ uint64(n)<<56) * 0x9e3779b97f4a7c15
	return h ^ h>>29
}

// lookup is the first word w of hash h, or nil.
func (p *Phrases) lookup(w []byte, h uint64) *firstWord {
	if len(p.slots) == 0 {
		return nil
	}
	mask := uint64(len(p.slots) - 1)
	for s := h & mask; ; s = (s + 1) & mask {
		v := p.slots[s]
		if v == 0 {
			return nil
		}
		if v>>32 == h>>32 {
			if fw := &p.firsts[uint32(v)-1]; bytes.Equal(fw.word, w) {
				return fw
			}
		}
	}
}

// insert adds the first word w.
func (p *Phrases) insert(w []byte) *firstWord {
	p.firsts = append(p.firsts, firstWord{word: w})
	bit := filterBit(w)
	p.filter[bit/64] |= 1 << (bit % 64)
	p.grow()
	return &p.firsts[len(p.firsts)-1]
}

// grow places the newest first word, first rebuilding the slots (eight
// per word) when there would be fewer than four per word.
func (p *Phrases) grow() {
	if len(p.slots) >= 4*len(p.firsts) {
		p.place(len(p.firsts) - 1)
		return
	}
	n := 16
	for n < 8*len(p.firsts) {
		n *= 2
	}
	p.slots = make([]uint64, n)
	for i := range p.firsts {
		p.place(i)
	}
}

// place puts first word i in its slot.
func (p *Phrases) place(i int) {
	w := p.firsts[i].word
	h := wordHash(w, 0, len(w))
	mask := uint64(len(p.slots) - 1)
	s := h & mask
	for p.slots[s] != 0 {
		s = (s + 1) & mask
	}
	p.slots[s] = h>>32<<32 | uint64(i+1)
}

// Label names a list of a Phrases: the n-th list added is Label(n).
type Label uint8

// Labels is a set of labels.
type Labels uint16

// MaxLabels is how many lists one Phrases holds at most.
const MaxLabels = 16

// Set is the set holding l alone.
func (l Label) Set() Labels { return 1 << l }

// wordByte is IsWord by table.
var wordByte = func() (t [256]bool) {
	for c := range t {
		t[c] = IsWord(byte(c))
	}
	return t
}()

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
		b.p = &Phrases{}
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
		fw := p.lookup(w, wordHash(w, 0, len(w)))
		if fw == nil {
			fw = p.insert(w)
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
		b.p = &Phrases{}
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
		if !wordByte[norm[i]] {
			i++
			continue
		}
		we := i + 1
		for we < len(norm) && wordByte[norm[we]] {
			we++
		}
		if bit := filterBit(norm[i:we]); p.filter[bit/64]&(1<<(bit%64)) != 0 {
			fw := p.lookup(norm[i:we], wordHash(norm, i, we))
			if fw != nil && fw.labels&labels != 0 && !p.matchAt(fw, labels, &next, norm, i, we, fn) {
				return
			}
		}
		i = we
	}
}

// matchAt reports, for each list in labels not inside its last match,
// the longest of fw's phrases at word start i (the word ends at we), and
// moves the list's next past it; false when fn stopped.
func (p *Phrases) matchAt(fw *firstWord, labels Labels, next *[MaxLabels]int, norm []byte, i, we int, fn func(phrase, start, end int) bool) bool {
	open := Labels(0)
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
		if end < len(norm) && wordByte[norm[end]] && wordByte[ph[len(ph)-1]] {
			continue // the phrase ends inside a longer word
		}
		if !fn(idx, i, end) {
			return false
		}
		next[l] = max(end, we) // matches do not overlap
		if open &^= l.Set(); open == 0 {
			break
		}
	}
	return true
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
