package signals

import "unicode"

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
	for _, r := range s {
		if unicode.IsLetter(r) {
			inWord = true
			letters++
			if unicode.IsUpper(r) {
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
	runs, n := 0, 0
	for i := 0; i <= len(s); i++ {
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
