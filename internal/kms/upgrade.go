package kms

import (
	"context"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// layoutRecord is the meta/layout record.
type layoutRecord struct {
	Version int `json:"version"`
}

// upgrades[v] brings records from layout version v to v+1. Each step is
// made of transactions that fit the store's limits and is safe to run
// again from the start, so a crash in the middle of an upgrade is repaired
// by the next start; the version is written last.
var upgrades = map[int]func(*Service, context.Context) error{
	// Version 1 named due times in whole seconds, rounded up; version 2
	// names them exactly. The index is derived data: rebuild it.
	1: (*Service).rebuildDueIndex,
	// Version 3 gives each node its own audit outbox. The node shipped
	// what the old one held (audit.Shipper.Recover) before the upgrade
	// runs, and the outbox holds nothing else: no records move.
	2: func(*Service, context.Context) error { return nil },
}

// UpgradeLayout brings the store's records to the layout this code writes
// (layout.Version), or refuses a store written by a newer Trent. Run it
// before serving. A store with no layout record is new (it is marked with
// the current version) or was written by Trent's first release (version 1)
// if it holds customer records.
func (s *Service) UpgradeLayout(ctx context.Context) error {
	version := 0
	err := s.store.View(ctx, func(tx store.Tx) error {
		rec, err := getRecord[layoutRecord](tx, layout.MetaLayout)
		switch {
		case err == nil:
			version = rec.Version
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		items, err := tx.Scan(layout.AccountsPrefix, "", 1)
		version = layout.Version
		if len(items) > 0 {
			version = 1
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("kms: read the layout version: %w", err)
	}
	if version > layout.Version || version < 1 {
		return fmt.Errorf("kms: the store's records have layout version %d; this trent understands 1 to %d", version, layout.Version)
	}
	for v := version; v < layout.Version; v++ {
		s.log.Info("upgrading the store's layout", "from", v, "to", v+1)
		if err := upgrades[v](s, ctx); err != nil {
			return fmt.Errorf("kms: upgrade the layout from version %d to %d: %w", v, v+1, err)
		}
	}
	return s.store.Update(ctx, func(tx store.Tx) error {
		rec, err := getRecord[layoutRecord](tx, layout.MetaLayout)
		if err == nil && rec.Version == layout.Version {
			return nil
		}
		return putRecord(tx, layout.MetaLayout, layoutRecord{Version: layout.Version})
	})
}

// rebuildDueIndex deletes every scheduler index entry and writes the
// entries every key needs now, in batches that fit the store's limits.
func (s *Service) rebuildDueIndex(ctx context.Context) error {
	limits := s.store.Limits()
	// Scan a batch (one read for the range, one per entry), delete it.
	deleting := layout.Batch(limits, layout.Cost{Reads: 1}, layout.Cost{Reads: 1, Writes: 1})
	for {
		done := false
		err := s.store.Update(ctx, func(tx store.Tx) error {
			items, err := tx.Scan(layout.DuePrefix, "", deleting)
			done = len(items) == 0
			for _, it := range items {
				if err := tx.Delete(it.Key); err != nil {
					return err
				}
			}
			return err
		})
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	// Walk the key records in pages; each key is read again in the
	// transaction that writes its entries (up to two: deletion, rotation).
	writing := layout.Batch(limits, layout.Cost{}, layout.Cost{Reads: 1, Writes: 2})
	after := ""
	for {
		var names []string
		err := s.store.View(ctx, func(tx store.Tx) error {
			items, err := tx.Scan(layout.AccountsPrefix, after, 1000)
			if err != nil {
				return err
			}
			for _, it := range items {
				after = it.Key
				if layout.IsKey(it.Key) {
					names = append(names, it.Key)
				}
			}
			if len(items) == 0 {
				after = ""
			}
			return nil
		})
		if err != nil {
			return err
		}
		for start := 0; start < len(names); start += writing {
			batch := names[start:min(start+writing, len(names))]
			err := s.store.Update(ctx, func(tx store.Tx) error {
				for _, name := range batch {
					k, err := getRecord[*keys.Key](tx, name)
					if errors.Is(err, store.ErrNotFound) {
						continue
					} else if err != nil {
						return err
					}
					if err := syncDue(tx, nil, k); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if after == "" {
			return nil
		}
	}
}
