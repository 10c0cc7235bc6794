package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/mlkem"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudflare/circl/kem/mlkem/mlkem512"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// End-to-end tests of GenerateDataKeyPair and
// GenerateDataKeyPairWithoutPlaintext. The API Reference: the public key
// is a DER SubjectPublicKeyInfo (RFC 5280), the private key a DER PKCS#8
// PrivateKeyInfo (RFC 5958), for ML-KEM "in seed format", so "the length
// of the private key is the same for all ML-KEM key pair specs". Each
// pair is read back with an implementation other than Trent's: Go's x509
// for RSA, the NIST curves and Ed25519; encoding/asn1 with decred's
// secp256k1 for ECC_SECG_P256K1; encoding/asn1 with Go's crypto/mlkem
// (768, 1024) or circl (512, which the standard library lacks) for ML-KEM.

// oneAsymmetricKey is PKCS#8 PrivateKeyInfo version 0 without the
// optional members.
type oneAsymmetricKey struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
}

// subjectPublicKeyInfo is RFC 5280's SubjectPublicKeyInfo.
type subjectPublicKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// ecPrivateKey is RFC 5915's ECPrivateKey.
type ecPrivateKey struct {
	Version    int
	PrivateKey []byte
	Parameters asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

// oidECPublicKey and oidSecp256k1 are in publickey_test.go.
var (
	// id-alg-ml-kem-512/768/1024 (NIST CSOR; RFC 9935 §3): no parameters.
	oidMLKEM = map[types.DataKeyPairSpec]asn1.ObjectIdentifier{
		types.DataKeyPairSpecMlKem512:  {2, 16, 840, 1, 101, 3, 4, 4, 1},
		types.DataKeyPairSpecMlKem768:  {2, 16, 840, 1, 101, 3, 4, 4, 2},
		types.DataKeyPairSpecMlKem1024: {2, 16, 840, 1, 101, 3, 4, 4, 3},
	}
)

// strictUnmarshal parses DER into v and refuses trailing bytes.
func strictUnmarshal(t *testing.T, what string, der []byte, v any) {
	t.Helper()
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(rest) != 0 {
		t.Fatalf("%s: %d bytes after the DER", what, len(rest))
	}
}

// checkKeyPair checks that private (DER PKCS#8) is a private key of spec
// whose public half is public (DER SPKI).
func checkKeyPair(t *testing.T, spec types.DataKeyPairSpec, private, public []byte) {
	t.Helper()
	switch spec {
	case types.DataKeyPairSpecRsa2048, types.DataKeyPairSpecRsa3072, types.DataKeyPairSpecRsa4096:
		bits := map[types.DataKeyPairSpec]int{types.DataKeyPairSpecRsa2048: 2048, types.DataKeyPairSpecRsa3072: 3072, types.DataKeyPairSpecRsa4096: 4096}[spec]
		k := parseStdlibPKCS8[*rsa.PrivateKey](t, private)
		if err := k.Validate(); err != nil || k.N.BitLen() != bits || len(k.Primes) != 2 {
			t.Fatalf("%s private key: %d-bit modulus, %d primes, Validate: %v", spec, k.N.BitLen(), len(k.Primes), err)
		}
		checkStdlibPublic(t, spec, &k.PublicKey, public)
	case types.DataKeyPairSpecEccNistP256, types.DataKeyPairSpecEccNistP384, types.DataKeyPairSpecEccNistP521:
		curve := map[types.DataKeyPairSpec]elliptic.Curve{types.DataKeyPairSpecEccNistP256: elliptic.P256(),
			types.DataKeyPairSpecEccNistP384: elliptic.P384(), types.DataKeyPairSpecEccNistP521: elliptic.P521()}[spec]
		k := parseStdlibPKCS8[*ecdsa.PrivateKey](t, private)
		if k.Curve != curve {
			t.Fatalf("%s private key on %s", spec, k.Curve.Params().Name)
		}
		checkStdlibPublic(t, spec, &k.PublicKey, public)
	case types.DataKeyPairSpecEccNistEdwards25519:
		k := parseStdlibPKCS8[ed25519.PrivateKey](t, private)
		checkStdlibPublic(t, spec, k.Public(), public)
	case types.DataKeyPairSpecEccSecgP256k1:
		checkSecp256k1Pair(t, private, public)
	case types.DataKeyPairSpecMlKem512, types.DataKeyPairSpecMlKem768, types.DataKeyPairSpecMlKem1024:
		checkMLKEMPair(t, spec, private, public)
	default:
		t.Fatalf("no check for key pair spec %s: add one", spec)
	}
}

func parseStdlibPKCS8[K any](t *testing.T, der []byte) K {
	t.Helper()
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		t.Fatalf("x509.ParsePKCS8PrivateKey: %v", err)
	}
	typed, ok := k.(K)
	if !ok {
		t.Fatalf("PKCS#8 holds a %T", k)
	}
	return typed
}

