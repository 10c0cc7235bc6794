package etcd

import (
	"bytes"

	"github.com/trent-kms/trent/internal/store"
)

// mirrorTx is the store.Tx of a View served by the mirror: reads of one
// published snapshot, in memory.
type mirrorTx struct {
	snap *mirrorSnapshot
	done bool
}

var _ store.Tx = (*mirrorTx)(nil)

func (t *mirrorTx) Get(key string) (store.Item, error) {
	if t.done {
		return store.Item{}, errTxDone
	}
	it, ok := t.snap.items.Get(mirrorItem{key: key})
	if !ok {
		return store.Item{}, store.ErrNotFound
	}
	return store.Item{Key: key, Value: bytes.Clone(it.value), Revision: it.rev}, nil
}

func (t *mirrorTx) Scan(prefix, after string, limit int) ([]store.Item, error) {
	if t.done {
		return nil, errTxDone
	}
	// The same range as a Scan of etcd (keyspace.scanRange), in store keys.
	from := prefix
	if after != "" && after >= prefix {
		from = after + "\x00"
	}
	end, bounded := prefixEnd(prefix)
	var items []store.Item
	t.snap.items.AscendGreaterOrEqual(mirrorItem{key: from}, func(it mirrorItem) bool {
		if bounded && it.key >= end {
			return false
		}
		items = append(items, store.Item{Key: it.key, Value: bytes.Clone(it.value), Revision: it.rev})
		return limit <= 0 || len(items) < limit
	})
	return items, nil
}

func (t *mirrorTx) Put(string, []byte) error {
	if t.done {
		return errTxDone
	}
	return store.ErrReadOnly
}

func (t *mirrorTx) Delete(string) error {
	if t.done {
		return errTxDone
	}
	return store.ErrReadOnly
}
