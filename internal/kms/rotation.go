package kms

import (
	"context"
	"time"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// EnableKeyRotationInput is the EnableKeyRotation request.
type EnableKeyRotationInput struct {
	KeyId                *string `json:"KeyId,omitempty"`
	RotationPeriodInDays *int32  `json:"RotationPeriodInDays,omitempty"`
}

// checkRotatesBySpec refuses a key whose spec never rotates: automatic
// and on-demand rotation exist only for symmetric encryption keys (model,
// EnableKeyRotation and RotateKeyOnDemand: UnsupportedOperationException
// for asymmetric and HMAC keys). AWS sends it with an empty message
// (recorded for RotateKeyOnDemand on an RSA_4096 key).
func checkRotatesBySpec(k *keys.Key) error {
	if !k.SpecInfo().Rotates {
		return kmserr.UnsupportedOperation("")
	}
	return nil
}

// checkRotatable applies the type rules of the rotation operations, which
// AWS checks before the key state: only symmetric keys with AWS_KMS
// material rotate. (AWS managed keys are not configurable either: their key
// policy allows no rotation operation, so the gate refuses them first.)
func checkRotatable(k *keys.Key) error {
	if err := checkRotatesBySpec(k); err != nil {
		return err
	}
	if k.Origin != keys.OriginAWSKMS {
		return kmserr.UnsupportedOperation("%s origin is %s which is not valid for this operation.", k.ARN(), k.Origin)
	}
	return nil
}

// EnableKeyRotation turns on automatic rotation: the key rotates
// RotationPeriodInDays (default 365) after this call, and every period after
// each automatic rotation. Calling it again changes the period; the next
// date is then counted from the last rotation (or enable date), and if that
// has already passed the key rotates at once.
func (s *Service) EnableKeyRotation(ctx context.Context, in *EnableKeyRotationInput) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	v.intRange("rotationPeriodInDays", in.RotationPeriodInDays, keys.MinRotationPeriodDays, keys.MaxRotationPeriodDays)
	if err := v.err(); err != nil {
		return nil, err
	}
	period := keys.DefaultRotationPeriodDays
	if in.RotationPeriodInDays != nil {
		period = int(*in.RotationPeriodInDays)
	}
	const op = keys.OpEnableKeyRotation
	now := s.clock.Now()
	_, err = updateKey[Empty](s, ctx, info, *in.KeyId, access{op: op, forms: keyIDOrARN, check: checkRotatable}, func(_ store.Tx, k *keys.Key) error {
		if !k.Rotation.Enabled {
			k.Rotation.Enabled = true
			k.Rotation.Since = now
		}
		k.Rotation.PeriodDays = period
		k.Rotation.Next = k.Rotation.Since.Add(time.Duration(period) * keys.Day)
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	s.kick()
	return &Empty{}, nil
}

// DisableKeyRotation turns off automatic rotation. An on-demand rotation in
// progress still completes.
func (s *Service) DisableKeyRotation(ctx context.Context, in *KeyIDInput) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	const op = keys.OpDisableKeyRotation
	_, err = updateKey[Empty](s, ctx, info, *in.KeyId, access{op: op, forms: keyIDOrARN, check: checkRotatable}, func(_ store.Tx, k *keys.Key) error {
		k.Rotation.Enabled = false
		k.Rotation.Since = time.Time{}
		k.Rotation.Next = time.Time{}
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// GetKeyRotationStatusOutput is the GetKeyRotationStatus response.
type GetKeyRotationStatusOutput struct {
	KeyRotationEnabled        bool   `json:"KeyRotationEnabled"`
	KeyId                     string `json:"KeyId"`
	RotationPeriodInDays      *int   `json:"RotationPeriodInDays,omitempty"`
	NextRotationDate          *Time  `json:"NextRotationDate,omitempty"`
	OnDemandRotationStartDate *Time  `json:"OnDemandRotationStartDate,omitempty"`
}

// GetKeyRotationStatus reports a key's rotation configuration. Keys that
// cannot rotate automatically (asymmetric, HMAC) report false.
func (s *Service) GetKeyRotationStatus(ctx context.Context, in *KeyIDInput) (*GetKeyRotationStatusOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	const op = keys.OpGetKeyRotationStatus
	var k *keys.Key
	err = s.store.View(ctx, func(tx store.Tx) error {
		k, err = s.openKey(ctx, tx, info, *in.KeyId, access{op: op, forms: keyIDOrARN, check: func(k *keys.Key) error {
			if k.SpecInfo().Rotates && k.Origin != keys.OriginAWSKMS {
				return kmserr.UnsupportedOperation("%s origin is %s which is not valid for this operation.", k.ARN(), k.Origin)
			}
			return nil
		}})
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	// A key pending deletion reports false and does not rotate; its
	// configuration is kept, so CancelKeyDeletion brings the original
	// status back (API Reference, GetKeyRotationStatus).
	out := &GetKeyRotationStatusOutput{KeyId: k.ARN(), KeyRotationEnabled: k.Rotation.Enabled && k.SpecInfo().Rotates && !k.State.PendingDeletion()}
	if out.KeyRotationEnabled {
		period := k.Rotation.PeriodDays
		out.RotationPeriodInDays = &period
		out.NextRotationDate = timePtr(k.Rotation.Next)
	}
	out.OnDemandRotationStartDate = timePtr(k.Rotation.OnDemandStarted)
	return out, nil
}

// RotateKeyOnDemandOutput is the RotateKeyOnDemand response.
type RotateKeyOnDemandOutput struct {
	KeyId string `json:"KeyId"`
}

// RotateKeyOnDemand starts a rotation now. As in AWS the rotation itself
// runs in the background (the scheduler, woken at once); until it completes
// GetKeyRotationStatus reports OnDemandRotationStartDate, and a second
// request fails with ConflictException. Each key may rotate on demand 25
// times.
func (s *Service) RotateKeyOnDemand(ctx context.Context, in *KeyIDInput) (*RotateKeyOnDemandOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	const op = keys.OpRotateKeyOnDemand
	now := s.clock.Now()
	a := access{op: op, forms: keyIDOrARN, check: func(k *keys.Key) error {
		if k.Origin == keys.OriginExternal {
			return checkRotatesBySpec(k)
		}
		return checkRotatable(k)
	}}
	out, err := updateKey(s, ctx, info, *in.KeyId, a, func(tx store.Tx, k *keys.Key) error {
		if k.Origin == keys.OriginExternal {
			return rotateImportedMaterial(tx, k, now)
		}
		if k.Rotation.OnDemandCount >= keys.MaxOnDemandRotations {
			return kmserr.LimitExceeded("The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: %s", k.ARN())
		}
		if !k.Rotation.OnDemandStarted.IsZero() {
			return kmserr.Conflict("An on-demand rotation of %s is already in progress.", k.ARN())
		}
		if k.Rotation.Enabled && k.Rotation.Next.Sub(now) < keys.AutomaticRotationConflictWindow {
			return kmserr.Conflict("An automatic rotation of %s is in progress or due within 20 minutes. Try again later.", k.ARN())
		}
		k.Rotation.OnDemandStarted = now
		k.Rotation.OnDemandCount++
		return nil
	}, func(k *keys.Key) *RotateKeyOnDemandOutput {
		// The bare key ID, not the ARN that most operations answer: AWS's
		// recorded RotateKeyOnDemand responses show it so.
		return &RotateKeyOnDemandOutput{KeyId: k.ID}
	})
	if err != nil {
		return nil, err
	}
	// The rotation itself runs in the scheduler, woken now; it is due at
	// once (Key.Due), so it completes within moments, as in AWS.
	s.kick()
	return out, nil
}

// rotateImportedMaterial is RotateKeyOnDemand for a symmetric key with
// imported material: the material imported with ImportType
// NEW_KEY_MATERIAL (PENDING_ROTATION) becomes current at once, and the
// previous material stays for decryption. A key without such material is
// refused (AWS: "No available key material pending rotation for the key").
// The gate has applied the spec and state rules.
func rotateImportedMaterial(tx store.Tx, k *keys.Key, now time.Time) error {
	if k.Rotation.OnDemandCount >= keys.MaxOnDemandRotations {
		return kmserr.LimitExceeded("The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: %s", k.ARN())
	}
	ms, err := keyMaterials(tx, k)
	if err != nil {
		return err
	}
	var next *keys.Material
	for i := range ms {
		if ms[i].PendingRotation && ms[i].Imported() {
			next = &ms[i]
		}
	}
	if next == nil {
		return kmserr.InvalidState("No available key material pending rotation for the key: %s.", k.ARN())
	}
	next.PendingRotation, next.RotationType, next.CreatedAt = false, keys.RotationOnDemand, now
	if err := putRecord(tx, layout.Material(k.Account, k.Region, k.ID, next.Version), *next); err != nil {
		return err
	}
	k.CurrentMaterial, k.CurrentMaterialID, k.CurrentMissing = next.Version, next.ID, false
	k.ExpirationModel, k.ValidTo = next.ExpirationModel, next.ValidTo
	k.Rotation.OnDemandCount++
	return refreshExpiry(tx, k)
}
