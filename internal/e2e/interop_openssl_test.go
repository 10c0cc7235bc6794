package e2e

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Interoperability with OpenSSL (Debian's openssl 3.0 command line tool):
// what Trent signs, openssl verifies; what openssl encrypts or agrees on,
// Trent decrypts or derives alike; the private keys of data key pairs load
// in openssl and sign. Each check runs a handful of openssl processes, a few
// dozen in all, on files in a temporary directory.

// opensslTimeout bounds one openssl process; each does one small operation.
const opensslTimeout = 30 * time.Second

// opensslEnv is openssl's environment: Debian's programs, no user config.
var opensslEnv = []string{"PATH=/usr/bin:/bin", "LANG=C", "OPENSSL_CONF=/dev/null"}

// opensslRun runs openssl in dir and returns its output and error: for a
// verification, a failure is an answer.
func opensslRun(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opensslTimeout)
	defer cancel()
	stdout, stderr, err := runBounded(ctx, dir, opensslEnv, openSSLPath, args...)
	return stdout + stderr, err
}

// openssl runs openssl in dir; a failure fails the test.
func openssl(t *testing.T, dir string, args ...string) {
	t.Helper()
	if out, err := opensslRun(t, dir, args...); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// opensslVerifies runs an openssl verification and reports whether it
// exited 0 printing the success line of dgst ("Verified OK") or pkeyutl
// ("Signature Verified Successfully"), with openssl's output.
func opensslVerifies(t *testing.T, dir string, args ...string) (bool, string) {
	t.Helper()
	out, err := opensslRun(t, dir, args...)
	ok := err == nil && (strings.Contains(out, "Verified OK") || strings.Contains(out, "Signature Verified Successfully"))
	return ok, fmt.Sprintf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
}

// writePublicKeyPEM writes a DER SubjectPublicKeyInfo as a PEM PUBLIC KEY
// file, the form openssl reads, and returns its name.
func writePublicKeyPEM(t *testing.T, dir, name string, der []byte) string {
	t.Helper()
	writeFileBytes(t, filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	return name
}

func writeFileBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func trentSign(t *testing.T, c *kms.Client, keyID string, alg types.SigningAlgorithmSpec, mt types.MessageType, msg []byte) []byte {
	t.Helper()
	return must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: aws.String(keyID), SigningAlgorithm: alg,
		MessageType: mt, Message: msg})).Signature
}

// opensslSignCase is one signing algorithm and how openssl verifies it.
type opensslSignCase struct {
	alg types.SigningAlgorithmSpec
	// digest is openssl dgst's digest option.
	digest string
	// sigopts are openssl dgst's -sigopt values (RSASSA-PSS).
	sigopts []string
	// alsoDigest: also sign, as MessageType DIGEST, the digest openssl
	// computed (openssl dgst -binary), and verify that with openssl over
	// the message.
	alsoDigest bool
}

// opensslPSS are the options of AWS's RSASSA-PSS: MGF1 with the message's hash
// (openssl's default), salt as long as the digest.
var opensslPSS = []string{"rsa_padding_mode:pss", "rsa_pss_saltlen:digest"}

