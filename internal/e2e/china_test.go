//lint:file-ignore SA1019 Go's generic CurveParams arithmetic is the independent check of SM2 ECDH.

package e2e

import (
	"bytes"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// AWS offers SM2 keys only in its China Regions, and ML-KEM keys
// everywhere but there. These tests call Trent as a client in cn-north-1
// (partition aws-cn) would, and check SM2 against OpenSSL 3.0 and, for
// ECDH, against the curve arithmetic of Go's generic elliptic.CurveParams.

const chinaRegion = "cn-north-1"

// oidSM2Curve is the SM2 named curve (GB/T 33560), as OpenSSL writes an
// SM2 key: id-ecPublicKey with this curve.
var oidSM2Curve = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}

// sm2Curve is the SM2 recommended curve (GB/T 32918.5), a = p - 3, through
// Go's generic (non-constant-time) arithmetic: an implementation
// independent of the library Trent uses.
var sm2Curve = func() *elliptic.CurveParams {
	hex := func(s string) *big.Int {
		n, ok := new(big.Int).SetString(s, 16)
		if !ok {
			panic(s)
		}
		return n
	}
	return &elliptic.CurveParams{
		Name:    "SM2",
		P:       hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF"),
		N:       hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123"),
		B:       hex("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"),
		Gx:      hex("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"),
		Gy:      hex("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"),
		BitSize: 256,
	}
}()

func TestChinaRegionKeySpecs(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	cn := tn.client(chinaRegion, "test")
	for _, tc := range []struct {
		usage types.KeyUsageType
		algs  func(*types.KeyMetadata) []string
		want  string
	}{
		{types.KeyUsageTypeEncryptDecrypt, func(md *types.KeyMetadata) []string { return enumStrings(md.EncryptionAlgorithms) }, "SM2PKE"},
		{types.KeyUsageTypeSignVerify, func(md *types.KeyMetadata) []string { return enumStrings(md.SigningAlgorithms) }, "SM2DSA"},
		{types.KeyUsageTypeKeyAgreement, func(md *types.KeyMetadata) []string { return enumStrings(md.KeyAgreementAlgorithms) }, "ECDH"},
	} {
		md := createKeyOfType(t, cn, types.KeySpecSm2, tc.usage)
		if !strings.HasPrefix(*md.Arn, "arn:aws-cn:kms:cn-north-1:") {
			t.Errorf("SM2 key ARN %s is not in the aws-cn partition", *md.Arn)
		}
		got := describeKeyMetadata(t, cn, *md.KeyId)
		if algs := tc.algs(got); len(algs) != 1 || algs[0] != tc.want {
			t.Errorf("SM2 %s: algorithms %v, want [%s]", tc.usage, algs, tc.want)
		}
		pub := must[*kms.GetPublicKeyOutput](t)(cn.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId}))
		if pub.KeySpec != types.KeySpecSm2 || pub.KeyUsage != tc.usage {
			t.Errorf("GetPublicKey: %s %s", pub.KeySpec, pub.KeyUsage)
		}
		sm2PublicPoint(t, pub.PublicKey)
	}
	// ML-KEM is not offered in China, as AWS documents.
	_, err := cn.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecMlKem768, KeyUsage: types.KeyUsageTypeEncapsulateDecapsulate})
	wantError(t, err, "UnsupportedOperationException", "KeySpec ML_KEM_768 is not supported in this Region")
	symmetric := createSymmetricKey(t, cn, nil)
	_, err = cn.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: symmetric.KeyId, KeyPairSpec: types.DataKeyPairSpecMlKem768})
	wantError(t, err, "UnsupportedOperationException", "KeyPairSpec ML_KEM_768 is not supported in this Region")
	// And SM2 data key pairs are: the private key loads in OpenSSL, whose
	// public key is the pair's.
	ensureOpenSSL(t)
	dir := t.TempDir()
	pair := must[*kms.GenerateDataKeyPairOutput](t)(cn.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{
		KeyId: symmetric.KeyId, KeyPairSpec: types.DataKeyPairSpecSm2}))
	writeFileBytes(t, filepath.Join(dir, "priv.der"), pair.PrivateKeyPlaintext)
	openssl(t, dir, "pkey", "-inform", "DER", "-in", "priv.der", "-pubout", "-outform", "DER", "-out", "pub.der")
	if !bytes.Equal(readFileBytes(t, filepath.Join(dir, "pub.der")), pair.PublicKey) {
		t.Error("OpenSSL's public key of the SM2 data key pair differs from PublicKey")
	}
	sm2PublicPoint(t, pair.PublicKey)
}

