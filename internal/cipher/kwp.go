package cipher

import (
	"crypto/aes"
	gocipher "crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/trent-kms/trent/internal/secret"
)

// AES Key Wrap with Padding (RFC 5649, NIST SP 800-38F KWP), the inner
// layer of AWS KMS's RSA_AES_KEY_WRAP_* import wrapping and OpenSSL's
// id-aes{128,192,256}-wrap-pad. Go's standard library has no key wrap.

// ErrUnwrap is the one error for wrapped key material that cannot be
// unwrapped, whatever the reason: a wrong key, any changed byte, a bad
// length, a bad integrity check value or padding, a wrong wrapping
// algorithm. One uniform error gives an attacker no oracle; the service
// reports it as InvalidCiphertextException.
var ErrUnwrap = errors.New("cipher: wrapped key material cannot be unwrapped")

// errKWPKeySize is returned for a key-encryption key that is not an AES
// key; it is the caller's mistake, not the wrapped data's.
var errKWPKeySize = errors.New("cipher: AES key wrap needs a 16, 24 or 32-byte key")

// errKWPPlaintextSize is returned by KeyWrapPad for an empty plaintext or
// one whose length does not fit the 32-bit message length indicator.
var errKWPPlaintextSize = errors.New("cipher: AES key wrap with padding takes 1 to 2^32-1 bytes")

// kwpICV2 is the first half of the alternative initial value (RFC 5649
// §3); the second half is the plaintext's length in bytes.
const kwpICV2 = 0xA65959A6

// KeyWrapPad wraps plaintext under the AES key kek (16, 24 or 32 bytes)
// with RFC 5649 AES Key Wrap with Padding. The output is the padded
// plaintext's length plus 8 bytes. It is deterministic, as the RFC is.
func KeyWrapPad(kek, plaintext []byte) ([]byte, error) {
	block, err := kwpCipher(kek)
	if err != nil {
		return nil, err
	}
	if len(plaintext) == 0 || uint64(len(plaintext)) > math.MaxUint32 {
		return nil, errKWPPlaintextSize
	}
	// out is the 8-byte integrity register A followed by the plaintext
	// padded with zeros to a multiple of 8 (the registers R[1..n]).
	n := (len(plaintext) + 7) / 8
	out := make([]byte, 8+8*n)
	binary.BigEndian.PutUint32(out[0:4], kwpICV2)
	binary.BigEndian.PutUint32(out[4:8], uint32(len(plaintext)))
	copy(out[8:], plaintext)
	if n == 1 {
		// One block: a single AES encryption of A | P (RFC 5649 §4.1).
		block.Encrypt(out, out)
		return out, nil
	}
	// RFC 3394 §2.2.1 in the indexing form, with A starting as the AIV.
	var b [16]byte
	for j := range 6 {
		for i := 1; i <= n; i++ {
			copy(b[:8], out[:8])
			copy(b[8:], out[8*i:8*i+8])
			block.Encrypt(b[:], b[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(out[:8], binary.BigEndian.Uint64(b[:8])^t)
			copy(out[8*i:8*i+8], b[8:])
		}
	}
	clear(b[:])
	return out, nil
}

// KeyUnwrapPad reverses KeyWrapPad. Every failure but a kek of the wrong
// size is ErrUnwrap. The checks of the integrity value, the length
// indicator and the padding run in constant time and are combined before
// the one branch on their result, so timing does not tell which failed.
// The ciphertext's length is public and checked first.
func KeyUnwrapPad(kek, ciphertext []byte) (*secret.Bytes, error) {
	block, err := kwpCipher(kek)
	if err != nil {
		return nil, err
	}
	// At least two 64-bit blocks (RFC 5649 §4.2), and whole blocks.
	if len(ciphertext) < 16 || len(ciphertext)%8 != 0 {
		return nil, ErrUnwrap
	}
	n := len(ciphertext)/8 - 1
	buf := make([]byte, len(ciphertext))
	copy(buf, ciphertext)
	if n == 1 {
		block.Decrypt(buf, buf)
	} else {
		// RFC 3394 §2.2.2 in the indexing form.
		var b [16]byte
		for j := 5; j >= 0; j-- {
			for i := n; i >= 1; i-- {
				t := uint64(n*j + i)
				binary.BigEndian.PutUint64(b[:8], binary.BigEndian.Uint64(buf[:8])^t)
				copy(b[8:], buf[8*i:8*i+8])
				block.Decrypt(b[:], b[:])
				copy(buf[:8], b[:8])
				copy(buf[8*i:8*i+8], b[8:])
			}
		}
		clear(b[:])
	}
	mli, ok := kwpCheck(buf, n)
	if ok != 1 {
		clear(buf)
		return nil, ErrUnwrap
	}
	// buf[8:8+mli] is the plaintext; the rest of buf is zeros or the
	// integrity register, which is public.
	return secret.New(buf[8 : 8+mli : 8+mli]), nil
}

// kwpCheck verifies the unwrapped register A = buf[:8] and the padding of
// the n registers after it (RFC 5649 §3): A's first half is 0xA65959A6,
// its second half MLI satisfies 8(n−1) < MLI ≤ 8n, and the 8n−MLI bytes
// after the plaintext are zero. It returns MLI and 1 if all hold, without
// a branch or index that depends on the unwrapped bytes.
func kwpCheck(buf []byte, n int) (mli uint64, ok int) {
	icv := binary.BigEndian.Uint32(buf[0:4])
	mli = uint64(binary.BigEndian.Uint32(buf[4:8]))
	padded := uint64(8 * n)
	ok = subtle.ConstantTimeEq(int32(icv^kwpICV2), 0)
	ok &= ctLessOrEq(padded-8+1, mli) // 8(n−1) < MLI
	ok &= ctLessOrEq(mli, padded)     // MLI ≤ 8n
	// Only the last register can hold padding: each of its bytes at a
	// plaintext offset ≥ MLI must be zero.
	last := buf[len(buf)-8:]
	var nonzeroPad byte
	for k := range 8 {
		isPad := byte(ctLessOrEq(mli, padded-8+uint64(k)))
		nonzeroPad |= last[k] & -isPad
	}
	ok &= subtle.ConstantTimeByteEq(nonzeroPad, 0)
	return mli, ok
}

// ctLessOrEq returns 1 if x ≤ y and 0 otherwise, in constant time, for x
// and y below 2^63 (here they are below 2^36): y−x wraps around to a value
// with the top bit set exactly when x > y.
func ctLessOrEq(x, y uint64) int {
	return int(((y - x) >> 63) ^ 1)
}

// kwpCipher makes the AES block cipher of a key-encryption key.
func kwpCipher(kek []byte) (gocipher.Block, error) {
	switch len(kek) {
	case 16, 24, 32:
	default:
		return nil, errKWPKeySize
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("cipher: AES key wrap: %w", err)
	}
	return block, nil
}
