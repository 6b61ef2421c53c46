package signals

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// disengagement: the user asks for a human, gives up, complains, swears
// (phrases: userPhrases), shouts in capitals or piles up ?!.
func (d *Detector) disengagement(c conversation, f *Found) {
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
	// fewer has none (most texts are decided by this one byte loop).
	capitals := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			capitals = 9 // other runes: read them below
			break
		}
		if 'A' <= c && c <= 'Z' {
			capitals++
		}
	}
	if capitals < 9 {
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
