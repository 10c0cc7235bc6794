package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/store"
)

// rootCheckKey holds a value sealed under the root key when the store was
// first opened. Unsealing it at every start proves the configured root key
// is the one the data was sealed with, so a wrong key is a clear startup
// error instead of failures (or worse) at the first Decrypt.
const rootCheckKey = "meta/root-key-check"

var rootCheckAAD = []byte("trent root key check v1")

func checkRootKey(st store.Store, keyring *seal.Keyring, dataDir string) error {
	ctx := context.Background()
	var sealed []byte
	err := st.View(ctx, func(tx store.Tx) error {
		item, err := tx.Get(rootCheckKey)
		if err == nil {
			sealed = item.Value
		}
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		canary := make([]byte, 32)
		if _, err := rand.Read(canary); err != nil {
			return err
		}
		sealed, err := keyring.Seal(canary, rootCheckAAD, nil)
		if err != nil {
			return err
		}
		return st.Update(ctx, func(tx store.Tx) error {
			if _, err := tx.Get(rootCheckKey); err == nil {
				return nil
			}
			return tx.Put(rootCheckKey, sealed)
		})
	case err != nil:
		return err
	}
	plain, err := keyring.Unseal(sealed, rootCheckAAD)
	if err != nil {
		return fmt.Errorf("the root key (id %s) does not match the data in %s, which was sealed under another root key: %w", keyring.ID(), dataDir, err)
	}
	plain.Wipe()
	return nil
}
