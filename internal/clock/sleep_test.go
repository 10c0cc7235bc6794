package clock

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestSleep: Sleep returns nil once the Manual clock has moved d, ctx's
// error when ctx ends first, and does not wait for d <= 0.
func TestSleep(t *testing.T) {
	m := NewManual(time.Unix(0, 0))
	done := make(chan error, 1)
	go func() { done <- Sleep(context.Background(), m, time.Second) }()
	if !m.WaitForTickers(1, nil) {
		t.Fatal("Sleep started no ticker")
	}
	m.Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatalf("Sleep after the clock moved: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- Sleep(ctx, m, time.Hour) }()
	m.WaitForTickers(1, nil)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep with ctx cancelled = %v, want context.Canceled", err)
	}
	if err := Sleep(context.Background(), m, 0); err != nil {
		t.Fatalf("Sleep(0) = %v", err)
	}
}
