package kms

import (
	"bytes"
	"sync"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/store"
)

// keyRecordCache keeps decoded key records, so that the hot path does not
// decode the same JSON on every request. An entry is used only when the
// stored bytes are exactly the bytes it was decoded from: a byte compare
// of a few hundred bytes instead of a JSON decode, and correct whatever
// wrote the record, in whichever transaction (a write that was rolled back
// leaves an entry no stored record matches). Records of keys hold no
// slices or maps, so a shallow copy is a private copy.
type keyRecordCache struct {
	// max bounds the records kept; a full cache evicts one at random.
	max     int
	mu      sync.RWMutex
	entries map[string]cachedKeyRecord
}

type cachedKeyRecord struct {
	raw []byte
	key keys.Key
}

func newKeyRecordCache(max int) *keyRecordCache {
	return &keyRecordCache{max: max, entries: map[string]cachedKeyRecord{}}
}

// get reads the key record at path in tx: ErrNotFound, or a copy the
// caller may change.
func (c *keyRecordCache) get(tx store.Tx, path string) (*keys.Key, error) {
	item, err := tx.Get(path)
	if err != nil {
		return nil, err
	}
	c.mu.RLock()
	e, ok := c.entries[path]
	c.mu.RUnlock()
	if ok && bytes.Equal(e.raw, item.Value) {
		k := e.key
		return &k, nil
	}
	k, err := decodeRecord[*keys.Key](item.Value)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if _, ok := c.entries[path]; !ok && len(c.entries) >= c.max {
		evictOne(c.entries)
	}
	// item.Value is the caller's own copy (store.Tx copies values).
	k.CacheARN()
	c.entries[path] = cachedKeyRecord{raw: item.Value, key: *k}
	c.mu.Unlock()
	return k, nil
}
