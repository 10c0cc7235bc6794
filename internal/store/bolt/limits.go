package bolt

import (
	"fmt"

	"github.com/trent-kms/trent/internal/store"
)

// limits are what the etcd driver takes on etcd's defaults
// (store.PortableLimits). bbolt itself could take far more; enforcing the
// cluster's numbers here means that whatever the service does on the
// embedded store also fits a cluster, and an oversized transaction fails in
// the first test that runs it rather than in production on etcd.
var limits = store.PortableLimits

// budget counts one Update against limits, exactly as store.Limits
// defines the counts: reads are the distinct keys read by Get (found or
// not) or returned by a Scan, plus one per Scan call; writes are the
// distinct keys Put or Deleted (a Delete of a missing key included, since
// the transaction sent to etcd would carry it); bytes are each written
// key plus its last value.
//
// A nil *budget is a View's: it charges nothing.
type budget struct {
	reads  map[string]struct{}
	scans  int
	writes map[string]int // key → len(key) + len(its last value)
	bytes  int
	// err is the first refusal. The Update fails with it even if fn drops
	// it, so a transaction cut short is never committed.
	err error
}

func newBudget() *budget {
	return &budget{reads: map[string]struct{}{}, writes: map[string]int{}}
}

// get charges a Get of key.
func (b *budget) get(key string) error {
	if b == nil {
		return nil
	}
	if _, ok := b.reads[key]; ok {
		return nil
	}
	if n := len(b.reads) + b.scans + 1; n > limits.MaxOps {
		return b.refuse("Get", n, limits.MaxOps, "reads")
	}
	b.reads[key] = struct{}{}
	return nil
}

// overdrawnBy reports whether a Scan that has found n items so far will
// be refused whatever else it finds: it costs itself plus n items, of
// which at most those already read are free. Scan stops walking then, so
// a runaway Scan in an Update does not copy a whole range first.
func (b *budget) overdrawnBy(n int) bool {
	return b != nil && b.scans+1+n > limits.MaxOps
}

// scan charges a Scan call that returned items. It is charged after the
// cursor has walked them, which costs nothing durable: a refused Scan
// returns no items. If Scan stopped early (overdrawnBy), the count in the
// error is of the items it walked.
func (b *budget) scan(items []store.Item) error {
	if b == nil {
		return nil
	}
	n := len(b.reads) + b.scans + 1
	for _, it := range items {
		if _, ok := b.reads[it.Key]; !ok {
			n++
		}
	}
	if n > limits.MaxOps {
		return b.refuse("Scan", n, limits.MaxOps, "reads")
	}
	for _, it := range items {
		b.reads[it.Key] = struct{}{}
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
	if n > limits.MaxOps {
		return b.refuse(op, n, limits.MaxOps, "writes")
	}
	if total > limits.MaxBytes {
		return b.refuse(op, total, limits.MaxBytes, "bytes written")
	}
	b.writes[key] = size
	b.bytes = total
	return nil
}

// refuse records and returns the error for an operation that would take
// the Update to n of what, past max.
func (b *budget) refuse(op string, n, max int, what string) error {
	err := fmt.Errorf("store/bolt: %s would take the Update to %d %s, over the limit of %d: %w", op, n, what, max, store.ErrTooLarge)
	if b.err == nil {
		b.err = err
	}
	return err
}
