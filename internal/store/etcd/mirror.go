package etcd

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/btree"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/trent-kms/trent/internal/clock"
)

// mirror is the store's watch-fed cache: a copy in memory of every item
// under the data prefix, kept current by one etcd watch, from which a View
// reads without a round trip to etcd.
//
// The copy is always a state etcd had: it is loaded at one revision and
// then changed by the watch's events in revision order, and each watch
// response is published whole as an immutable snapshot (a copy-on-write
// clone of the tree), so a View sees one revision, as it does when it reads
// etcd itself.
//
// What a snapshot cannot say by itself is how old it is: a watch that
// stalls (a member cut off from its cluster, a slow link) looks like a
// quiet cluster. freshness.go settles that with a heartbeat: a
// linearizable read learns the cluster's revision, and once the watch has
// delivered everything up to it, every write acknowledged before the read
// was sent is in the mirror. A View uses the mirror only while that
// confirmation is younger than the consistency bound, and reads etcd
// itself otherwise (see Store.View).
type mirror struct {
	s *Store
	// bound is the oldest confirmation a View accepts.
	bound time.Duration

	// mu guards working, rev, pending and watchCtx: the watch loop's
	// state, which the heartbeat also reads.
	mu sync.Mutex
	// working is the tree the watch changes; snapshots are clones of it.
	working *btree.BTreeG[mirrorItem]
	// rev is the revision working reflects: every event up to it applied.
	rev int64
	// pending is a heartbeat waiting for the watch to reach its revision.
	pending heartbeat
	// watchCtx is the context of the current watch, which RequestProgress
	// needs to reach the same stream, and endWatch cancels it; nil between
	// watches.
	watchCtx context.Context
	endWatch context.CancelFunc

	// current is the latest published snapshot.
	current atomic.Pointer[mirrorSnapshot]
	// confirmedAt (Unix nanoseconds on the store's clock): every write
	// acknowledged before it is in current.
	confirmedAt atomic.Int64
	// changed is closed and replaced at every publication, waking Views
	// that wait for the mirror to reach a revision.
	changedMu sync.Mutex
	changed   chan struct{}

	// stall, held by tests only, stops the watch's responses from being
	// applied, as a stalled watch would.
	stall sync.Mutex

	cancel context.CancelFunc
	done   sync.WaitGroup
}

// mirrorItem is one item in the tree, ordered by key.
type mirrorItem struct {
	key   string
	value []byte
	rev   int64
}

func lessItem(a, b mirrorItem) bool { return a.key < b.key }

// treeDegree is the B-tree's branching factor: google/btree's suggestion
// for in-memory trees.
const treeDegree = 32

// mirrorSnapshot is one published state: the items at revision rev. Its
// tree is never changed after publication.
type mirrorSnapshot struct {
	items *btree.BTreeG[mirrorItem]
	rev   int64
}

// loadPageSize bounds one Get of the load, so that a large store is read
// in many moderate replies rather than one huge one.
const loadPageSize = 1000

// startMirror loads the mirror and starts its watch and its heartbeat. It
// returns once the first load is published, or with the error that kept
// it from loading.
func startMirror(ctx context.Context, s *Store, bound time.Duration) (*mirror, error) {
	m := &mirror{s: s, bound: bound, changed: make(chan struct{})}
	if err := m.load(ctx); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.done.Add(2)
	go m.follow(runCtx)
	go m.beat(runCtx)
	return m, nil
}

// stop ends the watch and the heartbeat and waits for them.
func (m *mirror) stop() {
	m.cancel()
	m.done.Wait()
}

