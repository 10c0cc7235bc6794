package kms

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/seed"
	"github.com/trent-kms/trent/internal/store"
)

// SeedReport says what a seed did.
type SeedReport struct {
	KeysCreated, KeysExisting       int
	AliasesCreated, AliasesExisting int
}

// regionPattern is the shape of an AWS Region name (us-east-1,
// us-gov-west-1, cn-north-1, eu-isoe-west-1).
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

// Seed creates what a seed file describes that does not exist yet: keys
// with fixed IDs and, if given, fixed material; their policies, tags and
// rotation; aliases. A key whose ID exists is left as it is (as local-kms
// does), and so is an alias that already names its key; an alias that
// names another key is an error. So seeding twice changes nothing.
//
// Everything is checked before anything is written: a seed with any error
// writes nothing. Then each key is written in one transaction with its
// records and its audit record (AwsServiceEvent SeedKey), and each alias
// in one of its own (SeedAlias); a crash in between leaves part of the
// seed, and seeding again writes the rest. Seed runs before the node
// serves requests.
func (s *Service) Seed(ctx context.Context, f *seed.File) (SeedReport, error) {
	plan, err := s.planSeed(ctx, f)
	if err != nil {
		return SeedReport{}, err
	}
	return s.applySeed(ctx, f, plan)
}

// seedPlan is a checked seed: the records to write.
type seedPlan struct {
	keys    []plannedKey
	aliases []plannedAlias
	report  SeedReport
}

type plannedKey struct {
	pos   seed.Pos
	w     *newKeyWrites
	given int // material versions the file gave
}

type plannedAlias struct {
	pos                          seed.Pos
	account, region, name, keyID string
}

// planSeed checks every set of the file and prepares what to write.
func (s *Service) planSeed(ctx context.Context, f *seed.File) (*seedPlan, error) {
	plan := &seedPlan{}
	for i := range f.Sets {
		set := &f.Sets[i]
		if !identity.IsAccountID(set.Account) {
			return nil, seedFailure(set.Pos, "account", fmt.Errorf("%q is not a 12-digit AWS account ID", set.Account))
		}
		if !regionPattern.MatchString(set.Region) {
			return nil, seedFailure(set.Pos, "region", fmt.Errorf("%q is not an AWS Region name such as us-east-1", set.Region))
		}
		planned, err := s.planSeedKeys(ctx, set, plan)
		if err != nil {
			return nil, err
		}
		if err := s.planSeedAliases(ctx, set, planned, plan); err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// planSeedKeys prepares the set's keys that do not exist yet and returns
// them by ID.
func (s *Service) planSeedKeys(ctx context.Context, set *seed.Set, plan *seedPlan) (map[string]*keys.Key, error) {
	now := s.clock.Now()
	planned := map[string]*keys.Key{}
	seen := map[string]bool{}
	for j := range set.Keys {
		sk := &set.Keys[j]
		subject := "key " + sk.ID
		if !isFixedKeyID(sk.ID) {
			return nil, seedFailure(sk.Pos, "key", fmt.Errorf("id %q is not a key ID: a UUID in lower case, such as 1234abcd-12ab-34cd-56ef-1234567890ab", sk.ID))
		}
		if seen[sk.ID] {
			return nil, seedFailure(sk.Pos, subject, errors.New("the key ID is given twice"))
		}
		seen[sk.ID] = true
		exists, err := s.seedKeyExists(ctx, set.Account, set.Region, sk.ID)
		if err != nil {
			return nil, seedFailure(sk.Pos, subject, err)
		}
		if exists {
			s.log.Info("seed: the key exists; it is left as it is", "key", keys.KeyARN(set.Region, set.Account, sk.ID))
			plan.report.KeysExisting++
			continue
		}
		w, err := s.prepareSeedKey(ctx, set, sk, now)
		if err != nil {
			return nil, seedFailure(sk.Pos, subject, err)
		}
		plan.keys = append(plan.keys, plannedKey{pos: sk.Pos, w: w, given: len(sk.Materials)})
		planned[sk.ID] = w.key
	}
	return planned, nil
}

// seedKeyExists reports whether the key exists. A key being deleted (its
// records still being removed) is an error: seeding its ID again now
// would lose the new key's records to the removal.
func (s *Service) seedKeyExists(ctx context.Context, account, region, id string) (bool, error) {
	var exists bool
	err := s.store.View(ctx, func(tx store.Tx) error {
		exists = false
		_, err := tx.Get(layout.Key(account, region, id))
		if err == nil {
			exists = true
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return seedTrashFree(tx, account, region, id)
	})
	return exists, err
}

func seedTrashFree(tx store.Tx, account, region, id string) error {
	_, err := tx.Get(layout.Trash(account, region, id))
	if err == nil {
		return errors.New("a key with this ID was deleted and its records are still being removed; start again in a moment")
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
