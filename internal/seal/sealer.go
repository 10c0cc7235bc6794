package seal

import (
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/trent-kms/trent/internal/secret"
)

// Sealed record layout, version 1:
//
//	offset  size  field
//	     0     1  format version, 0x01
//	     1     8  root key ID (rootKeyID of the sealing key)
//	     9    12  AES-GCM nonce, random
//	    21     n  AES-256-GCM ciphertext of the n-byte plaintext
//	  21+n    16  tag
//
// The GCM associated data is "trent seal v1" ‖ 0x00 ‖ aad, where aad is the
// caller's name for the record's place. The version and key ID need no
// authentication of their own: a changed version is refused before opening,
// and a changed key ID selects another key (or none), under which the tag
// cannot verify.
const (
	sealedVersion1  = 0x01
	rootKeyIDLen    = 8
	sealNonceLen    = 12 // SP 800-38D §5.2.1.1's recommended IV length
	sealTagLen      = 16 // full-length tag
	sealedHeaderLen = 1 + rootKeyIDLen + sealNonceLen

	// SealOverhead is how many bytes Seal adds to a plaintext.
	SealOverhead = sealedHeaderLen + sealTagLen
)

// sealAADPrefix gives the root key one use: nothing else Trent encrypts
// under a root key can be confused with a sealed record.
const sealAADPrefix = "trent seal v1\x00"

// maxSealPlaintext is GCM's limit on one plaintext, 2^39−256 bits
// (NIST SP 800-38D §5.2.1.1), in bytes. Key material is far smaller.
const maxSealPlaintext = 1<<36 - 32

// ErrWrongRootKey is returned by Unseal for a record sealed under a root key
// this keyring does not hold: the server was started with the wrong root key
// file, or the record comes from another installation. It is a
// configuration problem, not tampering, so it is told apart from ErrUnseal.
var ErrWrongRootKey = errors.New("seal: record was sealed under another root key")

// ErrUnseal is returned by Unseal for every other failure: a malformed or
// truncated record, any changed byte, or aad naming another place.
var ErrUnseal = errors.New("seal: record cannot be unsealed")

// Seal encrypts plaintext under the current root key, bound to aad, which
// must name where the record belongs (for key material: the key ARN and the
// material version), so that a record copied elsewhere does not open. rand
// supplies the nonce (crypto/rand.Reader if nil).
//
// Nonces are random, so by NIST SP 800-38D §8.3 one root key may seal at most
// 2^32 records. Trent seals once per key material version it creates or
// imports (and once per record when re-sealing under a new root key), far
// below that bound.
func (k *Keyring) Seal(plaintext, aad []byte, rand io.Reader) ([]byte, error) {
	if k == nil || k.current == nil {
		return nil, errors.New("seal: keyring has no root key")
	}
	if uint64(len(plaintext)) > maxSealPlaintext {
		return nil, errors.New("seal: plaintext too large for AES-GCM")
	}
	if rand == nil {
		rand = cryptorand.Reader
	}
	rk := k.current
	out := make([]byte, sealedHeaderLen, SealOverhead+len(plaintext))
	out[0] = sealedVersion1
	copy(out[1:], rk.id[:])
	nonce := out[1+rootKeyIDLen : sealedHeaderLen]
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, fmt.Errorf("seal: reading nonce: %w", err)
	}
	return rk.aead.Seal(out, nonce, plaintext, gcmAAD(aad)), nil
}

// Unseal opens a record made by Seal with the same aad. It returns
// ErrWrongRootKey (wrapped, with both key IDs) if the record names a root
// key the keyring does not hold, and ErrUnseal for any other failure.
func (k *Keyring) Unseal(sealed, aad []byte) (*secret.Bytes, error) {
	if k == nil || len(sealed) < SealOverhead || sealed[0] != sealedVersion1 {
		return nil, ErrUnseal
	}
	var id [rootKeyIDLen]byte
	copy(id[:], sealed[1:])
	rk, ok := k.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w: the record names root key %x, the loaded root key is %s",
			ErrWrongRootKey, id, k.ID())
	}
	plaintext, err := rk.aead.Open(nil, sealed[1+rootKeyIDLen:sealedHeaderLen], sealed[sealedHeaderLen:], gcmAAD(aad))
	if err != nil {
		return nil, ErrUnseal
	}
	return secret.New(plaintext), nil
}

func gcmAAD(aad []byte) []byte {
	out := make([]byte, 0, len(sealAADPrefix)+len(aad))
	out = append(out, sealAADPrefix...)
	return append(out, aad...)
}