// TestInteropOpenSSLSignatures: signatures Trent makes (RAW, and DIGEST
// over a digest openssl computed) verify with openssl against the PEM of
// GetPublicKey's DER, for every signing key spec openssl 3.0 knows.
// ML-DSA is not in openssl 3.0 (see interop_node_test.go), nor is
// Ed25519ph (ED25519_PH_SHA_512), which openssl has only from 3.2.
func TestInteropOpenSSLSignatures(t *testing.T) {
	t.Parallel()
	ensureOpenSSL(t)
	c := startNode(t).kms()
	specs := []struct {
		spec  types.KeySpec
		cases []opensslSignCase
	}{
		{types.KeySpecRsa2048, []opensslSignCase{
			{alg: types.SigningAlgorithmSpecRsassaPssSha256, digest: "-sha256", sigopts: opensslPSS},
			{alg: types.SigningAlgorithmSpecRsassaPssSha384, digest: "-sha384", sigopts: opensslPSS, alsoDigest: true},
			{alg: types.SigningAlgorithmSpecRsassaPssSha512, digest: "-sha512", sigopts: opensslPSS},
			{alg: types.SigningAlgorithmSpecRsassaPkcs1V15Sha256, digest: "-sha256"},
			{alg: types.SigningAlgorithmSpecRsassaPkcs1V15Sha384, digest: "-sha384"},
			{alg: types.SigningAlgorithmSpecRsassaPkcs1V15Sha512, digest: "-sha512", alsoDigest: true},
		}},
		{types.KeySpecEccNistP256, []opensslSignCase{{alg: types.SigningAlgorithmSpecEcdsaSha256, digest: "-sha256", alsoDigest: true}}},
		{types.KeySpecEccNistP384, []opensslSignCase{{alg: types.SigningAlgorithmSpecEcdsaSha384, digest: "-sha384"}}},
		{types.KeySpecEccNistP521, []opensslSignCase{{alg: types.SigningAlgorithmSpecEcdsaSha512, digest: "-sha512", alsoDigest: true}}},
		{types.KeySpecEccSecgP256k1, []opensslSignCase{{alg: types.SigningAlgorithmSpecEcdsaSha256, digest: "-sha256", alsoDigest: true}}},
	}
	for _, s := range specs {
		t.Run(string(s.spec), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			md := createKeyOfType(t, c, s.spec, types.KeyUsageTypeSignVerify)
			pub := writePublicKeyPEM(t, dir, "pub.pem", publicKeyDER(t, c, *md.KeyId))
			msg := []byte("signed by Trent, verified by OpenSSL: " + string(s.spec))
			writeFileBytes(t, filepath.Join(dir, "msg"), msg)
			for _, tc := range s.cases {
				verify := []string{"dgst", tc.digest, "-verify", pub, "-signature", "sig"}
				for _, o := range tc.sigopts {
					verify = append(verify, "-sigopt", o)
				}
				verify = append(verify, "msg")

				writeFileBytes(t, filepath.Join(dir, "sig"), trentSign(t, c, *md.KeyId, tc.alg, types.MessageTypeRaw, msg))
				if ok, out := opensslVerifies(t, dir, verify...); !ok {
					t.Errorf("openssl does not verify %s's %s signature of a RAW message: %s", s.spec, tc.alg, out)
				}
				if !tc.alsoDigest {
					continue
				}
				openssl(t, dir, "dgst", tc.digest, "-binary", "-out", "digest", "msg")
				digest := readFileBytes(t, filepath.Join(dir, "digest"))
				writeFileBytes(t, filepath.Join(dir, "sig"), trentSign(t, c, *md.KeyId, tc.alg, types.MessageTypeDigest, digest))
				if ok, out := opensslVerifies(t, dir, verify...); !ok {
					t.Errorf("openssl does not verify %s's %s signature of the DIGEST openssl computed: %s", s.spec, tc.alg, out)
				}
			}
			// The check can fail: openssl refuses a signature of another
			// message (the last one made, which verified above).
			writeFileBytes(t, filepath.Join(dir, "msg"), append(msg, '!'))
			last := s.cases[len(s.cases)-1]
			verify := []string{"dgst", last.digest, "-verify", pub, "-signature", "sig"}
			for _, o := range last.sigopts {
				verify = append(verify, "-sigopt", o)
			}
			if ok, _ := opensslVerifies(t, dir, append(verify, "msg")...); ok {
				t.Errorf("openssl verified %s's %s signature against another message", s.spec, last.alg)
			}
		})
	}

	// Pure Ed25519 (ED25519_SHA_512, RAW only): openssl takes the whole
	// message with pkeyutl -rawin.
	t.Run(string(types.KeySpecEccNistEdwards25519), func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		md := createKeyOfType(t, c, types.KeySpecEccNistEdwards25519, types.KeyUsageTypeSignVerify)
		pub := writePublicKeyPEM(t, dir, "pub.pem", publicKeyDER(t, c, *md.KeyId))
		msg := []byte("signed by Trent with Ed25519, verified by OpenSSL")
		writeFileBytes(t, filepath.Join(dir, "msg"), msg)
		writeFileBytes(t, filepath.Join(dir, "sig"), trentSign(t, c, *md.KeyId, types.SigningAlgorithmSpecEd25519Sha512, types.MessageTypeRaw, msg))
		verify := []string{"pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", "msg", "-sigfile", "sig"}
		if ok, out := opensslVerifies(t, dir, verify...); !ok {
			t.Errorf("openssl does not verify an ED25519_SHA_512 signature: %s", out)
		}
		writeFileBytes(t, filepath.Join(dir, "msg"), append(msg, '!'))
		if ok, _ := opensslVerifies(t, dir, verify...); ok {
			t.Error("openssl verified an ED25519_SHA_512 signature against another message")
		}
	})
}

