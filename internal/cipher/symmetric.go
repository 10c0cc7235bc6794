package cipher

import (
	"crypto/aes"
	gocipher "crypto/cipher"
	"crypto/hmac"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/trent-kms/trent/internal/secret"
)

// SymmetricKeySize is the length of SYMMETRIC_DEFAULT key material: 256 bits,
// like AWS KMS's HSM backing keys.
const SymmetricKeySize = 32

// ErrDecrypt is the one error Decrypt returns for a blob it cannot open,
// whatever the reason: a malformed or truncated blob, any changed byte, a
// different encryption context or different key material. One uniform error
// gives an attacker no oracle; the service reports it as
// InvalidCiphertextException.
var ErrDecrypt = errors.New("cipher: ciphertext cannot be decrypted")

// ErrInvalidKeyMaterial is returned for symmetric key material that is not
// exactly SymmetricKeySize bytes.
var ErrInvalidKeyMaterial = errors.New("cipher: symmetric key material must be 32 bytes")

// ErrPlaintextTooLarge is returned by Encrypt for a plaintext longer than GCM
// allows. The service's own limit (4096 bytes for Encrypt) is far lower; this
// only keeps crypto/cipher from panicking.
var ErrPlaintextTooLarge = errors.New("cipher: plaintext too large for AES-GCM")

// maxGCMPlaintext is the GCM limit on one plaintext, 2^39−256 bits
// (NIST SP 800-38D §5.2.1.1), in bytes.
const maxGCMPlaintext = 1<<36 - 32

// kdfLabel is the SP 800-108r1 Label of the per-message key derivation. It
// gives the key material one use; another use of the same material (there
// is none today) must pick another label.
const kdfLabel = "trent symmetric v1"

// SymmetricKey encrypts and decrypts version-1 blobs under one version of
// SYMMETRIC_DEFAULT key material. It is safe for concurrent use.
//
// It never encrypts with the material itself. Each message draws a random
// 128-bit salt and derives its own AES-256 key from the material and the
// salt, as AWS KMS derives a key from its HSM backing key and a nonce for
// every Encrypt. So the NIST SP 800-38D §8.3 bound of 2^32 random-nonce
// invocations per key applies to each derived key (used once), not to the
// material; a collision of derived keys needs a 128-bit salt collision, and
// a nonce reuse under one key needs salt and nonce (224 bits) to collide.
type SymmetricKey struct {
	Redacted
	material *secret.Bytes
}

func init() {
	register(KindAES256,
		func(rand io.Reader) (Key, error) {
			m, err := GenerateSymmetricMaterial(rand)
			if err != nil {
				return nil, err
			}
			return NewSymmetricKey(m)
		},
		func(material []byte) (Key, error) {
			return NewSymmetricKey(secret.New(append([]byte(nil), material...)))
		})
}

// Kind implements Key.
func (k *SymmetricKey) Kind() Kind { return KindAES256 }

// Material implements Key: the raw 32 bytes, a copy the caller may wipe.
func (k *SymmetricKey) Material() (*secret.Bytes, error) {
	return secret.New(append([]byte(nil), k.material.Reveal()...)), nil
}

// NewSymmetricKey returns a key that uses material, which must be exactly
// SymmetricKeySize bytes. The key keeps material without copying it (one
// copy of the secret in memory, not two); the caller must not change or wipe
// it while the key is in use.
func NewSymmetricKey(material *secret.Bytes) (*SymmetricKey, error) {
	if material.Len() != SymmetricKeySize {
		return nil, ErrInvalidKeyMaterial
	}
	return &SymmetricKey{material: material}, nil
}

// GenerateSymmetricMaterial returns new SYMMETRIC_DEFAULT key material read
// from rand (crypto/rand.Reader if rand is nil; tests pass a fixed reader).
func GenerateSymmetricMaterial(rand io.Reader) (*secret.Bytes, error) {
	b := make([]byte, SymmetricKeySize)
	if _, err := io.ReadFull(orDefault(rand), b); err != nil {
		clear(b)
		return nil, fmt.Errorf("cipher: generating key material: %w", err)
	}
	return secret.New(b), nil
}

