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

// DeleteImportedKeyMaterial deletes a key's imported material: the key
// goes to PendingImport (a key pending deletion stays so) until the same
// material is imported again.
func (s *Service) DeleteImportedKeyMaterial(ctx context.Context, in *DeleteImportedKeyMaterialInput) (*DeleteImportedKeyMaterialOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	v.length("keyMaterialId", in.KeyMaterialId, 64, 64)
	v.pattern("keyMaterialId", in.KeyMaterialId, keyMaterialIDPattern)
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpDeleteImportedKeyMaterial
	out := &DeleteImportedKeyMaterialOutput{}
	err = s.update(ctx, func(tx store.Tx) (any, error) {
		k, err := s.openKey(ctx, tx, info, *in.KeyId, access{op: op, forms: keyIDOrARN, check: checkExternal})
		if err != nil {
			return nil, err
		}
		out.KeyId = k.ARN()
		ms, err := keyMaterials(tx, k)
		if err != nil {
			return nil, err
		}
		var target *keys.Material
		for i := range ms {
			if (in.KeyMaterialId == nil && ms[i].Version == k.CurrentMaterial) ||
				(in.KeyMaterialId != nil && ms[i].ID == *in.KeyMaterialId) {
				target = &ms[i]
			}
		}
		switch {
		case target == nil && in.KeyMaterialId != nil:
			// (unverified message)
			return nil, kmserr.NotFound("Key material %s is not associated with %s.", *in.KeyMaterialId, k.ARN())
		case target == nil:
			// A key that never had material: nothing to delete.
			return out, nil
		}
		out.KeyMaterialId = target.ID
		audit.DetailsFrom(ctx).SetAdditional("keyMaterialId", target.ID)
		return out, deleteImportedMaterial(tx, k, *target)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// deleteImportedMaterial removes the bytes of one imported material of k:
// the record keeps its ID, dates and import settings, so a re-import can
// be checked against it and ListKeyRotations still names it. Deleting the
// current material puts the key in PendingImport (a key pending deletion
// stays so); deleting other material leaves the key usable, without the
// ciphertexts made under that material. Deleting pending material removes
// it: it never became part of the key.
func deleteImportedMaterial(tx store.Tx, k *keys.Key, m keys.Material) error {
	old := *k
	name := layout.Material(k.Account, k.Region, k.ID, m.Version)
	if m.PendingRotation {
		if err := tx.Delete(name); err != nil {
			return err
		}
		if m.Version == k.MaterialCount {
			k.MaterialCount--
		}
	} else {
		m.Sealed = nil
		if err := putRecord(tx, name, m); err != nil {
			return err
		}
	}
	if m.Version == k.CurrentMaterial {
		k.CurrentMissing, k.ValidTo = true, time.Time{}
		if !k.State.PendingDeletion() {
			k.State = keys.StatePendingImport
		}
	}
	if err := refreshExpiry(tx, k); err != nil {
		return err
	}
	return putKey(tx, &old, k)
}

// expireDueKey deletes imported material whose ValidTo has passed, as a
// service event (CloudTrail: DeleteExpiredKeyMaterial).
func (s *Service) expireDueKey(ctx context.Context, e layout.DueEntry, now time.Time) error {
	arn := keys.KeyARN(e.Region, e.Account, e.KeyID)
	rec := audit.Service(audit.ServiceEvent{Name: "DeleteExpiredKeyMaterial", Account: e.Account, Region: e.Region, KeyARN: arn, Time: now})
	_, err := s.serviceEvent(ctx, rec, func(tx store.Tx) (bool, error) {
		k, err := getRecord[*keys.Key](tx, layout.Key(e.Account, e.Region, e.KeyID))
		if errors.Is(err, store.ErrNotFound) {
			return false, tx.Delete(e.Key())
		} else if err != nil {
			return false, err
		}
		ms, err := keyMaterials(tx, k)
		if err != nil {
			return false, err
		}
		var ids []string
		for _, m := range ms {
			if !m.Imported() || m.ValidTo.IsZero() || m.ValidTo.After(now) {
				continue
			}
			if err := deleteImportedMaterial(tx, k, m); err != nil {
				return false, err
			}
			ids = append(ids, m.ID)
		}
		if len(ids) == 0 {
			// Stale entry (deleted, or re-imported with another
			// ValidTo).
			return false, dropStaleDue(tx, e, k)
		}
		details := map[string]any{"keyMaterialId": ids[0]}
		if len(ids) > 1 {
			details["keyMaterialIds"] = ids
		}
		rec.ServiceEventDetails = details
		return true, nil
	})
	return err
}
