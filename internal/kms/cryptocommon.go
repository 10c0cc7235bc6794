package kms

import (
	"bytes"
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

// encryptionAlgorithm is the value of an optional EncryptionAlgorithm
// member.
func encryptionAlgorithm(alg *string) string {
	if alg == nil {
		return keys.EncryptionAlgorithmSymmetricDefault
	}
	return *alg
}

// dataKeyAccess is the access of an operation that protects a data key
// (GenerateDataKey*, GenerateDataKeyPair*): it needs an encryption key whose
// spec offers SYMMETRIC_DEFAULT.
func dataKeyAccess(op string, ec map[string]string, grantTokens []string) access {
	return access{op: op, forms: anyKeyIdentifier, usage: keys.UsageEncryptDecrypt,
		encryptionContext: ec, grantTokens: grantTokens,
		check: func(k *keys.Key) error {
			if !k.SpecInfo().Offers(keys.UsageEncryptDecrypt, keys.EncryptionAlgorithmSymmetricDefault) {
				return kmserr.InvalidKeyUsage("%s key spec is %s which is not valid for %s.", k.ARN(), k.Spec, op)
			}
			return nil
		}}
}

// encryptionAccess is the access of an operation that encrypts or decrypts
// with alg (nil meaning SYMMETRIC_DEFAULT, the model's default).
func encryptionAccess(op string, alg *string, ec map[string]string, grantTokens []string) access {
	return access{op: op, forms: anyKeyIdentifier, usage: keys.UsageEncryptDecrypt,
		algorithm: encryptionAlgorithm(alg), encryptionContext: ec, grantTokens: grantTokens}
}

// sealedWith is what an encryption under a key's current material produced.
type sealedWith struct {
	blob []byte
	// materialID is the KeyMaterialId of symmetric material; empty for
	// RSA, whose responses carry none.
	materialID string
}

// encrypt encrypts plaintext under k's current material with alg, which
// checkEncryptionKey has accepted: a Trent blob for SYMMETRIC_DEFAULT
// (binding ec), the raw output of the public-key scheme otherwise.
func (s *Service) encrypt(tx store.Tx, k *keys.Key, alg string, plaintext []byte, ec map[string]string) (sealedWith, error) {
	if alg == keys.EncryptionAlgorithmSymmetricDefault {
		return s.encryptSymmetric(tx, k, plaintext, ec)
	}
	if err := checkPlaintext(k, alg, plaintext, ec); err != nil {
		return sealedWith{}, err
	}
	blob, err := s.encryptAsymmetric(tx, k, alg, plaintext)
	if err != nil {
		return sealedWith{}, err
	}
	return sealedWith{blob: blob}, nil
}

// checkPlaintext applies the rules of an encryption under k with alg that
// depend on the plaintext and the context: none for SYMMETRIC_DEFAULT; for
// RSAES-OAEP and SM2PKE, AWS's size limit and no encryption context. A DryRun makes
// these checks too, as AWS's does ("Testing your permissions": a dry run
// with wrong parameters fails with ValidationException).
func checkPlaintext(k *keys.Key, alg string, plaintext []byte, ec map[string]string) error {
	if alg == keys.EncryptionAlgorithmSymmetricDefault {
		return nil
	}
	if len(ec) > 0 {
		// (unverified) AWS documents the encryption context as
		// supported only with symmetric encryption keys; an RSA
		// ciphertext has nowhere to bind it, so it is refused rather
		// than silently dropped.
		return kmserr.Validation("EncryptionContext is not supported with algorithm %s.", alg)
	}
	if limit := k.SpecInfo().MaxPlaintext(alg); len(plaintext) > limit {
		return kmserr.Validation("Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", alg, k.Spec, limit)
	}
	return nil
}

// encryptSymmetric encrypts plaintext under k's current symmetric material.
func (s *Service) encryptSymmetric(tx store.Tx, k *keys.Key, plaintext []byte, ec map[string]string) (sealedWith, error) {
	sym, materialID, err := currentMaterial[*cipher.SymmetricKey](s, tx, k)
	if err != nil {
		return sealedWith{}, err
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

// ciphertext is a Decrypt or ReEncrypt source: the blob, and its header
// when it is a symmetric blob (raw is set for RSA ciphertexts, which have
// none).
type ciphertext struct {
	blob   []byte
	header cipher.Header
	raw    bool
}

// decrypt decrypts c under k with alg, which checkEncryptionKey has
// accepted. Every failure to open is InvalidCiphertext.
func (s *Service) decrypt(tx store.Tx, k *keys.Key, alg string, c ciphertext, ec map[string]string) ([]byte, string, error) {
	if !c.raw {
		return s.decryptBlob(tx, k, c.header, c.blob, ec)
	}
	if len(ec) > 0 {
		return nil, "", kmserr.Validation("EncryptionContext is not supported with algorithm %s.", alg)
	}
	plaintext, err := s.decryptAsymmetric(tx, k, alg, c.blob)
	if err != nil {
		return nil, "", err
	}
	defer plaintext.Wipe()
	// The plaintext leaves as a response member; the caller clears it.
	return bytes.Clone(plaintext.Reveal()), "", nil
}

// decryptBlob decrypts a symmetric blob under k, whose ID the caller has
// matched with the blob's header. Every failure is InvalidCiphertext.
func (s *Service) decryptBlob(tx store.Tx, k *keys.Key, h cipher.Header, blob []byte, ec map[string]string) ([]byte, string, error) {
	if h.MaterialVersion == 0 || h.MaterialVersion > k.MaterialCount {
		return nil, "", kmserr.InvalidCiphertext()
	}
	key, materialID, err := s.keyMaterial(tx, k, h.MaterialVersion)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", kmserr.InvalidCiphertext()
	} else if err != nil {
		return nil, "", storeErr(err)
	}
	sym, ok := key.(*cipher.SymmetricKey)
	if !ok {
		// The key's usage passed as symmetric encryption, so its
		// material must be symmetric.
		return nil, "", kmserr.Internal(fmt.Errorf("material of %s is %s, not symmetric", k.ARN(), key.Kind()))
	}
	plaintext, err := sym.Decrypt(blob, ec)
	if err != nil {
		return nil, "", kmserr.InvalidCiphertext()
	}
	return plaintext, materialID, nil
}

// rawCiphertexts reports whether k's ciphertexts are the raw output of a
// public-key scheme, with no header naming the key: an RSA or SM2
// encryption key.
func rawCiphertexts(k *keys.Key) bool {
	return k.Usage == keys.UsageEncryptDecrypt &&
		!k.SpecInfo().Offers(keys.UsageEncryptDecrypt, keys.EncryptionAlgorithmSymmetricDefault)
}

// ciphertextKey finds the key that made a ciphertext, for Decrypt and
// ReEncrypt, and admits the caller to it through the gate (a). With keyID
// given (any identifier form) that key is used: an RSA key takes the blob
// as raw OAEP output; for any other key the blob's header must name the
// same key (IncorrectKeyException otherwise, checked after authorisation
// and before the key usage, as AWS does, so an HMAC key named against a
// symmetric blob gets IncorrectKeyException). Without keyID the blob's
// header names the key, looked up in the caller's account and Region; an
// RSA ciphertext has no header, so it is an invalid ciphertext.
func (s *Service) ciphertextKey(ctx context.Context, tx store.Tx, info *request.Info, blob []byte, keyID *string, a access) (*keys.Key, ciphertext, error) {
	k, c, err := s.findCiphertextKey(ctx, tx, info, blob, keyID, &a)
	if err != nil {
		return nil, c, err
	}
	return k, c, a.checkKey(k)
}

// findCiphertextKey is ciphertextKey up to the type and state rules.
func (s *Service) findCiphertextKey(ctx context.Context, tx store.Tx, info *request.Info, blob []byte, keyID *string, a *access) (*keys.Key, ciphertext, error) {
	c := ciphertext{blob: blob}
	if keyID != nil {
		k, err := s.resolveKey(ctx, tx, info, *keyID, a.forms)
		if err != nil {
			return nil, c, err
		}
		a.requestAlias = requestAlias(*keyID)
		if err := s.authorize(ctx, tx, info, k, a); err != nil {
			return nil, c, err
		}
		if rawCiphertexts(k) {
			c.raw = true
			return k, c, nil
		}
		if c.header, err = cipher.ParseHeader(blob); err != nil {
			// Not a symmetric blob: a key that does not encrypt is
			// refused for its usage, as every Decrypt with it is; an
			// encryption key, for the ciphertext.
			if err := checkUsage(k, keys.UsageEncryptDecrypt, a.op); err != nil {
				return nil, c, err
			}
			return nil, c, kmserr.InvalidCiphertext()
		}
		if k.ID != c.header.KeyID {
			return nil, c, kmserr.IncorrectKey()
		}
		return k, c, nil
	}
	h, err := cipher.ParseHeader(blob)
	if err != nil {
		return nil, c, kmserr.InvalidCiphertext()
	}
	c.header = h
	k, err := s.keyRecords.get(tx, layout.Key(info.Caller.Account, info.Region, h.KeyID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, c, kmserr.AccessDenied("The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.")
	} else if err != nil {
		return nil, c, kmserr.Internal(err)
	}
	audit.DetailsFrom(ctx).AddKey(k.ARN(), k.Account)
	if err := s.authorize(ctx, tx, info, k, a); err != nil {
		return nil, c, err
	}
	return k, c, nil
}

// noteUse records a successful cryptographic use for GetKeyLastUsage.
func (s *Service) noteUse(ctx context.Context, info *request.Info, k *keys.Key, op string) {
	s.usage.note(k, op, s.clock.Now(), info.ID, audit.DetailsFrom(ctx).EventID)
}

// dryRun reports whether the request asked for a dry run.
func dryRun(b *bool) bool { return isTrue(b) }

// isTrue reports whether an optional boolean member is set and true.
func isTrue(b *bool) bool { return b != nil && *b }

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
