package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/store"
)

// EncryptInput is the Encrypt request.
type EncryptInput struct {
	KeyId               *string           `json:"KeyId,omitempty"`
	Plaintext           []byte            `json:"Plaintext,omitempty" audit:"-"`
	EncryptionContext   map[string]string `json:"EncryptionContext,omitempty"`
	GrantTokens         []string          `json:"GrantTokens,omitempty"`
	EncryptionAlgorithm *string           `json:"EncryptionAlgorithm,omitempty"`
	DryRun              *bool             `json:"DryRun,omitempty"`
}

// EncryptOutput is the Encrypt response.
type EncryptOutput struct {
	CiphertextBlob      []byte `json:"CiphertextBlob"`
	KeyId               string `json:"KeyId"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
}

// Encrypt encrypts up to 4096 bytes under a symmetric key's current
// material, binding the encryption context as authenticated data, or a
// short plaintext under an RSA key with RSAES-OAEP.
func (s *Service) Encrypt(ctx context.Context, in *EncryptInput) (*EncryptOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	if v.required("plaintext", in.Plaintext != nil) {
		v.blob("plaintext", in.Plaintext, true, 1, maxPlaintextLength)
	}
	validateEncryptionContext(&v, "encryptionContext", in.EncryptionContext)
	v.grantTokens(in.GrantTokens)
	validateAlgorithm(&v, "encryptionAlgorithm", in.EncryptionAlgorithm)
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpEncrypt
	alg := encryptionAlgorithm(in.EncryptionAlgorithm)
	var k *keys.Key
	var out sealedWith
	err = s.viewResolving(ctx, info, func(tx store.Tx) error {
		if k, err = s.openKey(ctx, tx, info, *in.KeyId, encryptionAccess(op, in.EncryptionAlgorithm, in.EncryptionContext, in.GrantTokens)); err != nil {
			return err
		}
		if err := checkPlaintext(k, alg, in.Plaintext, in.EncryptionContext); err != nil {
			return err
		}
		if dryRun(in.DryRun) {
			return kmserr.DryRun()
		}
		if out, err = s.encrypt(tx, k, alg, in.Plaintext, in.EncryptionContext); err != nil {
			return err
		}
		if out.materialID != "" {
			audit.DetailsFrom(ctx).SetAdditional("keyMaterialId", out.materialID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.noteUse(ctx, info, k, op)
	return &EncryptOutput{CiphertextBlob: out.blob, KeyId: k.ARN(), EncryptionAlgorithm: alg}, nil
}
