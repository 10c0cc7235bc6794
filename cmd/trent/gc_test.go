package main

import (
	"runtime/debug"
	"testing"
)

// TestServeGCPercent: without GOGC, trent serve runs the collector at
// serveGCPercent; a GOGC the user set is left alone.
func TestServeGCPercent(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	if got := setServeGCPercent(); got != serveGCPercent || debug.SetGCPercent(serveGCPercent) != serveGCPercent {
		t.Fatalf("without GOGC: %d in force, want %d", got, serveGCPercent)
	}
	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150) // as the runtime does at start with GOGC=150
	if got := setServeGCPercent(); got != 150 || debug.SetGCPercent(150) != 150 {
		t.Fatalf("with GOGC=150: %d in force", got)
	}
}
