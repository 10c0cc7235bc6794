package cipher

import (
	"crypto"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/secret"
)

// Unwrapping of key material imported into a KMS key (ImportKeyMaterial).
// GetParametersForImport hands out the public half of an RSA wrapping key;
// the user encrypts the material to it with one of AWS KMS's wrapping
// algorithms, and UnwrapImportedMaterial opens the result with the private
// half. Checking that the material suits the key (its length, its kind) is
// the caller's job, once unwrapped.

// ErrUnsupportedWrapping is wrapped by UnwrapImportedMaterial's error for a
// wrapping algorithm it does not implement: RSAES_PKCS1_V1_5 (refused by
// AWS KMS since 2023), SM2PKE (China Regions) or any unknown name.
var ErrUnsupportedWrapping = errors.New("cipher: unsupported wrapping algorithm")

// importWrapping is how one AWS wrapping algorithm encrypts material.
type importWrapping struct {
	// hash is the RSA-OAEP hash, MGF1 included; the label is empty.
	hash crypto.Hash
	// kwp: an ephemeral AES-256 key wraps the material with RFC 5649 and
	// the RSA-OAEP ciphertext carries that key, not the material.
	kwp bool
}

// importWrappings are AWS KMS's WrappingAlgorithm values Trent accepts.
var importWrappings = map[string]importWrapping{
	"RSAES_OAEP_SHA_1":         {hash: crypto.SHA1},
	"RSAES_OAEP_SHA_256":       {hash: crypto.SHA256},
	"RSA_AES_KEY_WRAP_SHA_1":   {hash: crypto.SHA1, kwp: true},
	"RSA_AES_KEY_WRAP_SHA_256": {hash: crypto.SHA256, kwp: true},
}

// importKWPKeySize is the size of the ephemeral AES key of the
// RSA_AES_KEY_WRAP algorithms: AWS's documentation asks for a 256-bit key
// (OpenSSL's id-aes256-wrap-pad); other sizes are refused.
const importKWPKeySize = 32

// UnwrapImportedMaterial opens key material wrapped to key's public half
// with algorithm, an AWS KMS WrappingAlgorithm name:
//
//   - RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256: wrapped is the material,
//     RSA-OAEP encrypted (MGF1 over the same hash, empty label).
//   - RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256: wrapped is a 256-bit
//     AES key, RSA-OAEP encrypted as above (as long as key's modulus),
//     followed by the material wrapped under that AES key with AES Key
//     Wrap with Padding (RFC 5649).
//
// An unknown algorithm is an error wrapping ErrUnsupportedWrapping. Every
// failure to unwrap is ErrUnwrap and nothing more: whether the RSA or the
// AES layer failed is not told, in the error or (as far as the work done
// can hide it) in the time taken. The material returned is a fresh copy
// the caller may wipe.
func UnwrapImportedMaterial(key *RSAKey, algorithm string, wrapped []byte) (*secret.Bytes, error) {
	w, ok := importWrappings[algorithm]
	if !ok {
		// The name is not secret; %q keeps odd bytes out of logs.
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedWrapping, algorithm)
	}
	if key == nil {
		return nil, errors.New("cipher: no wrapping key")
	}
	if !w.kwp {
		material, err := key.DecryptOAEP(w.hash, wrapped)
		if err != nil {
			return nil, ErrUnwrap
		}
		return material, nil
	}
	return unwrapRSAAESKeyWrap(key, w.hash, wrapped)
}

// unwrapRSAAESKeyWrap opens an RSA_AES_KEY_WRAP blob. The lengths checked
// first are public (the modulus size, the blob's length). After that, when
// the RSA layer fails or yields a key of the wrong size, the AES layer is
// unwrapped all the same under a fixed dummy key and its result thrown
// away, so a failure of either layer costs the same work and ends in the
// same branch. (The dummy key need not be secret: nothing unwrapped under
// it is ever returned.)
func unwrapRSAAESKeyWrap(key *RSAKey, hash crypto.Hash, wrapped []byte) (*secret.Bytes, error) {
	k := key.priv.Size()
	// The RSA ciphertext, then at least the two blocks of a wrap.
	if len(wrapped) < k+16 {
		return nil, ErrUnwrap
	}
	aesKey, oaepErr := key.DecryptOAEP(hash, wrapped[:k])
	defer aesKey.Wipe() // nil-safe
	var dummy [importKWPKeySize]byte
	kek := dummy[:]
	keyOK := oaepErr == nil && aesKey.Len() == importKWPKeySize
	if keyOK {
		kek = aesKey.Reveal()
	}
	material, kwpErr := KeyUnwrapPad(kek, wrapped[k:])
	if !keyOK || kwpErr != nil {
		material.Wipe() // nil-safe; non-nil only under the dummy key
		return nil, ErrUnwrap
	}
	return material, nil
}
