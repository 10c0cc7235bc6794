package e2e

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	k1 "github.com/decred/dcrd/dcrec/secp256k1/v4"
	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// TestImportSigningKeyTypes: the signing key specs TestImportAsymmetric
// does not cover take imported PKCS#8 material too: secp256k1 (written by
// OpenSSL, which is how a user makes one; Go's x509 does not know the
// curve) and Ed25519 (Go's x509). Trent then signs with the imported key:
// the signatures verify against the public key made outside Trent.
func TestImportSigningKeyTypes(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	msg := []byte("signed with imported material")
	sign := func(keyID string, alg types.SigningAlgorithmSpec) []byte {
		t.Helper()
		return must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: aws.String(keyID), Message: msg, SigningAlgorithm: alg})).Signature
	}

	t.Run("ECC_SECG_P256K1", func(t *testing.T) {
		t.Parallel()
		ensureOpenSSL(t)
		dir := t.TempDir()
		openssl(t, dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-out", "k.pem")
		openssl(t, dir, "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.der")
		openssl(t, dir, "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der")
		md := createExternalKey(t, c, types.KeySpecEccSecgP256k1, types.KeyUsageTypeSignVerify)
		mustImport(t, tn, *md.KeyId, readFileBytes(t, filepath.Join(dir, "k.der")), kwp256)
		wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled)
		spki := readFileBytes(t, filepath.Join(dir, "pub.der"))
		if got := publicKeyDER(t, c, *md.KeyId); string(got) != string(spki) {
			t.Fatal("GetPublicKey is not OpenSSL's public key of the imported key")
		}
		pub, err := k1.ParsePubKey(spki[len(spki)-65:])
		if err != nil {
			t.Fatal(err)
		}
		sig, err := k1ecdsa.ParseDERSignature(sign(*md.KeyId, types.SigningAlgorithmSpecEcdsaSha256))
		if err != nil {
			t.Fatal(err)
		}
		digest := sha256.Sum256(msg)
		if !sig.Verify(digest[:], pub) {
			t.Error("Trent's signature with the imported secp256k1 key does not verify with its public key")
		}
	})

	t.Run("ECC_NIST_EDWARDS25519", func(t *testing.T) {
		t.Parallel()
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		md := createExternalKey(t, c, types.KeySpecEccNistEdwards25519, types.KeyUsageTypeSignVerify)
		mustImport(t, tn, *md.KeyId, der, oaep256)
		if !ed25519.Verify(pub, msg, sign(*md.KeyId, types.SigningAlgorithmSpecEd25519Sha512)) {
			t.Error("Trent's Ed25519 signature with the imported key does not verify with its public key")
		}
		// Ed25519ph over SHA-512(d), as AWS applies the prehash to the
		// DIGEST message d (sign_test.go).
		digest := crypto.SHA512.New()
		digest.Write(msg)
		dd := digest.Sum(nil)
		sig := must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: dd, MessageType: types.MessageTypeDigest,
			SigningAlgorithm: types.SigningAlgorithmSpecEd25519PhSha512})).Signature
		ph := crypto.SHA512.New()
		ph.Write(dd)
		if err := ed25519.VerifyWithOptions(pub, ph.Sum(nil), sig, &ed25519.Options{Hash: crypto.SHA512}); err != nil {
			t.Errorf("Trent's Ed25519ph signature with the imported key: %v", err)
		}
	})
}
