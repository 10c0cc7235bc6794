package cipher

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"

	"github.com/trent-kms/trent/internal/secret"
)

// NIST curve keys (ECC_NIST_P256, P384, P521). AWS creates them for
// SIGN_VERIFY or KEY_AGREEMENT; the material is the same either way, so one
// type, ECKey, signs (ECDSA) and agrees secrets (ECDH, in ecdh.go) and the
// service decides which the key may do.

// nistCurve is what a NIST kind needs to know of its curve.
type nistCurve struct {
	kind  Kind
	curve elliptic.Curve
	dh    ecdh.Curve
	oid   asn1.ObjectIdentifier // the namedCurve of its PKCS#8 and SPKI
}

// Object identifiers of RFC 5480 §2.1.1 and SEC 2.
var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidCurveP256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidCurveP384   = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidCurveP521   = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
)

var (
	nistP256 = &nistCurve{KindP256, elliptic.P256(), ecdh.P256(), oidCurveP256}
	nistP384 = &nistCurve{KindP384, elliptic.P384(), ecdh.P384(), oidCurveP384}
	nistP521 = &nistCurve{KindP521, elliptic.P521(), ecdh.P521(), oidCurveP521}
)

func init() {
	for _, c := range []*nistCurve{nistP256, nistP384, nistP521} {
		register(c.kind,
			func(rand io.Reader) (Key, error) { return generateECKey(c, rand) },
			func(material []byte) (Key, error) { return parseECKey(c, material) })
	}
}

// scalarLen is the length of the curve's private scalars and coordinates.
func (c *nistCurve) scalarLen() int { return (c.curve.Params().N.BitLen() + 7) / 8 }

// ECKey is a NIST curve key pair. It is a Signer and an AgreementKey, and is
// safe for concurrent use (it never changes after it is made).
type ECKey struct {
	Redacted
	curve  *nistCurve
	priv   *ecdsa.PrivateKey
	dh     *ecdh.PrivateKey
	pub    ecdsaVerifier
	pubDER []byte
}

func newECKey(c *nistCurve, priv *ecdsa.PrivateKey) (*ECKey, error) {
	dh, err := priv.ECDH()
	if err != nil {
		return nil, fmt.Errorf("cipher: %s key: %w", c.kind, err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("cipher: %s key: %w", c.kind, err)
	}
	return &ECKey{curve: c, priv: priv, dh: dh, pub: ecdsaVerifier{&priv.PublicKey}, pubDER: pubDER}, nil
}

// generateECKey draws the private scalar from rand by rejection sampling,
// uniform in [1, n-1] like FIPS 186-5 §A.2.2, rather than calling
// ecdsa.GenerateKey, which since Go 1.26 ignores its reader: this way rand
// is the only source, as the package promises, and tests can reproduce
// keys.
func generateECKey(c *nistCurve, rand io.Reader) (*ECKey, error) {
	n := c.curve.Params().N
	b := make([]byte, c.scalarLen())
	defer clear(b)
	mask := byte(0xff >> (8*len(b) - n.BitLen())) // P-521 scalars have 521 bits
	// A draw is rejected with probability at most about 2^-32 (P-256), so
	// 64 rejections in a row mean a broken reader.
	for range 64 {
		if _, err := io.ReadFull(orDefault(rand), b); err != nil {
			return nil, fmt.Errorf("cipher: generating %s key: %w", c.kind, err)
		}
		b[0] &= mask
		// ParseRawPrivateKey rejects 0 and values >= n (in constant time):
		// those draws are discarded.
		if priv, err := ecdsa.ParseRawPrivateKey(c.curve, b); err == nil {
			return newECKey(c, priv)
		}
	}
	return nil, fmt.Errorf("cipher: generating %s key: random source gives no valid scalar", c.kind)
}

func parseECKey(c *nistCurve, material []byte) (*ECKey, error) {
	scalar, pub, err := ecParsePKCS8(material, c.oid, c.scalarLen())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformedMaterial, c.kind, err)
	}
	defer clear(scalar)
	priv, err := ecdsa.ParseRawPrivateKey(c.curve, scalar)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: private scalar out of range", ErrMalformedMaterial, c.kind)
	}
	if pub != nil {
		want, err := priv.PublicKey.Bytes()
		if err != nil || !bytes.Equal(pub, want) {
			return nil, fmt.Errorf("%w: %s: public key does not match the private key", ErrMalformedMaterial, c.kind)
		}
	}
	return newECKey(c, priv)
}

// Kind implements Key.
func (k *ECKey) Kind() Kind { return k.curve.kind }

// Material implements Key: PKCS#8 with an RFC 5915 ECPrivateKey carrying
// the public key, as OpenSSL writes it.
func (k *ECKey) Material() (*secret.Bytes, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		return nil, fmt.Errorf("cipher: encoding %s key: %w", k.curve.kind, err)
	}
	return secret.New(der), nil
}

// PublicKeyDER implements AsymmetricKey.
func (k *ECKey) PublicKeyDER() []byte { return bytes.Clone(k.pubDER) }

// Sign implements Signer: ECDSA with o.Hash (SHA-256, -384 or -512; AWS
// pairs each curve with one, and the service enforces that), DER signature.
// crypto/ecdsa has ignored rand since Go 1.26 unless GODEBUG
// cryptocustomrand=1 is set, always drawing its hedged nonce from
// crypto/rand: the library gives no choice, so rand is passed on only for
// that setting.
func (k *ECKey) Sign(rand io.Reader, in []byte, o SignOptions) ([]byte, error) {
	digest, err := ecdsaDigest(in, o, sha2Hash)
	if err != nil {
		return nil, err
	}
	return ecdsa.SignASN1(orDefault(rand), k.priv, digest)
}

// Verify implements Signer.
func (k *ECKey) Verify(in, sig []byte, o SignOptions) bool { return k.pub.verify(in, sig, o) }

// ecdsaVerifier verifies NIST curve ECDSA signatures with a public key
// alone; ECKey uses it, and so do the Wycheproof tests, which have no
// private keys.
type ecdsaVerifier struct{ pub *ecdsa.PublicKey }

// verify accepts only strict DER signatures (ecdsa.VerifyASN1: minimal
// positive INTEGERs, nothing after the SEQUENCE).
func (v ecdsaVerifier) verify(in, sig []byte, o SignOptions) bool {
	digest, err := ecdsaDigest(in, o, sha2Hash)
	if err != nil {
		return false
	}
	return ecdsa.VerifyASN1(v.pub, digest, sig)
}

// ecdsaDigest is signedDigest for ECDSA, which has no PSS.
func ecdsaDigest(in []byte, o SignOptions, hashOK func(crypto.Hash) bool) ([]byte, error) {
	if o.PSS {
		return nil, errSignOptions
	}
	return signedDigest(in, o, hashOK)
}
