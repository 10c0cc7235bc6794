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
	setServeGCPercent()
	if got := debug.SetGCPercent(150); got != serveGCPercent {
		t.Fatalf("without GOGC: %d in force, want %d", got, serveGCPercent)
	}
	// As the runtime does at start with GOGC=150, which is in force now.
	t.Setenv("GOGC", "150")
	setServeGCPercent()
	if got := debug.SetGCPercent(100); got != 150 {
		t.Fatalf("with GOGC=150: %d in force", got)
	}
}
