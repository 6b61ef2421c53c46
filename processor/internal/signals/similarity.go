package signals

import (
	"hash/maphash"
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"
)

// maxSimilarityWords bounds the words compared, keeping the check linear.
const maxSimilarityWords = 200

// nearDuplicate reports whether two messages say the same thing: equal
// after folding case and spacing, or with word sets at least threshold
// similar (Jaccard). Messages of fewer than three words must be equal.
func nearDuplicate(a, b string, threshold float64) bool {
	if len(a) > len(b) {
		a, b = b, a // the shorter whole, the longer as far as needed
	}
	p := wordPairs.Get().(*wordPair)
	p.buf = p.a.build(a, p.buf)
	var dup bool
	dup, p.buf = p.a.nearText(b, threshold, &p.b, p.buf)
	wordPairs.Put(p)
	return dup
}

// wordPair is nearDuplicate's scratch, pooled: two word sets and a word.
type wordPair struct {
	a, b wordSet
	buf  []byte
}

var wordPairs = sync.Pool{New: func() any { return &wordPair{} }}

// wordSet is a text's words as the near-duplicate comparison reads them:
// its first maxSimilarityWords words (runs of letters and digits, lower
// case), each as a seeded 64-bit hash. Only equality of words matters, so
// hashes in a sorted slice give the comparison of the words themselves
// (two of at most 400 words collide with a probability under 2^-47,
// and without the seed a client cannot aim for a collision), with no map to build and
// 8 bytes a word to remember.
type wordSet struct {
	n     int       // words read, at most maxSimilarityWords
	first [2]uint64 // the first two words, in order (short messages compare in order)
	set   []uint64  // the distinct words, sorted
}

var wordSeed = maphash.MakeSeed()

// build makes ws the word set of s. buf is scratch for a lower-cased word;
// build returns it, grown, for reuse. Words are those of
// strings.FieldsFunc(strings.ToLower(s), not a letter or digit): each
// rune lowered with unicode.ToLower, then split where the lowered rune is
// neither a letter nor a digit (bytes that are not UTF-8 lower to U+FFFD,
// a separator); reading stops at the last word compared.
func (ws *wordSet) build(s string, buf []byte) []byte {
	buf, _ = ws.scan(s, buf, maxSimilarityWords, maxSimilarityWords)
	return buf
}

// scan is build reading at most words words and stopping, far, once s has
// more than limit distinct words (below maxSimilarityWords, limit is small:
// each word is looked up among the distinct ones so far).
func (ws *wordSet) scan(s string, buf []byte, words, limit int) (_ []byte, far bool) {
	ws.n, ws.first, ws.set = 0, [2]uint64{}, ws.set[:0]
	add := func(h uint64) bool {
		if limit >= maxSimilarityWords {
			ws.add(h)
			return true
		}
		n := ws.n
		if !slices.Contains(ws.set, h) {
			ws.add(h)
		} else if ws.n++; n < len(ws.first) {
			ws.first[n] = h
		}
		return len(ws.set) <= limit
	}
	for i := 0; i < len(s) && ws.n < words; {
		// A word: the longest run of letters and digits from i, plain
		// when it is lower-case ASCII already.
		start, plain := i, true
		for i < len(s) {
			if c := s[i]; c < utf8.RuneSelf {
				l := asciiWord[c]
				if l == 0 {
					break
				}
				plain = plain && l == c
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if r = unicode.ToLower(r); !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			plain = false
			i += size
		}
		switch {
		case i == start: // a separator
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		case plain:
			if !add(maphash.String(wordSeed, s[start:i])) {
				return buf, true
			}
		default:
			buf = buf[:0]
			for _, r := range s[start:i] {
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
			}
			if !add(maphash.Bytes(wordSeed, buf)) {
				return buf, true
			}
		}
	}
	slices.Sort(ws.set)
	ws.set = slices.Compact(ws.set)
	return buf, false
}

// maxFarLimit bounds the distinct words nearText looks each word up among
// to stop early; above it the text is read whole.
const maxFarLimit = 32

// nearText is ws.near(the word set of s): whether text s is near the
// whole word set ws. It builds s's word set into scratch only as far as
// the answer needs: a third word when ws has fewer than three (those
// compare in order), and no further than the distinct words that could
// still be near ws's: with inter <= len(ws.set) and union >= s's distinct
// words, the similarity is at most len(ws.set)/distinct, and float
// division is monotone, so a text past that bound is not near. scratch
// then holds part of s's words only.
func (ws *wordSet) nearText(s string, threshold float64, scratch *wordSet, buf []byte) (bool, []byte) {
	if ws.n == 0 {
		return false, buf
	}
	words, limit := maxSimilarityWords, maxSimilarityWords
	if ws.n < 3 {
		words = 3
	} else {
		d := float64(len(ws.set))
		limit = 0
		for limit < maxFarLimit && d/float64(limit+1) >= threshold {
			limit++
		}
		if limit == maxFarLimit {
			limit = maxSimilarityWords // no early stop
		}
	}
	buf, far := scratch.scan(s, buf, words, limit)
	if far {
		return false, buf
	}
	return ws.near(scratch, threshold), buf
}

// asciiWord maps an ASCII letter or digit to its lower case, anything
// else to 0.
var asciiWord = func() (t [utf8.RuneSelf]byte) {
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c
	}
	for c := byte('a'); c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = c, c
	}
	return t
}()

func (ws *wordSet) add(h uint64) {
	if ws.n < len(ws.first) {
		ws.first[ws.n] = h
	}
	ws.n++
	ws.set = append(ws.set, h)
}

// near is nearDuplicate on two word sets.
func (ws *wordSet) near(o *wordSet, threshold float64) bool {
	if ws.n == 0 || o.n == 0 {
		return false
	}
	if ws.n < 3 || o.n < 3 {
		// The same words in the same order (first is zero past n).
		return ws.n == o.n && ws.first == o.first
	}
	inter := 0
	a, b := ws.set, o.set
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			inter++
			i++
			j++
		}
	}
	union := len(a) + len(b) - inter
	return float64(inter)/float64(union) >= threshold
}

// copyFrom makes ws a copy of o, in ws's own buffer, grown to at most
// maxSimilarityWords words (what a remembered set may hold).
func (ws *wordSet) copyFrom(o *wordSet) {
	if cap(ws.set) < len(o.set) {
		ws.set = make([]uint64, 0, min(maxSimilarityWords, max(2*len(o.set), 16)))
	}
	ws.n, ws.first, ws.set = o.n, o.first, append(ws.set[:0], o.set...)
}
