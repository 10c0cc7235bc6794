package kms

import (
	"context"
	"strings"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// KeyClass is a key state and key spec pair, the labels of the key count
// metric.
type KeyClass struct {
	State keys.State
	Spec  keys.KeySpec
}

// keyCountPage is how many key records one read transaction of CountKeys
// decodes. Short transactions matter on bbolt: a long read transaction
// makes a writer that must grow the file wait for it.
const keyCountPage = 1000

// countedKey is the part of a key record CountKeys reads; decoding two
// fields instead of the whole key keeps a count of a million keys cheap.
type countedKey struct {
	State keys.State   `json:"state"`
	Spec  keys.KeySpec `json:"spec"`
}

// CountKeys counts the keys of every account and Region by state and spec.
// It reads the store in short transactions, so the count is not a snapshot:
// a key created or deleted while it runs may or may not be counted. Its
// cost grows with the number of keys; the caller decides how often to pay
// it.
func (s *Service) CountKeys(ctx context.Context) (map[KeyClass]int, error) {
	counts := map[KeyClass]int{}
	prefixes, err := s.accountRegions(ctx)
	if err != nil {
		return nil, err
	}
	for _, prefix := range prefixes {
		after := ""
		for {
			var items []store.Item
			err := s.store.View(ctx, func(tx store.Tx) error {
				var err error
				items, err = tx.Scan(prefix, after, keyCountPage)
				return err
			})
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				k, err := decodeRecord[countedKey](it.Value)
				if err != nil {
					return nil, err
				}
				counts[KeyClass(k)]++
			}
			if len(items) < keyCountPage {
				break
			}
			after = items[len(items)-1].Key
		}
	}
	return counts, nil
}

// accountRegions returns the key record prefix of every account and Region
// that holds records, in key order. It reads one record per account and Region:
// after finding one, it skips past everything under that prefix.
func (s *Service) accountRegions(ctx context.Context) ([]string, error) {
	var prefixes []string
	err := s.store.View(ctx, func(tx store.Tx) error {
		after := ""
		for {
			items, err := tx.Scan(layout.AccountsPrefix, after, 1)
			if err != nil || len(items) == 0 {
				return err
			}
			// acct/<account>/<region>/...
			parts := strings.SplitN(items[0].Key, "/", 4)
			if len(parts) < 4 {
				// Not a customer record's name; nothing of this layout
				// writes one, but a count must not stop at it.
				after = items[0].Key
				continue
			}
			prefixes = append(prefixes, layout.Keys(parts[1], parts[2]))
			// Every store key under the prefix sorts before this one:
			// store keys are UTF-8 and no UTF-8 text has the byte 0xff.
			after = layout.Account(parts[1], parts[2]) + "\xff"
		}
	})
	return prefixes, err
}
