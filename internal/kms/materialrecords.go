package kms

import (
	"time"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// keyMaterials reads every material record of k, oldest first. A key has
// at most 27 (the first, 25 on-demand rotations, one pending).
func keyMaterials(tx store.Tx, k *keys.Key) ([]keys.Material, error) {
	items, err := tx.Scan(layout.Materials(k.Account, k.Region, k.ID), "", maxMaterialVersions)
	if err != nil {
		return nil, err
	}
	out := make([]keys.Material, 0, len(items))
	for _, it := range items {
		m, err := decodeRecord[keys.Material](it.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// maxMaterialVersions bounds keyMaterials' scan.
const maxMaterialVersions = keys.MaxOnDemandRotations + 2

// refreshExpiry sets k.NextExpiry to the earliest ValidTo of its imported
// materials, from the records in tx.
func refreshExpiry(tx store.Tx, k *keys.Key) error {
	ms, err := keyMaterials(tx, k)
	if err != nil {
		return err
	}
	k.NextExpiry = time.Time{}
	for _, m := range ms {
		if m.Imported() && !m.ValidTo.IsZero() && (k.NextExpiry.IsZero() || m.ValidTo.Before(k.NextExpiry)) {
			k.NextExpiry = m.ValidTo
		}
	}
	return nil
}
