package scheduler

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
)

type recordingTask struct {
	mu    sync.Mutex
	times []time.Time
	ran   chan struct{}
}

func (r *recordingTask) RunDue(_ context.Context, now time.Time) error {
	r.mu.Lock()
	r.times = append(r.times, now)
	r.mu.Unlock()
	r.ran <- struct{}{}
	return nil
}

func TestRunUsesTheInjectedClockAndWakesOnKick(t *testing.T) {
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c := clock.NewManual(start)
	task := &recordingTask{ran: make(chan struct{}, 10)}
	s := New(c, task, time.Hour, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()

	waitRun(t, task.ran)
	if !c.WaitForTickers(1, done) {
		t.Fatal("the loop stopped before starting its ticker")
	}
	// Half an interval later only a kick can wake the loop.
	kicked := c.Advance(30 * time.Minute)
	s.Kick()
	waitRun(t, task.ran)
	// Moving the injected clock past the interval wakes it: the tick
	// comes from the clock, not from the wall.
	ticked := c.Advance(30 * time.Minute)
	waitRun(t, task.ran)
	cancel()
	<-done

	task.mu.Lock()
	defer task.mu.Unlock()
	want := []time.Time{start, kicked, ticked}
	if len(task.times) != len(want) {
		t.Fatalf("runs at %v, want %v", task.times, want)
	}
	for i := range want {
		if !task.times[i].Equal(want[i]) {
			t.Fatalf("runs at %v, want %v", task.times, want)
		}
	}
}

func TestKickNeverBlocks(t *testing.T) {
	s := New(clock.NewManual(time.Unix(0, 0)), &recordingTask{ran: make(chan struct{}, 1)}, time.Hour, nil)
	for range 100 {
		s.Kick() // nobody is running the loop; must not block
	}
}

func waitRun(t *testing.T, ran <-chan struct{}) {
	t.Helper()
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("the scheduler did not run")
	}
}
