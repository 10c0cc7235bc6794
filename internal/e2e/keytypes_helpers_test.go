package e2e

import (
	"crypto/x509"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Helpers shared by the tests of the key types beyond symmetric keys.

// createKeyOfType creates a key of spec and usage (AWS_KMS origin).
func createKeyOfType(t *testing.T, c *kms.Client, spec types.KeySpec, usage types.KeyUsageType) *types.KeyMetadata {
	t.Helper()
	return must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})).KeyMetadata
}

// publicKeyDER returns a key's public key as GetPublicKey gives it.
func publicKeyDER(t *testing.T, c *kms.Client, keyID string) []byte {
	t.Helper()
	return must[*kms.GetPublicKeyOutput](t)(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(keyID)})).PublicKey
}

// stdlibPublicKey parses a public key with Go's x509, which knows RSA,
// the NIST curves and Ed25519 (not secp256k1, ML-DSA or ML-KEM).
func stdlibPublicKey(t *testing.T, der []byte) any {
	t.Helper()
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatalf("x509.ParsePKIXPublicKey: %v", err)
	}
	return pub
}
