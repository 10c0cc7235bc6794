package bolt

import (
	"bytes"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/trent-kms/trent/internal/store"
)

// errTxDone guards against a Tx kept past the function it was given to: its
// bbolt transaction is gone, and reading the memory map it pointed into
// could crash the process rather than fail.
var errTxDone = errors.New("store/bolt: transaction used after its function returned")

// tx implements store.Tx over one bbolt transaction. bbolt already gives a
// writable transaction read-your-writes, so tx only adds the revision
// prefix, copying, the limits, and the read-only and use-after-return
// checks.
type tx struct {
	data     *bbolt.Bucket
	writable bool
	// budget counts an Update against the limits; nil in a View.
	budget *store.Budget
	// revision is stamped on every item this Update writes (writable only).
	revision int64
	// wrote records whether the Update changed anything, so an Update that
	// only read neither consumes a revision nor pays for an fsync.
	wrote bool
	done  bool
	// undo maps every key this Update changed to its stored bytes before
	// the first change (nil: it was absent), so that a failed Update in a
	// batch can be taken out of the shared transaction (rollBack). nil
	// when the Update has a transaction of its own, which bbolt rolls back.
	undo map[string][]byte
}

var _ store.Tx = (*tx)(nil)

func (t *tx) Get(key string) (store.Item, error) {
	if t.done {
		return store.Item{}, errTxDone
	}
	if err := t.budget.Get(key); err != nil {
		return store.Item{}, err
	}
	raw := t.data.Get([]byte(key))
	if raw == nil {
		return store.Item{}, store.ErrNotFound
	}
	item, err := decodeItem(key, raw)
	if err != nil {
		return store.Item{}, fmt.Errorf("store/bolt: %w", err)
	}
	return item, nil
}

func (t *tx) Scan(prefix, after string, limit int) ([]store.Item, error) {
	if t.done {
		return nil, errTxDone
	}
	p := []byte(prefix)
	c := t.data.Cursor()
	var k, v []byte
	// Keys with the prefix form one contiguous range starting at prefix, so
	// an after that sorts before prefix changes nothing, and one that sorts
	// past the range finds no key with the prefix below.
	if after != "" && after >= prefix {
		k, v = c.Seek([]byte(after))
		if k != nil && string(k) == after {
			k, v = c.Next()
		}
	} else {
		k, v = c.Seek(p)
	}
	var items []store.Item
	for ; k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		item, err := decodeItem(string(k), v)
		if err != nil {
			return nil, fmt.Errorf("store/bolt: %w", err)
		}
		items = append(items, item)
		if limit > 0 && len(items) == limit {
			break
		}
		// An Update's Scan that is refused anyway stops copying here.
		if t.budget.OverdrawnBy(len(items)) {
			break
		}
	}
	if t.budget != nil {
		keys := make([]string, len(items))
		for i, it := range items {
			keys[i] = it.Key
		}
		if err := t.budget.Scan(keys); err != nil {
			return nil, err
		}
	}
	return items, nil
}

func (t *tx) Put(key string, value []byte) error {
	if t.done {
		return errTxDone
	}
	if !t.writable {
		return store.ErrReadOnly
	}
	if err := t.budget.Write("Put", key, len(value)); err != nil {
		return err
	}
	t.save(key)
	if err := t.data.Put([]byte(key), encodeItem(t.revision, value)); err != nil {
		return fmt.Errorf("store/bolt: put: %w", err)
	}
	t.wrote = true
	return nil
}

func (t *tx) Delete(key string) error {
	if t.done {
		return errTxDone
	}
	if !t.writable {
		return store.ErrReadOnly
	}
	if err := t.budget.Write("Delete", key, 0); err != nil {
		return err
	}
	k := []byte(key)
	if t.data.Get(k) == nil {
		return nil
	}
	t.save(key)
	if err := t.data.Delete(k); err != nil {
		return fmt.Errorf("store/bolt: delete: %w", err)
	}
	t.wrote = true
	return nil
}

// save records key's stored bytes before this Update first changes it. The
// bytes are copied: they point into the memory map or into pages the
// transaction may rewrite.
func (t *tx) save(key string) {
	if t.undo == nil {
		return
	}
	if _, ok := t.undo[key]; ok {
		return
	}
	t.undo[key] = bytes.Clone(t.data.Get([]byte(key)))
}

// rollBack restores every key this Update changed to what it held before,
// leaving the transaction as the Update found it. An error means the
// transaction can no longer be trusted.
func (t *tx) rollBack() error {
	for key, old := range t.undo {
		var err error
		if old == nil {
			err = t.data.Delete([]byte(key))
		} else {
			err = t.data.Put([]byte(key), old)
		}
		if err != nil {
			return fmt.Errorf("store/bolt: undo %q: %w", key, err)
		}
	}
	return nil
}
