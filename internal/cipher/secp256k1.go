package cipher

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"fmt"
	"io"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/trent-kms/trent/internal/secret"
)

// secp256k1 keys (ECC_SECG_P256K1), for ECDSA_SHA_256 only. Go's standard
// library lacks the curve; decred's package does the arithmetic and the
// encodings are ecdsa.go's, shared with the NIST curves.

// oidCurveSecp256k1 is secp256k1's namedCurve (SEC 2 §A.2.1).
var oidCurveSecp256k1 = asn1.ObjectIdentifier{1, 3, 132, 0, 10}

const secp256k1ScalarLen = 32

func init() {
	register(KindSecp256k1,
		func(rand io.Reader) (Key, error) { return generateSecp256k1Key(rand) },
		func(material []byte) (Key, error) { return parseSecp256k1Key(material) })
}

// Secp256k1Key is a secp256k1 key pair. It is safe for concurrent use: the
// private key is never changed after it is made.
type Secp256k1Key struct {
	Redacted
	priv   *secp256k1.PrivateKey
	pub    secp256k1Verifier
	pubDER []byte
}

func newSecp256k1Key(priv *secp256k1.PrivateKey) (*Secp256k1Key, error) {
	pub := priv.PubKey()
	pubDER, err := ecMarshalSPKI(oidCurveSecp256k1, pub.SerializeUncompressed())
	if err != nil {
		return nil, fmt.Errorf("cipher: %s key: %w", KindSecp256k1, err)
	}
	return &Secp256k1Key{priv: priv, pub: secp256k1Verifier{pub}, pubDER: pubDER}, nil
}

// generateSecp256k1Key draws the scalar from rand, rejecting values
// outside [1, n-1].
func generateSecp256k1Key(rand io.Reader) (*Secp256k1Key, error) {
	priv, err := secp256k1.GeneratePrivateKeyFromRand(orDefault(rand))
	if err != nil {
		return nil, fmt.Errorf("cipher: generating %s key: %w", KindSecp256k1, err)
	}
	return newSecp256k1Key(priv)
}

// parseSecp256k1Key reads the PKCS#8 form OpenSSL writes for the curve
// ("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1", then
// "pkcs8 -topk8 -nocrypt -outform DER"), with or without the curve and the
// public key inside the ECPrivateKey.
func parseSecp256k1Key(material []byte) (*Secp256k1Key, error) {
	scalar, pub, err := ecParsePKCS8(material, oidCurveSecp256k1, secp256k1ScalarLen)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformedMaterial, KindSecp256k1, err)
	}
	defer clear(scalar)
	var s secp256k1.ModNScalar
	// SetByteSlice reduces mod n and reports whether it had to: a scalar
	// >= n is refused, not reduced.
	if overflow := s.SetByteSlice(scalar); overflow || s.IsZero() {
		return nil, fmt.Errorf("%w: %s: private scalar out of range", ErrMalformedMaterial, KindSecp256k1)
	}
	priv := secp256k1.NewPrivateKey(&s)
	s.Zero()
	if pub != nil && !bytes.Equal(pub, priv.PubKey().SerializeUncompressed()) {
		priv.Zero()
		return nil, fmt.Errorf("%w: %s: public key does not match the private key", ErrMalformedMaterial, KindSecp256k1)
	}
	return newSecp256k1Key(priv)
}

// Kind implements Key.
func (k *Secp256k1Key) Kind() Kind { return KindSecp256k1 }

// Material implements Key.
func (k *Secp256k1Key) Material() (*secret.Bytes, error) {
	scalar := k.priv.Serialize()
	defer clear(scalar)
	der, err := ecMarshalPKCS8(oidCurveSecp256k1, scalar, k.pub.pub.SerializeUncompressed())
	if err != nil {
		return nil, fmt.Errorf("cipher: encoding %s key: %w", KindSecp256k1, err)
	}
	return secret.New(der), nil
}

// PublicKeyDER implements AsymmetricKey: id-ecPublicKey, namedCurve
// secp256k1, the uncompressed point, as OpenSSL writes it.
func (k *Secp256k1Key) PublicKeyDER() []byte { return bytes.Clone(k.pubDER) }

// Sign implements Signer: ECDSA_SHA_256, DER signature. decred signs with
// an RFC 6979 deterministic nonce and takes no random source, so rand is
// unused: the library gives no choice. Its signatures have low S, which
// verifiers may but need not demand. Its scalar multiplications are the
// "NonConst" ones (not constant time); Go's standard library has no
// secp256k1 to use instead.
func (k *Secp256k1Key) Sign(_ io.Reader, in []byte, o SignOptions) ([]byte, error) {
	digest, err := ecdsaDigest(in, o, secp256k1Hash)
	if err != nil {
		return nil, err
	}
	return k1ecdsa.Sign(k.priv, digest).Serialize(), nil
}

// Verify implements Signer.
func (k *Secp256k1Key) Verify(in, sig []byte, o SignOptions) bool {
	return k.pub.verify(in, sig, o)
}

func secp256k1Hash(h crypto.Hash) bool { return h == crypto.SHA256 }

// secp256k1Verifier verifies with a public key alone; the key and the
// Wycheproof tests share it.
type secp256k1Verifier struct{ pub *secp256k1.PublicKey }

// verify accepts any strict DER signature with r and s in [1, n-1],
// high S included: AWS does not demand low S (that is Bitcoin's rule).
// decred's parser is strict DER (minimal positive INTEGERs, exact lengths,
// nothing trailing) and its Verify does not look at S's half.
func (v secp256k1Verifier) verify(in, sig []byte, o SignOptions) bool {
	digest, err := ecdsaDigest(in, o, secp256k1Hash)
	if err != nil {
		return false
	}
	s, err := k1ecdsa.ParseDERSignature(sig)
	if err != nil {
		return false
	}
	return s.Verify(digest, v.pub)
}
