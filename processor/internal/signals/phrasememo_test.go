package signals

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-llmeval/otelcol-llmeval/internal/textmatch"
)

// TestPhraseMemo: matchCats and reportsFailure find what a reading of the
// text finds, whether the text is remembered, read for other categories
// or only for its first phrase before (reportsFailure reads a result as
// failure and exhaustion do, one slot for the three), pushed out of its slot by other
// texts, or holds more phrases than a slot keeps.
func TestPhraseMemo(t *testing.T) {
	d := newDetector(t, Config{})
	direct := func(cats textmatch.Labels, text string) Found {
		var f Found
		f.Reset()
		norm := textmatch.Normalize(nil, text)
		d.phrases.EachOf(cats, norm, func(i, _, _ int) bool {
			f.Add(Category(d.phrases.Label(i)), d.kinds[i], 1)
			return true
		})
		return f
	}
	texts := []string{
		"", "ok", "No, I meant the other order. THIS IS USELESS, talk to a human!",
		"thanks, that works", "Thanks, thank you, perfect, great, awesome, excellent, sounds good, that works!",
		`{"error":"permission denied: invalid token"}`, "rate limit exceeded, status 429, try again: timed out",
		"Error: connection refused; error: connection refused; error: connection refused; error: connection refused",
		"größe ändern, danke — never mind",
		// More exhaustion phrases than a slot keeps, then a failure phrase
		// or none: reportsFailure reads such a result for failure alone.
		"timed out; timed out; timed out; timed out; rate limit; rate limit; rate limit; rate limit; permission denied",
		"timed out; timed out; timed out; timed out; rate limit; rate limit; rate limit; rate limit; ok",
	}
	for i := 0; i < 3*memoSlots; i++ { // more texts than slots: some share one
		texts = append(texts, fmt.Sprintf("request %d failed to parse: invalid json, status 50%d", i, i%5))
	}
	cats := []textmatch.Labels{userCats, resultCats, failureCat, exhaustionCat}
	for round := 0; round < 3; round++ {
		for i, text := range texts {
			for _, c := range cats {
				var got Found
				got.Reset()
				d.matchCats(c, text, &got)
				want := direct(c, text)
				if !reflect.DeepEqual(want, got) {
					t.Fatalf("round %d, text %d, categories %b: got %+v, want %+v", round, i, c, got, want)
				}
				wantFailure := want.Count(Failure) > 0
				if c != failureCat {
					only := direct(failureCat, text)
					wantFailure = only.Count(Failure) > 0
				}
				require.Equal(t, wantFailure, d.reportsFailure(text), "round %d, text %d", round, i)
			}
		}
	}
	var many Found
	many.Reset()
	d.matchCats(userCats, texts[4], &many)
	require.Greater(t, many.Count(Satisfaction), memoFound, "a text with more phrases than a slot keeps")
	for i, text := range texts[:9] {
		var f Found
		d.matchCats(userCats, text, &f)
		var found [memoFound]int32
		_, ok := d.memo.get(memoKey(text, uint64(userCats)<<1), &found)
		// Not the empty text (not read) and not the one with too many phrases.
		require.Equal(t, text != "" && i != 4, ok, "text %d just read is remembered", i)
	}
}

// TestPhraseMemoSize: the memo is the fixed size the README gives (~21 KiB).
func TestPhraseMemoSize(t *testing.T) {
	require.LessOrEqual(t, int(unsafe.Sizeof(phraseMemo{})), phraseMemoBytes)
	require.LessOrEqual(t, phraseMemoBytes, 21*1024+512)
}
