package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// ListKeyRotationsInput is the ListKeyRotations request.
type ListKeyRotationsInput struct {
	KeyId              *string `json:"KeyId,omitempty"`
	IncludeKeyMaterial *string `json:"IncludeKeyMaterial,omitempty"`
	Limit              *int32  `json:"Limit,omitempty"`
	Marker             *string `json:"Marker,omitempty"`
}

// RotationsListEntry is one ListKeyRotations entry.
type RotationsListEntry struct {
	KeyId            string `json:"KeyId"`
	KeyMaterialId    string `json:"KeyMaterialId"`
	KeyMaterialState string `json:"KeyMaterialState"`
	RotationDate     *Time  `json:"RotationDate,omitempty"`
	RotationType     string `json:"RotationType,omitempty"`
	// For imported material: whether it is imported now, and how it
	// expires.
	ImportState            string  `json:"ImportState,omitempty"`
	ExpirationModel        string  `json:"ExpirationModel,omitempty"`
	ValidTo                *Time   `json:"ValidTo,omitempty"`
	KeyMaterialDescription *string `json:"KeyMaterialDescription,omitempty"`
}

// ListKeyRotationsOutput is the ListKeyRotations response.
type ListKeyRotationsOutput struct {
	Rotations  []RotationsListEntry `json:"Rotations"`
	NextMarker *string              `json:"NextMarker,omitempty"`
	Truncated  bool                 `json:"Truncated"`
}

// ListKeyRotations lists a key's completed rotations, oldest first; with
// IncludeKeyMaterial ALL_KEY_MATERIAL the first material too.
func (s *Service) ListKeyRotations(ctx context.Context, in *ListKeyRotationsInput) (*ListKeyRotationsOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	v.enum("includeKeyMaterial", in.IncludeKeyMaterial, includeKeyMaterialValues)
	v.paging(in.Limit, in.Marker, 1000)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeMarker("rotations", in.Marker)
	if err != nil {
		return nil, err
	}
	all := in.IncludeKeyMaterial != nil && *in.IncludeKeyMaterial == "ALL_KEY_MATERIAL"
	limit := pageLimit(in.Limit, 100)
	const op = keys.OpListKeyRotations
	out := &ListKeyRotationsOutput{Rotations: []RotationsListEntry{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		k, err := s.openKey(ctx, tx, info, *in.KeyId, access{op: op, forms: keyIDOrARN, check: checkRotatesBySpec})
		if err != nil {
			return err
		}
		// The first material is not a rotation; ALL_KEY_MATERIAL lists it.
		first := layout.MaterialName(1)
		skip := func(name string) bool { return !all && name == first }
		out.NextMarker, err = listPage(tx, "rotations", layout.Materials(k.Account, k.Region, k.ID), after, limit, skip,
			func(_ string, item store.Item) error {
				m, err := decodeRecord[keys.Material](item.Value)
				if err != nil {
					return err
				}
				out.Rotations = append(out.Rotations, rotationEntry(k, m))
				return nil
			})
		out.Truncated = out.NextMarker != nil
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return out, nil
}

func rotationEntry(k *keys.Key, m keys.Material) RotationsListEntry {
	e := RotationsListEntry{KeyId: k.ID, KeyMaterialId: m.ID, KeyMaterialState: "NON_CURRENT"}
	// Deleted imported material that was current stays the key's current
	// material, waiting to be imported again.
	switch {
	case m.Version == k.CurrentMaterial:
		e.KeyMaterialState = "CURRENT"
	case m.PendingRotation:
		e.KeyMaterialState = "PENDING_ROTATION"
	}
	if k.Origin == keys.OriginExternal {
		e.ImportState = "PENDING_IMPORT"
		if m.Imported() {
			e.ImportState = "IMPORTED"
			e.ExpirationModel, e.ValidTo = m.ExpirationModel, timePtr(m.ValidTo)
		}
		if m.Description != "" {
			e.KeyMaterialDescription = &m.Description
		}
	}
	if m.RotationType != "" {
		e.RotationDate = timePtr(m.CreatedAt)
		e.RotationType = string(m.RotationType)
	}
	return e
}
