package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/store"
)

// ReEncryptInput is the ReEncrypt request.
type ReEncryptInput struct {
	CiphertextBlob                 []byte            `json:"CiphertextBlob,omitempty"`
	SourceEncryptionContext        map[string]string `json:"SourceEncryptionContext,omitempty"`
	SourceKeyId                    *string           `json:"SourceKeyId,omitempty"`
	DestinationKeyId               *string           `json:"DestinationKeyId,omitempty"`
	DestinationEncryptionContext   map[string]string `json:"DestinationEncryptionContext,omitempty"`
	SourceEncryptionAlgorithm      *string           `json:"SourceEncryptionAlgorithm,omitempty"`
	DestinationEncryptionAlgorithm *string           `json:"DestinationEncryptionAlgorithm,omitempty"`
	GrantTokens                    []string          `json:"GrantTokens,omitempty"`
	DryRun                         *bool             `json:"DryRun,omitempty"`
	DryRunModifiers                []string          `json:"DryRunModifiers,omitempty"`
}

// ReEncryptOutput is the ReEncrypt response.
type ReEncryptOutput struct {
	CiphertextBlob                 []byte `json:"CiphertextBlob"`
	SourceKeyId                    string `json:"SourceKeyId"`
	KeyId                          string `json:"KeyId"`
	SourceEncryptionAlgorithm      string `json:"SourceEncryptionAlgorithm"`
	DestinationEncryptionAlgorithm string `json:"DestinationEncryptionAlgorithm"`
	SourceKeyMaterialId            string `json:"SourceKeyMaterialId,omitempty"`
	DestinationKeyMaterialId       string `json:"DestinationKeyMaterialId,omitempty"`
}

// ReEncrypt decrypts a ciphertext and encrypts the plaintext again under a
// destination key (possibly the same key, e.g. to change the encryption
// context), without the plaintext leaving the server. The source side needs
// kms:ReEncryptFrom and the destination kms:ReEncryptTo.
func (s *Service) ReEncrypt(ctx context.Context, in *ReEncryptInput) (*ReEncryptOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	ignore := validateCiphertextMembers(&v, in.CiphertextBlob, "sourceKeyId", in.SourceKeyId, in.DryRun, in.DryRunModifiers)
	validateEncryptionContext(&v, "sourceEncryptionContext", in.SourceEncryptionContext)
	v.keyID("destinationKeyId", in.DestinationKeyId, true)
	validateEncryptionContext(&v, "destinationEncryptionContext", in.DestinationEncryptionContext)
	validateAlgorithm(&v, "sourceEncryptionAlgorithm", in.SourceEncryptionAlgorithm)
	validateAlgorithm(&v, "destinationEncryptionAlgorithm", in.DestinationEncryptionAlgorithm)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpReEncrypt
	srcAlg := encryptionAlgorithm(in.SourceEncryptionAlgorithm)
	dstAlg := encryptionAlgorithm(in.DestinationEncryptionAlgorithm)
	var src, dst *keys.Key
	var plaintext []byte
	var srcMaterial string
	var out sealedWith
	err = s.viewResolving(ctx, info, func(tx store.Tx) error {
		// Source checks first, then destination checks, as AWS does.
		var c ciphertext
		from := encryptionAccess(op, in.SourceEncryptionAlgorithm, in.SourceEncryptionContext, in.GrantTokens)
		from.action = actionReEncryptFrom
		if ignore {
			src, err = s.openKey(ctx, tx, info, *in.SourceKeyId, from)
		} else {
			src, c, err = s.ciphertextKey(ctx, tx, info, in.CiphertextBlob, in.SourceKeyId, from)
		}
		if err != nil {
			return err
		}
		if !ignore {
			if plaintext, srcMaterial, err = s.decrypt(tx, src, srcAlg, c, in.SourceEncryptionContext); err != nil {
				return err
			}
		}
		to := encryptionAccess(op, in.DestinationEncryptionAlgorithm, in.DestinationEncryptionContext, in.GrantTokens)
		to.action = actionReEncryptTo
		if dst, err = s.openKey(ctx, tx, info, *in.DestinationKeyId, to); err != nil {
			return err
		}
		// Without the ciphertext (IGNORE_CIPHERTEXT) the plaintext is
		// unknown and only the context rule applies.
		if err := checkPlaintext(dst, dstAlg, plaintext, in.DestinationEncryptionContext); err != nil {
			return err
		}
		if dryRun(in.DryRun) {
			return kmserr.DryRun()
		}
		if out, err = s.encrypt(tx, dst, dstAlg, plaintext, in.DestinationEncryptionContext); err != nil {
			return err
		}
		d := audit.DetailsFrom(ctx)
		if srcMaterial != "" {
			d.SetAdditional("sourceKeyMaterialId", srcMaterial)
		}
		if out.materialID != "" {
			d.SetAdditional("destinationKeyMaterialId", out.materialID)
		}
		return nil
	})
	clear(plaintext)
	if err != nil {
		return nil, err
	}
	s.noteUse(ctx, info, src, op)
	s.noteUse(ctx, info, dst, op)
	return &ReEncryptOutput{
		CiphertextBlob: out.blob, SourceKeyId: src.ARN(), KeyId: dst.ARN(),
		SourceEncryptionAlgorithm:      srcAlg,
		DestinationEncryptionAlgorithm: dstAlg,
		SourceKeyMaterialId:            srcMaterial, DestinationKeyMaterialId: out.materialID,
	}, nil
}