// checkStdlibPublic checks that public is the SPKI of want, byte for byte
// as Go's x509 encodes it (DER is canonical).
func checkStdlibPublic(t *testing.T, spec types.DataKeyPairSpec, want any, public []byte) {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(der, public) {
		t.Fatalf("%s: PublicKey is not the private key's public half", spec)
	}
	stdlibPublicKey(t, public)
}

// checkSecp256k1Pair reads the PKCS#8 and SPKI of an ECC_SECG_P256K1 pair
// with encoding/asn1 (Go's x509 knows no secp256k1) and derives the public
// point with decred's secp256k1.
func checkSecp256k1Pair(t *testing.T, private, public []byte) {
	t.Helper()
	var p8 oneAsymmetricKey
	strictUnmarshal(t, "PKCS#8", private, &p8)
	var curve asn1.ObjectIdentifier
	if p8.Version != 0 || !p8.Algorithm.Algorithm.Equal(oidECPublicKey) {
		t.Fatalf("PKCS#8 version %d, algorithm %v", p8.Version, p8.Algorithm.Algorithm)
	}
	strictUnmarshal(t, "PKCS#8 curve", p8.Algorithm.Parameters.FullBytes, &curve)
	var ec ecPrivateKey
	strictUnmarshal(t, "ECPrivateKey", p8.PrivateKey, &ec)
	if !curve.Equal(oidSecp256k1) || ec.Version != 1 || len(ec.PrivateKey) != 32 {
		t.Fatalf("curve %v, ECPrivateKey version %d, %d-byte scalar", curve, ec.Version, len(ec.PrivateKey))
	}
	point := secp256k1.PrivKeyFromBytes(ec.PrivateKey).PubKey().SerializeUncompressed()
	if ec.PublicKey.BitLength != 0 && !bytes.Equal(ec.PublicKey.RightAlign(), point) {
		t.Fatal("the public key inside the ECPrivateKey is not the scalar's")
	}

	var spki subjectPublicKeyInfo
	strictUnmarshal(t, "SPKI", public, &spki)
	var spkiCurve asn1.ObjectIdentifier
	strictUnmarshal(t, "SPKI curve", spki.Algorithm.Parameters.FullBytes, &spkiCurve)
	if !spki.Algorithm.Algorithm.Equal(oidECPublicKey) || !spkiCurve.Equal(oidSecp256k1) {
		t.Fatalf("SPKI algorithm %v on %v", spki.Algorithm.Algorithm, spkiCurve)
	}
	if !bytes.Equal(spki.PublicKey.RightAlign(), point) {
		t.Fatal("PublicKey is not the private key's point (uncompressed)")
	}
}

