//lint:file-ignore SA1019 crypto/ecdh does not know the SM2 curve; gmsm's curve implements the elliptic.Curve methods with its own constant-time arithmetic.

package cipher

import (
	"bytes"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/emmansun/gmsm/ecdh"
	"github.com/emmansun/gmsm/kdf"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"

	"github.com/trent-kms/trent/internal/secret"
)

// SM2 keys (GB/T 32918), which AWS KMS offers in its China Regions only,
// for SIGN_VERIFY (SM2DSA), ENCRYPT_DECRYPT (SM2PKE) or KEY_AGREEMENT
// (ECDH). The material is the same for all three, so one type, SM2Key,
// does all three and the service decides which the key may do. Go's
// standard library lacks the curve; gmsm does the arithmetic, and the
// encodings are ec_encoding.go's, shared with the other id-ecPublicKey
// curves.

// KindSM2 is SM2 key material on the curve sm2p256v1.
const KindSM2 Kind = "SM2"

// oidCurveSM2 is the SM2 curve's namedCurve (GM/T 0006), the parameter of
// id-ecPublicKey in the PKCS#8 and SPKI OpenSSL 3.0 writes for SM2 keys.
var oidCurveSM2 = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}

const sm2ScalarLen = 32

// sm2DefaultID is the distinguishing identifier of Z_A (GB/T 32918.2 §5.5),
// the default of GM/T 0009 and the one AWS documents for SM2DSA.
var sm2DefaultID = []byte("1234567812345678")

// sm2NMinus1 is n-1, n the curve's order: a valid ECDH scalar but not an
// SM2 private key, whose range is [1, n-2] (GB/T 32918.1 §6.1), since
// signing divides by 1+d.
var sm2NMinus1 = new(big.Int).Sub(sm2.P256().Params().N, big.NewInt(1)).FillBytes(make([]byte, sm2ScalarLen))

func init() {
	register(KindSM2,
		func(rand io.Reader) (Key, error) { return generateSM2Key(rand) },
		func(material []byte) (Key, error) { return parseSM2Key(material) })
}

// SM2PKEKey is an SM2 key pair that encrypts (GB/T 32918.4).
type SM2PKEKey interface {
	AsymmetricKey
	EncryptSM2(rand io.Reader, plaintext []byte) ([]byte, error)
	// DecryptSM2 returns ErrDecrypt for any ciphertext it cannot open.
	DecryptSM2(ciphertext []byte) (*secret.Bytes, error)
}

// SM2Key is an SM2 key pair: a Signer (SM2DSA), an SM2PKEKey and an
// AgreementKey (ECDH). It is safe for concurrent use: nothing in it changes
// after it is made.
type SM2Key struct {
	Redacted
	priv   *sm2.PrivateKey
	dh     *ecdh.PrivateKey
	point  []byte // uncompressed public point
	za     []byte // Z_A of the public key and sm2DefaultID
	pubDER []byte
}

var errSM2Scalar = errors.New("private scalar out of range")

// newSM2Key makes a key of a 32-byte scalar, refusing one outside
// [1, n-2]. It does not keep scalar.
func newSM2Key(scalar []byte) (*SM2Key, error) {
	// NewPrivateKey checks 0 < scalar < n in constant time.
	dh, err := ecdh.P256().NewPrivateKey(scalar)
	if err != nil || subtle.ConstantTimeCompare(scalar, sm2NMinus1) == 1 {
		return nil, errSM2Scalar
	}
	point := dh.PublicKey().Bytes()
	priv := &sm2.PrivateKey{}
	priv.Curve = sm2.P256()
	priv.D = new(big.Int).SetBytes(scalar)
	priv.X = new(big.Int).SetBytes(point[1 : 1+sm2ScalarLen])
	priv.Y = new(big.Int).SetBytes(point[1+sm2ScalarLen:])
	za, err := sm2.CalculateZA(&priv.PublicKey, sm2DefaultID)
	if err != nil {
		return nil, err
	}
	pubDER, err := ecMarshalSPKI(oidCurveSM2, point)
	if err != nil {
		return nil, err
	}
	return &SM2Key{priv: priv, dh: dh, point: point, za: za, pubDER: pubDER}, nil
}

// generateSM2Key draws the scalar from rand by rejection sampling, uniform
// in [1, n-2]. It does not call sm2.GenerateKey, which loops forever on a
// reader that never gives a value below n and may give n-1.
func generateSM2Key(rand io.Reader) (*SM2Key, error) {
	b := make([]byte, sm2ScalarLen)
	defer clear(b)
	// A draw is rejected with probability about 2^-32, so 64 rejections
	// in a row mean a broken reader.
	for range 64 {
		if _, err := io.ReadFull(orDefault(rand), b); err != nil {
			return nil, fmt.Errorf("cipher: generating %s key: %w", KindSM2, err)
		}
		k, err := newSM2Key(b)
		if err == nil {
			return k, nil
		}
		if !errors.Is(err, errSM2Scalar) {
			return nil, fmt.Errorf("cipher: generating %s key: %w", KindSM2, err)
		}
	}
	return nil, fmt.Errorf("cipher: generating %s key: random source gives no valid scalar", KindSM2)
}