// TestInteropOpenSSLDecrypt: ciphertexts openssl makes with the public key
// of an RSA encryption key, RSAES-OAEP with SHA-256 or SHA-1 for both the
// label hash and MGF1 (as AWS documents), decrypt in Trent.
func TestInteropOpenSSLDecrypt(t *testing.T) {
	t.Parallel()
	ensureOpenSSL(t)
	c := startNode(t).kms()
	dir := t.TempDir()
	md := createKeyOfType(t, c, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	pub := writePublicKeyPEM(t, dir, "pub.pem", publicKeyDER(t, c, *md.KeyId))
	for _, tc := range []struct {
		alg  types.EncryptionAlgorithmSpec
		hash string
	}{
		{types.EncryptionAlgorithmSpecRsaesOaepSha256, "sha256"},
		{types.EncryptionAlgorithmSpecRsaesOaepSha1, "sha1"},
	} {
		plaintext := randomBytes(100)
		writeFileBytes(t, filepath.Join(dir, "plain"), plaintext)
		openssl(t, dir, "pkeyutl", "-encrypt", "-pubin", "-inkey", pub, "-pkeyopt", "rsa_padding_mode:oaep",
			"-pkeyopt", "rsa_oaep_md:"+tc.hash, "-pkeyopt", "rsa_mgf1_md:"+tc.hash, "-in", "plain", "-out", "ct")
		ct := readFileBytes(t, filepath.Join(dir, "ct"))
		out, err := c.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: ct, EncryptionAlgorithm: tc.alg})
		if err != nil {
			t.Errorf("Decrypt of openssl's %s ciphertext: %v", tc.alg, err)
			continue
		}
		if !bytes.Equal(out.Plaintext, plaintext) || out.EncryptionAlgorithm != tc.alg {
			t.Errorf("Decrypt of openssl's %s ciphertext: %x (%s), want %x", tc.alg, out.Plaintext, out.EncryptionAlgorithm, plaintext)
		}
	}
}

// TestInteropOpenSSLDeriveSharedSecret: ECDH between a Trent
// KEY_AGREEMENT key and a peer key openssl generated gives the same raw
// shared secret (the x-coordinate, no KDF) on both sides: openssl
// pkeyutl -derive with the peer's private key and Trent's public key, and
// DeriveSharedSecret with the peer's public key.
func TestInteropOpenSSLDeriveSharedSecret(t *testing.T) {
	t.Parallel()
	ensureOpenSSL(t)
	c := startNode(t).kms()
	for _, tc := range []struct {
		spec  types.KeySpec
		curve string
	}{
		{types.KeySpecEccNistP256, "P-256"},
		{types.KeySpecEccNistP384, "P-384"},
		{types.KeySpecEccNistP521, "P-521"},
	} {
		t.Run(string(tc.spec), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			md := createKeyOfType(t, c, tc.spec, types.KeyUsageTypeKeyAgreement)
			trentPub := writePublicKeyPEM(t, dir, "trent.pem", publicKeyDER(t, c, *md.KeyId))
			openssl(t, dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:"+tc.curve, "-out", "peer.pem")
			// The peer's SubjectPublicKeyInfo, re-encoded by Go's x509
			// from the key openssl made.
			block, _ := pem.Decode(readFileBytes(t, filepath.Join(dir, "peer.pem")))
			if block == nil {
				t.Fatal("openssl genpkey wrote no PEM")
			}
			peer := must[any](t)(x509.ParsePKCS8PrivateKey(block.Bytes)).(*ecdsa.PrivateKey)
			peerPub := must[[]byte](t)(x509.MarshalPKIXPublicKey(&peer.PublicKey))
			openssl(t, dir, "pkeyutl", "-derive", "-inkey", "peer.pem", "-peerkey", trentPub, "-out", "secret")
			want := readFileBytes(t, filepath.Join(dir, "secret"))
			out := must[*kms.DeriveSharedSecretOutput](t)(c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId,
				KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: peerPub}))
			if !bytes.Equal(out.SharedSecret, want) {
				t.Errorf("DeriveSharedSecret: %x\nopenssl pkeyutl -derive: %x", out.SharedSecret, want)
			}
		})
	}
}

