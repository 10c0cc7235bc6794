package kms

import (
	"context"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// maxEncryptionContextBytes caps the encryption context: the model sets no
// limit, so Trent chooses one (the sum of key and value lengths in bytes),
// large enough for any real use and small enough to keep blobs and audit
// records bounded.
const maxEncryptionContextBytes = 8192

// validateEncryptionContext checks an encryption context member.
func validateEncryptionContext(v *validator, path string, ec map[string]string) {
	size := 0
	for k, val := range ec {
		size += len(k) + len(val)
	}
	if size > maxEncryptionContextBytes {
		v.addValue("Value", path, fmt.Sprintf("Member must have a total size of keys and values less than or equal to %d bytes", maxEncryptionContextBytes))
	}
}

// validateAlgorithm checks an EncryptionAlgorithm member.
func validateAlgorithm(v *validator, path string, alg *string) {
	v.enum(path, alg, encryptionAlgorithmValues)
}

// checkEncryptionKey checks that k can encrypt or decrypt symmetrically with
// alg (nil meaning SYMMETRIC_DEFAULT) for operation op.
func checkEncryptionKey(k *keys.Key, alg *string, op string) error {
	if err := checkEncryptDecryptUsage(k, op); err != nil {
		return err
	}
	if alg != nil && *alg != keys.EncryptionAlgorithmSymmetricDefault {
		return kmserr.InvalidKeyUsage("Algorithm %s is incompatible with key spec %s.", *alg, k.Spec)
	}
	return nil
}

// checkEncryptDecryptUsage refuses a key whose usage is not ENCRYPT_DECRYPT,
// with AWS's recorded message.
func checkEncryptDecryptUsage(k *keys.Key, op string) error {
	if k.Usage != keys.UsageEncryptDecrypt {
		return kmserr.InvalidKeyUsage("%s key usage is %s which is not valid for %s.", k.ARN(), k.Usage, op)
	}
	return nil
}

// checkSymmetricKey checks that k is a symmetric encryption key, for the
// data key operations.
func checkSymmetricKey(k *keys.Key, op string) error {
	if err := checkEncryptDecryptUsage(k, op); err != nil {
		return err
	}
	if !k.Symmetric() {
		return kmserr.InvalidKeyUsage("%s key spec is %s which is not valid for %s.", k.ARN(), k.Spec, op)
	}
	return nil
}

// sealedWith is what an encryption under a key's current material produced.
type sealedWith struct {
	blob       []byte
	materialID string
}

// encryptCurrent encrypts plaintext under k's current material.
func (s *Service) encryptCurrent(tx store.Tx, k *keys.Key, plaintext []byte, ec map[string]string) (sealedWith, error) {
	if k.CurrentMaterial == 0 {
		// A key without material is in PendingImport and the state table
		// refuses it first; this guards the invariant all the same.
		return sealedWith{}, kmserr.InvalidState("%s is pending import.", k.ARN())
	}
	sym, materialID, err := s.symmetricKey(tx, k, k.CurrentMaterial)
	if err != nil {
		return sealedWith{}, storeErr(err)
	}
	blob, err := sym.Encrypt(cipher.Header{KeyID: k.ID, MaterialVersion: k.CurrentMaterial}, plaintext, ec, s.rand)
	if errors.Is(err, cipher.ErrInvalidEncryptionContext) {
		return sealedWith{}, kmserr.Validation("The encryption context must be valid UTF-8.")
	}
	if err != nil {
		return sealedWith{}, kmserr.Internal(err)
	}
	return sealedWith{blob: blob, materialID: materialID}, nil
}

// decryptBlob decrypts a symmetric blob under k, whose ID the caller has
// matched with the blob's header. Every failure is InvalidCiphertext.
func (s *Service) decryptBlob(tx store.Tx, k *keys.Key, h cipher.Header, blob []byte, ec map[string]string) ([]byte, string, error) {
	if h.MaterialVersion == 0 || h.MaterialVersion > k.MaterialCount {
		return nil, "", kmserr.InvalidCiphertext()
	}
	sym, materialID, err := s.symmetricKey(tx, k, h.MaterialVersion)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", kmserr.InvalidCiphertext()
	} else if err != nil {
		return nil, "", storeErr(err)
	}
	plaintext, err := sym.Decrypt(blob, ec)
	if err != nil {
		return nil, "", kmserr.InvalidCiphertext()
	}
	return plaintext, materialID, nil
}

// ciphertextKey finds the key that made a ciphertext, for Decrypt and
// ReEncrypt. With keyID given (any identifier form) it must name the same
// key as the blob (IncorrectKeyException otherwise, checked before the key
// usage, as AWS does); without it the blob's key ID is looked up in the
// caller's account and Region.
func ciphertextKey(ctx context.Context, tx store.Tx, info *request.Info, h cipher.Header, keyID *string, op string) (*keys.Key, error) {
	if keyID != nil {
		k, err := resolveKey(ctx, tx, info, *keyID, anyKeyIdentifier, op)
		if err != nil {
			return nil, err
		}
		if k.ID != h.KeyID {
			return nil, kmserr.IncorrectKey()
		}
		return k, nil
	}
	k, err := getRecord[*keys.Key](tx, layout.Key(info.Caller.Account, info.Region, h.KeyID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, kmserr.AccessDenied("The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.")
	} else if err != nil {
		return nil, kmserr.Internal(err)
	}
	audit.DetailsFrom(ctx).AddKey(k.ARN(), k.Account)
	return k, nil
}

// noteUse records a successful cryptographic use for GetKeyLastUsage.
func (s *Service) noteUse(ctx context.Context, info *request.Info, k *keys.Key, op string) {
	s.usage.note(k, op, s.clock.Now(), info.ID, audit.DetailsFrom(ctx).EventID)
}

// dryRun reports whether the request asked for a dry run.
func dryRun(b *bool) bool { return b != nil && *b }

// refuseRecipient: a Recipient asks KMS to encrypt the result to a Nitro
// Enclave's public key after checking the enclave's attestation document
// against the AWS Nitro root certificate. Trent cannot verify AWS
// attestation, and returning secrets to an unverified recipient would defeat
// the feature, so such requests are refused.
func refuseRecipient(present bool) error {
	if !present {
		return nil
	}
	return kmserr.Validation("Recipient (AWS Nitro Enclaves attestation) is not supported by this server.")
}
