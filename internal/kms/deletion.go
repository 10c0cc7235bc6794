package kms

import (
	"context"
	"errors"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// ScheduleKeyDeletionInput is the ScheduleKeyDeletion request.
type ScheduleKeyDeletionInput struct {
	KeyId               *string `json:"KeyId,omitempty"`
	PendingWindowInDays *int32  `json:"PendingWindowInDays,omitempty"`
}

// ScheduleKeyDeletionOutput is the ScheduleKeyDeletion response.
type ScheduleKeyDeletionOutput struct {
	KeyId               string `json:"KeyId"`
	DeletionDate        *Time  `json:"DeletionDate,omitempty"`
	KeyState            string `json:"KeyState"`
	PendingWindowInDays int32  `json:"PendingWindowInDays"`
}

// ScheduleKeyDeletion puts a key in PendingDeletion; the scheduler deletes
// it, its material and its aliases when the waiting period ends.
func (s *Service) ScheduleKeyDeletion(ctx context.Context, in *ScheduleKeyDeletionInput) (*ScheduleKeyDeletionOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	// The model allows 1..365 (Coral message); the API Reference and AWS
	// allow 7..30, refused in AWS's own words (observed).
	v.intRange("pendingWindowInDays", in.PendingWindowInDays, 1, 365)
	if err := v.err(); err != nil {
		return nil, err
	}
	if w := in.PendingWindowInDays; w != nil && (*w < keys.MinPendingWindowDays || *w > keys.MaxPendingWindowDays) {
		return nil, kmserr.Validation("PendingWindowInDays must be between %d and %d", keys.MinPendingWindowDays, keys.MaxPendingWindowDays)
	}
	days := int32(keys.DefaultPendingWindowDays)
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
	}
	const op = keys.OpScheduleKeyDeletion
	now := s.clock.Now()
	return updateKey(s, ctx, info, *in.KeyId, access{op: op, forms: keyIDOrARN}, func(_ store.Tx, k *keys.Key) error {
		k.State = keys.StatePendingDeletion
		k.DeletionDate = now.Add(time.Duration(days) * keys.Day)
		k.PendingWindowDays = int(days)
		return nil
	}, func(k *keys.Key) *ScheduleKeyDeletionOutput {
		return &ScheduleKeyDeletionOutput{
			KeyId: k.ARN(), DeletionDate: timePtr(k.DeletionDate), KeyState: string(k.State), PendingWindowInDays: days,
		}
	})
}

// CancelKeyDeletionOutput is the CancelKeyDeletion response.
type CancelKeyDeletionOutput struct {
	KeyId string `json:"KeyId"`
}

// CancelKeyDeletion takes a key out of PendingDeletion. The key comes back
// Disabled, never Enabled (docs "Deleting AWS KMS keys"), or PendingImport
// if it has no key material.
func (s *Service) CancelKeyDeletion(ctx context.Context, in *KeyIDInput) (*CancelKeyDeletionOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	const op = keys.OpCancelKeyDeletion
	return updateKey(s, ctx, info, *in.KeyId, access{op: op, forms: keyIDOrARN}, func(_ store.Tx, k *keys.Key) error {
		k.State = keys.StateDisabled
		if !k.HasMaterial() {
			// A key without material (EXTERNAL, nothing imported yet)
			// goes back to PendingImport: Disabled would let EnableKey
			// make a key that cannot encrypt (docs "Key states": only
			// keys with imported material are PendingImport, and are
			// until their material is imported).
			k.State = keys.StatePendingImport
		}
		k.DeletionDate = time.Time{}
		k.PendingWindowDays = 0
		return nil
	}, func(k *keys.Key) *CancelKeyDeletionOutput { return &CancelKeyDeletionOutput{KeyId: k.ARN()} })
}

