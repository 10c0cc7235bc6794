package cipher

import (
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"

	"github.com/trent-kms/trent/internal/secret"
)

// errRSAOAEPHash is returned by EncryptOAEP for a hash other than AWS's two
// (RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256).
var errRSAOAEPHash = errors.New("cipher: RSAES-OAEP takes SHA-1 or SHA-256 only")

// rsaOAEPHashOK reports whether hash is one of AWS's OAEP hashes. SHA-1
// is weak for signatures, but OAEP needs no collision resistance and
// AWS offers it.
func rsaOAEPHashOK(hash crypto.Hash) bool {
	return hash == crypto.SHA1 || hash == crypto.SHA256
}

// EncryptOAEP implements OAEPKey: RSAES-OAEP (RFC 8017 §7.1) with MGF1
// over hash and an empty label. A plaintext longer than the key's size
// minus 2·hLen+2 bytes is an error wrapping rsa.ErrMessageTooLong; these
// are exactly AWS's limits (214/190 bytes for RSA_2048 with SHA-1/SHA-256,
// 342/318 for RSA_3072, 470/446 for RSA_4096), which the service checks
// first with AWS's message.
func (k *RSAKey) EncryptOAEP(rand io.Reader, hash crypto.Hash, plaintext []byte) ([]byte, error) {
	if !rsaOAEPHashOK(hash) {
		return nil, errRSAOAEPHash
	}
	ct, err := rsa.EncryptOAEP(hash.New(), orDefault(rand), &k.priv.PublicKey, plaintext, nil)
	if err != nil {
		return nil, fmt.Errorf("cipher: %s OAEP encryption: %w", k.kind, err)
	}
	return ct, nil
}

// DecryptOAEP implements OAEPKey. Every failure, a wrong hash included, is
// ErrDecrypt and nothing more specific: telling a bad length from a bad
// padding would give an attacker a Manger-style oracle.
func (k *RSAKey) DecryptOAEP(hash crypto.Hash, ciphertext []byte) (*secret.Bytes, error) {
	// RFC 8017 §7.1.2 step 1: exactly k octets. crypto/rsa also takes a
	// shorter ciphertext (the same integer without leading zero octets).
	if !rsaOAEPHashOK(hash) || len(ciphertext) != k.priv.Size() {
		return nil, ErrDecrypt
	}
	pt, err := rsa.DecryptOAEP(hash.New(), nil, k.priv, ciphertext, nil)
	if err != nil {
		return nil, ErrDecrypt
	}
	return secret.New(pt), nil
}
