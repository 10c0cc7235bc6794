package leader

import (
	"context"
	"testing"
	"time"
)

// TestAlwaysLeadsAtOnceUntilShutdown: a node alone leads from the start;
// lead's ctx ends with Run's, and a lead that returns early is not called
// again (there is nobody to hand over to, and calling it in a loop would
// spin).
func TestAlwaysLeadsAtOnceUntilShutdown(t *testing.T) {
	var a Always
	ctx, cancel := context.WithCancel(context.Background())
	calls := make(chan context.Context, 2)
	done := make(chan error, 1)
	go func() {
		done <- a.Run(ctx, func(lctx context.Context) {
			calls <- lctx
			<-lctx.Done()
		})
	}()
	var lctx context.Context
	select {
	case lctx = <-calls:
	case <-time.After(5 * time.Second):
		t.Fatal("Always did not call lead")
	}
	if !a.Leading() {
		t.Error("Leading() is false while lead runs")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	if lctx.Err() == nil {
		t.Error("lead's ctx still live after shutdown")
	}
	if a.Leading() {
		t.Error("Leading() is true after shutdown")
	}

	var early Always
	ctx2, cancel2 := context.WithCancel(context.Background())
	n := 0
	go func() { time.Sleep(100 * time.Millisecond); cancel2() }()
	if err := early.Run(ctx2, func(context.Context) { n++ }); err != nil {
		t.Errorf("Run = %v", err)
	}
	if n != 1 {
		t.Errorf("a lead that returned early was called %d times, want once", n)
	}
}
