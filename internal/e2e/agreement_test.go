package e2e

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// End-to-end tests of DeriveSharedSecret: ECDH between a KEY_AGREEMENT
// key's private key and a peer's public key (a DER SubjectPublicKeyInfo on
// the same NIST curve, API Reference). The peer is Go's crypto/ecdh, which
// computes the same raw secret from the key's GetPublicKey.

const ecdhAlg = types.KeyAgreementAlgorithmSpecEcdh

var agreementSpecs = []struct {
	spec   types.KeySpec
	curve  ecdh.Curve
	secret int // the x-coordinate's length
}{
	{types.KeySpecEccNistP256, ecdh.P256(), 32},
	{types.KeySpecEccNistP384, ecdh.P384(), 48},
	{types.KeySpecEccNistP521, ecdh.P521(), 66},
}

// ecdhPublicKey returns a KMS key's public key for crypto/ecdh.
func ecdhPublicKey(t *testing.T, c *kms.Client, keyID string) *ecdh.PublicKey {
	t.Helper()
	pub, ok := stdlibPublicKey(t, publicKeyDER(t, c, keyID)).(*ecdsa.PublicKey)
	if !ok {
		t.Fatalf("GetPublicKey of %s is not an EC key", keyID)
	}
	k, err := pub.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// ecdhPeer is a peer key pair made with crypto/ecdh, and its SPKI.
func ecdhPeer(t *testing.T, curve ecdh.Curve) (*ecdh.PrivateKey, []byte) {
	t.Helper()
	k, err := curve.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	return k, der
}

func deriveSharedSecret(t *testing.T, c *kms.Client, md *types.KeyMetadata, peer []byte) []byte {
	t.Helper()
	out := must[*kms.DeriveSharedSecretOutput](t)(c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId,
		KeyAgreementAlgorithm: ecdhAlg, PublicKey: peer}))
	if aws.ToString(out.KeyId) != *md.Arn || out.KeyAgreementAlgorithm != ecdhAlg || out.KeyOrigin != types.OriginTypeAwsKms {
		t.Fatalf("DeriveSharedSecret: KeyId %s, algorithm %s, origin %s", aws.ToString(out.KeyId), out.KeyAgreementAlgorithm, out.KeyOrigin)
	}
	return out.SharedSecret
}

func TestDeriveSharedSecret(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	for _, tc := range agreementSpecs {
		t.Run(string(tc.spec), func(t *testing.T) {
			t.Parallel()
			md := createKeyOfType(t, c, tc.spec, types.KeyUsageTypeKeyAgreement)
			if len(md.KeyAgreementAlgorithms) != 1 || md.KeyAgreementAlgorithms[0] != ecdhAlg {
				t.Fatalf("KeyAgreementAlgorithms %v", md.KeyAgreementAlgorithms)
			}
			kmsPub := ecdhPublicKey(t, c, *md.KeyId)
			peer, peerDER := ecdhPeer(t, tc.curve)
			got := deriveSharedSecret(t, c, md, peerDER)
			want, err := peer.ECDH(kmsPub)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.secret || !bytes.Equal(got, want) {
				t.Fatalf("Trent's %d-byte secret is not the peer's", len(got))
			}
			if again := deriveSharedSecret(t, c, md, peerDER); !bytes.Equal(again, got) {
				t.Fatal("the same peer gave another secret")
			}
			_, otherDER := ecdhPeer(t, tc.curve)
			if other := deriveSharedSecret(t, c, md, otherDER); bytes.Equal(other, got) {
				t.Fatal("two peers gave the same secret")
			}
			// Two KMS keys agree with each other's GetPublicKey.
			md2 := createKeyOfType(t, c, tc.spec, types.KeyUsageTypeKeyAgreement)
			ab := deriveSharedSecret(t, c, md, publicKeyDER(t, c, *md2.KeyId))
			ba := deriveSharedSecret(t, c, md2, publicKeyDER(t, c, *md.KeyId))
			if !bytes.Equal(ab, ba) {
				t.Fatal("two KMS keys derive different secrets from each other's public keys")
			}

			// Peer keys that are not a point of the key's curve in an
			// SPKI: AWS was recorded answering ValidationException with
			// an empty message (LocalStack's AWS-validated snapshot of
			// test_derive_shared_secret, PublicKey "InvalidPublicKey").
			// smithy-go's awsjson decoder reports an empty message of an
			// error outside the service model as "UnknownError".
			for name, bad := range invalidPeerKeys(t, tc.curve, peer.PublicKey(), peerDER) {
				_, err := c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: bad})
				if err == nil {
					t.Fatalf("%s: DeriveSharedSecret succeeded", name)
				}
				wantError(t, err, "ValidationException", "UnknownError")
			}
		})
	}
}

