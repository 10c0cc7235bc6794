package kms

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// maxAliasesPerKey is the quota of aliases per key (docs "Resource quotas";
// AWS-created aliases do not count, and managed keys have only theirs).
const maxAliasesPerKey = 50

var aliasNamePattern = regexp.MustCompile(`^[a-zA-Z0-9:/_-]+$`)

// validateAliasName checks AliasName: the model first, then AWS's rules.
func validateAliasName(name *string) error {
	var v validator
	if v.required("aliasName", name != nil) {
		v.length("aliasName", name, 1, maxAliasNameLength)
		v.pattern("aliasName", name, aliasNamePattern)
	}
	if err := v.err(); err != nil {
		return err
	}
	return checkAliasName(*name)
}

// checkAliasName applies the alias rules beyond the model (docs "Aliases in
// AWS KMS": alias/ prefix, no colon, alias/aws/ reserved).
func checkAliasName(name string) error {
	if !strings.HasPrefix(name, "alias/") {
		// Recorded AWS message.
		return kmserr.Validation(`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	}
	if name == "alias/" {
		return kmserr.InvalidAliasName("Alias name must have at least one character after the alias/ prefix.")
	}
	if strings.Contains(name, ":") {
		return kmserr.Validation("%s contains invalid characters for an alias", name)
	}
	if strings.HasPrefix(name, awsAliasPrefix) {
		// The alias/aws/ prefix belongs to AWS managed keys; AWS answers
		// NotAuthorizedException (not a modeled KMS error).
		return kmserr.New(kmserr.CodeNotAuthorized, 400, "The alias/aws/ prefix is reserved for AWS managed keys.")
	}
	return nil
}

// aliasTarget resolves an alias's TargetKeyId: a key ID or key ARN of a
// customer managed key of the caller's account, in a state that allows op.
func (s *Service) aliasTarget(ctx context.Context, tx store.Tx, info *request.Info, target, op string) (*keys.Key, error) {
	if strings.HasPrefix(target, "alias/") || strings.Contains(target, ":alias/") {
		return nil, kmserr.Validation("Aliases must refer to keys. Not aliases")
	}
	k, err := s.openKey(ctx, tx, info, target, access{op: op, forms: keyIDOrARN})
	if err != nil {
		return nil, err
	}
	n, err := tx.Scan(layout.KeyAliases(k.Account, k.Region, k.ID), "", maxAliasesPerKey)
	if err != nil {
		return nil, err
	}
	if len(n) >= maxAliasesPerKey {
		return nil, kmserr.LimitExceeded("Key %s already has the maximum of %d aliases.", k.ARN(), maxAliasesPerKey)
	}
	return k, nil
}

// putAlias writes an alias and its entry in the key's alias index.
func putAlias(tx store.Tx, account, region string, a aliasRecord) error {
	if err := putRecord(tx, layout.Alias(account, region, a.Name), a); err != nil {
		return err
	}
	return tx.Put(layout.KeyAliases(account, region, a.TargetKeyID)+a.Name, nil)
}

// getAlias reads an alias or returns AWS's NotFoundException.
func getAlias(tx store.Tx, info *request.Info, name string) (aliasRecord, error) {
	a, err := getRecord[aliasRecord](tx, layout.Alias(info.Caller.Account, info.Region, name))
	if errors.Is(err, store.ErrNotFound) {
		return a, kmserr.NotFound("Alias %s is not found.", keys.AliasARN(info.Region, info.Caller.Account, name))
	}
	return a, err
}

// AliasInput is the CreateAlias and UpdateAlias request.
type AliasInput struct {
	AliasName   *string `json:"AliasName,omitempty"`
	TargetKeyId *string `json:"TargetKeyId,omitempty"`
}

func (in *AliasInput) validate() error {
	if err := validateAliasName(in.AliasName); err != nil {
		return err
	}
	var v validator
	v.keyID("targetKeyId", in.TargetKeyId, true)
	return v.err()
}

// CreateAlias creates an alias for a customer managed key.
func (s *Service) CreateAlias(ctx context.Context, in *AliasInput) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	err = s.update(ctx, func(tx store.Tx) (any, error) {
		k, err := s.aliasTarget(ctx, tx, info, *in.TargetKeyId, keys.OpCreateAlias)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Get(layout.Alias(info.Caller.Account, info.Region, *in.AliasName)); err == nil {
			return nil, kmserr.AlreadyExists("An alias with the name %s already exists", keys.AliasARN(info.Region, info.Caller.Account, *in.AliasName))
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		return nil, putAlias(tx, k.Account, k.Region, aliasRecord{Name: *in.AliasName, TargetKeyID: k.ID, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return &Empty{}, nil
}

// UpdateAlias points an existing alias at another key of the same key spec
// and key usage.
func (s *Service) UpdateAlias(ctx context.Context, in *AliasInput) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	err = s.update(ctx, func(tx store.Tx) (any, error) {
		a, err := getAlias(tx, info, *in.AliasName)
		if err != nil {
			return nil, err
		}
		k, err := s.aliasTarget(ctx, tx, info, *in.TargetKeyId, keys.OpUpdateAlias)
		if err != nil {
			return nil, err
		}
		if a.TargetKeyID == k.ID {
			return nil, nil
		}
		old, err := getRecord[*keys.Key](tx, layout.Key(info.Caller.Account, info.Region, a.TargetKeyID))
		if err == nil && !sameKeyType(old, k) {
			return nil, kmserr.Validation("Alias %s cannot be changed from a %s key for %s to a %s key for %s: the key type (symmetric, asymmetric or HMAC) and key usage must be the same.",
				*in.AliasName, old.Spec, old.Usage, k.Spec, k.Usage)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if err := tx.Delete(layout.KeyAliases(info.Caller.Account, info.Region, a.TargetKeyID) + a.Name); err != nil {
			return nil, err
		}
		a.TargetKeyID, a.UpdatedAt = k.ID, now
		return nil, putAlias(tx, info.Caller.Account, info.Region, a)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return &Empty{}, nil
}

// DeleteAliasInput is the DeleteAlias request.
type DeleteAliasInput struct {
	AliasName *string `json:"AliasName,omitempty"`
}

// DeleteAlias deletes an alias; its key is not affected.
func (s *Service) DeleteAlias(ctx context.Context, in *DeleteAliasInput) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateAliasName(in.AliasName); err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) (any, error) {
		a, err := getAlias(tx, info, *in.AliasName)
		if err != nil {
			return nil, err
		}
		if k, err := getRecord[*keys.Key](tx, layout.Key(info.Caller.Account, info.Region, a.TargetKeyID)); err == nil {
			if err := s.admit(ctx, tx, info, k, &access{op: keys.OpDeleteAlias, forms: keyIDOrARN}); err != nil {
				return nil, err
			}
		}
		if err := tx.Delete(layout.Alias(info.Caller.Account, info.Region, a.Name)); err != nil {
			return nil, err
		}
		return nil, tx.Delete(layout.KeyAliases(info.Caller.Account, info.Region, a.TargetKeyID) + a.Name)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return &Empty{}, nil
}

// sameKeyType reports whether an alias may move from key a to key b: "the
// same type (both symmetric or both asymmetric or both HMAC), and ... the
// same key usage" (API Reference, UpdateAlias). The usage tells symmetric
// encryption keys from HMAC keys; whether the spec is a key pair tells them
// from asymmetric keys of the same usage (RSA ENCRYPT_DECRYPT).
func sameKeyType(a, b *keys.Key) bool {
	return a.Usage == b.Usage && a.SpecInfo().Pair == b.SpecInfo().Pair
}
