// Package scheduler runs Trent's time-driven work (rotation when its date
// passes, deletion when the waiting period ends) in a thin loop around an
// idempotent RunDue(ctx, now). The time comes from the injected clock, so
// tests move a manual clock and call RunDue themselves instead of sleeping.
//
// In a cluster the loop will run on one leader chosen through the store;
// today there is one node.
package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/trent-kms/trent/internal/clock"
)

// Task is work the scheduler runs.
type Task interface {
	// RunDue does the work due at now. Running it twice does nothing the
	// second time.
	RunDue(ctx context.Context, now time.Time) error
}

// Scheduler wakes up every interval, or when kicked, and runs its task.
type Scheduler struct {
	clock    clock.Clock
	task     Task
	interval time.Duration
	log      *slog.Logger
	kick     chan struct{}
}

// New returns a scheduler; Run starts it.
func New(c clock.Clock, task Task, interval time.Duration, log *slog.Logger) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{clock: c, task: task, interval: interval, log: log, kick: make(chan struct{}, 1)}
}

// Kick asks for a run soon, e.g. after RotateKeyOnDemand. It never blocks;
// kicks while a run is pending merge into one.
func (s *Scheduler) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run runs the task once at start, then on every tick or kick, until ctx
// is done.
func (s *Scheduler) Run(ctx context.Context) {
	t := s.clock.NewTicker(s.interval)
	defer t.Stop()
	for {
		if err := s.task.RunDue(ctx, s.clock.Now()); err != nil && ctx.Err() == nil {
			s.log.Warn("scheduled work failed; it will be retried", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C():
		case <-s.kick:
		}
	}
}
