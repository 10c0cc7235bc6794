package etcd

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/trent-kms/trent/internal/clock"
)

// Backoff between attempts of an Update that lost a conflict: writers that
// collided once would collide again if they all reran at once, so each waits
// a random time that grows with its attempts.
const (
	firstBackoff = 2 * time.Millisecond
	maxBackoff   = 100 * time.Millisecond
)

// backOff waits before attempt+1, or until ctx ends.
func (s *Store) backOff(ctx context.Context, attempt int) error {
	ceiling := min(firstBackoff<<min(attempt-1, 10), maxBackoff)
	return clock.Sleep(ctx, s.clock, ceiling/2+rand.N(ceiling/2+1))
}
