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

// DeriveSharedSecretInput is the DeriveSharedSecret request.
type DeriveSharedSecretInput struct {
	KeyId                 *string        `json:"KeyId,omitempty"`
	KeyAgreementAlgorithm *string        `json:"KeyAgreementAlgorithm,omitempty"`
	PublicKey             []byte         `json:"PublicKey,omitempty"`
	GrantTokens           []string       `json:"GrantTokens,omitempty"`
	DryRun                *bool          `json:"DryRun,omitempty"`
	Recipient             *RecipientInfo `json:"Recipient,omitempty"`
}

// DeriveSharedSecretOutput is the DeriveSharedSecret response.
type DeriveSharedSecretOutput struct {
	KeyId                 string `json:"KeyId"`
	SharedSecret          []byte `json:"SharedSecret" audit:"-"`
	KeyAgreementAlgorithm string `json:"KeyAgreementAlgorithm"`
	KeyOrigin             string `json:"KeyOrigin"`
}

// maxPublicKeyLength is the model's PublicKeyType limit.
const maxPublicKeyLength = 8192

// DeriveSharedSecret runs ECDH between a KEY_AGREEMENT key's private key
// and the peer public key given, a DER SubjectPublicKeyInfo on the key's
// curve, and returns the raw shared secret.
func (s *Service) DeriveSharedSecret(ctx context.Context, in *DeriveSharedSecretInput) (*DeriveSharedSecretOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	if v.required("keyAgreementAlgorithm", in.KeyAgreementAlgorithm != nil) {
		v.enum("keyAgreementAlgorithm", in.KeyAgreementAlgorithm, keyAgreementAlgorithmValues)
	}
	if v.required("publicKey", in.PublicKey != nil) {
		v.blob("publicKey", in.PublicKey, true, 1, maxPublicKeyLength)
	}
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := refuseRecipient(in.Recipient != nil); err != nil {
		return nil, err
	}
	const op = keys.OpDeriveSharedSecret
	var k *keys.Key
	var secret []byte
	err = s.viewResolving(ctx, info, func(tx store.Tx) (err error) {
		var key cipher.AgreementKey
		if k, key, err = usableKey[cipher.AgreementKey](s, ctx, tx, info, *in.KeyId, keys.UsageKeyAgreement, *in.KeyAgreementAlgorithm, op, in.GrantTokens); err != nil {
			return err
		}
		shared, err := key.SharedSecret(in.PublicKey)
		if errors.Is(err, cipher.ErrInvalidPublicKey) {
			// AWS validates the peer key's form, curve and point, and
			// answers with an empty message (recorded).
			return kmserr.Validation("")
		} else if err != nil {
			return kmserr.Internal(err)
		}
		defer shared.Wipe()
		// DryRun answers after every check, the peer key's included.
		if dryRun(in.DryRun) {
			return kmserr.DryRun()
		}
		secret = bytes.Clone(shared.Reveal())
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.noteUse(ctx, info, k, op)
	return &DeriveSharedSecretOutput{KeyId: k.ARN(), SharedSecret: secret,
		KeyAgreementAlgorithm: *in.KeyAgreementAlgorithm, KeyOrigin: string(k.Origin)}, nil
}