// sm2PublicPoint checks an SPKI is an id-ecPublicKey on the SM2 curve and
// returns its point.
func sm2PublicPoint(t *testing.T, der []byte) (x, y *big.Int) {
	t.Helper()
	var spki struct {
		Algorithm struct {
			Algorithm asn1.ObjectIdentifier
			Curve     asn1.ObjectIdentifier
		}
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(der, &spki); err != nil || len(rest) != 0 {
		t.Fatalf("SM2 SPKI: %v (%d bytes left)", err, len(rest))
	}
	if !spki.Algorithm.Algorithm.Equal(oidECPublicKey) || !spki.Algorithm.Curve.Equal(oidSM2Curve) {
		t.Fatalf("SM2 SPKI algorithm %v curve %v", spki.Algorithm.Algorithm, spki.Algorithm.Curve)
	}
	x, y = elliptic.Unmarshal(sm2Curve, spki.PublicKey.Bytes)
	if x == nil {
		t.Fatal("SM2 public key is not a point of the SM2 curve")
	}
	return x, y
}

func TestSM2SignVerifyWithOpenSSL(t *testing.T) {
	t.Parallel()
	ensureOpenSSL(t)
	cn := startNode(t).client(chinaRegion, "test")
	md := createKeyOfType(t, cn, types.KeySpecSm2, types.KeyUsageTypeSignVerify)
	dir := t.TempDir()
	writePublicKeyPEM(t, dir, "pub.pem", publicKeyDER(t, cn, *md.KeyId))
	msg := []byte("signed in cn-north-1")
	writeFileBytes(t, filepath.Join(dir, "msg"), msg)
	sig := trentSign(t, cn, *md.KeyId, types.SigningAlgorithmSpecSm2dsa, types.MessageTypeRaw, msg)
	writeFileBytes(t, filepath.Join(dir, "sig"), sig)
	verify := []string{"pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-digest", "sm3",
		"-pkeyopt", "distid:1234567812345678", "-in", "msg", "-sigfile", "sig"}
	if ok, out := opensslVerifies(t, dir, verify...); !ok {
		t.Errorf("OpenSSL does not verify Trent's SM2DSA signature: %s", out)
	}
	writeFileBytes(t, filepath.Join(dir, "msg"), []byte("another message"))
	if ok, _ := opensslVerifies(t, dir, verify...); ok {
		t.Error("OpenSSL verifies the signature over another message")
	}
	out := must[*kms.VerifyOutput](t)(cn.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: msg, Signature: sig,
		SigningAlgorithm: types.SigningAlgorithmSpecSm2dsa}))
	if !out.SignatureValid {
		t.Error("Verify: SignatureValid false")
	}
	sig[len(sig)-1] ^= 1
	_, err := cn.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: msg, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecSm2dsa})
	wantError(t, err, "KMSInvalidSignatureException", "")
	_, err = cn.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: make([]byte, 31), MessageType: types.MessageTypeDigest,
		SigningAlgorithm: types.SigningAlgorithmSpecSm2dsa})
	wantError(t, err, "ValidationException", "Digest is invalid length for algorithm SM2DSA.")
	_, err = cn.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: msg, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	wantError(t, err, "InvalidKeyUsageException", "Algorithm ECDSA_SHA_256 is incompatible with key spec SM2.")
}

func TestSM2EncryptDecryptWithOpenSSL(t *testing.T) {
	t.Parallel()
	ensureOpenSSL(t)
	cn := startNode(t).client(chinaRegion, "test")
	md := createKeyOfType(t, cn, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt)
	const alg = types.EncryptionAlgorithmSpecSm2pke
	decrypt := func(ct []byte) []byte {
		t.Helper()
		return must[*kms.DecryptOutput](t)(cn.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: ct,
			EncryptionAlgorithm: alg})).Plaintext
	}
	// Round trips up to the model's 1024-byte limit, and one byte more.
	for _, n := range []int{1, 1024} {
		pt := randomBytes(n)
		enc := must[*kms.EncryptOutput](t)(cn.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: alg}))
		if enc.EncryptionAlgorithm != alg || !bytes.Equal(decrypt(enc.CiphertextBlob), pt) {
			t.Errorf("%d bytes: SM2PKE round trip failed", n)
		}
	}
	_, err := cn.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: randomBytes(1025), EncryptionAlgorithm: alg})
	wantError(t, err, "ValidationException", "Algorithm SM2PKE and key spec SM2 cannot encrypt data larger than 1024 bytes.")
	// A ciphertext OpenSSL makes with the public key decrypts in Trent.
	dir := t.TempDir()
	writePublicKeyPEM(t, dir, "pub.pem", publicKeyDER(t, cn, *md.KeyId))
	pt := []byte("encrypted by openssl")
	writeFileBytes(t, filepath.Join(dir, "pt"), pt)
	openssl(t, dir, "pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.pem", "-in", "pt", "-out", "ct")
	ct := readFileBytes(t, filepath.Join(dir, "ct"))
	if got := decrypt(ct); !bytes.Equal(got, pt) {
		t.Errorf("OpenSSL's SM2 ciphertext decrypts to %q", got)
	}
	ct[len(ct)-1] ^= 1
	_, err = cn.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: ct, EncryptionAlgorithm: alg})
	wantError(t, err, "InvalidCiphertextException", "")
	// ReEncrypt from SM2 to a symmetric key and back.
	sym := createSymmetricKey(t, cn, nil)
	enc := must[*kms.EncryptOutput](t)(cn.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: alg}))
	re := must[*kms.ReEncryptOutput](t)(cn.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob,
		SourceKeyId: md.KeyId, SourceEncryptionAlgorithm: alg, DestinationKeyId: sym.KeyId}))
	back := must[*kms.ReEncryptOutput](t)(cn.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: re.CiphertextBlob,
		DestinationKeyId: md.KeyId, DestinationEncryptionAlgorithm: alg}))
	if !bytes.Equal(decrypt(back.CiphertextBlob), pt) {
		t.Error("SM2 → symmetric → SM2 ReEncrypt lost the plaintext")
	}
}

