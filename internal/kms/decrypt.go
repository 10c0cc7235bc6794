package kms

import (
	"context"
	"slices"
	"strconv"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/store"
)

// RecipientInfo is the Nitro Enclaves recipient of a result (refused).
type RecipientInfo struct {
	KeyEncryptionAlgorithm *string `json:"KeyEncryptionAlgorithm,omitempty"`
	AttestationDocument    []byte  `json:"AttestationDocument,omitempty"`
}

// DecryptInput is the Decrypt request.
type DecryptInput struct {
	CiphertextBlob      []byte            `json:"CiphertextBlob,omitempty"`
	EncryptionContext   map[string]string `json:"EncryptionContext,omitempty"`
	GrantTokens         []string          `json:"GrantTokens,omitempty"`
	KeyId               *string           `json:"KeyId,omitempty"`
	EncryptionAlgorithm *string           `json:"EncryptionAlgorithm,omitempty"`
	Recipient           *RecipientInfo    `json:"Recipient,omitempty"`
	DryRun              *bool             `json:"DryRun,omitempty"`
	DryRunModifiers     []string          `json:"DryRunModifiers,omitempty"`
}

// DecryptOutput is the Decrypt response.
type DecryptOutput struct {
	KeyId               string `json:"KeyId"`
	Plaintext           []byte `json:"Plaintext" audit:"-"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
	KeyMaterialId       string `json:"KeyMaterialId,omitempty"`
}

const ignoreCiphertext = "IGNORE_CIPHERTEXT"

// validateCiphertextMembers checks the members Decrypt and ReEncrypt share:
// the ciphertext, the key that made it (keyPath names the member) and the
// dry-run modifiers. It reports whether the ciphertext is left out (DryRun
// with IGNORE_CIPHERTEXT), in which case the key identifier is required.
func validateCiphertextMembers(v *validator, blob []byte, keyPath string, keyID *string, dry *bool, modifiers []string) bool {
	for i := range modifiers {
		v.enum("dryRunModifiers."+strconv.Itoa(i+1)+".member", &modifiers[i], dryRunModifierValues)
	}
	ignore := dryRun(dry) && slices.Contains(modifiers, ignoreCiphertext)
	if ignore {
		v.keyID(keyPath, keyID, true)
	} else {
		v.required("ciphertextBlob", blob != nil)
		v.keyID(keyPath, keyID, false)
	}
	v.blob("ciphertextBlob", blob, blob != nil, 1, maxCiphertextLength)
	return ignore
}

// Decrypt decrypts a ciphertext made by Encrypt or GenerateDataKey*. A
// symmetric blob names its key and material version, so KeyId is optional;
// when given it must name the same key. An RSA ciphertext names nothing:
// KeyId and EncryptionAlgorithm are required, as in AWS.
func (s *Service) Decrypt(ctx context.Context, in *DecryptInput) (*DecryptOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	ignore := validateCiphertextMembers(&v, in.CiphertextBlob, "keyId", in.KeyId, in.DryRun, in.DryRunModifiers)
	validateEncryptionContext(&v, "encryptionContext", in.EncryptionContext)
	v.grantTokens(in.GrantTokens)
	validateAlgorithm(&v, "encryptionAlgorithm", in.EncryptionAlgorithm)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := refuseRecipient(in.Recipient != nil); err != nil {
		return nil, err
	}
	const op = keys.OpDecrypt
	if ignore {
		return nil, s.dryRunKeyCheck(ctx, *in.KeyId, encryptionAccess(op, in.EncryptionAlgorithm, in.EncryptionContext, in.GrantTokens))
	}
	alg := encryptionAlgorithm(in.EncryptionAlgorithm)
	var k *keys.Key
	var plaintext []byte
	var materialID string
	err = s.viewResolving(ctx, info, func(tx store.Tx) error {
		var c ciphertext
		a := encryptionAccess(op, in.EncryptionAlgorithm, in.EncryptionContext, in.GrantTokens)
		if k, c, err = s.ciphertextKey(ctx, tx, info, in.CiphertextBlob, in.KeyId, a); err != nil {
			return err
		}
		if plaintext, materialID, err = s.decrypt(tx, k, alg, c, in.EncryptionContext); err != nil {
			return err
		}
		// DryRun answers after every check, decryption included (it
		// proves the ciphertext would decrypt), and within the
		// transaction, so that it commits nothing.
		if dryRun(in.DryRun) {
			clear(plaintext)
			return kmserr.DryRun()
		}
		if materialID != "" {
			audit.DetailsFrom(ctx).SetAdditional("keyMaterialId", materialID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.noteUse(ctx, info, k, op)
	return &DecryptOutput{KeyId: k.ARN(), Plaintext: plaintext, EncryptionAlgorithm: alg, KeyMaterialId: materialID}, nil
}

// dryRunKeyCheck runs the key checks of a dry run that ignores the
// ciphertext, and returns DryRunOperationException if they all pass.
func (s *Service) dryRunKeyCheck(ctx context.Context, keyID string, a access) error {
	info, err := requestInfo(ctx)
	if err != nil {
		return err
	}
	err = s.viewResolving(ctx, info, func(tx store.Tx) error {
		_, err := s.openKey(ctx, tx, info, keyID, a)
		return err
	})
	if err != nil {
		return err
	}
	return kmserr.DryRun()
}
