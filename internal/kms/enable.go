package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/store"
)

// KeyIDInput is the request of the operations that take only a KeyId
// (EnableKey, DisableKey, CancelKeyDeletion, GetKeyRotationStatus, ...).
type KeyIDInput struct {
	KeyId *string `json:"KeyId,omitempty"`
}

// Empty is the response of operations that return nothing.
type Empty struct{}

func (in *KeyIDInput) validate() error {
	var v validator
	v.keyID("keyId", in.KeyId, true)
	return v.err()
}

// EnableKey sets a key's state to Enabled. Enabling an enabled key is a
// no-op. It never cancels a scheduled deletion (CancelKeyDeletion does).
func (s *Service) EnableKey(ctx context.Context, in *KeyIDInput) (*Empty, error) {
	return s.setEnabled(ctx, in, keys.OpEnableKey, keys.StateEnabled)
}

// DisableKey sets a key's state to Disabled; a disabled key refuses every
// cryptographic operation until it is enabled again.
func (s *Service) DisableKey(ctx context.Context, in *KeyIDInput) (*Empty, error) {
	return s.setEnabled(ctx, in, keys.OpDisableKey, keys.StateDisabled)
}

func (s *Service) setEnabled(ctx context.Context, in *KeyIDInput, op string, to keys.State) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	_, err = updateKey[Empty](s, ctx, info, *in.KeyId, access{op: op, forms: keyIDOrARN}, func(_ store.Tx, k *keys.Key) error {
		k.State = to
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	if to == keys.StateEnabled {
		// A rotation that fell due while the key was disabled runs now.
		s.kick()
	}
	return &Empty{}, nil
}

// UpdateKeyDescriptionInput is the UpdateKeyDescription request.
type UpdateKeyDescriptionInput struct {
	KeyId       *string `json:"KeyId,omitempty"`
	Description *string `json:"Description,omitempty"`
}

// UpdateKeyDescription replaces a key's description.
func (s *Service) UpdateKeyDescription(ctx context.Context, in *UpdateKeyDescriptionInput) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	if v.required("description", in.Description != nil) {
		v.length("description", in.Description, 0, maxDescriptionLength)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpUpdateKeyDescription
	_, err = updateKey[Empty](s, ctx, info, *in.KeyId, access{op: op, forms: keyIDOrARN}, func(_ store.Tx, k *keys.Key) error {
		k.Description = *in.Description
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}