// mlkemSeedPKCS8Length is the DER length of a seed-form ML-KEM PKCS#8: a
// SEQUENCE (2 bytes of header) of the version (3), the AlgorithmIdentifier
// with its 9-arc OID (2+2+9) and an OCTET STRING (2) holding the [0]
// IMPLICIT 64-byte seed (2+64).
const mlkemSeedPKCS8Length = 2 + 3 + 2 + 2 + 9 + 2 + 2 + 64

// checkMLKEMPair reads a seed-form ML-KEM PKCS#8 (RFC 9935: the privateKey
// OCTET STRING holds ML-KEM-PrivateKey's seed choice, [0] IMPLICIT OCTET
// STRING (SIZE (64)), the FIPS 203 seed d ‖ z) and expands the seed with
// an independent ML-KEM.
func checkMLKEMPair(t *testing.T, spec types.DataKeyPairSpec, private, public []byte) {
	t.Helper()
	if len(private) != mlkemSeedPKCS8Length {
		t.Fatalf("%s PKCS#8 of %d bytes, want the seed form's %d", spec, len(private), mlkemSeedPKCS8Length)
	}
	var p8 oneAsymmetricKey
	strictUnmarshal(t, "PKCS#8", private, &p8)
	if p8.Version != 0 || !p8.Algorithm.Algorithm.Equal(oidMLKEM[spec]) || len(p8.Algorithm.Parameters.FullBytes) != 0 {
		t.Fatalf("PKCS#8 version %d, algorithm %v, parameters %x", p8.Version, p8.Algorithm.Algorithm, p8.Algorithm.Parameters.FullBytes)
	}
	var seed asn1.RawValue
	strictUnmarshal(t, "ML-KEM-PrivateKey", p8.PrivateKey, &seed)
	if seed.Class != asn1.ClassContextSpecific || seed.Tag != 0 || seed.IsCompound || len(seed.Bytes) != 64 {
		t.Fatalf("ML-KEM private key is not the [0] 64-byte seed: class %d tag %d compound %v, %d bytes", seed.Class, seed.Tag, seed.IsCompound, len(seed.Bytes))
	}
	var spki subjectPublicKeyInfo
	strictUnmarshal(t, "SPKI", public, &spki)
	if !spki.Algorithm.Algorithm.Equal(oidMLKEM[spec]) || len(spki.Algorithm.Parameters.FullBytes) != 0 {
		t.Fatalf("SPKI algorithm %v, parameters %x", spki.Algorithm.Algorithm, spki.Algorithm.Parameters.FullBytes)
	}
	var want []byte
	switch spec {
	case types.DataKeyPairSpecMlKem512:
		pk, _ := mlkem512.NewKeyFromSeed(seed.Bytes)
		want = make([]byte, mlkem512.PublicKeySize)
		pk.Pack(want)
	case types.DataKeyPairSpecMlKem768:
		dk, err := mlkem.NewDecapsulationKey768(seed.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		want = dk.EncapsulationKey().Bytes()
	case types.DataKeyPairSpecMlKem1024:
		dk, err := mlkem.NewDecapsulationKey1024(seed.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		want = dk.EncapsulationKey().Bytes()
	}
	if spki.PublicKey.BitLength%8 != 0 || !bytes.Equal(spki.PublicKey.Bytes, want) {
		t.Fatalf("%s: PublicKey is not the encapsulation key of the seed", spec)
	}
}

func TestGenerateDataKeyPair(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, nil)
	ec := map[string]string{"use": "data key pair"}
	// The subtests run one after another: RSA pairs take seconds each, and
	// Trent generates them one at a time on this machine, so parallel
	// requests would only queue against their deadline.
	for _, spec := range types.DataKeyPairSpec("").Values() {
		t.Run(string(spec), func(t *testing.T) {
			in := &kms.GenerateDataKeyPairInput{KeyId: md.KeyId, KeyPairSpec: spec, EncryptionContext: ec}
			inWithout := &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: md.Arn, KeyPairSpec: spec, EncryptionContext: ec}
			if spec == types.DataKeyPairSpecSm2 {
				// China Regions only; Trent answers as AWS does elsewhere.
				_, err := c.GenerateDataKeyPair(ctx, in)
				_, err2 := c.GenerateDataKeyPairWithoutPlaintext(ctx, inWithout)
				for _, err := range []error{err, err2} {
					if ae := apiError(t, err, "UnsupportedOperationException"); !strings.Contains(ae.ErrorMessage(), "SM2") {
						t.Errorf("message %q does not name SM2", ae.ErrorMessage())
					}
				}
				return
			}

			out := must[*kms.GenerateDataKeyPairOutput](t)(c.GenerateDataKeyPair(ctx, in))
			if aws.ToString(out.KeyId) != *md.Arn || out.KeyPairSpec != spec || aws.ToString(out.KeyMaterialId) != *md.CurrentKeyMaterialId {
				t.Fatalf("KeyId %s, KeyPairSpec %s, KeyMaterialId %v", aws.ToString(out.KeyId), out.KeyPairSpec, out.KeyMaterialId)
			}
			checkKeyPair(t, spec, out.PrivateKeyPlaintext, out.PublicKey)
			// The blob is the plaintext private key under the KMS key,
			// bound to the context.
			dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: ec}))
			if !bytes.Equal(dec.Plaintext, out.PrivateKeyPlaintext) || aws.ToString(dec.KeyId) != *md.Arn {
				t.Fatalf("PrivateKeyCiphertextBlob decrypts under %s to other bytes", aws.ToString(dec.KeyId))
			}
			_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.PrivateKeyCiphertextBlob})
			wantError(t, err, "InvalidCiphertextException", "")

			wo := must[*kms.GenerateDataKeyPairWithoutPlaintextOutput](t)(c.GenerateDataKeyPairWithoutPlaintext(ctx, inWithout))
			if aws.ToString(wo.KeyId) != *md.Arn || wo.KeyPairSpec != spec || aws.ToString(wo.KeyMaterialId) != *md.CurrentKeyMaterialId {
				t.Fatalf("WithoutPlaintext: KeyId %s, KeyPairSpec %s, KeyMaterialId %v", aws.ToString(wo.KeyId), wo.KeyPairSpec, wo.KeyMaterialId)
			}
			private := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wo.PrivateKeyCiphertextBlob, EncryptionContext: ec})).Plaintext
			checkKeyPair(t, spec, private, wo.PublicKey)
			// Every call makes a new pair.
			if bytes.Equal(wo.PublicKey, out.PublicKey) {
				t.Fatal("two calls returned the same key pair")
			}
		})
	}
}

