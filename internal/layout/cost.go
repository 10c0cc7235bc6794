package layout

import "github.com/trent-kms/trent/internal/store"

// Cost is what a transaction, or one item of a batched transaction, spends
// against store.Limits: reads (each distinct key read, plus one per Scan)
// and writes (each distinct key put or deleted), counted as store.Limits
// counts them.
type Cost struct{ Reads, Writes int }

// Plus returns the sum of two costs.
func (c Cost) Plus(o Cost) Cost { return Cost{c.Reads + o.Reads, c.Writes + o.Writes} }

// Times returns n times c.
func (c Cost) Times(n int) Cost { return Cost{c.Reads * n, c.Writes * n} }

// Fits reports whether a transaction of cost c fits the limits.
func (c Cost) Fits(l store.Limits) bool { return c.Reads <= l.MaxOps && c.Writes <= l.MaxOps }

// Batch returns how many items of cost each fit in one transaction that
// also spends fixed, at least 1 (a transaction that cannot hold one item is
// a bug the store reports with store.ErrTooLarge).
func Batch(l store.Limits, fixed, each Cost) int {
	if each == (Cost{}) {
		panic("layout: Batch of items that cost nothing")
	}
	n := 0
	for fixed.Plus(each.Times(n + 1)).Fits(l) {
		n++
	}
	return max(n, 1)
}

// The costs of Trent's batched transactions.
var (
	// StagedAudit is what staging one audit record in a transaction adds.
	StagedAudit = Cost{Writes: 1}
	// UsageEntry is one key's usage record in a flush: the key's metadata
	// and the current usage record are read, the new one written.
	UsageEntry = Cost{Reads: 2, Writes: 1}
	// ShippedRecord is one audit record removed from the outbox once the
	// log file holds it; the batch also writes MetaAuditShipped.
	ShippedRecord = Cost{Writes: 1}
	// ShippedBatch is the fixed part of a shipping transaction.
	ShippedBatch = Cost{Writes: 1}
	// TrashRecord is one material version removed from a deleted key (its
	// record is read by the scan and deleted); an alias costs two.
	TrashRecord = Cost{Reads: 1, Writes: 1}
	// TrashFixed is the rest of an emptying transaction: the scans of the
	// materials, the alias index and the grants, and the deletion of the
	// tags, policy, usage, import and grant count records and the trash
	// marker.
	TrashFixed = Cost{Reads: 3, Writes: 6}
)

// TrashGrantRecords is how many TrashRecords one grant of a deleted key
// counts as: its record and its three index entries are deleted.
const TrashGrantRecords = 4