// deleteDueKey deletes a key whose waiting period has ended, if it is still
// pending deletion with that date (it may have been cancelled meanwhile).
//
// Deletion runs in steps that are each atomic and safe to repeat: first the
// key record goes (from then on the key does not exist for any API call),
// together with a trash marker and the DeleteKey record; then the key's
// other records are removed in bounded batches; finally the marker goes.
// A crash in between leaves the marker, and the next run finishes the job.
func (s *Service) deleteDueKey(ctx context.Context, e layout.DueEntry, now time.Time) error {
	arn := keys.KeyARN(e.Region, e.Account, e.KeyID)
	rec := audit.Service(audit.ServiceEvent{Name: "DeleteKey", Account: e.Account, Region: e.Region, KeyARN: arn, Time: now})
	deleted, err := s.serviceEvent(ctx, rec, func(tx store.Tx) (bool, error) {
		k, err := getRecord[*keys.Key](tx, layout.Key(e.Account, e.Region, e.KeyID))
		if errors.Is(err, store.ErrNotFound) {
			return false, tx.Delete(e.Key())
		} else if err != nil {
			return false, err
		}
		if !k.State.PendingDeletion() || k.DeletionDate.After(now) {
			// Stale index entry (cancelled, or rescheduled), judged here
			// in the transaction.
			return false, dropStaleDue(tx, e, k)
		}
		if err := syncDue(tx, k, nil); err != nil {
			return false, err
		}
		if err := tx.Delete(layout.Key(k.Account, k.Region, k.ID)); err != nil {
			return false, err
		}
		return true, tx.Put(layout.Trash(k.Account, k.Region, k.ID), nil)
	})
	if err != nil || !deleted {
		return err
	}
	s.materials.evictKey(arn)
	return s.emptyTrash(ctx, e.Account, e.Region, e.KeyID)
}

// emptyTrash removes every remaining record of a deleted key (material
// versions, aliases and their index, grants and their indexes, tags,
// policy, usage), a bounded batch
// per transaction, and finally the trash marker.
func (s *Service) emptyTrash(ctx context.Context, account, region, keyID string) error {
	budget := layout.Batch(s.store.Limits(), layout.TrashFixed, layout.TrashRecord)
	for {
		done := false
		err := s.store.Update(ctx, func(tx store.Tx) error {
			done = false
			more, err := deleteKeyChildren(tx, account, region, keyID, budget)
			if err != nil || more {
				return err
			}
			for _, k := range []string{layout.Tags(account, region, keyID), layout.Policy(account, region, keyID),
				layout.Usage(account, region, keyID), layout.Import(account, region, keyID),
				layout.GrantCount(account, region, keyID), layout.Trash(account, region, keyID)} {
				if err := tx.Delete(k); err != nil {
					return err
				}
			}
			done = true
			return nil
		})
		if err != nil || done {
			return err
		}
	}
}

// deleteKeyChildren deletes material and alias records of a key, budget
// records' worth (layout.TrashRecord each; an alias is two: the alias and
// its index entry), and reports whether more may remain.
func deleteKeyChildren(tx store.Tx, account, region, keyID string, budget int) (bool, error) {
	materials, err := tx.Scan(layout.Materials(account, region, keyID), "", budget)
	if err != nil {
		return false, err
	}
	for _, m := range materials {
		if err := tx.Delete(m.Key); err != nil {
			return false, err
		}
	}
	budget -= len(materials)
	if budget <= 1 {
		return true, nil
	}
	// Each alias costs two deletions: the alias and its index entry.
	prefix := layout.KeyAliases(account, region, keyID)
	index, err := tx.Scan(prefix, "", budget/2)
	if err != nil {
		return false, err
	}
	for _, entry := range index {
		if err := deleteAliasIfTargets(tx, account, region, entry.Key[len(prefix):], keyID); err != nil {
			return false, err
		}
		if err := tx.Delete(entry.Key); err != nil {
			return false, err
		}
	}
	if len(index) == budget/2 {
		return true, nil
	}
	return deleteKeyGrants(tx, account, region, keyID, budget-2*len(index))
}

// deleteAliasIfTargets deletes alias name if it still points to keyID.
func deleteAliasIfTargets(tx store.Tx, account, region, name, keyID string) error {
	a, err := getRecord[aliasRecord](tx, layout.Alias(account, region, name))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if a.TargetKeyID != keyID {
		return nil
	}
	return tx.Delete(layout.Alias(account, region, name))
}
