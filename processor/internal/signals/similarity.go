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
	p := wordPairs.Get().(*wordPair)
	p.buf = p.a.build(a, p.buf)
	p.buf = p.b.build(b, p.buf)
	dup := p.a.near(&p.b, threshold)
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
	ws.n, ws.first, ws.set = 0, [2]uint64{}, ws.set[:0]
	for i := 0; i < len(s) && ws.n < maxSimilarityWords; {
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
			ws.add(maphash.String(wordSeed, s[start:i]))
		default:
			buf = buf[:0]
			for _, r := range s[start:i] {
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
			}
			ws.add(maphash.Bytes(wordSeed, buf))
		}
	}
	slices.Sort(ws.set)
	ws.set = slices.Compact(ws.set)
	return buf
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
