package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/mlkem"
	"crypto/rsa"
	"encoding/asn1"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudflare/circl/sign"
	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// End-to-end tests of GetPublicKey: the response members for every
// asymmetric spec and usage, and the public key itself, parsed by code
// other than Trent's.

// spki is a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), read with
// encoding/asn1 for the algorithms Go's x509 does not know.
type spki struct {
	Algorithm struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	PublicKey asn1.BitString
}

// parseSPKI parses der as a SubjectPublicKeyInfo with nothing after it.
func parseSPKI(t *testing.T, der []byte) spki {
	t.Helper()
	var s spki
	rest, err := asn1.Unmarshal(der, &s)
	if err != nil || len(rest) != 0 {
		t.Fatalf("not a SubjectPublicKeyInfo: %v (%d trailing bytes)", err, len(rest))
	}
	if s.PublicKey.BitLength != 8*len(s.PublicKey.Bytes) {
		t.Fatalf("subjectPublicKey has %d bits, not whole bytes", s.PublicKey.BitLength)
	}
	return s
}

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
)

// pqKeys are the post-quantum specs: their SPKI algorithm OIDs (FIPS 204
// and 203 as registered by NIST, RFC 9881 and the LAMPS ML-KEM profile,
// parameters absent) and raw public key sizes (FIPS 204 Table 2, FIPS 203
// Table 3).
var pqKeys = map[types.KeySpec]struct {
	oid  asn1.ObjectIdentifier
	size int
}{
	types.KeySpecMlDsa44:   {asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 17}, 1312},
	types.KeySpecMlDsa65:   {asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 18}, 1952},
	types.KeySpecMlDsa87:   {asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 19}, 2592},
	types.KeySpecMlKem512:  {asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 1}, 800},
	types.KeySpecMlKem768:  {asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 2}, 1184},
	types.KeySpecMlKem1024: {asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 3}, 1568},
}

// mldsaSchemes are circl's ML-DSA implementations, by spec.
var mldsaSchemes = map[types.KeySpec]sign.Scheme{
	types.KeySpecMlDsa44: mldsa44.Scheme(), types.KeySpecMlDsa65: mldsa65.Scheme(), types.KeySpecMlDsa87: mldsa87.Scheme(),
}

// pqPublicKey returns the raw public key of an ML-DSA or ML-KEM SPKI after
// checking its algorithm identifier and size.
func pqPublicKey(t *testing.T, spec types.KeySpec, der []byte) []byte {
	t.Helper()
	want, ok := pqKeys[spec]
	if !ok {
		t.Fatalf("%s is not a post-quantum spec", spec)
	}
	s := parseSPKI(t, der)
	if !s.Algorithm.Algorithm.Equal(want.oid) || len(s.Algorithm.Parameters.FullBytes) != 0 {
		t.Fatalf("%s: algorithm %v with parameters %x, want %v without", spec, s.Algorithm.Algorithm, s.Algorithm.Parameters.FullBytes, want.oid)
	}
	if len(s.PublicKey.Bytes) != want.size {
		t.Fatalf("%s: %d-byte public key, want %d", spec, len(s.PublicKey.Bytes), want.size)
	}
	return s.PublicKey.Bytes
}

// secp256k1PublicKey checks an ECC_SECG_P256K1 SPKI (RFC 5480: id-ecPublicKey
// with the named curve secp256k1, an uncompressed point) and decodes the
// point with decred's secp256k1, which checks that it is on the curve.
func secp256k1PublicKey(t *testing.T, der []byte) *secp256k1.PublicKey {
	t.Helper()
	s := parseSPKI(t, der)
	var curve asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(s.Algorithm.Parameters.FullBytes, &curve); err != nil || len(rest) != 0 {
		t.Fatalf("secp256k1 SPKI parameters %x: not a named curve (%v)", s.Algorithm.Parameters.FullBytes, err)
	}
	if !s.Algorithm.Algorithm.Equal(oidECPublicKey) || !curve.Equal(oidSecp256k1) {
		t.Fatalf("algorithm %v curve %v, want %v %v", s.Algorithm.Algorithm, curve, oidECPublicKey, oidSecp256k1)
	}
	point := s.PublicKey.Bytes
	if len(point) != 65 || point[0] != 0x04 {
		t.Fatalf("secp256k1 point of %d bytes starting %#x, want 65 uncompressed", len(point), point[:1])
	}
	pub, err := secp256k1.ParsePubKey(point)
	if err != nil {
		t.Fatalf("secp256k1.ParsePubKey: %v", err)
	}
	return pub
}

