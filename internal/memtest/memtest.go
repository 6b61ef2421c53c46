// Package memtest measures the live heap, for tests that hold code to a
// documented memory cost.
package memtest

import "runtime"

// LiveHeap is the heap in use after two collections: what is still
// reachable, without garbage waiting for the next cycle.
func LiveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