// invalidPeerKeys are peer public keys DeriveSharedSecret must refuse for
// a key on curve, made from a valid peer key (pub, its SPKI der).
func invalidPeerKeys(t *testing.T, curve ecdh.Curve, pub *ecdh.PublicKey, der []byte) map[string][]byte {
	t.Helper()
	otherCurve := ecdh.P256()
	if curve == ecdh.P256() {
		otherCurve = ecdh.P384()
	}
	_, otherDER := ecdhPeer(t, otherCurve)
	_, x25519DER := ecdhPeer(t, ecdh.X25519())
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edDER, err := x509.MarshalPKIXPublicKey(edPub)
	if err != nil {
		t.Fatal(err)
	}
	// An RSA public key need not be a real one to be encoded.
	n := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 2047), big.NewInt(1))
	rsaDER, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n, E: 65537})
	if err != nil {
		t.Fatal(err)
	}

	// The same SPKI with another point encoding.
	var spki subjectPublicKeyInfo
	strictUnmarshal(t, "peer SPKI", der, &spki)
	withPoint := func(point []byte) []byte {
		s := spki
		s.PublicKey = asn1.BitString{Bytes: point, BitLength: 8 * len(point)}
		b, err := asn1.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	uncompressed := pub.Bytes() // 0x04 ‖ X ‖ Y
	size := (len(uncompressed) - 1) / 2
	compressed := append([]byte{0x02 | uncompressed[len(uncompressed)-1]&1}, uncompressed[1:1+size]...)
	offCurve := bytes.Clone(uncompressed)
	offCurve[len(offCurve)-1] ^= 0x01
	if _, err := x509.ParsePKIXPublicKey(withPoint(offCurve)); err == nil {
		t.Fatal("Go's x509 takes the altered point: it is on the curve")
	}

	return map[string][]byte{
		"another curve":         otherDER,
		"X25519":                x25519DER,
		"Ed25519":               edDER,
		"RSA":                   rsaDER,
		"garbage":               []byte("not a public key"),
		"truncated SPKI":        der[:len(der)-1],
		"trailing byte":         append(bytes.Clone(der), 0),
		"raw point, no SPKI":    uncompressed,
		"point not on curve":    withPoint(offCurve),
		"compressed point":      withPoint(compressed),
		"point at infinity":     withPoint([]byte{0x00}),
		"X coordinate only":     withPoint(uncompressed[:1+size]),
		"point of another size": withPoint(append(bytes.Clone(uncompressed), 0)),
	}
}

func TestDeriveSharedSecretRefusals(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createKeyOfType(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
	_, peer := ecdhPeer(t, ecdh.P256())
	before := keyUsageMark(t, c, *md.KeyId)

	// Keys of other usages, ECC_SECG_P256K1 (SIGN_VERIFY only) among
	// them: AWS's recorded key-usage message.
	for _, shape := range []keyShape{{}, {spec: types.KeySpecEccNistP256, usage: types.KeyUsageTypeSignVerify}, {spec: types.KeySpecEccSecgP256k1, usage: types.KeyUsageTypeSignVerify}} {
		name := "symmetric key"
		if shape.spec != "" {
			name = fmt.Sprintf("%s %s key", shape.spec, shape.usage)
		}
		t.Run(name, func(t *testing.T) {
			k := createKeyOfType(t, c, shape.spec, shape.usage)
			_, err := c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: k.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: peer})
			wantError(t, err, "InvalidKeyUsageException", fmt.Sprintf("%s key usage is %s which is not valid for DeriveSharedSecret.", *k.Arn, k.KeyUsage))
		})
	}

	t.Run("members", func(t *testing.T) {
		_, err := c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, PublicKey: peer}, skipClientValidation)
		wantNamedValidation(t, err, "'keyAgreementAlgorithm'")
		_, err = c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg}, skipClientValidation)
		wantNamedValidation(t, err, "'publicKey'")
		_, err = c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: "ECDHE", PublicKey: peer})
		wantError(t, err, "ValidationException", coralEnumMessage("ECDHE", "keyAgreementAlgorithm", types.KeyAgreementAlgorithmSpec("").Values()))
	})

	// Trent cannot verify Nitro attestation (as TestRecipientRefused).
	t.Run("Recipient", func(t *testing.T) {
		_, err := c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: peer,
			Recipient: &types.RecipientInfo{AttestationDocument: []byte("attestation"), KeyEncryptionAlgorithm: types.KeyEncryptionMechanismRsaesOaepSha256}})
		if ae := apiError(t, err, "ValidationException"); !strings.Contains(ae.ErrorMessage(), "Recipient") {
			t.Errorf("message %q does not name Recipient", ae.ErrorMessage())
		}
	})

	t.Run("dry runs", func(t *testing.T) {
		_, err := c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: peer, DryRun: aws.Bool(true)})
		wantError(t, err, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")
		// The peer key is still checked: the call would fail.
		_, other := ecdhPeer(t, ecdh.P384())
		_, err = c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: other, DryRun: aws.Bool(true)})
		apiError(t, err, "ValidationException")
	})

	if after := keyUsageMark(t, c, *md.KeyId); after != before {
		t.Errorf("refused calls and dry runs changed GetKeyLastUsage: %s -> %s", before, after)
	}
}
