package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/store"
)

// loadRootKey loads the root key file. In dev mode without a file it uses
// the one in the data directory, creating the directory and the key on a
// first start, and only then: a store in the data directory without its
// key means the key was lost or moved, and a new one would seal nothing
// that is there.
func loadRootKey(cfg Config, created *createdPaths) (*seal.Keyring, error) {
	path := cfg.RootKeyFile
	if path == "" && cfg.Etcd != nil {
		return nil, errors.New("the etcd store needs a root key file (--root-key-file or TRENT_ROOT_KEY_FILE), even with --dev: every node of a cluster must seal with the same root key, and --dev would make one per data directory; make one with trent create-root-key <path> and give every node a copy")
	}
	if path == "" {
		if !cfg.Dev {
			return nil, errors.New("a root key file is required: pass --root-key-file (or TRENT_ROOT_KEY_FILE), or use --dev")
		}
		path = filepath.Join(cfg.DataDir, DevRootKeyFileName)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			data := filepath.Join(cfg.DataDir, DataFileName)
			if _, err := os.Stat(data); err == nil && cfg.Store == nil {
				return nil, fmt.Errorf("the data directory %s holds a store (%s) but not the root key %s that sealed it; restore that key file, or pass the key with --root-key-file", cfg.DataDir, DataFileName, DevRootKeyFileName)
			}
			if err := created.mkdirAll(cfg.DataDir); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
			created.noteIfNew(path)
			if err := seal.CreateKeyFile(path, nil); err != nil {
				return nil, fmt.Errorf("create dev root key: %w", err)
			}
		}
	}
	keyring, err := seal.LoadKeyFile(path)
	if err != nil {
		return nil, err
	}
	if warning := seal.FilePermissionWarning(path); warning != "" {
		cfg.Logger.Warn(warning)
	}
	if err := created.mkdirAll(cfg.DataDir); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return keyring, nil
}

var rootCheckAAD = []byte("trent root key check v1")

// checkRootKey proves the root key is the one the store's data was sealed
// with, by unsealing a value sealed under it when the store was first
// opened, so a wrong key is a clear start-up error instead of failures (or
// worse) at the first Decrypt. A store that holds customer records but no
// check value is refused: sealing a new check under whatever key was given
// would bless a wrong key for good. where ("the data in ...") names the
// store in messages; shared says other nodes serve from it too. On a
// shared store the first node that starts writes the check value, and
// every later node must hold the same key.
func checkRootKey(st store.Store, keyring *seal.Keyring, where string, shared bool) error {
	ctx := context.Background()
	var sealed []byte
	var holdsData bool
	err := st.View(ctx, func(tx store.Tx) error {
		item, err := tx.Get(layout.MetaRootKeyCheck)
		if err == nil {
			sealed = item.Value
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		items, err := tx.Scan(layout.AccountsPrefix, "", 1)
		holdsData = len(items) > 0
		return err
	})
	switch {
	case err != nil:
		return err
	case sealed == nil && holdsData:
		return fmt.Errorf("%s holds keys but no root key check value, so Trent cannot tell whether root key %s is the one they were sealed with; it refuses to start rather than guess", where, keyring.ID())
	case sealed == nil:
		canary := make([]byte, 32)
		if _, err := rand.Read(canary); err != nil {
			return err
		}
		mine, err := keyring.Seal(canary, rootCheckAAD, nil)
		if err != nil {
			return err
		}
		err = st.Update(ctx, func(tx store.Tx) error {
			// Another node starting at the same moment on a shared store
			// may have written its check first: then this key is proved
			// against that one below, like any later start.
			item, err := tx.Get(layout.MetaRootKeyCheck)
			if err == nil {
				sealed = item.Value
				return nil
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			sealed = mine
			return tx.Put(layout.MetaRootKeyCheck, mine)
		})
		if err != nil {
			return err
		}
	}
	plain, err := keyring.Unseal(sealed, rootCheckAAD)
	if err != nil && shared {
		return fmt.Errorf("the root key (id %s) does not match %s, which the nodes of the cluster sealed under another root key; every node must use the same root key file: give this node a copy of the one the other nodes use: %w", keyring.ID(), where, err)
	}
	if err != nil {
		return fmt.Errorf("the root key (id %s) does not match %s, which was sealed under another root key: %w", keyring.ID(), where, err)
	}
	plain.Wipe()
	return nil
}
