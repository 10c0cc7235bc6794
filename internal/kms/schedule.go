package kms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// Time-driven work. The scheduler package calls RunDue with its clock's time;
// everything here is idempotent (running it twice does nothing the second
// time) and one key's failure does not stop the others. Every decision to
// act on an index entry, or to drop it as stale, is taken inside the
// transaction that acts: a decision taken on an earlier read could be
// undone by a change in between (a key disabled and enabled again would
// lose its rotation for good).

const (
	// dueScanBatch bounds the index entries read per pass.
	dueScanBatch = 256
	// maxDuePasses bounds one RunDue call; work left over (a huge backlog,
	// or work that became due during the call) waits for the next call.
	maxDuePasses = 8
)

// RunDue performs the work due at now: finishing deletions a crash
// interrupted, deleting keys whose waiting period has ended, and running
// automatic and on-demand rotations.
func (s *Service) RunDue(ctx context.Context, now time.Time) error {
	var errs []error
	if err := s.finishTrash(ctx); err != nil {
		errs = append(errs, err)
	}
	failed := map[string]bool{}
	for pass := 0; pass < maxDuePasses; pass++ {
		entries, err := s.dueNow(ctx, now, failed)
		if err != nil {
			errs = append(errs, err)
			break
		}
		if len(entries) == 0 {
			break
		}
		for _, e := range entries {
			if err := s.runEntry(ctx, e, now); err != nil {
				failed[e.Key()] = true
				errs = append(errs, fmt.Errorf("%s %s/%s/%s: %w", e.Kind, e.Account, e.Region, e.KeyID, err))
				s.log.Warn("scheduled work failed", "kind", string(e.Kind), "key_id", e.KeyID, "error", err)
			}
		}
	}
	return errors.Join(errs...)
}

func (s *Service) runEntry(ctx context.Context, e layout.DueEntry, now time.Time) error {
	switch e.Kind {
	case layout.DueDeletion:
		return s.deleteDueKey(ctx, e, now)
	case layout.DueRotation:
		return s.rotateDueKey(ctx, e, now)
	case layout.DueExpiry:
		return s.expireDueKey(ctx, e, now)
	}
	return fmt.Errorf("unknown scheduled work %q", e.Kind)
}

// dueNow returns index entries due at or before now, oldest first,
// skipping those that already failed in this run and those that do not
// parse (logged and counted once: one bad entry must not stop every other
// key's rotation and deletion).
func (s *Service) dueNow(ctx context.Context, now time.Time, failed map[string]bool) ([]layout.DueEntry, error) {
	var out []layout.DueEntry
	until := layout.DueUntil(now)
	err := s.store.View(ctx, func(tx store.Tx) error {
		out = out[:0]
		after := ""
		for len(out) < dueScanBatch {
			items, err := tx.Scan(layout.DuePrefix, after, dueScanBatch)
			if err != nil {
				return err
			}
			for _, item := range items {
				after = item.Key
				if item.Key >= until {
					return nil
				}
				e, err := layout.ParseDue(item.Key)
				if err != nil {
					s.malformed.note(s.log, item.Key, err)
					continue
				}
				if !failed[item.Key] {
					out = append(out, e)
				}
			}
			if len(items) < dueScanBatch {
				return nil
			}
		}
		return nil
	})
	return out, err
}

// finishTrash completes deletions interrupted by a crash.
func (s *Service) finishTrash(ctx context.Context) error {
	var pending []string
	err := s.store.View(ctx, func(tx store.Tx) error {
		items, err := tx.Scan(layout.TrashPrefix, "", dueScanBatch)
		pending = pending[:0]
		for _, item := range items {
			pending = append(pending, item.Key)
		}
		return err
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range pending {
		account, region, keyID, err := layout.ParseTrash(p)
		if err != nil {
			s.malformed.note(s.log, p, err)
			continue
		}
		errs = append(errs, s.emptyTrash(ctx, account, region, keyID))
	}
	return errors.Join(errs...)
}

// rotationDue reports whether k's next rotation is the one entry e names
// and is due at now.
func rotationDue(k *keys.Key, e layout.DueEntry, now time.Time) bool {
	due := k.Due().Rotation
	return !due.IsZero() && due.Equal(e.At) && !due.After(now)
}

// rotateDueKey rotates a key whose automatic rotation date has passed or
// whose on-demand rotation was requested. New material is generated and
// sealed outside the transaction, which may run again, for the key as a
// read sees it; the transaction then decides on the key as it is.
func (s *Service) rotateDueKey(ctx context.Context, e layout.DueEntry, now time.Time) error {
	var k *keys.Key
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		k, err = getRecord[*keys.Key](tx, layout.Key(e.Account, e.Region, e.KeyID))
		if errors.Is(err, store.ErrNotFound) {
			k, err = nil, nil
		}
		return err
	})
	if err != nil {
		return err
	}
	var m keys.Material
	var rec *audit.Record // staged only with a rotation, which needs prepared material
	prepared := k != nil && rotationDue(k, e, now)
	if prepared {
		rotationType := keys.RotationAutomatic
		if !k.Rotation.OnDemandStarted.IsZero() {
			rotationType = keys.RotationOnDemand
		}
		if m, err = s.newMaterial(ctx, k, k.MaterialCount+1, rotationType, now); err != nil {
			return err
		}
		rec = audit.Service(audit.ServiceEvent{
			Name: "RotateKey", Account: k.Account, Region: k.Region, KeyARN: k.ARN(), Time: now,
			Details: map[string]any{"keyMaterialId": m.ID, "rotationType": string(rotationType)},
		})
	}
	_, err = s.serviceEvent(ctx, rec, func(tx store.Tx) (bool, error) {
		cur, err := getRecord[*keys.Key](tx, layout.Key(e.Account, e.Region, e.KeyID))
		if errors.Is(err, store.ErrNotFound) {
			return false, tx.Delete(e.Key())
		} else if err != nil {
			return false, err
		}
		if !rotationDue(cur, e, now) {
			// Stale: the key's schedule changed, or it cannot rotate in
			// its state. Its own entries, if any, are other keys.
			return false, tx.Delete(e.Key())
		}
		if !prepared || cur.MaterialCount != k.MaterialCount {
			return false, nil // changed since the read; the next pass decides again
		}
		next := *cur
		next.CurrentMaterial, next.CurrentMaterialID, next.MaterialCount = m.Version, m.ID, m.Version
		if m.RotationType == keys.RotationOnDemand {
			// On-demand rotations leave the automatic schedule alone.
			next.Rotation.OnDemandStarted = time.Time{}
		} else {
			next.Rotation.Since = now
			next.Rotation.Next = now.Add(time.Duration(next.Rotation.PeriodDays) * keys.Day)
		}
		if err := putRecord(tx, layout.Material(next.Account, next.Region, next.ID, m.Version), m); err != nil {
			return false, err
		}
		return true, putKey(tx, cur, &next)
	})
	return err
}

// dropStaleDue removes an index entry that no longer describes k's work,
// and writes k's own entries again (which may include one with the same
// name, as syncDue from nothing adds every entry of k).
func dropStaleDue(tx store.Tx, e layout.DueEntry, k *keys.Key) error {
	if err := tx.Delete(e.Key()); err != nil {
		return err
	}
	return syncDue(tx, nil, k)
}
