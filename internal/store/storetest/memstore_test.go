package storetest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/trent-kms/trent/internal/store"
)

// memStore is an in-memory optimistic MVCC store, built only to prove the
// suite can judge a driver like the etcd one: Updates run fn concurrently
// on a snapshot, validate at commit what they read, and rerun fn on
// conflict. Its flaws switch on one defect each; the suite must pass the
// store without flaws and fail each flawed one.
type memStore struct {
	data   *memData
	flaws  memFlaws
	closed atomic.Bool
}

// memFlaws are the defects a plausible optimistic driver could have.
type memFlaws struct {
	writesOnly      bool // validate the keys written instead of those read
	absentUnguarded bool // a Get that found nothing is not validated
	rangesUnguarded bool // a Scan guards the items it returned, not its range
	latestViews     bool // a View reads the latest commit at every call
	noLimits        bool // Limits are declared but not enforced
	noRerun         bool // a conflict returns ErrConflict instead of rerunning fn
}

// memMaxAttempts bounds the reruns of one Update, as the etcd driver will.
const memMaxAttempts = 20

// memData is the committed history, shared by a store and its reopenings.
type memData struct {
	mu       sync.Mutex
	rev      int64    // the last committed revision
	keys     []string // every key ever written, sorted
	versions map[string][]memVersion
}

// memVersion is one write of a key; a Delete leaves a tombstone, so a
// validation can tell that a key changed even if it is gone.
type memVersion struct {
	rev     int64
	value   []byte
	deleted bool
}

func newMemStore(flaws memFlaws) *memStore {
	return &memStore{data: &memData{versions: map[string][]memVersion{}}, flaws: flaws}
}

// reopen closes s and returns a new store over the same data, which is
// what the persistence cases need of a Reopen.
func (s *memStore) reopen() *memStore {
	s.Close()
	return &memStore{data: s.data, flaws: s.flaws}
}

func (s *memStore) Limits() store.Limits { return store.Limits{MaxOps: 128, MaxBytes: 1536 << 10} }

func (s *memStore) Close() error {
	s.closed.Store(true)
	return nil
}

func (s *memStore) ready(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

func (s *memStore) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	t := &memTx{data: s.data, snap: s.data.last(), latest: s.flaws.latestViews}
	defer func() { t.done = true }()
	return fn(t)
}

func (s *memStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	for attempt := 1; ; attempt++ {
		if err := s.ready(ctx); err != nil {
			return err
		}
		t := &memTx{data: s.data, snap: s.data.last(), writable: true, writes: map[string]memWrite{}}
		if !s.flaws.noLimits {
			t.budget = &memBudget{limits: s.Limits(), reads: map[string]bool{}, writes: map[string]int{}}
		}
		err := func() error {
			defer func() { t.done = true }()
			return fn(t)
		}()
		if err != nil {
			return err
		}
		if t.budget != nil && t.budget.err != nil {
			return t.budget.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.data.commit(t, s.flaws) {
			return nil
		}
		if s.flaws.noRerun || attempt == memMaxAttempts {
			return store.ErrConflict
		}
	}
}

func (d *memData) last() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rev
}

// at returns key as of revision rev. The caller holds d.mu.
func (d *memData) at(key string, rev int64) (store.Item, bool) {
	vs := d.versions[key]
	for i := len(vs) - 1; i >= 0; i-- {
		if v := vs[i]; v.rev <= rev {
			if v.deleted {
				return store.Item{}, false
			}
			return store.Item{Key: key, Value: slices.Clone(v.value), Revision: v.rev}, true
		}
	}
	return store.Item{}, false
}

// changedSince reports whether key was written after revision rev. The
// caller holds d.mu.
func (d *memData) changedSince(key string, rev int64) bool {
	vs := d.versions[key]
	return len(vs) > 0 && vs[len(vs)-1].rev > rev
}

// commit validates t against what committed since its snapshot and, if
// nothing it depends on changed, applies its writes as one new revision.
func (d *memData) commit(t *memTx, flaws memFlaws) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if flaws.writesOnly {
		for k := range t.writes {
			if d.changedSince(k, t.snap) {
				return false
			}
		}
	} else {
		for k, found := range t.reads {
			if (found || !flaws.absentUnguarded) && d.changedSince(k, t.snap) {
				return false
			}
		}
		if !flaws.rangesUnguarded {
			for _, r := range t.ranges {
				for _, k := range d.keys {
					if r.covers(k) && d.changedSince(k, t.snap) {
						return false
					}
				}
			}
		}
	}
	if len(t.writes) == 0 {
		return true
	}
	d.rev++
	for k, w := range t.writes {
		if _, ok := d.versions[k]; !ok {
			i, _ := slices.BinarySearch(d.keys, k)
			d.keys = slices.Insert(d.keys, i, k)
		}
		d.versions[k] = append(d.versions[k], memVersion{rev: d.rev, value: w.value, deleted: w.deleted})
	}
	return true
}

// memRange is the part of the key space one Scan covered: keys with
// prefix, after after, up to last if the Scan stopped at its limit.
type memRange struct {
	prefix, after, last string
	limited             bool
}

func (r memRange) covers(k string) bool {
	return strings.HasPrefix(k, r.prefix) && k > r.after && (!r.limited || k <= r.last)
}