// MaterialID returns a new random key material identifier: 64 lowercase hex
// characters, the shape of AWS's KeyMaterialId. It is an opaque name, not
// derived from the material, so it reveals nothing about it.
func MaterialID(rand io.Reader) (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(orDefault(rand), b[:]); err != nil {
		return "", fmt.Errorf("cipher: generating key material ID: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// Encrypt returns a version-1 blob of plaintext whose header records h. The
// encryption context ec is bound to the blob: Decrypt needs the same map
// (nil and empty are the same). rand supplies the salt and nonce
// (crypto/rand.Reader if nil; tests pass a fixed reader).
//
// It returns ErrInvalidKeyID if h.KeyID is not a key ID (an ARN or alias
// must be resolved first) and ErrInvalidEncryptionContext if ec is not valid
// UTF-8.
func (k *SymmetricKey) Encrypt(h Header, plaintext []byte, ec map[string]string, rand io.Reader) ([]byte, error) {
	ecBytes, err := EncodeEncryptionContext(ec)
	if err != nil {
		return nil, err
	}
	if uint64(len(plaintext)) > maxGCMPlaintext {
		return nil, ErrPlaintextTooLarge
	}
	// Write the header with a zero salt and nonce first, so that an invalid
	// key ID fails before any randomness is drawn, then fill them in place.
	blob, err := appendHeader(make([]byte, 0, BlobOverhead+len(plaintext)), h, make([]byte, saltLen+nonceLen))
	if err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(orDefault(rand), blob[offSalt:headerLen]); err != nil {
		return nil, fmt.Errorf("cipher: reading salt and nonce: %w", err)
	}
	aead, err := k.messageAEAD(blob[offSalt:offNonce])
	if err != nil {
		return nil, err
	}
	return aead.Seal(blob, blob[offNonce:headerLen], plaintext, associatedData(blob, ecBytes)), nil
}

// Decrypt opens a version-1 blob made by Encrypt under the same material
// with the same encryption context. It authenticates the whole header but
// does not compare it with anything: the service checks that the header
// names the key it looked up (IncorrectKeyException otherwise) before it
// calls Decrypt.
//
// It returns ErrInvalidEncryptionContext if ec cannot be encoded, and
// ErrDecrypt for every other failure.
func (k *SymmetricKey) Decrypt(blob []byte, ec map[string]string) ([]byte, error) {
	ecBytes, err := EncodeEncryptionContext(ec)
	if err != nil {
		return nil, err
	}
	if _, err := ParseHeader(blob); err != nil {
		return nil, ErrDecrypt
	}
	aead, err := k.messageAEAD(blob[offSalt:offNonce])
	if err != nil {
		return nil, ErrDecrypt
	}
	plaintext, err := aead.Open(nil, blob[offNonce:headerLen], blob[headerLen:], associatedData(blob, ecBytes))
	if err != nil {
		return nil, ErrDecrypt
	}
	return plaintext, nil
}

// associatedData is the GCM associated data of a blob: every header byte,
// then the encoded encryption context. The header's length is fixed, so the
// boundary between the two parts is unambiguous.
func associatedData(blob, ecBytes []byte) []byte {
	aad := make([]byte, 0, headerLen+len(ecBytes))
	aad = append(aad, blob[:headerLen]...)
	return append(aad, ecBytes...)
}

// messageAEAD returns AES-256-GCM under the key derived for salt.
func (k *SymmetricKey) messageAEAD(salt []byte) (gocipher.AEAD, error) {
	// Guards the zero SymmetricKey, which would otherwise run HMAC with an
	// empty key and "work".
	if k == nil || k.material.Len() != SymmetricKeySize {
		return nil, ErrInvalidKeyMaterial
	}
	key := deriveMessageKey(k.material.Reveal(), salt)
	defer clear(key[:])
	return aesGCM(key[:])
}

// aesGCM is the AEAD of every blob: AES-GCM with a 96-bit nonce and a
// 128-bit tag (the Wycheproof vectors check it).
func aesGCM(key []byte) (gocipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return gocipher.NewGCM(block)
}

// deriveMessageKey is the KDF in counter mode of NIST SP 800-108r1 §4.1 with
// HMAC-SHA256 as the PRF, producing L = 256 bits, which is one PRF block:
//
//	K = HMAC-SHA256(material, [1]_32 ‖ Label ‖ 0x00 ‖ Context ‖ [256]_32)
//
// with the counter i and L as 32-bit big-endian integers, Label = kdfLabel
// and Context = salt. The separator 0x00 and the fixed-length salt make the
// input unambiguous.
func deriveMessageKey(material, salt []byte) [32]byte {
	const (
		counter = 1
		lengthL = 256
	)
	mac := hmac.New(sha256.New, material)
	var buf [4]byte
	binary.BigEndian.PutUint32(buf[:], counter)
	mac.Write(buf[:])
	mac.Write([]byte(kdfLabel))
	mac.Write([]byte{0x00})
	mac.Write(salt)
	binary.BigEndian.PutUint32(buf[:], lengthL)
	mac.Write(buf[:])
	var key [32]byte
	mac.Sum(key[:0])
	return key
}

func orDefault(rand io.Reader) io.Reader {
	if rand == nil {
		return cryptorand.Reader
	}
	return rand
}
