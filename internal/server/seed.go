package server

import (
	"context"
	"fmt"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/seed"
)

// applySeedFile creates what cfg.SeedFile describes, if set. Keys and
// aliases of a seed that names no account go to the dev account, in
// DefaultSeedRegion unless the file names a Region.
func applySeedFile(service *kms.Service, cfg Config) error {
	if cfg.SeedFile == "" {
		return nil
	}
	f, err := seed.Load(cfg.SeedFile, seed.Defaults{Account: cfg.DevAccount, Region: DefaultSeedRegion})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer f.Wipe()
	report, err := service.Seed(context.Background(), f)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	cfg.Logger.Info("seed applied", "file", cfg.SeedFile, "format", string(f.Format),
		"keysCreated", report.KeysCreated, "keysExisting", report.KeysExisting,
		"aliasesCreated", report.AliasesCreated, "aliasesExisting", report.AliasesExisting)
	return nil
}
