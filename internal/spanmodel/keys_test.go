package spanmodel

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowClassify is the cheap pass's classification of one key without its
// shortcuts (first-byte filter, length buckets, tail and head words): the
// registered key it is, else the indexed-layout prefix it has.
func slowClassify(k string) (attrKey, uint8) {
	for i := range keyDefs {
		if keyDefs[i].name == k {
			return attrKey(i), 0
		}
	}
	for i := range prefixDefs {
		if strings.HasPrefix(k, prefixDefs[i].prefix) {
			return kNone, prefixDefs[i].flag
		}
	}
	return kNone, 0
}

// fastClassify is what scanAttributes records for one key.
func fastClassify(k string) (attrKey, uint8) {
	if k == "" || !keyStart[k[0]] {
		return kNone, 0
	}
	if id := classifyKey(k); id != kNone {
		return id, 0
	}
	return kNone, classifyPrefix(k)
}

// classifyCases are registered keys and prefixes, each changed in every
// way that could fool a shortcut: one byte changed (first, last, each
// position), case flipped, shortened, lengthened, other keys of the same
// length and tail.
func classifyCases() []string {
	cases := []string{"", "g", "l", "gen", "llm", "llm.", "gen_", "gen_ai", "gen_ai.", "http.route", "loadgen.sent_unix_nano",
		"langfuse.observation", "llmeval.verdict", "GEN_AI.OPERATION.NAME", "gen_ai.prompt", "gen_ai.prompt.", "llm.tools"}
	var names []string
	for i := range keyDefs {
		names = append(names, keyDefs[i].name)
	}
	for i := range prefixDefs {
		names = append(names, prefixDefs[i].prefix, prefixDefs[i].prefix+"0.role")
	}
	for _, n := range names {
		cases = append(cases, n, n+"x", "x"+n, n[:len(n)-1], n[1:], strings.ToUpper(n))
		for i := 0; i < len(n); i++ {
			b := []byte(n)
			b[i] ^= 0x20 // case flip, or another punctuation byte
			cases = append(cases, string(b))
			b[i] = 'z'
			cases = append(cases, string(b))
		}
	}
	return cases
}

// TestClassifyMatchesSlow: the cheap pass's shortcuts classify every key
// as the plain lookups do.
func TestClassifyMatchesSlow(t *testing.T) {
	for _, k := range classifyCases() {
		id, flag := fastClassify(k)
		wantID, wantFlag := slowClassify(k)
		require.Equal(t, wantID, id, "key %q", k)
		require.Equal(t, wantFlag, flag, "key %q", k)
	}
}

// TestScanAttributesMatchesSlow: a span's keys, forged ones under the
// reserved prefix among them, give the view the key set, the indexed
// flags and the reserved mark the plain lookups give.
func TestScanAttributesMatchesSlow(t *testing.T) {
	cases := classifyCases()
	for _, prefix := range []string{"", "llmeval.", "gen_ai.", "x."} {
		for i := 0; i < len(cases); i += 7 {
			var attrs []kv
			var wantHas keySet
			var wantIdx uint8
			wantReserved := false
			seen := map[string]bool{}
			for _, k := range cases[i:min(i+7, len(cases))] {
				if seen[k] {
					continue
				}
				seen[k] = true
				attrs = append(attrs, kv{K: k, V: "v"})
				if id, flag := slowClassify(k); id != kNone {
					wantHas.add(id)
				} else {
					wantIdx |= flag
				}
				if prefix != "" && strings.HasPrefix(k, prefix) {
					wantReserved = true
				}
			}
			v := &View{}
			v.SetReservedPrefix(prefix)
			v.Reset(newSpan(t, attrs...))
			assert.Equal(t, wantHas, v.has, "%v", attrs)
			assert.Equal(t, wantIdx, v.indexed, "%v", attrs)
			assert.Equal(t, wantReserved, v.Reserved(), "%v under %q", attrs, prefix)
		}
	}
}

// TestKeyTableBounds checks what the shortcuts assume of the registry.
func TestKeyTableBounds(t *testing.T) {
	for i := range keyDefs {
		n := keyDefs[i].name
		assert.GreaterOrEqual(t, len(n), minKeyLen, n)
		assert.LessOrEqual(t, len(n), maxKeyLen, n)
		assert.True(t, keyStart[n[0]], n)
	}
	assert.GreaterOrEqual(t, minKeyLen, 8)
	assert.Less(t, int(numKeys), len(keyTable)/2, "keyTable must stay well under full")
	for i := range prefixDefs {
		assert.Greater(t, len(prefixDefs[i].prefix), 4, prefixDefs[i].prefix)
		assert.True(t, keyStart[prefixDefs[i].prefix[0]], prefixDefs[i].prefix)
	}
}

func FuzzClassifyKey(f *testing.F) {
	for _, k := range classifyCases() {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, k string) {
		id, flag := fastClassify(k)
		wantID, wantFlag := slowClassify(k)
		if id != wantID || flag != wantFlag {
			t.Fatalf("%q: got %d/%d, want %d/%d", k, id, flag, wantID, wantFlag)
		}
	})
}
