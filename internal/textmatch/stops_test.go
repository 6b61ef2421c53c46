package textmatch

import (
	"testing"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch/texttest"
)

// stopSets are the sets the tests try: OwnVoice's, and others mixing
// neighbours in the byte table.
var stopSets = []*Stops{voiceStops, NewStops(".;!?:\n", false), NewStops("\x00\x7f", true), NewStops("a", false)}

// sameStops checks Next, from every offset of s, against the first byte
// Has marks, for every set of stopSets.
func sameStops(t *testing.T, s string) {
	t.Helper()
	for k, st := range stopSets {
		for i := 0; i <= len(s); i++ {
			want := i
			for want < len(s) && !st.Has(s[want]) {
				want++
			}
			if got := st.Next(s, i); got != want {
				t.Fatalf("set %d: Next(%q, %d) = %d, want %d", k, s, i, got, want)
			}
		}
	}
}

// TestStops: finding stops eight bytes at a time finds what reading byte
// by byte finds, on texts dense in stops and their neighbours in the byte
// table.
func TestStops(t *testing.T) {
	pieces := []string{"a", "Z", " ", "\n", "\t", ":", ";", ".", "!", "?", "9", "`", "_", "\"", "'", "&", "(", "é", "“",
		"\xff", "\x7f", "\x00", "\x01", "\x8a", "\xba", "\xa0", "abcdefghijk"}
	for _, s := range texttest.Mixes(5, 5000, 30, pieces) {
		sameStops(t, s)
	}
}

func FuzzStops(f *testing.F) {
	f.Add("The order ships Monday: tracking \"follows\" by `email`.\nI can't")
	f.Add("\x8a\xba\xa0\x0a:;`\"'abcdefgh\x00\x7f\x80")
	f.Fuzz(sameStops)
}