// TestGenerateDataKeyPairWithoutPlaintextOmitsPrivateKey reads the
// response on the wire: the SDK's output type has no PrivateKeyPlaintext,
// so it could not tell whether the server sent one.
func TestGenerateDataKeyPairWithoutPlaintextOmitsPrivateKey(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	md := createSymmetricKey(t, tn.kms(), nil)
	status, members := rawKMSCall(t, tn, "GenerateDataKeyPairWithoutPlaintext",
		map[string]any{"KeyId": *md.KeyId, "KeyPairSpec": "ML_KEM_768"})
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, members)
	}
	var names []string
	for name := range members {
		names = append(names, name)
	}
	slices.Sort(names)
	want := []string{"KeyId", "KeyMaterialId", "KeyPairSpec", "PrivateKeyCiphertextBlob", "PublicKey"}
	if !slices.Equal(names, want) {
		t.Fatalf("response members %v, want %v", names, want)
	}
}

// rawKMSCall sends a SigV4-signed KMS JSON request for op and returns the
// status and the response's members.
func rawKMSCall(t *testing.T, tn *testNode, op string, body any) (int, map[string]json.RawMessage) {
	t.Helper()
	payload, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, tn.srv.URL+"/", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	sum := sha256.Sum256(payload)
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test-secret"}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "kms", testRegion, tn.clock.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := tn.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		t.Fatalf("response %q: %v", raw, err)
	}
	return resp.StatusCode, members
}

