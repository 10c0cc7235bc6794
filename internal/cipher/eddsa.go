package cipher

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"

	"github.com/trent-kms/trent/internal/secret"
)

// Ed25519 keys (ECC_NIST_EDWARDS25519) and their two AWS algorithms:
//
//   - ED25519_SHA_512 takes RAW messages only: pure Ed25519 (RFC 8032
//     §5.1.6) of the message.
//   - ED25519_PH_SHA_512 takes DIGEST messages only: a 64-byte SHA-512
//     digest d of the caller's message. AWS still performs the SHA-512
//     prehash of FIPS 186-5 §7.8.1 step 1 on its input, so the input is
//     hashed twice: the signature is HashEdDSA (Ed25519ph, RFC 8032 §5.1,
//     empty context) of the message d, i.e. Ed25519ph over SHA-512(d).

// oidEd25519 is id-Ed25519 (RFC 8410 §3).
var oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}

func init() {
	register(KindEd25519,
		func(rand io.Reader) (Key, error) { return generateEd25519Key(rand) },
		func(material []byte) (Key, error) { return parseEd25519Key(material) })
}

// Ed25519Key is an Ed25519 key pair, safe for concurrent use (it never
// changes after it is made).
type Ed25519Key struct {
	Redacted
	priv   ed25519.PrivateKey
	pub    ed25519.PublicKey
	pubDER []byte
}

func newEd25519Key(priv ed25519.PrivateKey) (*Ed25519Key, error) {
	pub := priv.Public().(ed25519.PublicKey)
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("cipher: %s key: %w", KindEd25519, err)
	}
	return &Ed25519Key{priv: priv, pub: pub, pubDER: pubDER}, nil
}

// generateEd25519Key reads the 32-byte seed from rand.
func generateEd25519Key(rand io.Reader) (*Ed25519Key, error) {
	_, priv, err := ed25519.GenerateKey(orDefault(rand))
	if err != nil {
		return nil, fmt.Errorf("cipher: generating %s key: %w", KindEd25519, err)
	}
	return newEd25519Key(priv)
}

// edPrivateKeyInfo is the PKCS#8 of an Ed25519 key (RFC 8410 §7): version
// 0 as Go and OpenSSL write it, or RFC 5958 version 1 with the optional
// public key.
type edPrivateKeyInfo struct {
	Version    int
	Algorithm  edAlgorithm
	PrivateKey []byte
	Attributes asn1.RawValue  `asn1:"optional,tag:0"`
	PublicKey  asn1.BitString `asn1:"optional,tag:1"`
}

// edAlgorithm is an AlgorithmIdentifier whose parameters RFC 8410 says
// must be absent.
type edAlgorithm struct{ Algorithm asn1.ObjectIdentifier }

// parseEd25519Key reads PKCS#8 Ed25519 in strict DER. Go's x509 would do,
// but it ignores trailing bytes and a public key that does not match.
func parseEd25519Key(material []byte) (*Ed25519Key, error) {
	bad := func(why string) error { return fmt.Errorf("%w: %s: %s", ErrMalformedMaterial, KindEd25519, why) }
	var info edPrivateKeyInfo
	if err := ecStrictDER(material, &info); err != nil {
		return nil, bad("PKCS#8: " + err.Error())
	}
	defer clear(info.PrivateKey)
	hasPub := info.PublicKey.Bytes != nil
	switch {
	case !info.Algorithm.Algorithm.Equal(oidEd25519):
		return nil, bad("not an Ed25519 key")
	case info.Version != 0 && info.Version != 1, info.Version == 0 && hasPub:
		return nil, bad("unsupported PKCS#8 version")
	}
	var seed []byte
	if err := ecStrictDER(info.PrivateKey, &seed); err != nil {
		return nil, bad("CurvePrivateKey: " + err.Error())
	}
	defer clear(seed)
	if len(seed) != ed25519.SeedSize {
		return nil, bad("private key of the wrong length")
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if hasPub && (info.PublicKey.BitLength != 8*ed25519.PublicKeySize ||
		!bytes.Equal(info.PublicKey.Bytes, priv[ed25519.SeedSize:])) {
		clear(priv)
		return nil, bad("public key does not match the private key")
	}
	return newEd25519Key(priv)
}

// Kind implements Key.
func (k *Ed25519Key) Kind() Kind { return KindEd25519 }

// Material implements Key: PKCS#8 version 0, as OpenSSL writes it.
func (k *Ed25519Key) Material() (*secret.Bytes, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		return nil, fmt.Errorf("cipher: encoding %s key: %w", KindEd25519, err)
	}
	return secret.New(der), nil
}

// PublicKeyDER implements AsymmetricKey.
func (k *Ed25519Key) PublicKeyDER() []byte { return bytes.Clone(k.pubDER) }

// Sign implements Signer. Ed25519 is deterministic, so rand is unused.
// Options are {Input: InputRaw} (Hash zero or SHA-512) for ED25519_SHA_512
// and {Prehash: true, Input: InputDigest, Hash: SHA-512} with a 64-byte
// digest for ED25519_PH_SHA_512; anything else is an error.
func (k *Ed25519Key) Sign(_ io.Reader, in []byte, o SignOptions) ([]byte, error) {
	pure, err := ed25519Mode(in, o)
	if err != nil {
		return nil, err
	}
	if pure {
		return ed25519.Sign(k.priv, in), nil
	}
	return ed25519phSign(k.priv, in)
}

// Verify implements Signer.
func (k *Ed25519Key) Verify(in, sig []byte, o SignOptions) bool {
	return ed25519Verify(k.pub, in, sig, o)
}

// ed25519Verify verifies with a public key alone; the key and the
// Wycheproof tests share it.
func ed25519Verify(pub ed25519.PublicKey, in, sig []byte, o SignOptions) bool {
	pure, err := ed25519Mode(in, o)
	if err != nil {
		return false
	}
	if pure {
		return ed25519.Verify(pub, in, sig)
	}
	return ed25519phVerify(pub, in, sig)
}

// ed25519Mode reports whether o selects pure Ed25519 (true) or Ed25519ph
// of a 64-byte digest (false), or neither (error).
func ed25519Mode(in []byte, o SignOptions) (pure bool, err error) {
	switch {
	case o.PSS:
		return false, errSignOptions
	case !o.Prehash && o.Input == InputRaw && (o.Hash == 0 || o.Hash == crypto.SHA512):
		return true, nil
	case o.Prehash && o.Input == InputDigest && o.Hash == crypto.SHA512:
		if len(in) != sha512.Size {
			return false, errDigestLength
		}
		return false, nil
	}
	return false, errSignOptions
}

// ed25519phSign is HashEdDSA Ed25519ph (RFC 8032 §5.1) of msg with an
// empty context: stdlib's Ed25519ph takes PH(msg) = SHA-512(msg).
func ed25519phSign(priv ed25519.PrivateKey, msg []byte) ([]byte, error) {
	ph := sha512.Sum512(msg)
	return priv.Sign(nil, ph[:], &ed25519.Options{Hash: crypto.SHA512})
}

// ed25519phVerify is the verification of ed25519phSign.
func ed25519phVerify(pub ed25519.PublicKey, msg, sig []byte) bool {
	ph := sha512.Sum512(msg)
	return ed25519.VerifyWithOptions(pub, ph[:], sig, &ed25519.Options{Hash: crypto.SHA512}) == nil
}
