package kms

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
)

// Key material a user hands over (a seed file, LocalStack's
// _custom_key_material_ tag) rather than Trent generating it or a client
// importing it wrapped.

// errNoSpecFromMaterial is returned when a key pair's spec cannot be read
// from its material.
var errNoSpecFromMaterial = errors.New("the key spec cannot be told from this material; give the spec")

// parseGivenMaterial reads material of spec: raw bytes for symmetric and
// HMAC keys (the lengths ImportKeyMaterial takes), a DER private key for
// key pairs in PKCS#8, or for RSA and the NIST curves also in the forms
// OpenSSL writes by default (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE
// KEY"). The error never quotes the material.
func parseGivenMaterial(spec keys.KeySpec, material []byte) (cipher.Key, error) {
	kind := materialKind(spec)
	key, err := cipher.Parse(kind, material)
	if err == nil {
		return key, nil
	}
	if keys.Spec(spec) != nil && keys.Spec(spec).Pair {
		if pkcs8 := toPKCS8(material); pkcs8 != nil {
			defer clear(pkcs8)
			if key, err2 := cipher.Parse(kind, pkcs8); err2 == nil {
				return key, nil
			}
		}
	}
	return nil, givenMaterialError(spec)
}

// givenMaterialError says what material a spec wants, instead of the
// parser's words, which may quote the input.
func givenMaterialError(spec keys.KeySpec) error {
	info := keys.Spec(spec)
	switch {
	case info == nil:
		return fmt.Errorf("no key material is defined for key spec %s", spec)
	case info.Pair:
		return fmt.Errorf("the material is not a %s private key (PKCS#8 DER, or PKCS#1/SEC1 for RSA and NIST curves)", spec)
	case spec == keys.SpecSymmetricDefault:
		return fmt.Errorf("the material of a SYMMETRIC_DEFAULT key is 32 bytes")
	default:
		// HMAC: the bounds of imported HMAC material.
		return fmt.Errorf("the material is not valid %s key material: HMAC keys take from the hash's output length to its block length", spec)
	}
}

// toPKCS8 converts a PKCS#1 RSA or SEC1 EC private key to PKCS#8; nil if
// the bytes are neither.
func toPKCS8(der []byte) []byte {
	var priv any
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		priv = k
	} else if k, err := x509.ParseECPrivateKey(der); err == nil {
		priv = k
	} else {
		return nil
	}
	out, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil
	}
	return out
}

// specOfMaterial tells the key spec of a DER private key, for a seed that
// gives a key pair without its spec (as local-kms seeds do).
func specOfMaterial(der []byte) (keys.KeySpec, error) {
	var priv any
	var err error
	if priv, err = x509.ParsePKCS8PrivateKey(der); err != nil {
		if priv, err = x509.ParsePKCS1PrivateKey(der); err != nil {
			if priv, err = x509.ParseECPrivateKey(der); err != nil {
				return "", errNoSpecFromMaterial
			}
		}
	}
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		if spec := keys.KeySpec(fmt.Sprintf("RSA_%d", k.N.BitLen())); keys.Spec(spec) != nil {
			return spec, nil
		}
		return "", fmt.Errorf("an RSA key of %d bits is no KMS key spec (RSA_2048, RSA_3072, RSA_4096)", k.N.BitLen())
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return "ECC_NIST_P256", nil
		case elliptic.P384():
			return "ECC_NIST_P384", nil
		case elliptic.P521():
			return "ECC_NIST_P521", nil
		}
	case ed25519.PrivateKey:
		return "ECC_NIST_EDWARDS25519", nil
	}
	return "", errNoSpecFromMaterial
}
