package kms

import (
	"context"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/seed"
	"github.com/trent-kms/trent/internal/store"
)

// planSeedAliases checks the set's aliases with CreateAlias's rules and
// plans those that do not exist yet. planned are the set's new keys.
func (s *Service) planSeedAliases(ctx context.Context, set *seed.Set, planned map[string]*keys.Key, plan *seedPlan) error {
	targets := map[string]string{} // alias name -> key ID, within the file
	perKey := map[string]int{}     // key ID -> aliases planned for it
	for _, a := range set.Aliases {
		subject := "alias " + a.Name
		if err := validateAliasName(&a.Name); err != nil {
			return seedFailure(a.Pos, subject, err)
		}
		keyID, err := seedAliasTarget(set, a.Target)
		if err != nil {
			return seedFailure(a.Pos, subject, err)
		}
		if prev, ok := targets[a.Name]; ok {
			if prev != keyID {
				return seedFailure(a.Pos, subject, fmt.Errorf("the alias is given twice, for keys %s and %s", prev, keyID))
			}
			continue
		}
		targets[a.Name] = keyID
		var existing *aliasRecord
		var aliasCount int
		err = s.store.View(ctx, func(tx store.Tx) error {
			existing = nil
			rec, err := getRecord[aliasRecord](tx, layout.Alias(set.Account, set.Region, a.Name))
			if err == nil {
				existing = &rec
				return nil
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if planned[keyID] == nil {
				if err := checkSeedAliasTarget(tx, set, keyID); err != nil {
					return err
				}
			}
			names, err := tx.Scan(layout.KeyAliases(set.Account, set.Region, keyID), "", maxAliasesPerKey+1)
			aliasCount = len(names)
			return err
		})
		if err != nil {
			return seedFailure(a.Pos, subject, err)
		}
		if existing != nil {
			if existing.TargetKeyID != keyID {
				return seedFailure(a.Pos, subject, fmt.Errorf("the alias exists and names key %s, not key %s; the seed changes no existing alias", existing.TargetKeyID, keyID))
			}
			plan.report.AliasesExisting++
			continue
		}
		if perKey[keyID]++; aliasCount+perKey[keyID] > maxAliasesPerKey {
			return seedFailure(a.Pos, subject, fmt.Errorf("key %s would have more than %d aliases", keyID, maxAliasesPerKey))
		}
		plan.aliases = append(plan.aliases, plannedAlias{pos: a.Pos, account: set.Account, region: set.Region, name: a.Name, keyID: keyID})
	}
	return nil
}

// seedAliasTarget reads an alias's target: a key ID, or a key ARN of the
// set's account and Region.
func seedAliasTarget(set *seed.Set, target string) (string, error) {
	id, err := keys.ParseIdentifier(target)
	switch {
	case err != nil || id.IsAlias():
		return "", fmt.Errorf("target %q is not a key ID or key ARN", target)
	case id.IsARN() && (id.Account != set.Account || id.Region != set.Region):
		return "", fmt.Errorf("target %s is a key of another account or Region than the alias's (%s, %s)", target, set.Account, set.Region)
	}
	return id.KeyID, nil
}

// checkSeedAliasTarget checks an existing key may take an alias, as
// CreateAlias would: a customer managed key not pending deletion.
func checkSeedAliasTarget(tx store.Tx, set *seed.Set, keyID string) error {
	k, err := getRecord[*keys.Key](tx, layout.Key(set.Account, set.Region, keyID))
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("the target key %s is neither in the seed file nor in the store", keyID)
	} else if err != nil {
		return err
	}
	if k.AWSManaged() {
		return fmt.Errorf("the target key %s is an AWS managed key", keyID)
	}
	if k.State.PendingDeletion() {
		return fmt.Errorf("the target key %s is pending deletion", keyID)
	}
	return nil
}

// applySeed writes a checked plan: each key in its own transaction with
// its SeedKey record, then each alias with its SeedAlias record. A key or
// alias that appeared since the plan was made (another node seeding the
// same file) is left as it is.
func (s *Service) applySeed(ctx context.Context, f *seed.File, plan *seedPlan) (SeedReport, error) {
	report := plan.report
	now := s.clock.Now()
	for _, pk := range plan.keys {
		k := pk.w.key
		rec := audit.Service(audit.ServiceEvent{
			Name: "SeedKey", Account: k.Account, Region: k.Region, KeyARN: k.ARN(), Time: now,
			Details: map[string]any{
				"seedFile": f.Path, "seedFormat": string(f.Format),
				"keySpec": string(k.Spec), "keyUsage": string(k.Usage), "origin": string(k.Origin), "keyState": string(k.State),
				"keyMaterialVersions": int(k.MaterialCount), "keyMaterialGiven": pk.given > 0,
			},
		})
		changed, err := s.serviceEvent(ctx, rec, func(tx store.Tx) (bool, error) {
			if _, err := tx.Get(layout.Key(k.Account, k.Region, k.ID)); err == nil {
				return false, nil
			} else if !errors.Is(err, store.ErrNotFound) {
				return false, err
			}
			if err := seedTrashFree(tx, k.Account, k.Region, k.ID); err != nil {
				return false, err
			}
			return true, pk.w.insert(tx)
		})
		if err != nil {
			return report, seedFailure(pk.pos, "key "+k.ID, err)
		}
		if changed {
			s.forgetReusedKeyID(k)
			report.KeysCreated++
		} else {
			report.KeysExisting++
		}
	}
	for _, pa := range plan.aliases {
		changed, err := s.applySeedAlias(ctx, f, pa)
		if err != nil {
			return report, seedFailure(pa.pos, "alias "+pa.name, err)
		}
		if changed {
			report.AliasesCreated++
		} else {
			report.AliasesExisting++
		}
	}
	return report, nil
}

// applySeedAlias writes one planned alias.
func (s *Service) applySeedAlias(ctx context.Context, f *seed.File, pa plannedAlias) (bool, error) {
	now := s.clock.Now()
	rec := audit.Service(audit.ServiceEvent{
		Name: "SeedAlias", Account: pa.account, Region: pa.region, KeyARN: keys.KeyARN(pa.region, pa.account, pa.keyID), Time: now,
		Details: map[string]any{"seedFile": f.Path, "seedFormat": string(f.Format), "aliasName": pa.name},
	})
	return s.serviceEvent(ctx, rec, func(tx store.Tx) (bool, error) {
		a, err := getRecord[aliasRecord](tx, layout.Alias(pa.account, pa.region, pa.name))
		if err == nil {
			if a.TargetKeyID != pa.keyID {
				return false, fmt.Errorf("the alias was created meanwhile for key %s", a.TargetKeyID)
			}
			return false, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
		if _, err := tx.Get(layout.Key(pa.account, pa.region, pa.keyID)); err != nil {
			return false, err
		}
		return true, putAlias(tx, pa.account, pa.region, aliasRecord{Name: pa.name, TargetKeyID: pa.keyID, CreatedAt: now, UpdatedAt: now})
	})
}
