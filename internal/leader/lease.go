package leader

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/trent-kms/trent/internal/clock"
)

// The guard's pace, as fractions of the TTL. A renewal goes out every
// TTL/5; the term ends once less than TTL/5 of the lease is known to
// remain, checked every TTL/20. With a 5 s TTL: renew every second, stop
// when 4 s passed since the last renewal etcd confirmed was sent, and that
// is seen within a quarter second: three renewals in a row may fail
// before a healthy leader steps down needlessly.
const (
	renewDivisor  = 5
	marginDivisor = 5
	checkDivisor  = 20
)

// leaseGuard knows the earliest moment etcd may expire the session lease:
// a renewal sent at t and confirmed gives the lease at least TTL from t on
// etcd's clock, which starts the TTL only once the request arrived. The
// session's own keep-alive would notice a lost lease only when its TTL
// has passed since a reply arrived, which is later than etcd's expiry by
// up to a round trip: by then a successor may already lead. The guard
// ends the term a margin before the earliest expiry instead.
type leaseGuard struct {
	ttl    time.Duration
	margin time.Duration

	mu      sync.Mutex
	expires time.Time // the lease lives on etcd at least until then
}

func newLeaseGuard(ttl time.Duration, expires time.Time) *leaseGuard {
	return &leaseGuard{ttl: ttl, margin: ttl / marginDivisor, expires: expires}
}

// renewed records a confirmed renewal sent at sent, granting ttl.
func (g *leaseGuard) renewed(sent time.Time, ttl time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if e := sent.Add(ttl); e.After(g.expires) {
		g.expires = e
	}
}

// confirmed reports whether the lease is known to live for more than the
// margin after now.
func (g *leaseGuard) confirmed(now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return now.Before(g.expires.Add(-g.margin))
}

// keepLease renews the lease on its own schedule, timing each renewal, and
// ends the term (end, which cancels ctx) as soon as the lease is gone or no
// longer known to outlive the margin. It returns when ctx ends.
func (e *Election) keepLease(ctx context.Context, id clientv3.LeaseID, g *leaseGuard, end context.CancelCauseFunc) {
	go e.renewLease(ctx, id, g, end)
	clock.Every(ctx, e.clock, g.ttl/checkDivisor, func() {
		if !g.confirmed(e.clock.Now()) {
			end(errLeaseUnconfirmed)
		}
	})
}

// renewLease sends a KeepAliveOnce every TTL/5 alongside the session's
// keep-alive stream, whose replies do not say when their requests left.
func (e *Election) renewLease(ctx context.Context, id clientv3.LeaseID, g *leaseGuard, end context.CancelCauseFunc) {
	every := g.ttl / renewDivisor
	clock.Every(ctx, e.clock, every, func() {
		sent := e.clock.Now()
		// A renewal that hangs (etcd unreachable) must not hold up the
		// next one once etcd is back.
		rctx, cancel := context.WithTimeout(ctx, 2*every)
		resp, err := e.cli.KeepAliveOnce(rctx, id)
		cancel()
		switch {
		case err == nil:
			g.renewed(sent, time.Duration(resp.TTL)*time.Second)
		case errors.Is(err, rpctypes.ErrLeaseNotFound):
			end(errLeaseGone)
		}
		// Other errors: the next renewal may get through; the guard's
		// check ends the term if none does in time.
	})
}
