package kms

import (
	"bytes"
	"context"
	"errors"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/store"
)

// EncapsulateInput is the Encapsulate request (ML-KEM keys; SDK ≥ 1.62).
type EncapsulateInput struct {
	KeyId                  *string  `json:"KeyId,omitempty"`
	EncapsulationAlgorithm *string  `json:"EncapsulationAlgorithm,omitempty"`
	GrantTokens            []string `json:"GrantTokens,omitempty"`
	DryRun                 *bool    `json:"DryRun,omitempty"`
}

// EncapsulateOutput is the Encapsulate response.
type EncapsulateOutput struct {
	KeyId                      string `json:"KeyId"`
	EncapsulationAlgorithm     string `json:"EncapsulationAlgorithm"`
	SharedSecret               []byte `json:"SharedSecret" audit:"-"`
	SharedSecretCiphertextBlob []byte `json:"SharedSecretCiphertextBlob"`
}

// DecapsulateInput is the Decapsulate request.
type DecapsulateInput struct {
	KeyId                      *string  `json:"KeyId,omitempty"`
	EncapsulationAlgorithm     *string  `json:"EncapsulationAlgorithm,omitempty"`
	SharedSecretCiphertextBlob []byte   `json:"SharedSecretCiphertextBlob,omitempty"`
	GrantTokens                []string `json:"GrantTokens,omitempty"`
	DryRun                     *bool    `json:"DryRun,omitempty"`
}

// DecapsulateOutput is the Decapsulate response.
type DecapsulateOutput struct {
	KeyId                  string `json:"KeyId"`
	EncapsulationAlgorithm string `json:"EncapsulationAlgorithm"`
	SharedSecret           []byte `json:"SharedSecret" audit:"-"`
}

// Encapsulate makes a fresh 32-byte shared secret and its ML-KEM
// encapsulation under the public key of an ENCAPSULATE_DECAPSULATE key.
func (s *Service) Encapsulate(ctx context.Context, in *EncapsulateInput) (*EncapsulateOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	validateKEMMembers(&v, in.KeyId, in.EncapsulationAlgorithm)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpEncapsulate
	var k *keys.Key
	out := &EncapsulateOutput{EncapsulationAlgorithm: *in.EncapsulationAlgorithm}
	err = s.viewResolving(ctx, info, func(tx store.Tx) (err error) {
		var key cipher.KEMKey
		if k, key, err = usableKey[cipher.KEMKey](s, ctx, tx, info, *in.KeyId, keys.UsageEncapsulateDecapsulate, *in.EncapsulationAlgorithm, op, in.GrantTokens); err != nil {
			return err
		}
		if dryRun(in.DryRun) {
			return kmserr.DryRun()
		}
		ct, shared, err := key.Encapsulate(s.rand)
		if err != nil {
			return kmserr.Internal(err)
		}
		defer shared.Wipe()
		out.SharedSecretCiphertextBlob, out.SharedSecret = ct, bytes.Clone(shared.Reveal())
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.noteUse(ctx, info, k, op)
	out.KeyId = k.ARN()
	return out, nil
}

// Decapsulate recovers the shared secret of an ML-KEM ciphertext. Only a
// ciphertext of the wrong length for the key spec is refused
// (InvalidCiphertextException); any other gives a 32-byte secret, a
// pseudo-random one for a ciphertext made under another key or altered
// (ML-KEM's implicit rejection, as the API Reference describes).
func (s *Service) Decapsulate(ctx context.Context, in *DecapsulateInput) (*DecapsulateOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	validateKEMMembers(&v, in.KeyId, in.EncapsulationAlgorithm)
	if v.required("sharedSecretCiphertextBlob", in.SharedSecretCiphertextBlob != nil) {
		v.blob("sharedSecretCiphertextBlob", in.SharedSecretCiphertextBlob, true, 1, maxCiphertextLength)
	}
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpDecapsulate
	var k *keys.Key
	out := &DecapsulateOutput{EncapsulationAlgorithm: *in.EncapsulationAlgorithm}
	err = s.viewResolving(ctx, info, func(tx store.Tx) (err error) {
		var key cipher.KEMKey
		if k, key, err = usableKey[cipher.KEMKey](s, ctx, tx, info, *in.KeyId, keys.UsageEncapsulateDecapsulate, *in.EncapsulationAlgorithm, op, in.GrantTokens); err != nil {
			return err
		}
		shared, err := key.Decapsulate(in.SharedSecretCiphertextBlob)
		if errors.Is(err, cipher.ErrInvalidCiphertextLength) {
			return kmserr.InvalidCiphertext()
		} else if err != nil {
			return kmserr.Internal(err)
		}
		defer shared.Wipe()
		if dryRun(in.DryRun) {
			return kmserr.DryRun()
		}
		out.SharedSecret = bytes.Clone(shared.Reveal())
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.noteUse(ctx, info, k, op)
	out.KeyId = k.ARN()
	return out, nil
}

// validateKEMMembers checks the members Encapsulate and Decapsulate share.
func validateKEMMembers(v *validator, keyID, alg *string) {
	v.keyID("keyId", keyID, true)
	if v.required("encapsulationAlgorithm", alg != nil) {
		v.enum("encapsulationAlgorithm", alg, encapsulationAlgorithmValues)
	}
}
