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

// oracleCapitals is asciiCapitals one byte at a time: the ASCII capitals,
// 9 when s has a byte that is not ASCII.
func oracleCapitals(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			return 9
		case 'A' <= c && c <= 'Z':
			n++
		}
	}
	return n
}

// punctuationOracle matches the runs of three or more '?' and '!'.
var punctuationOracle = regexp.MustCompile(`[?!]{3,}`)

// FuzzShouting: the byte loops and the ASCII table decide as the runs of
// letters do, the capitals counted eight bytes at a time as one at a time; the punctuation runs, found from the first '?' or '!', are
// the regexp's.
func FuzzShouting(f *testing.F) {
	f.Add("why??? no!!! ok?! ?!?!")
	f.Add("!?? a ??!!?? b !!")
	f.Add("WHERE IS MY REFUND ALREADY")
	f.Add("WHERE is my REFUND ALREADY ÄÖÜ straße ΣΊΣΥΦΟΣ")
	f.Add("ÉTÉ ÇA VA \xff\xfeABC DEF GHI")
	f.Add("ABC1DEF2GHI3 ªº")
	f.Add("@AZ[`az{ @AZ[`az{ ZZZZZZZZZ \x7f\x00A")
	f.Add("ABCDEFGH abcdefgh ABCDEFG\x80")
	f.Fuzz(func(t *testing.T, s string) {
		require.Equal(t, oracleCapitals(s), asciiCapitals(s), "%q", s)
		require.Equal(t, oracleShouting(s), shouting(s), "%q", s)
		require.Equal(t, len(punctuationOracle.FindAllStringIndex(s, -1)), punctuationRuns(s), "%q", s)
	})
}

// TestASCIICapitals: every byte value at every position of a word, and
// the words' boundaries, counted as one byte at a time counts them.
func TestASCIICapitals(t *testing.T) {
	for b := 0; b < 256; b++ {
		for _, n := range []int{1, 7, 8, 9, 16, 17} {
			for at := 0; at < n; at++ {
				s := []byte(strings.Repeat("Ab", n)[:n])
				s[at] = byte(b)
				require.Equal(t, oracleCapitals(string(s)), asciiCapitals(string(s)), "%q", s)
			}
		}
	}
}
