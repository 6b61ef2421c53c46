//go:build !unix

package llmevalprocessor

import "time"

// processCPU is not measured here: benchmarks report no cpu-ns/span.
func processCPU() time.Duration { return 0 }
