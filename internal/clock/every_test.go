package clock

import (
	"context"
	"testing"
	"time"
)

// TestEvery: fn runs once per interval the clock passes, not before, and
// not once its context has ended, and Every returns then.
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
	// A tick that comes with the end must not call fn.
	m.Advance(time.Second)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Every did not return after its context ended")
	}
	if len(calls) != 0 {
		t.Error("fn ran after the context ended")
	}
}
