package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/store"
)

// GetPublicKeyInput is the GetPublicKey request.
type GetPublicKeyInput struct {
	KeyId       *string  `json:"KeyId,omitempty"`
	GrantTokens []string `json:"GrantTokens,omitempty"`
}

// GetPublicKeyOutput is the GetPublicKey response.
type GetPublicKeyOutput struct {
	KeyId                   string   `json:"KeyId"`
	PublicKey               []byte   `json:"PublicKey"`
	CustomerMasterKeySpec   string   `json:"CustomerMasterKeySpec"`
	KeySpec                 string   `json:"KeySpec"`
	KeyUsage                string   `json:"KeyUsage"`
	EncryptionAlgorithms    []string `json:"EncryptionAlgorithms,omitempty"`
	SigningAlgorithms       []string `json:"SigningAlgorithms,omitempty"`
	KeyAgreementAlgorithms  []string `json:"KeyAgreementAlgorithms,omitempty"`
	EncapsulationAlgorithms []string `json:"EncapsulationAlgorithms,omitempty"`
}

// GetPublicKey returns the public key of an asymmetric key as a DER
// SubjectPublicKeyInfo, with what a user needs to use it offline: the
// spec, the usage and the usage's algorithms.
func (s *Service) GetPublicKey(ctx context.Context, in *GetPublicKeyInput) (*GetPublicKeyOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpGetPublicKey
	var k *keys.Key
	var der []byte
	err = s.viewResolving(ctx, info, func(tx store.Tx) (err error) {
		a := access{op: op, forms: anyKeyIdentifier, grantTokens: in.GrantTokens, check: func(k *keys.Key) error {
			if !k.SpecInfo().Pair {
				// (unverified message) Symmetric and HMAC keys have
				// no public key: the model lists
				// UnsupportedOperationException for GetPublicKey.
				return kmserr.UnsupportedOperation("%s key spec is %s which is not valid for %s.", k.ARN(), k.Spec, op)
			}
			return nil
		}}
		if k, err = s.openKey(ctx, tx, info, *in.KeyId, a); err != nil {
			return err
		}
		pair, _, err := currentMaterial[cipher.AsymmetricKey](s, tx, k)
		if err != nil {
			return err
		}
		der = pair.PublicKeyDER()
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &GetPublicKeyOutput{KeyId: k.ARN(), PublicKey: der, CustomerMasterKeySpec: string(k.Spec),
		KeySpec: string(k.Spec), KeyUsage: string(k.Usage)}
	setAlgorithms(k, &out.EncryptionAlgorithms, &out.SigningAlgorithms, new([]string),
		&out.KeyAgreementAlgorithms, &out.EncapsulationAlgorithms)
	return out, nil
}