func TestGenerateDataKeyPairRefusals(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	sym := createSymmetricKey(t, c, nil)
	// An RSA encryption key has the right usage but no SYMMETRIC_DEFAULT;
	// an HMAC key has the wrong usage.
	rsaKey := createKeyOfType(t, c, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	hmacKey := createKeyOfType(t, c, types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac)
	before := keyUsageMark(t, c, *sym.KeyId)

	// Both operations take the same members: call both with each.
	type call struct {
		keyID   *string
		spec    types.DataKeyPairSpec
		dryRun  bool
		options []func(*kms.Options)
	}
	both := func(in call) map[string]error {
		var dry *bool
		if in.dryRun {
			dry = aws.Bool(true)
		}
		_, err := c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: in.keyID, KeyPairSpec: in.spec, DryRun: dry}, in.options...)
		_, err2 := c.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: in.keyID, KeyPairSpec: in.spec, DryRun: dry}, in.options...)
		return map[string]error{"GenerateDataKeyPair": err, "GenerateDataKeyPairWithoutPlaintext": err2}
	}
	for _, tc := range []struct {
		name, code string
		msg        func(op string) string // nil: AWS's text is not recorded, the code is checked
		in         call
	}{
		{"asymmetric key", "InvalidKeyUsageException", nil, call{keyID: rsaKey.KeyId, spec: types.DataKeyPairSpecEccNistP256}},
		{"HMAC key", "InvalidKeyUsageException", func(op string) string {
			return *hmacKey.Arn + " key usage is GENERATE_VERIFY_MAC which is not valid for " + op + "."
		}, call{keyID: hmacKey.KeyId, spec: types.DataKeyPairSpecEccNistP256}},
		{"HMAC key, dry run", "InvalidKeyUsageException", func(op string) string {
			return *hmacKey.Arn + " key usage is GENERATE_VERIFY_MAC which is not valid for " + op + "."
		}, call{keyID: hmacKey.KeyId, spec: types.DataKeyPairSpecEccNistP256, dryRun: true}},
		{"unknown spec", "ValidationException", func(string) string {
			return coralEnumMessage("RSA_1024", "keyPairSpec", types.DataKeyPairSpec("").Values())
		}, call{keyID: sym.KeyId, spec: "RSA_1024"}},
		{"dry run", "DryRunOperationException", func(string) string {
			return "The request would have succeeded, but the DryRun option is set."
		}, call{keyID: sym.KeyId, spec: types.DataKeyPairSpecRsa4096, dryRun: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for op, err := range both(tc.in) {
				if tc.msg == nil {
					apiError(t, err, tc.code)
				} else {
					wantError(t, err, tc.code, tc.msg(op))
				}
			}
		})
	}
	// The SDK checks for KeyPairSpec itself; without that check the server
	// must refuse the request.
	t.Run("missing spec", func(t *testing.T) {
		for _, err := range both(call{keyID: sym.KeyId, options: []func(*kms.Options){skipClientValidation}}) {
			wantNamedValidation(t, err, "'keyPairSpec'")
		}
	})
	t.Run("Recipient", func(t *testing.T) {
		_, err := c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: sym.KeyId, KeyPairSpec: types.DataKeyPairSpecEccNistP256,
			Recipient: &types.RecipientInfo{AttestationDocument: []byte("attestation"), KeyEncryptionAlgorithm: types.KeyEncryptionMechanismRsaesOaepSha256}})
		if ae := apiError(t, err, "ValidationException"); !strings.Contains(ae.ErrorMessage(), "Recipient") {
			t.Errorf("message %q does not name Recipient", ae.ErrorMessage())
		}
	})
	if after := keyUsageMark(t, c, *sym.KeyId); after != before {
		t.Errorf("refused calls and dry runs changed GetKeyLastUsage: %s -> %s", before, after)
	}
}
