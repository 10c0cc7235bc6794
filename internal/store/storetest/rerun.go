package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/trent-kms/trent/internal/store"
)

// RerunStore is the store Rerun returns.
type RerunStore struct {
	inner         store.Store
	conflictEvery int64
	updates       atomic.Int64
}

var _ store.Store = (*RerunStore)(nil)

// RerunOption configures Rerun.
type RerunOption func(*RerunStore)

// ConflictEvery makes every n-th Update (the n-th, the 2n-th, ...) fail
// with an error wrapping store.ErrConflict after running fn twice, both
// times rolled back: what an optimistic driver returns when it has lost
// more races than it retries. The caller can then show that it reports or
// retries the failure and that nothing of the failed call took effect.
// n <= 0 injects nothing.
func ConflictEvery(n int) RerunOption {
	return func(s *RerunStore) { s.conflictEvery = int64(n) }
}

// Rerun wraps inner, typically a bbolt store, so that every Update runs
// fn twice: first in a transaction of inner that is then rolled back, as
// if it had lost a conflict, then again in a fresh transaction that
// commits. fn may run more than once on etcd; the bbolt driver runs it
// once, so without Rerun a side effect outside the transaction (a counter
// bumped, randomness drawn, an audit record written, a value captured
// from the first run) would go unnoticed in tests on bbolt. Under Rerun it
// happens twice, and the service's end-to-end tests can show it does not.
//
// If the first attempt's fn fails, or inner refuses it (a closed store, an
// ended context, ErrTooLarge), Update returns that error and does not run
// fn again, as a driver would. Another writer may commit between the two
// attempts, so the second may read a different state than the first, just
// as a rerun after a real conflict does.
//
// View, Limits and Close are inner's; each attempt is one transaction of
// inner, so inner's limits apply to each.
func Rerun(inner store.Store, opts ...RerunOption) *RerunStore {
	s := &RerunStore{inner: inner}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Inner returns the wrapped store.
func (s *RerunStore) Inner() store.Store { return s.inner }

// errRolledBack makes inner roll back an attempt whose fn succeeded. It
// is unexported, so no fn can return it.
var errRolledBack = errors.New("storetest: attempt rolled back by Rerun")

func (s *RerunStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	n := s.updates.Add(1)
	attempts := 1
	if s.conflictEvery > 0 && n%s.conflictEvery == 0 {
		attempts = 2
	}
	for range attempts {
		err := s.inner.Update(ctx, func(tx store.Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			return errRolledBack
		})
		if !errors.Is(err, errRolledBack) {
			return err
		}
	}
	if attempts == 2 {
		return fmt.Errorf("storetest: Rerun injected a conflict into Update %d: %w", n, store.ErrConflict)
	}
	return s.inner.Update(ctx, fn)
}

func (s *RerunStore) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.inner.View(ctx, fn)
}

func (s *RerunStore) Limits() store.Limits { return s.inner.Limits() }

func (s *RerunStore) Close() error { return s.inner.Close() }
