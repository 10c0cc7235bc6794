package kms

import (
	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/secret"
	"github.com/trent-kms/trent/internal/store"
)

// Public-key encryption: RSAES-OAEP (RSA keys) and SM2PKE (SM2 keys, China
// Regions). The ciphertext is the scheme's own output, with no Trent
// header, as in AWS.

// encryptAsymmetric encrypts plaintext under k's public key with alg, which
// checkEncryptionKey and checkPlaintext have accepted.
func (s *Service) encryptAsymmetric(tx store.Tx, k *keys.Key, alg string, plaintext []byte) ([]byte, error) {
	var ct []byte
	var err error
	if alg == keys.EncryptionAlgorithmSM2PKE {
		key, _, merr := currentMaterial[cipher.SM2PKEKey](s, tx, k)
		if merr != nil {
			return nil, merr
		}
		ct, err = key.EncryptSM2(s.rand, plaintext)
	} else {
		key, _, merr := currentMaterial[cipher.OAEPKey](s, tx, k)
		if merr != nil {
			return nil, merr
		}
		ct, err = key.EncryptOAEP(s.rand, keys.OAEPHash(alg), plaintext)
	}
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	return ct, nil
}

// decryptAsymmetric decrypts a public-key ciphertext under k with alg.
// Every failure to open is InvalidCiphertext.
func (s *Service) decryptAsymmetric(tx store.Tx, k *keys.Key, alg string, ct []byte) (*secret.Bytes, error) {
	var plaintext *secret.Bytes
	var err error
	if alg == keys.EncryptionAlgorithmSM2PKE {
		key, _, merr := currentMaterial[cipher.SM2PKEKey](s, tx, k)
		if merr != nil {
			return nil, merr
		}
		plaintext, err = key.DecryptSM2(ct)
	} else {
		key, _, merr := currentMaterial[cipher.OAEPKey](s, tx, k)
		if merr != nil {
			return nil, merr
		}
		plaintext, err = key.DecryptOAEP(keys.OAEPHash(alg), ct)
	}
	if err != nil {
		return nil, kmserr.InvalidCiphertext()
	}
	return plaintext, nil
}