// parseSM2Key reads the PKCS#8 OpenSSL 3.0 writes for an SM2 key
// ("genpkey -algorithm SM2", then "pkcs8 -topk8 -nocrypt -outform DER"):
// id-ecPublicKey with namedCurve SM2, with or without the curve and the
// public key inside the ECPrivateKey.
func parseSM2Key(material []byte) (*SM2Key, error) {
	scalar, pub, err := ecParsePKCS8(material, oidCurveSM2, sm2ScalarLen)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformedMaterial, KindSM2, err)
	}
	defer clear(scalar)
	k, err := newSM2Key(scalar)
	if errors.Is(err, errSM2Scalar) {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformedMaterial, KindSM2, err)
	} else if err != nil {
		return nil, fmt.Errorf("cipher: %s key: %w", KindSM2, err)
	}
	if pub != nil && !bytes.Equal(pub, k.point) {
		return nil, fmt.Errorf("%w: %s: public key does not match the private key", ErrMalformedMaterial, KindSM2)
	}
	return k, nil
}

// Kind implements Key.
func (k *SM2Key) Kind() Kind { return KindSM2 }

// Material implements Key: PKCS#8 as OpenSSL 3.0 writes it, the 32-byte
// scalar and the public key inside, no curve inside.
func (k *SM2Key) Material() (*secret.Bytes, error) {
	scalar := k.dh.Bytes()
	defer clear(scalar)
	der, err := ecMarshalPKCS8(oidCurveSM2, scalar, k.point)
	if err != nil {
		return nil, fmt.Errorf("cipher: encoding %s key: %w", KindSM2, err)
	}
	return secret.New(der), nil
}

// PublicKeyDER implements AsymmetricKey: id-ecPublicKey, namedCurve SM2,
// the uncompressed point, as OpenSSL 3.0 writes it.
func (k *SM2Key) PublicKeyDER() []byte { return bytes.Clone(k.pubDER) }

// sm2Digest returns e, the value SM2DSA signs (GB/T 32918.2 §6.1 A2): for
// a RAW message M, SM3(Z_A ‖ M) with Z_A of sm2DefaultID; for a DIGEST,
// the caller's e, which must be 32 bytes. SM2DSA has one hash, SM3, so
// o.Hash must be zero; every option of another scheme is refused.
func (k *SM2Key) sm2Digest(in []byte, o SignOptions) ([]byte, error) {
	if o.Hash != 0 || o.PSS || o.Prehash {
		return nil, errSignOptions
	}
	switch o.Input {
	case InputRaw:
		h := sm3.New()
		h.Write(k.za)
		h.Write(in)
		return h.Sum(nil), nil
	case InputDigest:
		if len(in) != sm3.Size {
			return nil, errDigestLength
		}
		return in, nil
	}
	return nil, errSignOptions
}

// Sign implements Signer: SM2DSA, a DER SEQUENCE{r, s}. gmsm draws its
// nonce from rand mixed with the key and e (hedged), so rand is the only
// source of randomness.
func (k *SM2Key) Sign(rand io.Reader, in []byte, o SignOptions) ([]byte, error) {
	e, err := k.sm2Digest(in, o)
	if err != nil {
		return nil, err
	}
	// Nil options: gmsm signs e as it is, without hashing again.
	return sm2.SignASN1(orDefault(rand), k.priv, e, nil)
}

// Verify implements Signer. gmsm's parser takes only DER (minimal,
// non-negative INTEGERs, nothing after the SEQUENCE) and r, s in [1, n-1].
func (k *SM2Key) Verify(in, sig []byte, o SignOptions) bool {
	e, err := k.sm2Digest(in, o)
	if err != nil {
		return false
	}
	return sm2.VerifyASN1(&k.priv.PublicKey, e, sig)
}

// sm2Ciphertext is SM2Cipher of GM/T 0009 §7.2: C1's coordinates, C3 and
// C2.
type sm2Ciphertext struct {
	XCoordinate *big.Int
	YCoordinate *big.Int
	HASH        []byte // C3 = SM3(x2 ‖ M ‖ y2)
	CipherText  []byte // C2 = M ⊕ KDF(x2 ‖ y2, len(M))
}

