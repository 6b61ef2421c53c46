package signals

import (
	"testing"
	"unicode"
)

// oracleShouting is shouting over the string's runes, unicode alone.
func oracleShouting(s string) bool {
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

// FuzzShouting: the ASCII table decides as unicode does.
func FuzzShouting(f *testing.F) {
	f.Add("WHERE IS MY REFUND ALREADY")
	f.Add("WHERE is my REFUND ALREADY ÄÖÜ straße ΣΊΣΥΦΟΣ")
	f.Add("ÉTÉ ÇA VA \xff\xfeABC DEF GHI")
	f.Add("ABC1DEF2GHI3 ªº")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := shouting(s), oracleShouting(s); got != want {
			t.Fatalf("shouting(%q) = %v, over runes %v", s, got, want)
		}
	})
}
