package kms

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// Last-usage tracking (GetKeyLastUsage) must not turn every Encrypt into a
// durable write, which would cost an fsync per request. Successful
// cryptographic operations are noted in memory and written to the store in
// batches (FlushUsage, run by the server every few seconds and at shutdown).
// GetKeyLastUsage on this node sees unflushed entries at once; a crash can
// lose the last few seconds of usage information, never key state. AWS
// documents the same operation as eventually consistent.

type usageTracker struct {
	mu      sync.Mutex
	pending map[string]pendingUsage // by usage record key
}

type pendingUsage struct {
	account, region, keyID string
	rec                    usageRecord
}

func newUsageTracker() *usageTracker {
	return &usageTracker{pending: map[string]pendingUsage{}}
}

// note records a successful cryptographic use of k.
func (t *usageTracker) note(k *keys.Key, op string, at time.Time, requestID, eventID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	name := layout.Usage(k.Account, k.Region, k.ID)
	if p, ok := t.pending[name]; ok && p.rec.Time.After(at) {
		return
	}
	t.pending[name] = pendingUsage{account: k.Account, region: k.Region, keyID: k.ID,
		rec: usageRecord{Operation: op, Time: at, RequestID: requestID, EventID: eventID}}
}

func (t *usageTracker) lookup(name string) (usageRecord, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.pending[name]
	return p.rec, ok
}

// takeAll removes and returns every pending entry.
func (t *usageTracker) takeAll() []pendingUsage {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]pendingUsage, 0, len(t.pending))
	for name, p := range t.pending {
		out = append(out, p)
		delete(t.pending, name)
	}
	return out
}

// putBack returns entries whose write failed, unless newer ones arrived.
func (t *usageTracker) putBack(entries []pendingUsage) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range entries {
		name := layout.Usage(p.account, p.region, p.keyID)
		if cur, ok := t.pending[name]; !ok || cur.rec.Time.Before(p.rec.Time) {
			t.pending[name] = p
		}
	}
}

// FlushUsage writes the key usage noted so far to the store, in
// transactions sized to the store's limits (layout.UsageEntry: each entry
// reads the key and its usage record). Uses noted while it writes wait for
// the next flush: taking them as it went, a flush never ended while a hot
// key was in use, and wrote its record over and over.
func (s *Service) FlushUsage(ctx context.Context) error {
	per := layout.Batch(s.store.Limits(), layout.Cost{}, layout.UsageEntry)
	pending := s.usage.takeAll()
	for len(pending) > 0 {
		batch := pending[:min(per, len(pending))]
		err := s.store.Update(ctx, func(tx store.Tx) error {
			for _, p := range batch {
				// Skip keys deleted since their use.
				if _, err := tx.Get(layout.Key(p.account, p.region, p.keyID)); errors.Is(err, store.ErrNotFound) {
					continue
				} else if err != nil {
					return err
				}
				name := layout.Usage(p.account, p.region, p.keyID)
				if old, err := getRecord[usageRecord](tx, name); err == nil && old.Time.After(p.rec.Time) {
					continue
				}
				if err := putRecord(tx, name, p.rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			s.usage.putBack(pending)
			return err
		}
		pending = pending[len(batch):]
	}
	return nil
}
