package etcd

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/trent-kms/trent/internal/clock"
)

// How a View knows the mirror is fresh enough.
//
// Every heartbeatsPerBound-th of the consistency bound, the heartbeat
// notes the time on the store's clock and then reads the cluster's current
// revision with a linearizable read (a Get through the leader's read
// index: a member cut off from its cluster cannot answer it). Every write
// acknowledged before the heartbeat was sent has a revision at most that
// one. Once the watch has delivered everything up to it (events at or past
// it, or a progress notification, which the heartbeat asks for when no
// event under the prefix is coming: other keys of the cluster move its
// revision too), the mirror is confirmed as of the time noted.
//
// A View uses the mirror while its latest confirmation is at most the
// bound old, so it never misses a write acknowledged more than the bound
// before it began. Several heartbeats fit in one bound, so one slow or
// lost heartbeat does not make the mirror stale.
//
// The progress notification must not run ahead of events still to be
// sent; etcd fixed a case where it could in v3.4.25 and v3.5.8 (etcd
// issue 15220), which is the oldest etcd the cache is safe with
// (docs/cluster.md).

// heartbeatsPerBound is how many heartbeats are sent in one bound.
const heartbeatsPerBound = 4

// heartbeat is a read of the cluster's revision and the time, on the
// store's clock, just before it was sent.
type heartbeat struct {
	sent time.Time
	rev  int64
}

// beat sends the heartbeats until ctx ends.
func (m *mirror) beat(ctx context.Context) {
	defer m.done.Done()
	clock.Every(ctx, m.s.clock, m.bound/heartbeatsPerBound, func() { m.beatOnce(ctx) })
}

// beatOnce sends one heartbeat and confirms the mirror with it, now or
// when the watch reaches its revision.
func (m *mirror) beatOnce(ctx context.Context) {
	sent := m.s.clock.Now()
	rctx, cancel := context.WithTimeout(ctx, m.bound)
	defer cancel()
	m.s.stats.heartbeats.Add(1)
	resp, err := m.s.cli.Get(rctx, m.s.keys.data, clientv3.WithCountOnly(), clientv3.WithLimit(1))
	if err != nil {
		return // not confirmed; the next heartbeat tries again
	}
	hb := heartbeat{sent: sent, rev: resp.Header.Revision}
	m.mu.Lock()
	if m.rev >= hb.rev {
		m.mu.Unlock()
		m.confirm(hb.sent)
		return
	}
	// A later heartbeat replaces an earlier one still waiting: its
	// revision is at least as high and its time later.
	m.pending = hb
	m.mu.Unlock()
	m.requestProgress()
}

// requestProgress asks the watch's member for a progress notification: a
// message on the watch's stream, not a request to the cluster. An error
// is ignored: events may still move the mirror on, and the next heartbeat
// asks again.
func (m *mirror) requestProgress() {
	m.mu.Lock()
	wctx := m.watchCtx
	m.mu.Unlock()
	if wctx != nil {
		m.s.stats.progressRequests.Add(1)
		_ = m.s.cli.RequestProgress(wctx)
	}
}

// confirm records that every write acknowledged before at is in the
// mirror. Confirmations only move forward.
func (m *mirror) confirm(at time.Time) {
	n := at.UnixNano()
	for {
		old := m.confirmedAt.Load()
		if n <= old || m.confirmedAt.CompareAndSwap(old, n) {
			return
		}
	}
}

// fresh reports whether the mirror's latest confirmation is at most the
// bound old.
func (m *mirror) fresh() bool {
	return m.s.clock.Now().UnixNano()-m.confirmedAt.Load() <= int64(m.bound)
}

// snapshotFor returns a snapshot a View may read: fresh, and at or past
// revision need (what this store has already read or written, so that its
// Views never go back in time). It waits while the watch is only behind
// this store's own latest reads and writes, which it delivers in
// milliseconds, and returns nil when the mirror is stale or ctx ends: the
// View then reads etcd itself. need may be a revision of keys outside the
// data prefix (a commit marker's lease ending moves the cluster's
// revision too), for which no event comes, so the wait starts with a
// request for a progress notification.
func (m *mirror) snapshotFor(ctx context.Context, need int64) *mirrorSnapshot {
	var tick <-chan time.Time
	for {
		changed := m.changes()
		snap := m.current.Load()
		if !m.fresh() {
			return nil
		}
		if snap.rev >= need {
			return snap
		}
		if tick == nil {
			m.requestProgress()
			// Wake up now and then to see whether the mirror went
			// stale while waiting.
			t := m.s.clock.NewTicker(m.bound / heartbeatsPerBound)
			defer t.Stop()
			tick = t.C()
		}
		select {
		case <-changed:
		case <-tick:
		case <-ctx.Done():
			return nil
		}
	}
}
