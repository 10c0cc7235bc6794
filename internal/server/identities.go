package server

import (
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/seal"
)

// IdentitiesFileName is the identities file's name in the data directory,
// where trent serve and the subcommands that edit it look by default.
const IdentitiesFileName = "identities.json"

// openIdentities builds the node's resolver: Config.Identity when a test
// sets one, else the identities file, with dev mode's any-key fallback
// under Dev. Without Dev the file is required: without it no request could
// be authenticated.
func openIdentities(cfg Config, keyring *seal.Keyring) (identity.Resolver, *identity.File, error) {
	if cfg.Identity != nil {
		return cfg.Identity, nil, nil
	}
	dev := identity.Dev{DefaultAccount: cfg.DevAccount}
	if cfg.IdentitiesFile == "" {
		if cfg.Dev {
			return dev, nil, nil
		}
		return nil, nil, errors.New("an identities file is required without --dev: create one with 'trent account create' " +
			"(it makes an account and an access key for its root), or pass --identities")
	}
	file, err := identity.OpenFile(cfg.IdentitiesFile, keyring, cfg.Clock, cfg.Logger)
	if errors.Is(err, identity.ErrNoFile) {
		return nil, nil, fmt.Errorf("no identities file at %s: create one with 'trent account create' "+
			"(with the same --data-dir and --root-key-file as trent serve), or pass --identities", cfg.IdentitiesFile)
	}
	if err != nil {
		return nil, nil, err
	}
	if cfg.Dev {
		return identity.DevFallback{File: file, Dev: dev}, file, nil
	}
	return file, file, nil
}

// directory is the resolver's view of which principals exist, for key
// policies; nil (every principal exists) for a resolver that has none.
func directory(r identity.Resolver) identity.Directory {
	d, _ := r.(identity.Directory)
	return d
}
