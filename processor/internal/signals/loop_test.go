package signals

import (
	"hash/maphash"
	"strings"
	"testing"
)

// TestArgsHash: arguments hash as strings.Fields joined them, with or
// without whitespace of any kind.
func TestArgsHash(t *testing.T) {
	for _, args := range []string{
		``, `{}`, `{"order_id":"4521"}`, `{"order_id": "4521"}`, "{\n\t\"a\": 1,\r\n \"b\": [1, 2]\v\f}",
		"{\"name\":\"Grüße\"}", "{\"a\":\u00a01}", "{\"a\":\u00851}", "{\"a\":\u20281}", "{\"a\":\u30001}", "\xff {\"a\" :1}", "   ",
		`{"city": "San Diego", "day": "monday", "step": 0}`, " leading", "trailing\n", "a\u00a0\u00a0b \xe2\x80",
		// longer than the hash's buffer, runs across its boundary
		strings.Repeat(`{"path": "/srv/app/releases/2026-11-30/config.yaml", "mode": "0644"}, `, 9),
	} {
		want := maphash.String(argsSeed, strings.Join(strings.Fields(args), ""))
		if got := argsHash(args); got != want {
			t.Errorf("argsHash(%q) = %x, want %x", args, got, want)
		}
	}
	// Every byte value at every position of words read eight bytes at a
	// time and of the bytes after them.
	for b := 0; b < 256; b++ {
		for _, n := range []int{7, 8, 9, 16, 17} {
			for at := 0; at < n; at++ {
				args := []byte(strings.Repeat(`{"a":1}!`, 3)[:n])
				args[at] = byte(b)
				want := maphash.String(argsSeed, strings.Join(strings.Fields(string(args)), ""))
				if got := argsHash(string(args)); got != want {
					t.Fatalf("argsHash(%q) = %x, want %x", args, got, want)
				}
			}
		}
	}
	if argsHash(`{"a":1}`) != argsHash(`{ "a" : 1 }`) || argsHash(`{"a":1}`) == argsHash(`{"a":2}`) {
		t.Error("arguments that differ only in whitespace must hash alike, others not")
	}
}

func FuzzArgsHash(f *testing.F) {
	f.Add(`{"order_id": "4521"}`)
	f.Add("{\"a\":\u00a01}")
	f.Fuzz(func(t *testing.T, args string) {
		if got, want := argsHash(args), maphash.String(argsSeed, strings.Join(strings.Fields(args), "")); got != want {
			t.Fatalf("argsHash(%q) = %x, want %x", args, got, want)
		}
	})
}