// EncryptSM2 implements SM2PKEKey: GB/T 32918.4 §6.1 with SM3, the
// ciphertext in the ASN.1 form of GM/T 0009 §7.2, SEQUENCE { XCoordinate
// INTEGER, YCoordinate INTEGER, HASH OCTET STRING (C3), CipherText OCTET
// STRING (C2) }. AWS does not publish the form of its SM2PKE ciphertexts;
// this is the standard one, and the one OpenSSL 3.0's "pkeyutl -encrypt"
// writes and reads for an SM2 key. The ephemeral scalar is drawn from rand.
//
// The scheme is written here on gmsm's curve, SM3 and KDF rather than with
// gmsm's sm2.Encrypt and sm2.Decrypt, which in v0.15.5 each fail on about
// one ciphertext in 256 of a one-byte plaintext (256^len in general):
// Encrypt overwrites the public
// point when it retries after an all-zero KDF output (A5), so the retry
// encrypts to another key, and Decrypt refuses every all-zero C2, where the
// standard (B4) refuses an all-zero KDF output.
func (k *SM2Key) EncryptSM2(rand io.Reader, plaintext []byte) ([]byte, error) {
	if len(plaintext) == 0 {
		return nil, errors.New("cipher: SM2 encryption of an empty plaintext")
	}
	curve := sm2.P256()
	scalar := make([]byte, sm2ScalarLen)
	defer clear(scalar)
	// A draw is rejected if it is not in [1, n-1] (probability about
	// 2^-32) or if its KDF output is all zero (2^-8 for a one-byte
	// plaintext), so 64 rejections in a row mean a broken reader.
	for range 64 {
		if _, err := io.ReadFull(orDefault(rand), scalar); err != nil {
			return nil, fmt.Errorf("cipher: SM2 encryption: %w", err)
		}
		if _, err := ecdh.P256().NewPrivateKey(scalar); err != nil {
			continue // 0 or >= n, checked in constant time
		}
		x1, y1 := curve.ScalarBaseMult(scalar)                 // C1 (A2)
		x2, y2 := curve.ScalarMult(k.priv.X, k.priv.Y, scalar) // A4
		c2, c3, ok := sm2Mask(x2, y2, plaintext, false)
		if !ok {
			continue // t all zero: A5 says draw again
		}
		return asn1.Marshal(sm2Ciphertext{x1, y1, c3, c2})
	}
	return nil, errors.New("cipher: SM2 encryption: random source gives no valid scalar")
}

// sm2Mask returns in ⊕ t, t = KDF(x2 ‖ y2, len(in)), and SM3(x2 ‖ M ‖ y2),
// M being in when encrypting (A5-A7) and in ⊕ t when decrypting (B4-B6);
// false if t is all zero.
func sm2Mask(x2, y2 *big.Int, in []byte, decrypting bool) (out, hash []byte, ok bool) {
	z := make([]byte, 2*sm2ScalarLen)
	defer clear(z)
	x2.FillBytes(z[:sm2ScalarLen])
	y2.FillBytes(z[sm2ScalarLen:])
	out = kdf.Kdf(sm3.New(), z, len(in))
	if subtle.ConstantTimeCompare(out, make([]byte, len(out))) == 1 {
		return nil, nil, false
	}
	subtle.XORBytes(out, out, in)
	m := in
	if decrypting {
		m = out
	}
	h := sm3.New()
	h.Write(z[:sm2ScalarLen])
	h.Write(m)
	h.Write(z[sm2ScalarLen:])
	return out, h.Sum(nil), true
}

// DecryptSM2 implements SM2PKEKey (GB/T 32918.4 §7.1): it opens only the
// strict DER form EncryptSM2 writes, and returns ErrDecrypt, nothing more
// specific, for anything it cannot open.
func (k *SM2Key) DecryptSM2(ciphertext []byte) (*secret.Bytes, error) {
	var c sm2Ciphertext
	if ecStrictDER(ciphertext, &c) != nil || len(c.HASH) != sm3.Size || len(c.CipherText) == 0 {
		return nil, ErrDecrypt
	}
	curve := sm2.P256()
	// B1: C1 must be a point of the curve: coordinates in [0, p-1], not
	// the point at infinity. The cofactor is 1, so that is all of B2.
	if !curve.IsOnCurve(c.XCoordinate, c.YCoordinate) {
		return nil, ErrDecrypt
	}
	d := k.dh.Bytes()
	defer clear(d)
	x2, y2 := curve.ScalarMult(c.XCoordinate, c.YCoordinate, d) // B3
	m, u, ok := sm2Mask(x2, y2, c.CipherText, true)
	if !ok || subtle.ConstantTimeCompare(u, c.HASH) != 1 {
		clear(m)
		return nil, ErrDecrypt
	}
	return secret.New(m), nil
}

// SharedSecret implements AgreementKey: ECDH on the SM2 curve as on the
// NIST curves (ecdh.go), the x-coordinate of d·Q with no key derivation
// (not the SM2 key exchange protocol of GB/T 32918.3, which needs two
// rounds). The peer key must be a DER SubjectPublicKeyInfo, id-ecPublicKey
// with namedCurve SM2, holding an uncompressed point of the curve; anything
// else gives ErrInvalidPublicKey.
func (k *SM2Key) SharedSecret(peerPublicKeyDER []byte) (*secret.Bytes, error) {
	point, err := ecParseSPKI(peerPublicKeyDER, oidCurveSM2)
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	// NewPublicKey takes only the uncompressed form and checks the point
	// is on the curve (the point at infinity has no such encoding).
	peer, err := ecdh.P256().NewPublicKey(point)
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	s, err := k.dh.ECDH(peer)
	if err != nil {
		// Cannot happen on a prime-order curve with a validated peer key.
		return nil, ErrInvalidPublicKey
	}
	return secret.New(s), nil
}
