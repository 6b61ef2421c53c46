package textmatch

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"  I Can’t   HELP\n\twith that ": "i cant help with that",
		"It's “quoted”":                  `its "quoted"`,
		"don`t":                          "dont",
		"ÉCOLE Straße":                   "école straße",
		"bad \xff byte":                  "bad byte",
		"":                               "",
		"\n\n":                           "",
	}
	for in, want := range cases {
		assert.Equal(t, want, string(Normalize(nil, in)), "%q", in)
	}
}
