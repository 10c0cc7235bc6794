package main

import (
	"os"
	"runtime/debug"
)

// serveGCPercent is the garbage collector's GOGC for trent serve when the
// GOGC variable does not set one. A server's live heap is small (tens of
// megabytes, bounded by --cache-keys) and every request allocates, so at
// Go's default of 100 the collector ran dozens of times a second under
// load. At 400 the heap may grow to five times the live data, and a
// verified Encrypt takes about 12% less CPU (docs/benchmarks.md). GOGC
// in the environment wins, as for any Go program: the runtime has applied
// it already.
const serveGCPercent = 400

// setServeGCPercent applies serveGCPercent unless GOGC is set.
func setServeGCPercent() {
	if v, ok := os.LookupEnv("GOGC"); ok && v != "" {
		return
	}
	debug.SetGCPercent(serveGCPercent)
}