// load reads every item at one revision, in pages, into a new tree and
// publishes it. Its first read is linearizable, so the state it loads
// holds every write acknowledged before it started.
func (m *mirror) load(ctx context.Context) error {
	started := m.s.clock.Now()
	tree := btree.NewG(treeDegree, lessItem)
	var rev int64
	from := m.s.keys.data
	for {
		opts := []clientv3.OpOption{clientv3.WithRange(m.s.keys.dataEnd), clientv3.WithLimit(loadPageSize)}
		if rev > 0 {
			opts = append(opts, clientv3.WithRev(rev))
		}
		m.s.stats.loadReads.Add(1)
		resp, err := m.s.cli.Get(ctx, from, opts...)
		if err != nil {
			return m.s.readError(ctx, err)
		}
		if rev == 0 {
			rev = resp.Header.Revision
		}
		for _, kv := range resp.Kvs {
			tree.ReplaceOrInsert(mirrorItem{key: m.s.keys.storeKey(kv.Key), value: kv.Value, rev: kv.ModRevision})
		}
		if !resp.More || len(resp.Kvs) == 0 {
			break
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	m.mu.Lock()
	m.working, m.rev = tree, rev
	m.publishLocked()
	m.mu.Unlock()
	m.confirm(started)
	return nil
}

// follow keeps the mirror current: it watches from the loaded revision on,
// and when the watch ends (its revision compacted away, its member cut off
// from the cluster's leader, the connection lost) loads everything again
// and watches from there.
func (m *mirror) follow(ctx context.Context) {
	defer m.done.Done()
	for {
		m.watch(ctx)
		for {
			if ctx.Err() != nil {
				return
			}
			m.s.stats.reloads.Add(1)
			if err := m.load(ctx); err == nil {
				break
			}
			if clock.Sleep(ctx, m.s.clock, reloadPause) != nil {
				return
			}
		}
	}
}

// reloadPause is the wait between failed loads.
const reloadPause = 100 * time.Millisecond

// watch applies the watch's responses until it ends. WithRequireLeader
// makes a member that loses its leader end the watch instead of going
// quiet, so a mirror fed by a cut-off member stops being confirmed.
func (m *mirror) watch(ctx context.Context) {
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	m.mu.Lock()
	from := m.rev + 1
	m.watchCtx, m.endWatch = wctx, cancel
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.watchCtx, m.endWatch = nil, nil
		m.mu.Unlock()
	}()
	for resp := range m.s.cli.Watch(wctx, m.s.keys.data, clientv3.WithRange(m.s.keys.dataEnd), clientv3.WithRev(from)) {
		if resp.Err() != nil || resp.Canceled {
			return
		}
		m.apply(resp)
	}
}

// apply changes the tree by resp's events and publishes the result. A
// progress notification carries no events but moves the revision: etcd
// sends it once every event up to its revision has been sent.
func (m *mirror) apply(resp clientv3.WatchResponse) {
	// An empty critical section: it waits while a test holds stall.
	m.stall.Lock()
	//lint:ignore SA2001 the section is empty on purpose (see above)
	m.stall.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	rev := m.rev
	for _, ev := range resp.Events {
		key := m.s.keys.storeKey(ev.Kv.Key)
		switch ev.Type {
		case clientv3.EventTypePut:
			m.working.ReplaceOrInsert(mirrorItem{key: key, value: ev.Kv.Value, rev: ev.Kv.ModRevision})
		case clientv3.EventTypeDelete:
			m.working.Delete(mirrorItem{key: key})
		}
		rev = max(rev, ev.Kv.ModRevision)
	}
	if resp.IsProgressNotify() {
		rev = max(rev, resp.Header.Revision)
	}
	if len(resp.Events) == 0 && rev == m.rev {
		return
	}
	m.rev = rev
	m.publishLocked()
	if m.pending.rev != 0 && rev >= m.pending.rev {
		m.confirm(m.pending.sent)
		m.pending = heartbeat{}
	}
}

// publishLocked makes the working tree's state the current snapshot and
// wakes the Views waiting for it. m.mu is held.
func (m *mirror) publishLocked() {
	m.current.Store(&mirrorSnapshot{items: m.working.Clone(), rev: m.rev})
	m.changedMu.Lock()
	close(m.changed)
	m.changed = make(chan struct{})
	m.changedMu.Unlock()
}

// changes returns a channel closed at the next publication.
func (m *mirror) changes() <-chan struct{} {
	m.changedMu.Lock()
	defer m.changedMu.Unlock()
	return m.changed
}
