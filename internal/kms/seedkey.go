package kms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/seed"
)

// maxSeedMaterials bounds the material versions a seed may give one key,
// so that a key and all its records fit one transaction.
const maxSeedMaterials = 100

// seedFailure is a seed error: where in the file, about what, and why.
func seedFailure(pos seed.Pos, subject string, err error) error {
	msg := err.Error()
	if e, ok := kmserr.As(err); ok {
		// The client-safe words, without the internal cause.
		msg = e.Code + ": " + e.Message
	}
	return fmt.Errorf("%s: %s: %s", pos, subject, msg)
}

// prepareSeedKey builds a new key from its seed entry with the rules of
// CreateKey (the same validator, key shape, policy grammar and tag rules),
// plus what only a seed can ask for (material, a disabled state,
// rotation), and encodes its records with its material sealed. It writes
// nothing.
func (s *Service) prepareSeedKey(ctx context.Context, set *seed.Set, sk *seed.Key, now time.Time) (*newKeyWrites, error) {
	in := &CreateKeyInput{Description: sk.Description, Policy: sk.Policy}
	for _, f := range []struct {
		dst **string
		v   string
	}{{&in.KeySpec, sk.Spec}, {&in.KeyUsage, sk.Usage}, {&in.Origin, sk.Origin}} {
		if f.v != "" {
			*f.dst = &f.v
		}
	}
	if in.KeySpec == nil && len(sk.Materials) > 0 {
		spec, err := specOfMaterial(sk.Materials[0].Bytes.Reveal())
		if err != nil && !errors.Is(err, errNoSpecFromMaterial) {
			return nil, err
		}
		if spec != "" {
			in.KeySpec = (*string)(&spec)
		}
	}
	for _, t := range sk.Tags {
		in.Tags = append(in.Tags, Tag{TagKey: &t.Key, TagValue: &t.Value})
	}
	if err := validateCreateKey(in); err != nil {
		return nil, err
	}
	spec, usage, origin, err := keyShape(in, set.Region)
	if err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	k := &keys.Key{
		ID: sk.ID, Account: set.Account, Region: set.Region, CreatedAt: now,
		Spec: spec, Usage: usage, Origin: origin, Manager: keys.ManagerCustomer, State: keys.StateEnabled,
	}
	if in.Description != nil {
		k.Description = *in.Description
	}
	policyDoc := defaultPolicy(k)
	if in.Policy != nil {
		doc, err := checkPolicyDocument(*in.Policy)
		if err != nil {
			return nil, err
		}
		// The operator who seeds is no caller whose access the lockout
		// check could protect; the principals must exist all the same.
		if err := s.checkKeyPolicyRules(nil, k.Account, k.ARN(), doc, true); err != nil {
			return nil, err
		}
		policyDoc = *in.Policy
	}
	if err := applySeedState(k, sk); err != nil {
		return nil, err
	}
	if err := applySeedRotation(k, sk.Rotation, now); err != nil {
		return nil, err
	}
	materials, extra, err := s.seedMaterials(ctx, k, sk, now)
	if err != nil {
		return nil, err
	}
	w, err := encodeNewKey(k, materials, policyDoc, tags)
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	w.puts = append(w.puts, extra...)
	return w, nil
}

// applySeedState sets the state a seed asks for: Disabled for enabled:
// false, PendingImport for an EXTERNAL key given no material.
func applySeedState(k *keys.Key, sk *seed.Key) error {
	disabled := sk.Enabled != nil && !*sk.Enabled
	if len(sk.Materials) > maxSeedMaterials {
		return fmt.Errorf("a seed gives at most %d material versions of a key", maxSeedMaterials)
	}
	if len(sk.Materials) > 1 && !k.SpecInfo().Rotates {
		return fmt.Errorf("only symmetric encryption keys have more than one material version (a rotated key); %s keys have one", k.Spec)
	}
	switch {
	case k.Origin == keys.OriginExternal && len(sk.Materials) == 0:
		if disabled {
			return errors.New("a key without material is PendingImport and cannot be disabled")
		}
		k.State = keys.StatePendingImport
	case disabled:
		k.State = keys.StateDisabled
	}
	return nil
}

