package signals

import (
	"strings"
	"unicode"
)

// maxSimilarityWords bounds the words compared, keeping the check linear.
const maxSimilarityWords = 200

// nearDuplicate reports whether two messages say the same thing: equal
// after folding case and spacing, or with word sets at least threshold
// similar (Jaccard). Messages of fewer than three words must be equal.
func nearDuplicate(a, b string, threshold float64) bool {
	wa, wb := words(a), words(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	if len(wa) < 3 || len(wb) < 3 {
		return strings.Join(wa, " ") == strings.Join(wb, " ")
	}
	set := make(map[string]bool, len(wa))
	for _, w := range wa {
		set[w] = true
	}
	inter, union := 0, len(set)
	seen := make(map[string]bool, len(wb))
	for _, w := range wb {
		if seen[w] {
			continue
		}
		seen[w] = true
		if set[w] {
			inter++
		} else {
			union++
		}
	}
	return float64(inter)/float64(union) >= threshold
}

func words(s string) []string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(f) > maxSimilarityWords {
		f = f[:maxSimilarityWords]
	}
	return f
}