func TestSM2DeriveSharedSecret(t *testing.T) {
	t.Parallel()
	cn := startNode(t).client(chinaRegion, "test")
	md := createKeyOfType(t, cn, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement)
	kx, ky := sm2PublicPoint(t, publicKeyDER(t, cn, *md.KeyId))
	// The peer: a private scalar and its public key, by the generic curve
	// arithmetic, in the SPKI form OpenSSL writes for SM2.
	d, err := rand.Int(rand.Reader, new(big.Int).Sub(sm2Curve.N, big.NewInt(1)))
	if err != nil {
		t.Fatal(err)
	}
	d.Add(d, big.NewInt(1))
	px, py := sm2Curve.ScalarBaseMult(d.Bytes())
	point := elliptic.Marshal(sm2Curve, px, py)
	peer, err := asn1.Marshal(struct {
		Algorithm struct {
			Algorithm asn1.ObjectIdentifier
			Curve     asn1.ObjectIdentifier
		}
		PublicKey asn1.BitString
	}{struct {
		Algorithm asn1.ObjectIdentifier
		Curve     asn1.ObjectIdentifier
	}{oidECPublicKey, oidSM2Curve}, asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
	if err != nil {
		t.Fatal(err)
	}
	out := must[*kms.DeriveSharedSecretOutput](t)(cn.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId,
		KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: peer}))
	sx, _ := sm2Curve.ScalarMult(kx, ky, d.Bytes())
	want := sx.FillBytes(make([]byte, 32))
	if !bytes.Equal(out.SharedSecret, want) {
		t.Errorf("SM2 ECDH secret %x, the peer computes %x", out.SharedSecret, want)
	}
	// A P-256 peer key is not on the SM2 curve: ValidationException with
	// an empty message, as for the NIST curves (agreement_test.go).
	_, err = cn.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId,
		KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: peerPublicKey(t)})
	wantError(t, err, "ValidationException", "UnknownError")
}

func enumStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// TestImportWithSM2WrappingInChina: in the China Regions material can be
// wrapped with an SM2 wrapping key and SM2PKE (model,
// GetParametersForImport); OpenSSL 3.0 wraps it. Elsewhere the pair is
// refused (import_errors_test.go).
func TestImportWithSM2WrappingInChina(t *testing.T) {
	t.Parallel()
	ensureOpenSSL(t)
	cn := startNode(t).client(chinaRegion, "test")
	md := must[*kms.CreateKeyOutput](t)(cn.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal})).KeyMetadata
	// SM2PKE goes with the SM2 wrapping key only.
	_, err := cn.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: md.KeyId,
		WrappingAlgorithm: types.AlgorithmSpecSm2pke, WrappingKeySpec: types.WrappingKeySpecRsa2048})
	wantOwnError(t, err, "ValidationException")
	p := must[*kms.GetParametersForImportOutput](t)(cn.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: md.KeyId,
		WrappingAlgorithm: types.AlgorithmSpecSm2pke, WrappingKeySpec: types.WrappingKeySpecSm2}))
	sm2PublicPoint(t, p.PublicKey)
	dir := t.TempDir()
	writePublicKeyPEM(t, dir, "wrapping.pem", p.PublicKey)
	material := randomBytes(32)
	writeFileBytes(t, filepath.Join(dir, "material"), material)
	openssl(t, dir, "pkeyutl", "-encrypt", "-pubin", "-inkey", "wrapping.pem", "-in", "material", "-out", "wrapped")
	must[*kms.ImportKeyMaterialOutput](t)(cn.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId,
		ImportToken: p.ImportToken, EncryptedKeyMaterial: readFileBytes(t, filepath.Join(dir, "wrapped")),
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}))
	blob := encryptUnder(t, cn, *md.KeyId, []byte("wrapped with SM2"), nil)
	if got, err := openTrentBlob(t, material, *md.KeyId, blob); err != nil || !bytes.Equal(got, []byte("wrapped with SM2")) {
		t.Errorf("the imported key does not use the material OpenSSL wrapped: %v", err)
	}
}
