package signals

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// oracleShouting is shouting read another way: the words are the runs of
// letters (strings.FieldsFunc decodes as ranging does), a word shouts
// when it has three letters or more, all upper case.
func oracleShouting(s string) bool {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	caps := 0
	for _, w := range words {
		if utf8.RuneCountInString(w) >= 3 && strings.IndexFunc(w, func(r rune) bool { return !unicode.IsUpper(r) }) < 0 {
			caps++
		}
	}
	return caps >= 3 && caps*2 >= len(words)
}

// punctuationOracle matches the runs of three or more '?' and '!'.
var punctuationOracle = regexp.MustCompile(`[?!]{3,}`)

// FuzzShouting: the byte loops and the ASCII table decide as the runs of
// letters do; the punctuation runs, found from the first '?' or '!', are
// the regexp's.
func FuzzShouting(f *testing.F) {
	f.Add("why??? no!!! ok?! ?!?!")
	f.Add("!?? a ??!!?? b !!")
	f.Add("WHERE IS MY REFUND ALREADY")
	f.Add("WHERE is my REFUND ALREADY ÄÖÜ straße ΣΊΣΥΦΟΣ")
	f.Add("ÉTÉ ÇA VA \xff\xfeABC DEF GHI")
	f.Add("ABC1DEF2GHI3 ªº")
	f.Fuzz(func(t *testing.T, s string) {
		require.Equal(t, oracleShouting(s), shouting(s), "%q", s)
		require.Equal(t, len(punctuationOracle.FindAllStringIndex(s, -1)), punctuationRuns(s), "%q", s)
	})
}