// applySeedRotation turns automatic rotation on as EnableKeyRotation
// would: same key types, same period bounds. A local-kms NextKeyRotation
// fixes the next date, which may be past: the scheduler's next run
// rotates the key, as local-kms rotates it on its next use.
func applySeedRotation(k *keys.Key, r *seed.Rotation, now time.Time) error {
	if r == nil {
		return nil
	}
	period := keys.DefaultRotationPeriodDays
	if r.PeriodInDays != nil {
		var v validator
		p := int32(*r.PeriodInDays)
		if int(p) != *r.PeriodInDays {
			p = -1
		}
		v.intRange("rotationPeriodInDays", &p, keys.MinRotationPeriodDays, keys.MaxRotationPeriodDays)
		if err := v.err(); err != nil {
			return err
		}
		period = *r.PeriodInDays
	}
	if !r.Enabled {
		if r.PeriodInDays != nil {
			k.Rotation.PeriodDays = period
		}
		return nil
	}
	if checkRotatable(k) != nil {
		// EnableKeyRotation's rule, in words a file's author can act on.
		return fmt.Errorf("rotation: only symmetric encryption keys with AWS_KMS material rotate automatically, not this %s key of origin %s", k.Spec, k.Origin)
	}
	length := time.Duration(period) * keys.Day
	k.Rotation = keys.Rotation{Enabled: true, PeriodDays: period, Since: now, Next: now.Add(length)}
	if !r.Next.IsZero() {
		k.Rotation.Next = r.Next.UTC()
		k.Rotation.Since = k.Rotation.Next.Add(-length)
	}
	return nil
}

// seedMaterials seals the key's material versions, oldest first, or
// generates the first for an AWS_KMS key given none. An EXTERNAL key's
// material is imported material: its IDs are derived as ImportKeyMaterial
// derives them (so importing the same material again matches), which
// takes the import record returned as an extra record to write.
func (s *Service) seedMaterials(ctx context.Context, k *keys.Key, sk *seed.Key, now time.Time) ([]keys.Material, []recordPut, error) {
	if len(sk.Materials) == 0 {
		if k.Origin == keys.OriginExternal {
			return nil, nil, nil
		}
		m, err := s.newMaterial(ctx, k, 1, "", now)
		if err != nil {
			return nil, nil, err
		}
		k.CurrentMaterial, k.CurrentMaterialID, k.MaterialCount = 1, m.ID, 1
		return []keys.Material{m}, nil, nil
	}
	var rec *importRecord
	var extra []recordPut
	if k.Origin == keys.OriginExternal {
		sealedIDKey, err := s.newSealedIDKey(k)
		if err != nil {
			return nil, nil, err
		}
		rec = &importRecord{IDKey: sealedIDKey}
		b, err := encodeRecord(rec)
		if err != nil {
			return nil, nil, kmserr.Internal(err)
		}
		extra = append(extra, recordPut{path: layout.Import(k.Account, k.Region, k.ID), value: b})
		k.ExpirationModel = expirationDoesNotExpire
	}
	out := make([]keys.Material, 0, len(sk.Materials))
	for i, given := range sk.Materials {
		version := uint32(i + 1)
		key, err := parseGivenMaterial(k.Spec, given.Bytes.Reveal())
		if err != nil {
			return nil, nil, fmt.Errorf("material version %d (line %d): %w", version, given.Pos.Line, err)
		}
		var m keys.Material
		if rec != nil {
			m, err = s.sealImportedSeed(k, version, key, rec, now)
		} else {
			var rotation keys.RotationType
			if version > 1 {
				rotation = keys.RotationAutomatic
			}
			m, err = s.sealMaterial(k, version, rotation, key, now)
		}
		if err != nil {
			return nil, nil, err
		}
		for _, earlier := range out {
			if earlier.ID == m.ID {
				// Derived IDs are equal only for equal material.
				return nil, nil, fmt.Errorf("material version %d (line %d): the same imported material is given twice", version, given.Pos.Line)
			}
		}
		out = append(out, m)
	}
	last := out[len(out)-1]
	k.CurrentMaterial, k.CurrentMaterialID, k.MaterialCount = last.Version, last.ID, last.Version
	return out, extra, nil
}

// sealImportedSeed seals material of an EXTERNAL key as ImportKeyMaterial
// would leave it: an ID derived from the material, no expiry, and the
// versions after the first rotated on demand (how imported material
// becomes current in AWS).
func (s *Service) sealImportedSeed(k *keys.Key, version uint32, key cipher.Key, rec *importRecord, now time.Time) (keys.Material, error) {
	material, err := key.Material()
	if err != nil {
		return keys.Material{}, kmserr.Internal(err)
	}
	defer material.Wipe()
	id, err := s.materialID(rec, k, material.Reveal())
	if err != nil {
		return keys.Material{}, err
	}
	sealed, err := s.sealer.Seal(material.Reveal(), materialAAD(k, version), s.rand)
	if err != nil {
		return keys.Material{}, kmserr.Internal(err)
	}
	m := keys.Material{Version: version, ID: id, CreatedAt: now, Sealed: sealed, ExpirationModel: expirationDoesNotExpire}
	if version > 1 {
		m.RotationType = keys.RotationOnDemand
	}
	return m, nil
}
