package metrics

import (
	"context"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/store"
)

// Store returns st with its transactions timed, on clk (the node's clock:
// tests on a manual clock see zero durations, never a wall-clock read).
func (m *Metrics) Store(st store.Store, clk clock.Clock) store.Store {
	return &timedStore{Store: st, clock: clk, m: m}
}

type timedStore struct {
	store.Store
	clock clock.Clock
	m     *Metrics
}

func (s *timedStore) View(ctx context.Context, fn func(store.Tx) error) error {
	start := s.clock.Now()
	err := s.Store.View(ctx, fn)
	s.m.storeDuration.WithLabelValues("view", okOrError(err)).Observe(s.clock.Now().Sub(start).Seconds())
	return err
}

func (s *timedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	start := s.clock.Now()
	err := s.Store.Update(ctx, fn)
	s.m.storeDuration.WithLabelValues("update", okOrError(err)).Observe(s.clock.Now().Sub(start).Seconds())
	return err
}
