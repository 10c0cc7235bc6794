package etcd

import (
	"fmt"

	"github.com/trent-kms/trent/internal/store"
)

// budget counts one Update against the driver's declared Limits exactly as
// store.Limits defines the counts (the same rules as the bolt driver's):
// reads are the distinct keys read by Get (found or not, written by this
// Update or not) or returned by a Scan, plus one per Scan call; writes are
// the distinct keys Put or Deleted (a Delete of a missing key included);
// bytes are each written key plus its last value.
//
// The declared limits sit below what the etcd server takes (see limits in
// etcd.go), so a transaction this budget admits is never refused by etcd:
// the commit adds one compare and one put of its own (the marker), and
// prefixes and protobuf framing ride in the byte reserve.
//
// A nil *budget is a View's: it charges nothing.
type budget struct {
	lim    store.Limits
	reads  map[string]struct{}
	scans  int
	writes map[string]int // key → len(key) + len(its last value)
	bytes  int
	// err is the first refusal. The Update fails with it even if fn drops
	// it, so a transaction cut short is never committed.
	err error
}

func newBudget(lim store.Limits) *budget {
	return &budget{lim: lim, reads: map[string]struct{}{}, writes: map[string]int{}}
}

// get charges a Get of key.
func (b *budget) get(key string) error {
	if b == nil {
		return nil
	}
	if _, ok := b.reads[key]; ok {
		return nil
	}
	if n := len(b.reads) + b.scans + 1; n > b.lim.MaxOps {
		return b.refuse("Get", n, b.lim.MaxOps, "reads")
	}
	b.reads[key] = struct{}{}
	return nil
}

// fetchCap is how many items a Scan in an Update needs from etcd, at most,
// to know whether it fits: more than MaxOps items are refused whatever
// else the Update did. 0 means no cap (a View).
func (b *budget) fetchCap() int {
	if b == nil {
		return 0
	}
	return b.lim.MaxOps + 1
}

// scan charges a Scan call that returned items. A refused Scan returns no
// items.
func (b *budget) scan(items []string) error {
	if b == nil {
		return nil
	}
	n := len(b.reads) + b.scans + 1
	for _, k := range items {
		if _, ok := b.reads[k]; !ok {
			n++
		}
	}
	if n > b.lim.MaxOps {
		return b.refuse("Scan", n, b.lim.MaxOps, "reads")
	}
	for _, k := range items {
		b.reads[k] = struct{}{}
	}
	b.scans++
	return nil
}

// write charges a Put of a value of valueLen bytes (0 for a Delete).
func (b *budget) write(op, key string, valueLen int) error {
	if b == nil {
		return nil
	}
	old, seen := b.writes[key]
	n := len(b.writes)
	if !seen {
		n++
	}
	size := len(key) + valueLen
	total := b.bytes - old + size
	if n > b.lim.MaxOps {
		return b.refuse(op, n, b.lim.MaxOps, "writes")
	}
	if total > b.lim.MaxBytes {
		return b.refuse(op, total, b.lim.MaxBytes, "bytes written")
	}
	b.writes[key] = size
	b.bytes = total
	return nil
}

// refuse records and returns the error for an operation that would take
// the Update to n of what, past max.
func (b *budget) refuse(op string, n, max int, what string) error {
	err := fmt.Errorf("store/etcd: %s would take the Update to %d %s, over the limit of %d: %w", op, n, what, max, store.ErrTooLarge)
	if b.err == nil {
		b.err = err
	}
	return err
}
