package clock

import (
	"context"
	"testing"
	"time"
)

// TestEvery: fn runs once per interval the clock passes, not before, and
// Every returns when its context ends.
func TestEvery(t *testing.T) {
	m := NewManual(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	ctx, cancel := context.WithCancel(context.Background())
	calls := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		Every(ctx, m, time.Second, func() { calls <- struct{}{} })
		close(done)
	}()
	if !m.WaitForTickers(1, done) {
		t.Fatal("Every returned before its ticker started")
	}
	select {
	case <-calls:
		t.Fatal("fn ran before the first interval passed")
	default:
	}
	for i := range 3 {
		m.Advance(time.Second)
		select {
		case <-calls:
		case <-time.After(5 * time.Second):
			t.Fatalf("fn did not run after interval %d", i+1)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Every did not return after its context ended")
	}
}
