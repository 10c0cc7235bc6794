package storetest

import (
	"errors"
	"fmt"
	"slices"

	"github.com/trent-kms/trent/internal/store"
)

// memTx is one attempt of a memStore transaction: it reads the snapshot
// at snap (or, with the latestViews flaw, whatever is latest), buffers
// its writes, and records what it read for the commit to validate.
type memTx struct {
	data     *memData
	snap     int64
	latest   bool
	writable bool
	writes   map[string]memWrite
	reads    map[string]bool // key → whether the read found it
	ranges   []memRange
	budget   *memBudget // nil: not limited
	done     bool
}

type memWrite struct {
	value   []byte
	deleted bool
}

var errMemTxDone = errors.New("memstore: transaction used after its function returned")

// readRev is the revision reads see.
func (t *memTx) readRev() int64 {
	if t.latest {
		return t.data.last()
	}
	return t.snap
}

func (t *memTx) noteRead(key string, found bool) {
	if !t.writable {
		return
	}
	if t.reads == nil {
		t.reads = map[string]bool{}
	}
	t.reads[key] = found
}

func (t *memTx) Get(key string) (store.Item, error) {
	if t.done {
		return store.Item{}, errMemTxDone
	}
	if err := t.budget.read([]string{key}, 0); err != nil {
		return store.Item{}, err
	}
	if w, ok := t.writes[key]; ok {
		if w.deleted {
			return store.Item{}, store.ErrNotFound
		}
		return store.Item{Key: key, Value: slices.Clone(w.value)}, nil
	}
	rev := t.readRev()
	t.data.mu.Lock()
	it, ok := t.data.at(key, rev)
	t.data.mu.Unlock()
	t.noteRead(key, ok)
	if !ok {
		return store.Item{}, store.ErrNotFound
	}
	return it, nil
}

func (t *memTx) Scan(prefix, after string, limit int) ([]store.Item, error) {
	if t.done {
		return nil, errMemTxDone
	}
	rev := t.readRev()
	r := memRange{prefix: prefix, after: after}
	byKey := map[string]store.Item{}
	t.data.mu.Lock()
	for _, k := range t.data.keys {
		if r.covers(k) {
			if it, ok := t.data.at(k, rev); ok {
				byKey[k] = it
			}
		}
	}
	t.data.mu.Unlock()
	for k, w := range t.writes {
		switch {
		case !r.covers(k):
		case w.deleted:
			delete(byKey, k)
		default:
			byKey[k] = store.Item{Key: k, Value: slices.Clone(w.value)}
		}
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range byKey {
			if !yield(k) {
				return
			}
		}
	})
	if limit > 0 && len(keys) >= limit {
		keys = keys[:limit]
		r.limited, r.last = true, keys[limit-1]
	}
	if err := t.budget.read(keys, 1); err != nil {
		return nil, err
	}
	items := make([]store.Item, len(keys))
	for i, k := range keys {
		items[i] = byKey[k]
		if _, own := t.writes[k]; !own {
			t.noteRead(k, true)
		}
	}
	if t.writable {
		t.ranges = append(t.ranges, r)
	}
	return items, nil
}

func (t *memTx) Put(key string, value []byte) error {
	return t.write(key, memWrite{value: slices.Clone(value)})
}

func (t *memTx) Delete(key string) error {
	return t.write(key, memWrite{deleted: true})
}

func (t *memTx) write(key string, w memWrite) error {
	if t.done {
		return errMemTxDone
	}
	if !t.writable {
		return store.ErrReadOnly
	}
	if err := t.budget.write(key, len(w.value)); err != nil {
		return err
	}
	t.writes[key] = w
	return nil
}

// memBudget counts an Update against its Limits as store.Limits defines
// them. It is written apart from the bolt driver's count on purpose: two
// readings of the same comment that agree are some evidence the comment
// is clear.
type memBudget struct {
	limits store.Limits
	reads  map[string]bool // distinct keys read
	scans  int
	writes map[string]int // key → its bytes: the key and its last value
	bytes  int
	err    error // the first refusal; the Update fails with it
}

// read charges keys not read before, plus scans Scan calls. A nil budget
// (a View, or the noLimits flaw) charges nothing.
func (b *memBudget) read(keys []string, scans int) error {
	if b == nil {
		return nil
	}
	fresh := 0
	for _, k := range keys {
		if !b.reads[k] {
			fresh++
		}
	}
	if total := len(b.reads) + b.scans + fresh + scans; total > b.limits.MaxOps {
		return b.refuse(fmt.Errorf("memstore: %d reads, limit %d: %w", total, b.limits.MaxOps, store.ErrTooLarge))
	}
	for _, k := range keys {
		b.reads[k] = true
	}
	b.scans += scans
	return nil
}

func (b *memBudget) write(key string, valueLen int) error {
	if b == nil {
		return nil
	}
	old, seen := b.writes[key]
	ops := len(b.writes)
	if !seen {
		ops++
	}
	size := len(key) + valueLen
	bytes := b.bytes - old + size
	if ops > b.limits.MaxOps || bytes > b.limits.MaxBytes {
		return b.refuse(fmt.Errorf("memstore: %d writes of %d bytes, limits %d and %d: %w", ops, bytes, b.limits.MaxOps, b.limits.MaxBytes, store.ErrTooLarge))
	}
	b.writes[key], b.bytes = size, bytes
	return nil
}

func (b *memBudget) refuse(err error) error {
	if b.err == nil {
		b.err = err
	}
	return err
}
