package signals

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// disengagement: the user asks for a human, gives up, complains, swears
// (phrases: userPhrases), shouts in capitals or piles up ?!.
func (d *Detector) disengagement(c *conversation, f *Found) {
	text := c.lastUserText()
	if shouting(text) {
		f.Add(Disengagement, "shouting", 1)
	}
	if n := punctuationRuns(text); n > 0 {
		f.Add(Disengagement, "punctuation", n)
	}
}

// shouting reports at least three words of three or more letters written
// in capitals, making up at least half of the message's words.
func shouting(s string) bool {
	// Three words in capitals take nine capitals: an ASCII text with
	// fewer has none (most texts are decided by this count).
	if asciiCapitals(s) < 9 {
		return false
	}
	words, caps := 0, 0
	inWord, letters, upper := false, 0, 0
	end := func() {
		if inWord {
			words++
			if letters >= 3 && upper == letters {
				caps++
			}
		}
		inWord, letters, upper = false, 0, 0
	}
	for i := 0; i < len(s); {
		// ASCII is classified by table; other runes by unicode, as
		// ranging over s decodes them (an invalid byte is U+FFFD, not
		// a letter).
		var letter, up bool
		if c := s[i]; c < utf8.RuneSelf {
			letter, up = asciiLetter[c], 'A' <= c && c <= 'Z'
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			letter, up = unicode.IsLetter(r), unicode.IsUpper(r)
			i += size
		}
		if letter {
			inWord = true
			letters++
			if up {
				upper++
			}
			continue
		}
		end()
	}
	end()
	return caps >= 3 && caps*2 >= words
}

// asciiCapitals is the number of ASCII capitals in s, or 9 (enough to read
// s word by word) when s has a byte that is not ASCII. Eight bytes are
// counted at a time: for an ASCII byte b, b+0x3f has its top bit set when
// b >= 'A' and b+0x25 when b > 'Z' (neither carries into the next byte).
func asciiCapitals(s string) int {
	n := 0
	for ; len(s) >= 8; s = s[8:] { // one load, no bounds checks
		w := textmatch.Word(s)
		if w&textmatch.Highs != 0 {
			return 9 // other runes: read them word by word
		}
		n += bits.OnesCount64((w + 0x3f3f3f3f3f3f3f3f) &^ (w + 0x2525252525252525) & textmatch.Highs)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return 9
		}
		if 'A' <= c && c <= 'Z' {
			n++
		}
	}
	return n
}

// punctuationRuns counts runs of three or more '?' and '!' ("???", "?!?").
func punctuationRuns(s string) int {
	// No run starts before the first '?' or '!': most texts have none,
	// which two vectorised searches tell.
	from := strings.IndexByte(s, '?')
	if j := strings.IndexByte(s, '!'); from < 0 || j >= 0 && j < from {
		from = j
	}
	if from < 0 {
		return 0
	}
	runs, n := 0, 0
	for i := from; i <= len(s); i++ {
		if i < len(s) && (s[i] == '?' || s[i] == '!') {
			n++
			continue
		}
		if n >= 3 {
			runs++
		}
		n = 0
	}
	return runs
}

// asciiLetter marks the ASCII letters (unicode.IsLetter below RuneSelf).
var asciiLetter = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = unicode.IsLetter(rune(c))
	}
	return t
}()
