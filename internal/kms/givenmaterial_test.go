package kms

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
)

// TestGivenMaterialForms: a key pair given in PKCS#8, PKCS#1 (RSA) or SEC1
// (NIST curves) is read as its spec's material with the same public key,
// and its spec can be told from it; material of another spec or length is
// refused with a message that says what the spec wants.
func TestGivenMaterialForms(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPKCS8, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecSEC1, _ := x509.MarshalECPrivateKey(ec)
	rsaPKCS8, _ := x509.MarshalPKCS8PrivateKey(rk)
	edPKCS8, _ := x509.MarshalPKCS8PrivateKey(ed)
	ecPub, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	rsaPub, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	edPub, _ := x509.MarshalPKIXPublicKey(ed.Public())
	for _, tt := range []struct {
		name string
		spec keys.KeySpec
		der  []byte
		pub  []byte
	}{
		{"EC PKCS#8", "ECC_NIST_P384", ecPKCS8, ecPub},
		{"EC SEC1", "ECC_NIST_P384", ecSEC1, ecPub},
		{"RSA PKCS#8", "RSA_2048", rsaPKCS8, rsaPub},
		{"RSA PKCS#1", "RSA_2048", x509.MarshalPKCS1PrivateKey(rk), rsaPub},
		{"Ed25519 PKCS#8", "ECC_NIST_EDWARDS25519", edPKCS8, edPub},
	} {
		spec, err := specOfMaterial(tt.der)
		if err != nil || spec != tt.spec {
			t.Fatalf("%s: spec %s, %v; want %s", tt.name, spec, err, tt.spec)
		}
		key, err := parseGivenMaterial(tt.spec, tt.der)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := key.(cipher.AsymmetricKey).PublicKeyDER(); string(got) != string(tt.pub) {
			t.Fatalf("%s: not the given key", tt.name)
		}
	}
	for _, tt := range []struct {
		name string
		spec keys.KeySpec
		mat  []byte
		want string
	}{
		{"EC key as RSA", "RSA_2048", ecPKCS8, "not a RSA_2048 private key"},
		{"P-384 key as P-256", "ECC_NIST_P256", ecSEC1, "not a ECC_NIST_P256 private key"},
		{"16-byte AES", keys.SpecSymmetricDefault, make([]byte, 16), "32 bytes"},
		{"short HMAC", "HMAC_256", make([]byte, 31), "hash's output length to its block length"},
		{"long HMAC", "HMAC_256", make([]byte, 65), "hash's output length to its block length"},
	} {
		if _, err := parseGivenMaterial(tt.spec, tt.mat); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Fatalf("%s: %v, want an error saying %q", tt.name, err, tt.want)
		}
	}
	if _, err := specOfMaterial(make([]byte, 32)); err != errNoSpecFromMaterial {
		t.Fatalf("raw bytes: %v", err)
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := specOfMaterial(x509.MarshalPKCS1PrivateKey(small)); err == nil || !strings.Contains(err.Error(), "1024 bits") {
		t.Fatalf("RSA 1024: %v", err)
	}
}
