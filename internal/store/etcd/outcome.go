package etcd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/store"
)

// A commit Txn can fail after it left the client: the connection drops, the
// leader changes, the deadline passes. The cluster may then have applied it
// or not, and may even apply it later (a request still in flight). Running
// fn again blindly could apply the Update twice (a counter incremented
// twice); giving up could report failure for an Update that took effect.
//
// So every commit names itself. It puts a marker key, <prefix>m/<128 random
// bits>, with the value "c", and it is guarded by the compare that the
// marker does not exist. After an ambiguous failure, settle sends a fence:
//
//	if marker absent then put marker = "a" else get marker
//
// If the fence finds the marker absent, it writes "a" in the same step, so
// the lost commit, whose compare requires the marker absent, can never apply
// afterwards: it was not applied and never will be, and fn runs again. If the
// fence finds "c", the commit was applied and Update succeeds. If it finds
// "a", an earlier fence whose reply was lost did the fencing. The fence is
// itself safe to repeat, so settle retries it until it gets an answer.
//
// Markers must not pile up in etcd, so they are attached to a lease and
// vanish when it expires. A commit carries the lease too, and etcd refuses a
// put on an expired lease, so a lost commit cannot apply after its lease has
// ended either. The one gap is a fence sent after the lease ended: an
// applied commit's marker would be gone and the answer would look like
// "absent". settle therefore trusts the lease only while our clock, read
// before the lease was granted, says it has comfortably not expired, and
// past that reports ErrOutcomeUnknown rather than guess. With the durations
// below a fence has more than a minute and a half.
//
// The marker costs every commit one compare and one put, which is why the
// declared MaxOps is one below --max-txn-ops.

// ErrOutcomeUnknown is returned by Update when its commit was sent, the reply
// was lost, and the store could not find out in time whether the cluster
// applied it. The Update may have taken effect.
var ErrOutcomeUnknown = errors.New("store/etcd: the commit's outcome could not be settled; it may have been applied")

const (
	committedMark = "c" // a marker's value when its commit applied
	abortedMark   = "a" // a marker's value when a fence wrote it first

	// markerTTL is the lease of the markers. A new lease is taken every
	// leaseRenewAfter, so each marker lives between markerTTL minus that
	// and markerTTL.
	markerTTL       = 2 * time.Minute
	leaseRenewAfter = 30 * time.Second
	// trustMargin is how long before the lease's expiry, by our clock,
	// settle stops trusting it.
	trustMargin = 15 * time.Second

	// settleTimeout bounds how long settle tries to reach the cluster
	// after an ambiguous failure, whatever the caller's context says: the
	// caller's context may be what ended the commit.
	settleTimeout = 10 * time.Second
	settleRetry   = 50 * time.Millisecond
)

// settle finds out whether the commit that put marker, and failed with
// sendErr after it may have been sent, was applied.
func (s *Store) settle(ctx context.Context, marker string, lease markerLease, sendErr error) (bool, error) {
	unknown := func(why string) error {
		return fmt.Errorf("store/etcd: commit failed (%v) and %s: %w: %w", sendErr, why, ErrOutcomeUnknown, store.ErrUnavailable)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	for {
		if s.closed.Load() {
			return false, fmt.Errorf("%w: %w", unknown("the store was closed"), store.ErrClosed)
		}
		if !lease.trustworthyAt(s.clock.Now()) {
			return false, unknown("its marker's lease may have expired")
		}
		s.stats.fences.Add(1)
		resp, err := s.cli.Txn(sctx).
			If(markerAbsent(marker)).
			Then(clientv3.OpPut(marker, abortedMark, clientv3.WithLease(lease.id))).
			Else(clientv3.OpGet(marker)).
			Commit()
		if err == nil {
			if resp.Succeeded {
				return false, nil // fenced: not applied, and never will be
			}
			kvs := resp.Responses[0].GetResponseRange().GetKvs()
			applied := len(kvs) == 1 && string(kvs[0].Value) == committedMark
			if applied {
				// The fence came after the commit, so its revision is
				// at least the commit's.
				s.noteSeen(resp.Header.Revision)
			}
			return applied, nil
		}
		if !outcomeUnknown(err) {
			return false, unknown(fmt.Sprintf("the fence was refused (%v)", err))
		}
		if err := clock.Sleep(sctx, s.clock, settleRetry); err != nil {
			return false, unknown(fmt.Sprintf("the cluster did not answer the fence within %s (%v)", settleTimeout, err))
		}
	}
}

func markerAbsent(marker string) clientv3.Cmp {
	return clientv3.Compare(clientv3.Version(marker), "=", 0)
}

func newMarkerID() string {
	var id [16]byte
	rand.Read(id[:])
	return hex.EncodeToString(id[:])
}

// markerLease is a lease markers are attached to, with the time our clock
// read just before it was granted: etcd starts its TTL later than that, so
// the lease lives at least until granted+markerTTL.
type markerLease struct {
	id      clientv3.LeaseID
	granted time.Time
}

func (l markerLease) trustworthyAt(now time.Time) bool {
	return now.Sub(l.granted) < markerTTL-trustMargin
}

// markerLeases hands out the current marker lease, granting a new one
// every leaseRenewAfter. Leases are never kept alive: they are meant to
// expire and take their markers with them.
type markerLeases struct {
	cli   *clientv3.Client
	clock clock.Clock
	// granted counts the grants sent (Stats' "lease").
	granted *atomic.Uint64
	mu      sync.Mutex
	cur     markerLease // id 0: none yet
}

func (m *markerLeases) current(ctx context.Context) (markerLease, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now()
	if m.cur.id != 0 && now.Sub(m.cur.granted) < leaseRenewAfter {
		return m.cur, nil
	}
	m.granted.Add(1)
	resp, err := m.cli.Grant(ctx, int64(markerTTL/time.Second))
	if err != nil {
		return markerLease{}, err
	}
	m.cur = markerLease{id: resp.ID, granted: now}
	return m.cur, nil
}

// forget drops l if it is still the current lease, because etcd no
// longer knows it.
func (m *markerLeases) forget(l markerLease) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur.id == l.id {
		m.cur = markerLease{}
	}
}