// checkPublicKey parses a public key of spec by code other than Trent's
// and checks its size or curve.
func checkPublicKey(t *testing.T, spec types.KeySpec, der []byte) {
	t.Helper()
	switch spec {
	case types.KeySpecRsa2048, types.KeySpecRsa3072, types.KeySpecRsa4096:
		pub, ok := stdlibPublicKey(t, der).(*rsa.PublicKey)
		bits := map[types.KeySpec]int{types.KeySpecRsa2048: 2048, types.KeySpecRsa3072: 3072, types.KeySpecRsa4096: 4096}[spec]
		if !ok || pub.N.BitLen() != bits {
			t.Errorf("%s: public key %T, want a %d-bit RSA modulus", spec, stdlibPublicKey(t, der), bits)
		}
	case types.KeySpecEccNistP256, types.KeySpecEccNistP384, types.KeySpecEccNistP521:
		pub, ok := stdlibPublicKey(t, der).(*ecdsa.PublicKey)
		curve := map[types.KeySpec]elliptic.Curve{types.KeySpecEccNistP256: elliptic.P256(), types.KeySpecEccNistP384: elliptic.P384(),
			types.KeySpecEccNistP521: elliptic.P521()}[spec]
		if !ok || pub.Curve != curve {
			t.Errorf("%s: public key %T, want an ECDSA key on %s", spec, stdlibPublicKey(t, der), curve.Params().Name)
		}
	case types.KeySpecEccNistEdwards25519:
		if pub, ok := stdlibPublicKey(t, der).(ed25519.PublicKey); !ok || len(pub) != ed25519.PublicKeySize {
			t.Errorf("%s: public key %T, want Ed25519", spec, stdlibPublicKey(t, der))
		}
	case types.KeySpecEccSecgP256k1:
		secp256k1PublicKey(t, der)
	case types.KeySpecMlDsa44, types.KeySpecMlDsa65, types.KeySpecMlDsa87:
		if _, err := mldsaSchemes[spec].UnmarshalBinaryPublicKey(pqPublicKey(t, spec, der)); err != nil {
			t.Errorf("%s: circl does not read the public key: %v", spec, err)
		}
	case types.KeySpecMlKem512:
		pqPublicKey(t, spec, der)
	case types.KeySpecMlKem768:
		if _, err := mlkem.NewEncapsulationKey768(pqPublicKey(t, spec, der)); err != nil {
			t.Errorf("%s: crypto/mlkem does not read the public key: %v", spec, err)
		}
	case types.KeySpecMlKem1024:
		if _, err := mlkem.NewEncapsulationKey1024(pqPublicKey(t, spec, der)); err != nil {
			t.Errorf("%s: crypto/mlkem does not read the public key: %v", spec, err)
		}
	default:
		t.Fatalf("no public key check for %s", spec)
	}
}

func publicKeyAlgorithms(out *kms.GetPublicKeyOutput) keyAlgorithms {
	return keyAlgorithms{
		types.KeyUsageTypeEncryptDecrypt:         algNames(out.EncryptionAlgorithms),
		types.KeyUsageTypeSignVerify:             algNames(out.SigningAlgorithms),
		types.KeyUsageTypeKeyAgreement:           algNames(out.KeyAgreementAlgorithms),
		types.KeyUsageTypeEncapsulateDecapsulate: algNames(out.EncapsulationAlgorithms),
	}
}

func TestGetPublicKeyEverySpec(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	for _, p := range awsSpecUsages {
		if p.spec == types.KeySpecSymmetricDefault || p.usage == types.KeyUsageTypeGenerateVerifyMac {
			continue
		}
		md := createKeyOfType(t, c, p.spec, p.usage)
		out := must[*kms.GetPublicKeyOutput](t)(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId}))
		if aws.ToString(out.KeyId) != *md.Arn || out.KeySpec != p.spec || string(out.CustomerMasterKeySpec) != string(p.spec) || out.KeyUsage != p.usage {
			t.Errorf("%s: KeyId %s, KeySpec %s, CustomerMasterKeySpec %s, KeyUsage %s", p, aws.ToString(out.KeyId), out.KeySpec, out.CustomerMasterKeySpec, out.KeyUsage)
		}
		checkAlgorithmLists(t, "GetPublicKey", p, publicKeyAlgorithms(out))
		checkPublicKey(t, p.spec, out.PublicKey)
		// The key is the key's, not made per call; any identifier form
		// names it.
		must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/pk-" + p.String()), TargetKeyId: md.KeyId}))
		for _, id := range []string{*md.KeyId, *md.Arn, "alias/pk-" + p.String()} {
			if again := publicKeyDER(t, c, id); !bytes.Equal(again, out.PublicKey) {
				t.Errorf("%s: GetPublicKey(%s) gave another public key", p, id)
			}
		}
	}
}

// Symmetric and HMAC keys have no public key: the model lists
// UnsupportedOperationException for GetPublicKey; AWS's text is not
// recorded.
func TestGetPublicKeyOfSecretKeys(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	keys := []*types.KeyMetadata{createSymmetricKey(t, c, nil)}
	for _, spec := range []types.KeySpec{types.KeySpecHmac224, types.KeySpecHmac256, types.KeySpecHmac384, types.KeySpecHmac512} {
		keys = append(keys, createKeyOfType(t, c, spec, types.KeyUsageTypeGenerateVerifyMac))
	}
	for _, md := range keys {
		for _, id := range []*string{md.KeyId, md.Arn} {
			_, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: id})
			wantOwnError(t, err, "UnsupportedOperationException")
		}
	}
}
