package kms

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/store"
)

// Time-driven work. The scheduler package calls RunDue with its clock's time;
// everything here is idempotent (running it twice does nothing the second
// time) and one key's failure does not stop the others.

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
				failed[dueKey(e.At, e.Account, e.Region, e.KeyID, e.Kind)] = true
				errs = append(errs, fmt.Errorf("%s %s/%s/%s: %w", e.Kind, e.Account, e.Region, e.KeyID, err))
				s.log.Warn("scheduled work failed", "kind", string(e.Kind), "key_id", e.KeyID, "error", err)
			}
		}
	}
	return errors.Join(errs...)
}

func (s *Service) runEntry(ctx context.Context, e dueEntry, now time.Time) error {
	switch e.Kind {
	case dueDeletion:
		return s.deleteDueKey(ctx, e, now)
	case dueRotation:
		return s.rotateDueKey(ctx, e, now)
	}
	return fmt.Errorf("unknown scheduled work %q", e.Kind)
}

// dueNow returns index entries due at or before now, oldest first,
// skipping those that already failed in this run.
func (s *Service) dueNow(ctx context.Context, now time.Time, failed map[string]bool) ([]dueEntry, error) {
	var out []dueEntry
	err := s.store.View(ctx, func(tx store.Tx) error {
		out = out[:0]
		after := ""
		for len(out) < dueScanBatch {
			items, err := tx.Scan(duePrefix, after, dueScanBatch)
			if err != nil {
				return err
			}
			for _, item := range items {
				after = item.Key
				e, err := parseDueKey(item.Key)
				if err != nil {
					return err
				}
				if e.At.After(now) {
					return nil
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
		items, err := tx.Scan(trashPrefix, "", dueScanBatch)
		pending = pending[:0]
		for _, item := range items {
			pending = append(pending, strings.TrimPrefix(item.Key, trashPrefix))
		}
		return err
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range pending {
		parts := strings.Split(p, "/")
		if len(parts) != 3 {
			errs = append(errs, fmt.Errorf("kms: malformed trash entry %q", p))
			continue
		}
		errs = append(errs, s.emptyTrash(ctx, parts[0], parts[1], parts[2]))
	}
	return errors.Join(errs...)
}

// sameDueSecond reports whether a key's due time is the one an index entry
// names. Entries hold whole seconds (dueSecond) while key dates keep the
// clock's precision, so comparing them exactly would call every entry made
// from a real clock stale, and such keys would never rotate.
func sameDueSecond(due, entry time.Time) bool {
	return !due.IsZero() && dueSecond(due) == entry.Unix()
}

// rotateDueKey rotates a key whose automatic rotation date has passed or
// whose on-demand rotation was requested.
func (s *Service) rotateDueKey(ctx context.Context, e dueEntry, now time.Time) error {
	entryKey := dueKey(e.At, e.Account, e.Region, e.KeyID, e.Kind)
	var k *keys.Key
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		k, err = getRecord[*keys.Key](tx, keyKey(e.Account, e.Region, e.KeyID))
		if errors.Is(err, store.ErrNotFound) {
			k = nil
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	if k == nil || !sameDueSecond(k.Due().Rotation, e.At) {
		// The key is gone or its schedule changed: the entry is stale.
		return s.store.Update(ctx, func(tx store.Tx) error { return tx.Delete(entryKey) })
	}
	version := k.MaterialCount + 1
	rotationType := keys.RotationAutomatic
	if !k.Rotation.OnDemandStarted.IsZero() {
		rotationType = keys.RotationOnDemand
	}
	// Material is generated and sealed outside the transaction, which may
	// be retried; the transaction checks nothing changed meanwhile.
	m, err := s.newMaterial(k, version, rotationType, now)
	if err != nil {
		return err
	}
	rotated := false
	err = s.store.Update(ctx, func(tx store.Tx) error {
		rotated = false
		cur, err := getRecord[*keys.Key](tx, keyKey(e.Account, e.Region, e.KeyID))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if cur.MaterialCount != k.MaterialCount || !sameDueSecond(cur.Due().Rotation, e.At) {
			return nil // changed concurrently; the next run decides again
		}
		next := *cur
		next.CurrentMaterial, next.CurrentMaterialID, next.MaterialCount = version, m.ID, version
		if rotationType == keys.RotationOnDemand {
			// On-demand rotations leave the automatic schedule alone.
			next.Rotation.OnDemandStarted = time.Time{}
		} else {
			next.Rotation.Since = now
			next.Rotation.Next = now.Add(time.Duration(next.Rotation.PeriodDays) * keys.Day)
		}
		if err := putRecord(tx, materialKey(next.Account, next.Region, next.ID, version), m); err != nil {
			return err
		}
		rotated = true
		return putKey(tx, cur, &next)
	})
	if err != nil || !rotated {
		return err
	}
	return s.audit.Write(audit.Service(audit.ServiceEvent{
		Name: "RotateKey", Account: k.Account, Region: k.Region, KeyARN: k.ARN(), Time: now,
		Details: map[string]any{"keyMaterialId": m.ID, "rotationType": string(rotationType)},
	}))
}
