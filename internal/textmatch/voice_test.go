package textmatch

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func ownVoice(s string) string {
	var parts []string
	OwnVoice(s, func(p string) { parts = append(parts, p) })
	return strings.Join(parts, "|")
}

func TestOwnVoice(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "I can't help with that.", "I can't help with that."},
		{"double quotes", `Your bot says "I can't help" because of X.`, `Your bot says | because of X.`},
		{"curly quotes", "It replied “I won’t do that” twice.", "It replied | twice."},
		{"low-high quotes", "Er sagte „Ich kann nicht“ dazu.", "Er sagte | dazu."},
		{"guillemets", "Il a dit «je ne peux pas» hier.", "Il a dit | hier."},
		{"single quotes", "Translate 'I can't come' please.", "Translate | please."},
		{"apostrophes are not quotes", "I can't, you won't, it's Tom's.", "I can't, you won't, it's Tom's."},
		{"unmatched quote hides nothing", `He is 6" tall. I can't help.`, `He is 6" tall. I can't help.`},
		{"quote stops at a blank line", "\"Open\n\nI can't help.", "\"Open\n\nI can't help."},
		{"inline code", "Return `I can't` here.", "Return | here."},
		{"fenced code", "Code:\n```\nI can't\n```\nDone.", "Code:\n|Done."},
		{"blockquote", "Try:\n> I won't attend.\nOk.", "Try:\n|Ok."},
		{"letter", "Here it is.\nDear Ms. Cho,\n\nWe regret we cannot.\n\nKind regards,\nDan\nAnything else?", "Here it is.\n|Anything else?"},
		{"letter with subject", "Subject: Re: offer\n\nWe cannot.\n\nBest,\nDan\nDone.", "Done."},
		{"greeting with text is not a letter", "Hi Sam, I can't help with that.", "Hi Sam, I can't help with that."},
		{"intro colon, same line", "You could say: I'm sorry, I can't.\nNext.", "You could say:|Next."},
		{"intro colon, next paragraph", "Here's a draft:\n\nI can't make it.\n\nI hope it helps.", "Here's a draft:|\nI hope it helps."},
		{"other colon", "Good news: I can't see why not.", "Good news: I can't see why not."},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, ownVoice(tc.in), tc.name)
	}
}

func FuzzOwnVoice(f *testing.F) {
	f.Add("You could say: \"I can't\"\n> quoted\nDear Al,\nno\nBest,\nme `x` ```\ny\n```")
	f.Add("'a' „b“ «c» “d” ‘e’ \xff")
	f.Fuzz(func(t *testing.T, s string) {
		// The parts are in order, do not overlap and lie within s.
		pos := 0
		OwnVoice(s, func(p string) {
			if len(p) == 0 {
				t.Fatalf("empty part")
			}
			k := strings.Index(s[pos:], p)
			if k < 0 {
				t.Fatalf("part %q not found after %d", p, pos)
			}
			pos += k + len(p)
		})
	})
}

// TestIntroducesFast: the in-place reading of ASCII text agrees with the
// general one (introducesSlow: lower-case, split, trim, compare).
func TestIntroducesFast(t *testing.T) {
	for _, s := range []string{
		"You could say", "Here's a DRAFT", "I found two morning flights to Boston next Tuesday",
		"(Example)", "e.g.", "E-MAIL", "*Translation*", "", "   ", "\t\vsay\f", "a b c d e f g h i j k say",
		"a b c d e f g h i j k l say", "...", "\"quote\"", "Wording_", "Ünïcode say", "say\u00a0it", "looK",
	} {
		assert.Equal(t, introducesSlow(s), introduces(s), "%q", s)
	}
	assert.True(t, introduces("Here's a DRAFT"))
	assert.False(t, introduces("I found two morning flights to Boston next Tuesday"))
}

func FuzzIntroduces(f *testing.F) {
	f.Add("You could say")
	f.Add("a b c d e f g h i j k say")
	f.Add("*Translation*")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := introduces(s), introducesSlow(s); got != want {
			t.Fatalf("introduces(%q) = %v, want %v", s, got, want)
		}
	})
}
