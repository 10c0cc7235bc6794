package store

import "fmt"

// Budget counts one Update against Limits, exactly as Limits defines the
// counts: reads are the distinct keys read by Get (found or not, written by
// this Update or not) or returned by a Scan, plus one per Scan call; writes
// are the distinct keys Put or Deleted (a Delete of a missing key included,
// since the transaction sent to etcd would carry it); bytes are each
// written key plus its last value. Every driver charges its Updates to one,
// so that every driver refuses the same transactions.
//
// A nil *Budget is a View's: it charges nothing.
type Budget struct {
	driver string // for messages: "store/bolt"
	lim    Limits
	reads  map[string]struct{}
	scans  int
	writes map[string]int // key → len(key) + len(its last value)
	bytes  int
	// err is the first refusal. The Update fails with it even if fn drops
	// it, so a transaction cut short is never committed.
	err error
}

// NewBudget returns the budget of one Update of the driver named (for its
// error messages) under lim.
func NewBudget(driver string, lim Limits) *Budget {
	return &Budget{driver: driver, lim: lim, reads: map[string]struct{}{}, writes: map[string]int{}}
}

// Err is the first refusal, or nil.
func (b *Budget) Err() error {
	if b == nil {
		return nil
	}
	return b.err
}

// Bytes is what the Update has written so far: keys and their last values.
func (b *Budget) Bytes() int {
	if b == nil {
		return 0
	}
	return b.bytes
}

// Get charges a Get of key.
func (b *Budget) Get(key string) error {
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

// OverdrawnBy reports whether a Scan that has found n items so far will be
// refused whatever else it finds: it costs itself plus n items, of which at
// most those already read are free. A driver's Scan can stop walking then,
// so a runaway Scan in an Update does not copy a whole range first.
func (b *Budget) OverdrawnBy(n int) bool {
	return b != nil && b.scans+1+n > b.lim.MaxOps
}

// FetchCap is how many items, at most, a Scan in an Update needs to fetch
// to know whether it fits: more than MaxOps items are refused whatever
// else the Update did. 0 means no cap (a View).
func (b *Budget) FetchCap() int {
	if b == nil {
		return 0
	}
	return b.lim.MaxOps + 1
}

// Scan charges a Scan call that returned the items with these keys. A
// refused Scan must return no items; if it stopped early (OverdrawnBy),
// the count in the error is of the items it walked.
func (b *Budget) Scan(keys []string) error {
	if b == nil {
		return nil
	}
	n := len(b.reads) + b.scans + 1
	for _, k := range keys {
		if _, ok := b.reads[k]; !ok {
			n++
		}
	}
	if n > b.lim.MaxOps {
		return b.refuse("Scan", n, b.lim.MaxOps, "reads")
	}
	for _, k := range keys {
		b.reads[k] = struct{}{}
	}
	b.scans++
	return nil
}

// Write charges op ("Put" or "Delete") of key with a value of valueLen
// bytes (0 for a Delete).
func (b *Budget) Write(op, key string, valueLen int) error {
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
func (b *Budget) refuse(op string, n, max int, what string) error {
	err := fmt.Errorf("%s: %s would take the Update to %d %s, over the limit of %d: %w", b.driver, op, n, what, max, ErrTooLarge)
	if b.err == nil {
		b.err = err
	}
	return err
}
