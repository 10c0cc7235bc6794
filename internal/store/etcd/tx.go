package etcd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/trent-kms/trent/internal/store"
)

// errTxDone guards against a Tx kept past the function it was given to.
var errTxDone = errors.New("store/etcd: transaction used after its function returned")

// errStale reports a read at a snapshot revision that etcd has compacted
// away. The Update reruns fn on a newer snapshot, as after a conflict.
var errStale = errors.New("store/etcd: snapshot revision compacted; the transaction must run again")

// tx implements store.Tx for one attempt of an Update, or one View.
//
// Every read goes to etcd at one revision, the snapshot: the first read
// takes the latest (a linearizable read) and fixes its revision for the
// rest, so fn sees one consistent state plus its own writes. Writes are
// buffered and sent in the commit Txn (commit.go), guarded by compares on
// what was read (readRevs, guards).
type tx struct {
	s        *Store
	ctx      context.Context
	writable bool
	// budget counts an Update against the declared Limits, which sit below
	// what the etcd server takes (etcd.go): the commit adds one compare and
	// one put of its own (the marker), and key prefixes and protobuf
	// framing ride in the byte reserve, so a transaction the budget admits
	// is never refused by etcd. Nil in a View.
	budget *store.Budget
	// rev is the snapshot revision, 0 until the first read.
	rev int64
	// writes maps each key Put or Deleted to its last value (deleted:
	// a Delete).
	writes map[string]write
	// readRevs maps each key read from etcd to the ModRevision it had at
	// rev (0: absent). The commit compares each, so a key changed,
	// deleted or created since the snapshot fails it.
	readRevs map[string]int64
	// guards are the etcd ranges Scans covered. The commit requires that
	// no key in them changed after rev, which catches keys created in the
	// range (phantoms); keys deleted from it are caught by readRevs.
	guards []keyRange
	// failure is the first error a read met that is not fn's to ignore
	// (etcd unreachable, snapshot compacted, context ended): the Update
	// fails with it, or reruns on errStale, even if fn dropped it.
	failure error
	done    bool
}

type write struct {
	value   []byte
	deleted bool
}

type keyRange struct{ start, end string }

var _ store.Tx = (*tx)(nil)

func newTx(s *Store, ctx context.Context, writable bool) *tx {
	t := &tx{s: s, ctx: ctx, writable: writable}
	if writable {
		t.budget = store.NewBudget("store/etcd", s.limits)
		t.writes = map[string]write{}
		t.readRevs = map[string]int64{}
	}
	return t
}

func (t *tx) Get(key string) (store.Item, error) {
	if t.done {
		return store.Item{}, errTxDone
	}
	if err := t.budget.Get(key); err != nil {
		return store.Item{}, err
	}
	if w, ok := t.writes[key]; ok {
		if w.deleted {
			return store.Item{}, store.ErrNotFound
		}
		// Not committed yet, so it has no revision.
		return store.Item{Key: key, Value: bytes.Clone(w.value)}, nil
	}
	resp, err := t.read(t.s.keys.item(key))
	if err != nil {
		return store.Item{}, err
	}
	if len(resp.Kvs) == 0 {
		t.noteRead(key, 0)
		return store.Item{}, store.ErrNotFound
	}
	kv := resp.Kvs[0]
	t.noteRead(key, kv.ModRevision)
	return store.Item{Key: key, Value: bytes.Clone(kv.Value), Revision: kv.ModRevision}, nil
}

