package main

import (
	"math"
	"testing"
)

// TestMemoryBoundMatchesREADME: the bound loadgen checks is the README's
// formula ("Memory"), whose worked figures at the default bounds are
// 1,060 MiB for max_bytes 256 MiB and 312 MiB for 16 MiB.
func TestMemoryBoundMatchesREADME(t *testing.T) {
	for _, c := range []struct {
		maxBytes int64
		wantMiB  float64
	}{
		{256 << 20, 1060},
		{16 << 20, 312},
		{64 << 20, 460},
	} {
		got := float64(memoryBound(defaultBounds(c.maxBytes))) / (1 << 20)
		if math.Abs(got-c.wantMiB)/c.wantMiB > 0.01 {
			t.Errorf("max_bytes %d MiB: bound %.0f MiB, README %.0f MiB", c.maxBytes>>20, got, c.wantMiB)
		}
	}
	// The hostile build's lower max_conversations lowers the bound by
	// what those conversations would cost.
	hb := defaultBounds(16 << 20)
	hb.conversations = hostileConversations
	if d := memoryBound(defaultBounds(16<<20)) - memoryBound(hb); d != int64(gcFactor*bytesPerConversation*(defaultConversations-hostileConversations)) {
		t.Errorf("hostile bound differs by %d bytes", d)
	}
}
