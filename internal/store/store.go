// Package store defines Trent's persistence interface: a small, ordered,
// transactional key-value store.
//
// Every implementation (bbolt embedded, etcd distributed) must pass the one
// conformance suite in storetest. Nothing above this package knows which
// implementation it runs on.
//
// Keys are byte-ordered strings; values are opaque bytes (the service encodes
// versioned documents and seals secrets before they get here). Every item
// carries the revision of the write that last changed it, so an etcd-backed
// Update can guard its commit on the revisions it read.
package store

import (
	"context"
	"errors"
)

// ErrNotFound is returned by Tx.Get for a key that does not exist. It never
// describes a storage failure: a failure is a different error.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned by Update when the transaction lost a race with a
// concurrent writer more times than the implementation retries.
var ErrConflict = errors.New("store: transaction conflict")

// ErrUnavailable wraps the errors of a store that could not do its work in
// time because it could not reach its backend or confirm that what it
// would read is current (an etcd cluster without a quorum, or out of
// reach). The request may succeed if retried later; the service answers
// DependencyTimeoutException.
var ErrUnavailable = errors.New("store: unavailable")

// ErrReadOnly is returned by a write inside View.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// ErrClosed is returned after Close.
var ErrClosed = errors.New("store: closed")

// ErrTooLarge is returned by a Tx method that would take an Update past the
// store's Limits. It is a bug in the caller, which must split its work into
// transactions that fit (see Limits). The refused operation does nothing,
// and the Update then fails with ErrTooLarge even if fn drops the error and
// returns nil: a transaction cut short is never committed.
var ErrTooLarge = errors.New("store: transaction exceeds the store's limits")

// Limits says how much one Update may do. Each driver declares its own. The
// service sizes its batches from them, so a transaction that fits the
// declared limits is never refused.
type Limits struct {
	// MaxOps bounds each side of one Update, the way etcd bounds a Txn: its
	// --max-txn-ops (128 by default) applies to the compares and to the
	// operations separately.
	//   - reads: the distinct keys read, by Get (present or absent, and
	//     even if this Update wrote it) or as an item a Scan returned,
	//     plus one for every Scan call (the guard on its range);
	//   - writes: the distinct keys Put or Deleted (a Delete of a missing
	//     key too).
	MaxOps int
	// MaxBytes bounds the bytes of the keys and values one Update writes
	// (etcd's --max-request-bytes, 1.5 MiB by default): each key written
	// counts once, with its last value (a Delete counts its key).
	MaxBytes int
}

// PortableLimits are the limits of the etcd driver on a cluster running
// etcd's defaults (--max-txn-ops 128, --max-request-bytes 1.5 MiB): one
// operation and 256 KiB of each go to the driver's own commit marker and
// compares (store/etcd). The embedded store enforces the same numbers,
// though bbolt could take far more, so that whatever the service does on
// one machine also fits a cluster, and an oversized transaction fails in
// the first test that runs it.
var PortableLimits = Limits{MaxOps: 127, MaxBytes: 1280 << 10}

// Item is one stored key-value pair.
type Item struct {
	Key   string
	Value []byte
	// Revision identifies the write that last changed this item. It
	// increases with every committed Update that writes the item.
	Revision int64
}

// Tx is the view of the store inside one transaction.
//
// Reads see the writes made earlier in the same transaction. Values returned
// are owned by the caller (implementations copy them).
type Tx interface {
	// Get returns the item at key or ErrNotFound.
	Get(key string) (Item, error)
	// Scan returns up to limit items whose keys start with prefix and sort
	// strictly after after (after == "" starts at the beginning of the
	// prefix), in ascending key order. limit <= 0 means no limit.
	Scan(prefix, after string, limit int) ([]Item, error)
	// Put creates or replaces the value at key.
	Put(key string, value []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(key string) error
}

// Store is a transactional key-value store.
type Store interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction and commits it durably
	// (fsynced, or committed by a quorum) before returning nil. If fn
	// returns an error nothing is written. fn may run more than once (on
	// etcd, after a conflict), so it must have no side effects outside the
	// transaction.
	Update(ctx context.Context, fn func(Tx) error) error
	// Limits returns what one Update may do. A Tx method that would go
	// past them fails with ErrTooLarge; a View is not limited.
	Limits() Limits
	// Close releases the store. It is safe to call more than once.
	Close() error
}