func (t *tx) Scan(prefix, after string, limit int) ([]store.Item, error) {
	if t.done {
		return nil, errTxDone
	}
	start, end := t.s.keys.scanRange(prefix, after)
	if start >= end {
		if err := t.budget.Scan(nil); err != nil {
			return nil, err
		}
		return nil, nil
	}
	// This Update's own writes in the range override what etcd holds.
	var mine []string
	deletes := 0
	for k, w := range t.writes {
		if ek := t.s.keys.item(k); ek >= start && ek < end {
			mine = append(mine, k)
			if w.deleted {
				deletes++
			}
		}
	}
	// Ask etcd for as many items as can be returned, plus as many as our
	// deletes may hide; in an Update, never more than the budget can take.
	fetch := 0
	if limit > 0 {
		fetch = limit + deletes
	}
	if c := t.budget.FetchCap(); c > 0 && (fetch == 0 || fetch > c+deletes) {
		fetch = c + deletes
	}
	opts := []clientv3.OpOption{clientv3.WithRange(end)}
	if fetch > 0 {
		opts = append(opts, clientv3.WithLimit(int64(fetch)))
	}
	resp, err := t.read(start, opts...)
	if err != nil {
		return nil, err
	}
	type found struct {
		item     store.Item
		fromEtcd bool
	}
	merged := map[string]found{}
	for _, kv := range resp.Kvs {
		k := t.s.keys.storeKey(kv.Key)
		merged[k] = found{store.Item{Key: k, Value: kv.Value, Revision: kv.ModRevision}, true}
	}
	for _, k := range mine {
		if w := t.writes[k]; w.deleted {
			delete(merged, k)
		} else {
			merged[k] = found{item: store.Item{Key: k, Value: w.value}}
		}
	}
	keys := make([]string, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if limit > 0 && len(keys) > limit {
		keys = keys[:limit]
	}
	if err := t.budget.Scan(keys); err != nil {
		return nil, err
	}
	items := make([]store.Item, len(keys))
	for i, k := range keys {
		f := merged[k]
		items[i] = store.Item{Key: k, Value: bytes.Clone(f.item.Value), Revision: f.item.Revision}
		if f.fromEtcd {
			t.noteRead(k, f.item.Revision)
		}
	}
	if t.writable {
		// With a limit that cut the page, the Scan covered the range only
		// up to the last key it returned.
		guardEnd := end
		if limit > 0 && len(keys) == limit {
			guardEnd = t.s.keys.item(keys[len(keys)-1]) + "\x00"
		}
		t.guards = append(t.guards, keyRange{start, guardEnd})
	}
	return items, nil
}

func (t *tx) Put(key string, value []byte) error {
	return t.buffer("Put", key, write{value: bytes.Clone(value)})
}

func (t *tx) Delete(key string) error {
	return t.buffer("Delete", key, write{deleted: true})
}

func (t *tx) buffer(op, key string, w write) error {
	if t.done {
		return errTxDone
	}
	if !t.writable {
		return store.ErrReadOnly
	}
	if err := t.budget.Write(op, key, len(w.value)); err != nil {
		return err
	}
	t.writes[key] = w
	return nil
}

// noteRead records that key had revision rev (0: absent) at the snapshot,
// for the commit to compare.
func (t *tx) noteRead(key string, rev int64) {
	if t.writable {
		if _, ok := t.readRevs[key]; !ok {
			t.readRevs[key] = rev
		}
	}
}

// read gets key (with opts) at the snapshot revision, fixing the snapshot
// on the first read. Reads are linearizable (etcd's default): a read at a
// fixed revision still goes through the leader's read index, so a member
// that has not yet applied the snapshot revision waits rather than
// answering "future revision".
func (t *tx) read(key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	if t.failure != nil {
		return nil, t.failure
	}
	if t.rev > 0 {
		opts = append(opts, clientv3.WithRev(t.rev))
	}
	t.s.stats.reads.Add(1)
	resp, err := t.s.cli.Get(t.ctx, key, opts...)
	if err != nil {
		t.failure = t.s.readError(t.ctx, err)
		return nil, t.failure
	}
	if t.rev == 0 {
		t.rev = resp.Header.Revision
		t.s.noteSeen(t.rev)
	}
	return resp, nil
}

// readError translates an error of a read. Every failure but a compacted
// revision is the cluster's not answering in time: ErrUnavailable.
func (s *Store) readError(ctx context.Context, err error) error {
	switch {
	case s.closed.Load():
		return store.ErrClosed
	case ctx.Err() != nil:
		return fmt.Errorf("store/etcd: read: %w: %w", ctx.Err(), store.ErrUnavailable)
	case errors.Is(err, rpctypes.ErrCompacted):
		return errStale
	}
	return fmt.Errorf("store/etcd: read from %s: %w: %w", strings.Join(s.cli.Endpoints(), ","), err, store.ErrUnavailable)
}
