// Package scheduler runs Trent's time-driven work (rotation when its date
// passes, deletion when the waiting period ends) in a thin loop around an
// idempotent RunDue(ctx, now). The time comes from the injected clock, so
// tests move a manual clock and call RunDue themselves instead of sleeping.
//
// In a cluster the loop runs only on the node that leads (package leader):
// the others' schedulers wait, and their kicks do nothing. The leader's own
// tick picks up work that a kick on another node asked for, within one
// interval; nothing is lost, since the work is in the store, not in the
// kick.
package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/leader"
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
	lead     leader.Leadership
}

// New returns the scheduler of a node that is alone, and so always leads;
// Run starts it.
func New(c clock.Clock, task Task, interval time.Duration, log *slog.Logger) *Scheduler {
	return NewLed(c, task, interval, log, &leader.Always{})
}

// NewLed returns a scheduler that runs its task only while l says this
// node leads; Run starts it.
func NewLed(c clock.Clock, task Task, interval time.Duration, log *slog.Logger, l leader.Leadership) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{clock: c, task: task, interval: interval, log: log, kick: make(chan struct{}, 1), lead: l}
}

// Leading reports whether this node's scheduler runs the work now.
func (s *Scheduler) Leading() bool { return s.lead.Leading() }

// Kick asks for a run soon, e.g. after RotateKeyOnDemand. It never blocks;
// kicks while a run is pending merge into one. On a node that does not
// lead it does nothing: the leader's tick will do the work.
func (s *Scheduler) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run takes part in leadership until ctx is done, and while this node
// leads runs the task at once, then on every tick or kick.
func (s *Scheduler) Run(ctx context.Context) {
	if err := s.lead.Run(ctx, s.loop); err != nil {
		s.log.Warn("giving up leadership at shutdown failed; another node takes over when the lease runs out", "error", err)
	}
}

// loop runs the task once at start, then on every tick or kick, until ctx
// (this node's leadership) is done.
func (s *Scheduler) loop(ctx context.Context) {
	// A kick that came while another node led is stale: the run at start
	// covers it.
	select {
	case <-s.kick:
	default:
	}
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