// TestInteropOpenSSLDataKeyPairs: the private key of a data key pair (DER
// PKCS#8) loads in openssl, openssl computes from it the pair's PublicKey
// byte for byte, and a signature openssl makes with it verifies against
// PublicKey with Go's standard library, which shows the PKCS#8 is a
// working key, not merely well-formed.
func TestInteropOpenSSLDataKeyPairs(t *testing.T) {
	t.Parallel()
	ensureOpenSSL(t)
	c := startNode(t).kms()
	sym := createKeyOfType(t, c, types.KeySpecSymmetricDefault, types.KeyUsageTypeEncryptDecrypt)
	msg := []byte("signed by OpenSSL with a Trent data key pair")
	for _, tc := range []struct {
		spec types.DataKeyPairSpec
		// sign are openssl's arguments to sign file msg into sig with
		// priv.der.
		sign []string
		hash crypto.Hash
	}{
		{types.DataKeyPairSpecRsa2048, []string{"dgst", "-sha256", "-sign", "priv.der", "-keyform", "DER", "-out", "sig", "msg"}, crypto.SHA256},
		{types.DataKeyPairSpecEccNistP256, []string{"dgst", "-sha256", "-sign", "priv.der", "-keyform", "DER", "-out", "sig", "msg"}, crypto.SHA256},
		{types.DataKeyPairSpecEccNistP384, []string{"dgst", "-sha384", "-sign", "priv.der", "-keyform", "DER", "-out", "sig", "msg"}, crypto.SHA384},
		{types.DataKeyPairSpecEccNistP521, []string{"dgst", "-sha512", "-sign", "priv.der", "-keyform", "DER", "-out", "sig", "msg"}, crypto.SHA512},
		{types.DataKeyPairSpecEccSecgP256k1, []string{"dgst", "-sha256", "-sign", "priv.der", "-keyform", "DER", "-out", "sig", "msg"}, crypto.SHA256},
		{types.DataKeyPairSpecEccNistEdwards25519, []string{"pkeyutl", "-sign", "-inkey", "priv.der", "-keyform", "DER", "-rawin", "-in", "msg", "-out", "sig"}, 0},
	} {
		t.Run(string(tc.spec), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			pair := must[*kms.GenerateDataKeyPairOutput](t)(c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{
				KeyId: sym.KeyId, KeyPairSpec: tc.spec}))
			writeFileBytes(t, filepath.Join(dir, "priv.der"), pair.PrivateKeyPlaintext)
			writeFileBytes(t, filepath.Join(dir, "msg"), msg)
			openssl(t, dir, "pkey", "-inform", "DER", "-in", "priv.der", "-pubout", "-outform", "DER", "-out", "pub.der")
			if got := readFileBytes(t, filepath.Join(dir, "pub.der")); !bytes.Equal(got, pair.PublicKey) {
				t.Fatalf("openssl's public key of the private key:\n%x\nPublicKey:\n%x", got, pair.PublicKey)
			}
			openssl(t, dir, tc.sign...)
			sig := readFileBytes(t, filepath.Join(dir, "sig"))
			if tc.spec == types.DataKeyPairSpecEccSecgP256k1 {
				// Go's standard library has no secp256k1: openssl
				// checks its signature against the pair's PublicKey
				// (not the key it derived itself).
				pub := writePublicKeyPEM(t, dir, "pub.pem", pair.PublicKey)
				if ok, out := opensslVerifies(t, dir, "dgst", "-sha256", "-verify", pub, "-signature", "sig", "msg"); !ok {
					t.Errorf("openssl's signature with the private key does not verify against PublicKey: %s", out)
				}
				return
			}
			if !stdlibVerifiesOpenSSL(t, stdlibPublicKey(t, pair.PublicKey), tc.hash, msg, sig) {
				t.Errorf("openssl's signature with the private key does not verify against PublicKey")
			}
		})
	}
}

// stdlibVerifiesOpenSSL verifies with Go's standard library a signature openssl
// made by default for the key's type: PKCS#1 v1.5 for RSA, ASN.1 DER
// ECDSA, pure Ed25519.
func stdlibVerifiesOpenSSL(t *testing.T, pub any, hash crypto.Hash, msg, sig []byte) bool {
	t.Helper()
	if hash == 0 {
		k, ok := pub.(ed25519.PublicKey)
		return ok && ed25519.Verify(k, msg, sig)
	}
	h := hash.New()
	h.Write(msg)
	digest := h.Sum(nil)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, hash, digest, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, digest, sig)
	}
	t.Fatalf("unexpected public key type %T", pub)
	return false
}
