package cipher

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"

	"github.com/trent-kms/trent/internal/secret"
)

// RSAKey is an RSA key pair of kind RSA_2048, RSA_3072 or RSA_4096. It
// signs (RSASSA-PSS and RSASSA-PKCS1-v1_5, rsa_sign.go) and encrypts
// (RSAES-OAEP, rsa_oaep.go), as every RSA key spec of AWS KMS may do
// depending on its key usage, which the service enforces.
//
// It is safe for concurrent use: the private key is validated and
// precomputed once, when the key is made, and never changed afterwards.
type RSAKey struct {
	Redacted
	kind Kind
	priv *rsa.PrivateKey
	// spki is the public key's DER SubjectPublicKeyInfo, encoded once.
	spki []byte
}

// rsaBits is the modulus size of each RSA kind.
var rsaBits = map[Kind]int{
	KindRSA2048: 2048,
	KindRSA3072: 3072,
	KindRSA4096: 4096,
}

func init() {
	for kind := range rsaBits {
		register(kind,
			func(rand io.Reader) (Key, error) { return generateRSAKey(kind, rand) },
			func(material []byte) (Key, error) { return parseRSAKey(kind, material) })
	}
}

// generateRSAKey makes a fresh key of kind. Since Go 1.26 crypto/rsa's
// GenerateKey ignores its reader and always draws from the system CSPRNG
// (unless GODEBUG=cryptocustomrand=1): rand is passed on, but a fixed
// reader does not make the key reproducible. That is the library's choice
// and a safe one; nothing here depends on reproducible keys.
func generateRSAKey(kind Kind, rand io.Reader) (*RSAKey, error) {
	priv, err := rsa.GenerateKey(orDefault(rand), rsaBits[kind])
	if err != nil {
		return nil, fmt.Errorf("cipher: generating %s key: %w", kind, err)
	}
	return newRSAKey(kind, priv)
}

// parseRSAKey reads a DER PKCS#8 PrivateKeyInfo holding an rsaEncryption
// key whose modulus has exactly the kind's size: what Material writes and
// what OpenSSL, AWS KMS (GenerateDataKeyPair) and Go write for such keys.
// Every other input is malformed material. crypto/x509 parses into fresh
// big.Ints, so the key keeps no reference to material.
func parseRSAKey(kind Kind, material []byte) (*RSAKey, error) {
	// x509.ParsePKCS8PrivateKey ignores bytes after the PrivateKeyInfo;
	// the material must be that one DER value and nothing else.
	var outer asn1.RawValue
	if rest, err := asn1.Unmarshal(material, &outer); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: %s: not one DER value", ErrMalformedMaterial, kind)
	}
	// The parser's error is not wrapped: it may quote parts of the input.
	parsed, err := x509.ParsePKCS8PrivateKey(material)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: not a PKCS#8 private key", ErrMalformedMaterial, kind)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: %s: PKCS#8 key is %T, not RSA", ErrMalformedMaterial, kind, parsed)
	}
	return newRSAKey(kind, priv)
}

// newRSAKey checks that priv is a sound two-prime key of kind's size and
// wraps it. Multi-prime keys are refused: crypto/rsa handles them only
// through deprecated, non-constant-time paths, and neither AWS KMS nor
// OpenSSL makes them by default.
func newRSAKey(kind Kind, priv *rsa.PrivateKey) (*RSAKey, error) {
	bits, ok := rsaBits[kind]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownKind, kind)
	}
	if got := priv.N.BitLen(); got != bits {
		return nil, fmt.Errorf("%w: %s: modulus is %d bits, not %d", ErrMalformedMaterial, kind, got, bits)
	}
	if len(priv.Primes) != 2 {
		return nil, fmt.Errorf("%w: %s: %d primes, not 2", ErrMalformedMaterial, kind, len(priv.Primes))
	}
	// Precompute before any concurrent use (it writes to priv); Validate
	// checks the primes, exponents and CRT values against each other.
	priv.Precompute()
	if err := priv.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %s: inconsistent RSA key", ErrMalformedMaterial, kind)
	}
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: cannot encode the public key", ErrMalformedMaterial, kind)
	}
	return &RSAKey{kind: kind, priv: priv, spki: spki}, nil
}

// Kind implements Key.
func (k *RSAKey) Kind() Kind { return k.kind }

// Material implements Key: DER PKCS#8, a fresh copy the caller may wipe.
// The big.Int arithmetic of the encoder leaves copies behind that no one
// can wipe; the secret.Bytes only shortens the life of this one.
func (k *RSAKey) Material() (*secret.Bytes, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		return nil, fmt.Errorf("cipher: encoding %s key: %w", k.kind, err)
	}
	return secret.New(der), nil
}

// PublicKeyDER implements AsymmetricKey: a copy, so callers cannot change
// the key's own.
func (k *RSAKey) PublicKeyDER() []byte { return append([]byte(nil), k.spki...) }
