package e2e

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// End-to-end tests of importing key material: GetParametersForImport,
// ImportKeyMaterial, DeleteImportedKeyMaterial and the expiry of imported
// material. The material is wrapped only with implementations independent
// of Trent: Go's crypto/rsa for RSA-OAEP and openssl's id-aes256-wrap-pad
// (RFC 5649) for the AES key wrap, as AWS's documentation does it. Since
// the test made the material, it also checks that Trent really uses it:
// its ciphertexts open, its MACs and signatures verify, under the test's
// own copy of the key.

// importTokenLifetime is how long GetParametersForImport's public key and
// token are valid (API Reference: 24 hours).
const importTokenLifetime = 24 * time.Hour

// wrapping is a WrappingAlgorithm and WrappingKeySpec pair.
type wrapping struct {
	alg  types.AlgorithmSpec
	spec types.WrappingKeySpec
}

// The wrapping the tests use when the wrapping is not what they test:
// RSAES-OAEP needs no openssl process and RSA_2048 is the quickest key for
// the server to make; RSA and ECC private keys need the AES key wrap when
// they do not fit one RSA-OAEP block.
var (
	oaep256 = wrapping{types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa2048}
	kwp256  = wrapping{types.AlgorithmSpecRsaAesKeyWrapSha256, types.WrappingKeySpecRsa2048}
)

// importParams is one GetParametersForImport answer.
type importParams struct {
	w       wrapping
	out     *kms.GetParametersForImportOutput
	public  *rsa.PublicKey
	fetched time.Time
}

// getImportParams calls GetParametersForImport and parses the wrapping
// public key with Go's x509.
func getImportParams(t *testing.T, tn *testNode, keyID string, w wrapping) importParams {
	t.Helper()
	out := must[*kms.GetParametersForImportOutput](t)(tn.kms().GetParametersForImport(ctx, &kms.GetParametersForImportInput{
		KeyId: aws.String(keyID), WrappingAlgorithm: w.alg, WrappingKeySpec: w.spec}))
	pub, ok := stdlibPublicKey(t, out.PublicKey).(*rsa.PublicKey)
	if !ok {
		t.Fatalf("GetParametersForImport(%s, %s): PublicKey is not an RSA key", w.alg, w.spec)
	}
	if len(out.ImportToken) == 0 {
		t.Fatalf("GetParametersForImport(%s, %s): empty ImportToken", w.alg, w.spec)
	}
	return importParams{w: w, out: out, public: pub, fetched: tn.clock.Now()}
}

// wrapMaterial wraps material for p as AWS's documentation tells users to:
// RSAES_OAEP_SHA_* is RSA-OAEP of the material (MGF1 with the same hash, no
// label); RSA_AES_KEY_WRAP_SHA_* is RSA-OAEP of a fresh 256-bit AES key
// followed by openssl's AES key wrap with padding of the material under it.
func wrapMaterial(t *testing.T, p importParams, material []byte) []byte {
	t.Helper()
	var h hash.Hash
	switch p.w.alg {
	case types.AlgorithmSpecRsaesOaepSha1, types.AlgorithmSpecRsaAesKeyWrapSha1:
		h = sha1.New()
	case types.AlgorithmSpecRsaesOaepSha256, types.AlgorithmSpecRsaAesKeyWrapSha256:
		h = sha256.New()
	default:
		t.Fatalf("wrapMaterial: no wrapping for %s", p.w.alg)
	}
	if p.w.alg == types.AlgorithmSpecRsaesOaepSha1 || p.w.alg == types.AlgorithmSpecRsaesOaepSha256 {
		return wrapOAEP(t, h, p.public, material)
	}
	aesKey := randomBytes(32)
	return append(wrapOAEP(t, h, p.public, aesKey), opensslKeyWrapPad(t, aesKey, material)...)
}

// wrapOAEP is RSA-OAEP by crypto/rsa: MGF1 over h, empty label.
func wrapOAEP(t *testing.T, h hash.Hash, pub *rsa.PublicKey, msg []byte) []byte {
	t.Helper()
	ct, err := rsa.EncryptOAEP(h, rand.Reader, pub, msg, nil)
	if err != nil {
		t.Fatalf("rsa.EncryptOAEP of %d bytes: %v", len(msg), err)
	}
	return ct
}

// opensslKeyWrapPad wraps material under a 256-bit AES key with RFC 5649
// AES key wrap with padding, by openssl's command line exactly as AWS's
// "Encrypt the key material" page has it.
func opensslKeyWrapPad(t *testing.T, aesKey, material []byte) []byte {
	t.Helper()
	ensureOpenSSL(t)
	dir := t.TempDir()
	writeFileBytes(t, filepath.Join(dir, "material"), material)
	openssl(t, dir, "enc", "-id-aes256-wrap-pad", "-K", hex.EncodeToString(aesKey), "-iv", "A65959A6",
		"-in", "material", "-out", "wrapped")
	return readFileBytes(t, filepath.Join(dir, "wrapped"))
}

// importMaterial gets fresh parameters for w, wraps material with them and
// imports it with in's other members (ExpirationModel, ValidTo, ...).
func importMaterial(t *testing.T, tn *testNode, keyID string, material []byte, w wrapping, in kms.ImportKeyMaterialInput) (*kms.ImportKeyMaterialOutput, error) {
	t.Helper()
	p := getImportParams(t, tn, keyID, w)
	in.KeyId, in.ImportToken, in.EncryptedKeyMaterial = aws.String(keyID), p.out.ImportToken, wrapMaterial(t, p, material)
	return tn.kms().ImportKeyMaterial(ctx, &in)
}

// noExpiry imports material that does not expire.
var noExpiry = kms.ImportKeyMaterialInput{ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}

// mustImport imports material that does not expire and returns the
// answer's KeyMaterialId.
func mustImport(t *testing.T, tn *testNode, keyID string, material []byte, w wrapping) string {
	t.Helper()
	out := must[*kms.ImportKeyMaterialOutput](t)(importMaterial(t, tn, keyID, material, w, noExpiry))
	return aws.ToString(out.KeyMaterialId)
}

// createExternalKey creates a key of spec and usage with origin EXTERNAL
// (the zero spec: a symmetric encryption key).
func createExternalKey(t *testing.T, c *kms.Client, spec types.KeySpec, usage types.KeyUsageType) *types.KeyMetadata {
	t.Helper()
	md := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{
		KeySpec: spec, KeyUsage: usage, Origin: types.OriginTypeExternal})).KeyMetadata
	if md.KeyState != types.KeyStatePendingImport || md.Enabled || md.Origin != types.OriginTypeExternal {
		t.Fatalf("CreateKey Origin EXTERNAL: state %s, enabled %v, origin %s; want PendingImport, false, EXTERNAL", md.KeyState, md.Enabled, md.Origin)
	}
	return md
}

// metadataJSON is a key's DescribeKey metadata, for comparing before and
// after a refused call.
func metadataJSON(t *testing.T, c *kms.Client, keyID string) string {
	t.Helper()
	b, err := json.Marshal(describeKeyMetadata(t, c, keyID))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantKeyState asserts a key's state (and that Enabled agrees with it).
func wantKeyState(t *testing.T, c *kms.Client, keyID string, want types.KeyState) *types.KeyMetadata {
	t.Helper()
	md := describeKeyMetadata(t, c, keyID)
	if md.KeyState != want || md.Enabled != (want == types.KeyStateEnabled) {
		t.Fatalf("key %s: state %s, enabled %v; want %s", keyID, md.KeyState, md.Enabled, want)
	}
	return md
}

// wantPendingImportRefusals asserts that Encrypt and Decrypt (of blob, a
// ciphertext made while the key had its material) are refused as AWS
// refuses them on a key without material (recorded message).
func wantPendingImportRefusals(t *testing.T, c *kms.Client, md *types.KeyMetadata, blob []byte) {
	t.Helper()
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("refused")})
	wantError(t, err, "KMSInvalidStateException", *md.Arn+" is pending import.")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
	wantError(t, err, "KMSInvalidStateException", *md.Arn+" is pending import.")
}

// decryptsTo asserts that Trent decrypts blob to want.
func decryptsTo(t *testing.T, c *kms.Client, blob, want []byte) {
	t.Helper()
	out := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob}))
	if !bytes.Equal(out.Plaintext, want) {
		t.Fatalf("Decrypt = %q, want %q", out.Plaintext, want)
	}
}

// Trent's symmetric ciphertext format (docs/ciphertext-format.md), rebuilt
// here from the document with Go's standard library so that the test can
// tell which material a blob was made under.
const (
	blobHeaderLen = 50
	blobTagLen    = 16
)

// blobKey derives a blob's AES-256 key from the material and the salt
// (SP 800-108 counter mode, HMAC-SHA256, label "trent symmetric v1").
func blobKey(material, salt []byte) []byte {
	m := hmac.New(sha256.New, material)
	m.Write([]byte{0, 0, 0, 1})
	m.Write([]byte("trent symmetric v1"))
	m.Write([]byte{0})
	m.Write(salt)
	m.Write([]byte{0, 0, 1, 0})
	return m.Sum(nil)
}

// emptyContext is the encoding of an absent encryption context.
var emptyContext = []byte{0, 0, 0, 0}

func blobGCM(t *testing.T, material, header []byte) cipher.AEAD {
	t.Helper()
	block, err := aes.NewCipher(blobKey(material, header[22:38]))
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return gcm
}

// openTrentBlob opens a ciphertext of keyID made without an encryption
// context, using material.
func openTrentBlob(t *testing.T, material []byte, keyID string, blob []byte) ([]byte, error) {
	t.Helper()
	if len(blob) < blobHeaderLen+blobTagLen || blob[0] != 1 || blob[1] != 1 {
		return nil, fmt.Errorf("not a version 1 blob of a key ID: % x", blob[:min(len(blob), 2)])
	}
	id, err := hex.DecodeString(strings.ReplaceAll(keyID, "-", ""))
	if err != nil || !bytes.Equal(blob[2:18], id) {
		return nil, fmt.Errorf("blob names key %x, want %s", blob[2:18], keyID)
	}
	header := blob[:blobHeaderLen]
	return blobGCM(t, material, header).Open(nil, header[38:50], blob[blobHeaderLen:], append(bytes.Clone(header), emptyContext...))
}

// sealTrentBlob makes a ciphertext under material the way Trent does, with
// the key ID and material version of like, a blob Trent made.
func sealTrentBlob(t *testing.T, material, like, plaintext []byte) []byte {
	t.Helper()
	header := bytes.Clone(like[:22])
	header = append(append(header, randomBytes(16)...), randomBytes(12)...)
	return blobGCM(t, material, header).Seal(header, header[38:50], plaintext, append(bytes.Clone(header), emptyContext...))
}

// wantSymmetricMaterial asserts that a symmetric key encrypts and decrypts
// with material: Trent's ciphertext opens with it outside Trent, and a
// ciphertext sealed with it outside Trent decrypts in Trent.
func wantSymmetricMaterial(t *testing.T, c *kms.Client, md *types.KeyMetadata, material []byte) {
	t.Helper()
	plaintext := []byte("imported: " + *md.KeyId)
	blob := encryptUnder(t, c, *md.KeyId, plaintext, nil)
	opened, err := openTrentBlob(t, material, *md.KeyId, blob)
	if err != nil || !bytes.Equal(opened, plaintext) {
		t.Fatalf("Trent's ciphertext does not open with the imported material: %q, %v", opened, err)
	}
	decryptsTo(t, c, blob, plaintext)
	decryptsTo(t, c, sealTrentBlob(t, material, blob, []byte("sealed outside Trent")), []byte("sealed outside Trent"))
}

// TestImportSymmetricEveryWrapping imports 32 bytes into a
// SYMMETRIC_DEFAULT key with each wrapping algorithm (RSA_2048) and each
// wrapping key spec, and checks GetParametersForImport's answer, the
// import's, DescribeKey's, and that the key encrypts with that material.
func TestImportSymmetricEveryWrapping(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	validTo := testEpoch.Add(90 * 24 * time.Hour)
	cases := []struct {
		w     wrapping
		model types.ExpirationModelType
		// validTo is sent when set; an empty model with validTo is the
		// default, KEY_MATERIAL_EXPIRES.
		validTo *time.Time
	}{
		{wrapping{types.AlgorithmSpecRsaesOaepSha1, types.WrappingKeySpecRsa2048}, types.ExpirationModelTypeKeyMaterialDoesNotExpire, nil},
		{wrapping{types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa2048}, types.ExpirationModelTypeKeyMaterialExpires, &validTo},
		{wrapping{types.AlgorithmSpecRsaAesKeyWrapSha1, types.WrappingKeySpecRsa2048}, "", &validTo},
		{wrapping{types.AlgorithmSpecRsaAesKeyWrapSha256, types.WrappingKeySpecRsa2048}, types.ExpirationModelTypeKeyMaterialDoesNotExpire, nil},
		{wrapping{types.AlgorithmSpecRsaesOaepSha1, types.WrappingKeySpecRsa3072}, types.ExpirationModelTypeKeyMaterialExpires, &validTo},
		// The one RSA_4096 wrapping key of the suite (seconds to make).
		{wrapping{types.AlgorithmSpecRsaAesKeyWrapSha256, types.WrappingKeySpecRsa4096}, types.ExpirationModelTypeKeyMaterialDoesNotExpire, nil},
	}
	bits := map[types.WrappingKeySpec]int{types.WrappingKeySpecRsa2048: 2048, types.WrappingKeySpecRsa3072: 3072, types.WrappingKeySpecRsa4096: 4096}
	for _, tc := range cases {
		t.Run(string(tc.w.alg)+"/"+string(tc.w.spec), func(t *testing.T) {
			t.Parallel()
			md := createExternalKey(t, c, "", "")
			p := getImportParams(t, tn, *md.Arn, tc.w)
			if aws.ToString(p.out.KeyId) != *md.Arn {
				t.Errorf("GetParametersForImport KeyId %s, want the ARN %s", aws.ToString(p.out.KeyId), *md.Arn)
			}
			if got := p.out.ParametersValidTo; got == nil || !got.Equal(p.fetched.Add(importTokenLifetime)) {
				t.Errorf("ParametersValidTo %v, want %v (24 hours on)", got, p.fetched.Add(importTokenLifetime))
			}
			if p.public.N.BitLen() != bits[tc.w.spec] {
				t.Errorf("wrapping key of %d bits, want %s", p.public.N.BitLen(), tc.w.spec)
			}
			// The key is still waiting: asking for parameters changes nothing.
			wantKeyState(t, c, *md.KeyId, types.KeyStatePendingImport)

			material := randomBytes(32)
			out := must[*kms.ImportKeyMaterialOutput](t)(c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{
				KeyId: md.KeyId, ImportToken: p.out.ImportToken, EncryptedKeyMaterial: wrapMaterial(t, p, material),
				ExpirationModel: tc.model, ValidTo: tc.validTo}))
			if aws.ToString(out.KeyId) != *md.Arn || !materialIDShape.MatchString(aws.ToString(out.KeyMaterialId)) {
				t.Errorf("ImportKeyMaterial KeyId %s KeyMaterialId %q, want the ARN and 64 hex digits", aws.ToString(out.KeyId), aws.ToString(out.KeyMaterialId))
			}

			got := wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled)
			wantModel := tc.model
			if wantModel == "" {
				wantModel = types.ExpirationModelTypeKeyMaterialExpires
			}
			if got.Origin != types.OriginTypeExternal || got.ExpirationModel != wantModel {
				t.Errorf("DescribeKey Origin %s ExpirationModel %s, want EXTERNAL %s", got.Origin, got.ExpirationModel, wantModel)
			}
			switch {
			case tc.validTo == nil && got.ValidTo != nil:
				t.Errorf("DescribeKey ValidTo %v for material that does not expire", got.ValidTo)
			case tc.validTo != nil && (got.ValidTo == nil || !got.ValidTo.Equal(*tc.validTo)):
				t.Errorf("DescribeKey ValidTo %v, want %v", got.ValidTo, *tc.validTo)
			}
			if aws.ToString(got.CurrentKeyMaterialId) != aws.ToString(out.KeyMaterialId) {
				t.Errorf("DescribeKey CurrentKeyMaterialId %q, want the import's %q", aws.ToString(got.CurrentKeyMaterialId), aws.ToString(out.KeyMaterialId))
			}
			wantSymmetricMaterial(t, c, md, material)
		})
	}
	// Each call makes a new wrapping key pair and token.
	t.Run("fresh parameters", func(t *testing.T) {
		t.Parallel()
		md := createExternalKey(t, c, "", "")
		a, b := getImportParams(t, tn, *md.KeyId, oaep256), getImportParams(t, tn, *md.KeyId, oaep256)
		if a.public.Equal(b.public) || bytes.Equal(a.out.ImportToken, b.out.ImportToken) {
			t.Error("two GetParametersForImport calls answered the same public key or token")
		}
	})
}

// TestImportHMAC imports HMAC keys of each spec with material of the
// shortest and longest lengths AWS accepts, made by the test, and checks
// GenerateMac against Go's crypto/hmac over the same material.
func TestImportHMAC(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	cases := []struct {
		spec types.KeySpec
		alg  types.MacAlgorithmSpec
		h    func() hash.Hash
		size int
	}{
		{types.KeySpecHmac224, types.MacAlgorithmSpecHmacSha224, sha256.New224, 28},
		{types.KeySpecHmac256, types.MacAlgorithmSpecHmacSha256, sha256.New, 32},
		{types.KeySpecHmac256, types.MacAlgorithmSpecHmacSha256, sha256.New, 64},
		{types.KeySpecHmac384, types.MacAlgorithmSpecHmacSha384, sha512.New384, 48},
		{types.KeySpecHmac512, types.MacAlgorithmSpecHmacSha512, sha512.New, 128},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%s/%d bytes", tc.spec, tc.size), func(t *testing.T) {
			t.Parallel()
			md := createExternalKey(t, c, tc.spec, types.KeyUsageTypeGenerateVerifyMac)
			material := randomBytes(tc.size)
			w := oaep256
			if i%2 == 1 {
				w = wrapping{types.AlgorithmSpecRsaesOaepSha1, types.WrappingKeySpecRsa2048}
			}
			mustImport(t, tn, *md.KeyId, material, w)
			got := wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled)
			// AWS reports CurrentKeyMaterialId for symmetric encryption keys only.
			if got.CurrentKeyMaterialId != nil || got.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire {
				t.Errorf("DescribeKey CurrentKeyMaterialId %q ExpirationModel %s", aws.ToString(got.CurrentKeyMaterialId), got.ExpirationModel)
			}

			msg := []byte("MAC me with the material I made")
			m := hmac.New(tc.h, material)
			m.Write(msg)
			want := m.Sum(nil)
			mac := must[*kms.GenerateMacOutput](t)(c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: msg, MacAlgorithm: tc.alg})).Mac
			if !bytes.Equal(mac, want) {
				t.Fatalf("GenerateMac = %x, crypto/hmac over the imported material = %x", mac, want)
			}
			v := must[*kms.VerifyMacOutput](t)(c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, Message: msg, Mac: want, MacAlgorithm: tc.alg}))
			if !v.MacValid {
				t.Fatal("VerifyMac refused crypto/hmac's MAC")
			}
		})
	}
}

// TestImportAsymmetric imports private keys the test made (PKCS#8 DER) and
// checks that the KMS key is that key: GetPublicKey gives its public key,
// what Trent signs or encrypts verifies or decrypts with the test's copy,
// and what the test signs or encrypts verifies or decrypts in Trent.
func TestImportAsymmetric(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	pkcs8 := func(t *testing.T, key any) []byte {
		t.Helper()
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	wantPublicKey := func(t *testing.T, keyID string, pub any) {
		t.Helper()
		want, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		if got := publicKeyDER(t, c, keyID); !bytes.Equal(got, want) {
			t.Fatalf("GetPublicKey is not the imported key's public key:\n got %x\nwant %x", got, want)
		}
	}

	t.Run("ECC_NIST_P256 SIGN_VERIFY", func(t *testing.T) {
		t.Parallel()
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		md := createExternalKey(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
		// A P-256 PKCS#8 key fits one RSA-OAEP block of RSA_2048.
		mustImport(t, tn, *md.KeyId, pkcs8(t, priv), oaep256)
		if got := wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled); got.CurrentKeyMaterialId != nil {
			t.Errorf("DescribeKey CurrentKeyMaterialId %q on an asymmetric key", *got.CurrentKeyMaterialId)
		}
		wantPublicKey(t, *md.KeyId, &priv.PublicKey)

		msg := []byte("signed by the imported key")
		digest := sha256.Sum256(msg)
		sig := trentSign(t, c, *md.KeyId, types.SigningAlgorithmSpecEcdsaSha256, types.MessageTypeRaw, msg)
		if !ecdsa.VerifyASN1(&priv.PublicKey, digest[:], sig) {
			t.Fatal("Trent's signature does not verify with the test's public key")
		}
		// A signature made elsewhere, with the private key the test
		// imported, verifies in Trent.
		own, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		v := must[*kms.VerifyOutput](t)(c.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: msg, Signature: own,
			SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}))
		if !v.SignatureValid {
			t.Fatal("Trent does not verify the test's signature")
		}
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: append(msg, '!'), Signature: own,
			SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
		wantError(t, err, "KMSInvalidSignatureException", "")
	})

	t.Run("ECC_NIST_P384 KEY_AGREEMENT", func(t *testing.T) {
		t.Parallel()
		priv, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		md := createExternalKey(t, c, types.KeySpecEccNistP384, types.KeyUsageTypeKeyAgreement)
		mustImport(t, tn, *md.KeyId, pkcs8(t, priv), wrapping{types.AlgorithmSpecRsaAesKeyWrapSha1, types.WrappingKeySpecRsa2048})
		wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled)
		wantPublicKey(t, *md.KeyId, &priv.PublicKey)

		peer, err := ecdh.P384().GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		peerDER, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		got := must[*kms.DeriveSharedSecretOutput](t)(c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId,
			KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: peerDER})).SharedSecret
		mine, err := priv.ECDH()
		if err != nil {
			t.Fatal(err)
		}
		want, err := mine.ECDH(peer.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("DeriveSharedSecret = %x, crypto/ecdh with the imported key = %x", got, want)
		}
	})

	t.Run("RSA_2048 ENCRYPT_DECRYPT", func(t *testing.T) {
		t.Parallel()
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		md := createExternalKey(t, c, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
		// An RSA private key needs an RSA_AES_KEY_WRAP algorithm (API
		// Reference, GetParametersForImport WrappingAlgorithm).
		mustImport(t, tn, *md.KeyId, pkcs8(t, priv), kwp256)
		wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled)
		wantPublicKey(t, *md.KeyId, &priv.PublicKey)

		for _, alg := range []struct {
			spec types.EncryptionAlgorithmSpec
			h    func() hash.Hash
		}{{types.EncryptionAlgorithmSpecRsaesOaepSha1, sha1.New}, {types.EncryptionAlgorithmSpecRsaesOaepSha256, sha256.New}} {
			plaintext := []byte("encrypted elsewhere under " + string(alg.spec))
			ct := wrapOAEP(t, alg.h(), &priv.PublicKey, plaintext)
			dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: ct, EncryptionAlgorithm: alg.spec}))
			if !bytes.Equal(dec.Plaintext, plaintext) {
				t.Fatalf("Decrypt %s of crypto/rsa's ciphertext = %q, want %q", alg.spec, dec.Plaintext, plaintext)
			}
			enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: plaintext, EncryptionAlgorithm: alg.spec}))
			opened, err := rsa.DecryptOAEP(alg.h(), nil, priv, enc.CiphertextBlob, nil)
			if err != nil || !bytes.Equal(opened, plaintext) {
				t.Fatalf("crypto/rsa cannot decrypt Trent's %s ciphertext with the imported key: %q %v", alg.spec, opened, err)
			}
		}
	})
}

// TestImportDeleteReimport is AWS's workflow for imported material: import
// material that does not expire, encrypt, delete the material (the key
// waits for an import and refuses to work), re-import the same material
// with fresh parameters (old ciphertexts decrypt again); other material is
// refused, before and after, and changes nothing.
func TestImportDeleteReimport(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createExternalKey(t, c, "", "")
	material := randomBytes(32)
	firstID := mustImport(t, tn, *md.KeyId, material, oaep256)
	blob := encryptUnder(t, c, *md.KeyId, []byte("seed"), nil)

	del := must[*kms.DeleteImportedKeyMaterialOutput](t)(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId}))
	if aws.ToString(del.KeyId) != *md.Arn || aws.ToString(del.KeyMaterialId) != firstID {
		t.Errorf("DeleteImportedKeyMaterial KeyId %s KeyMaterialId %s, want %s %s", aws.ToString(del.KeyId), aws.ToString(del.KeyMaterialId), *md.Arn, firstID)
	}
	wantKeyState(t, c, *md.KeyId, types.KeyStatePendingImport)
	wantPendingImportRefusals(t, c, md, blob)

	// Other material is refused while the key waits, and leaves it waiting.
	before := metadataJSON(t, c, *md.KeyId)
	_, err := importMaterial(t, tn, *md.KeyId, randomBytes(32), oaep256, noExpiry)
	wantOwnError(t, err, "IncorrectKeyMaterialException")
	if after := metadataJSON(t, c, *md.KeyId); after != before {
		t.Errorf("refused import changed the key:\n%s\n->\n%s", before, after)
	}
	wantPendingImportRefusals(t, c, md, blob)

	// The same material, with new parameters and another algorithm, naming
	// the material it re-imports.
	again := must[*kms.ImportKeyMaterialOutput](t)(importMaterial(t, tn, *md.Arn, material,
		wrapping{types.AlgorithmSpecRsaAesKeyWrapSha1, types.WrappingKeySpecRsa2048},
		kms.ImportKeyMaterialInput{ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire,
			ImportType: types.ImportTypeExistingKeyMaterial, KeyMaterialId: aws.String(firstID)}))
	if aws.ToString(again.KeyMaterialId) != firstID {
		t.Errorf("re-import KeyMaterialId %s, want the first import's %s (derived from the key and the material)", aws.ToString(again.KeyMaterialId), firstID)
	}
	got := wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled)
	if aws.ToString(got.CurrentKeyMaterialId) != firstID {
		t.Errorf("CurrentKeyMaterialId %s, want %s", aws.ToString(got.CurrentKeyMaterialId), firstID)
	}
	decryptsTo(t, c, blob, []byte("seed"))
	wantSymmetricMaterial(t, c, md, material)

	// Other material is refused while the key is enabled, too.
	before = metadataJSON(t, c, *md.KeyId)
	_, err = importMaterial(t, tn, *md.KeyId, randomBytes(32), oaep256, noExpiry)
	wantOwnError(t, err, "IncorrectKeyMaterialException")
	if after := metadataJSON(t, c, *md.KeyId); after != before {
		t.Errorf("refused import changed the key:\n%s\n->\n%s", before, after)
	}
	decryptsTo(t, c, blob, []byte("seed"))

	// Re-importing the same material changes the expiration.
	validTo := tn.clock.Now().Add(30 * 24 * time.Hour)
	must[*kms.ImportKeyMaterialOutput](t)(importMaterial(t, tn, *md.KeyId, material, oaep256,
		kms.ImportKeyMaterialInput{ExpirationModel: types.ExpirationModelTypeKeyMaterialExpires, ValidTo: &validTo}))
	got = wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled)
	if got.ExpirationModel != types.ExpirationModelTypeKeyMaterialExpires || got.ValidTo == nil || !got.ValidTo.Equal(validTo) {
		t.Errorf("after re-import with an expiry: ExpirationModel %s ValidTo %v, want KEY_MATERIAL_EXPIRES %v", got.ExpirationModel, got.ValidTo, validTo)
	}

	// The same material in another key has another KeyMaterialId. That
	// key, disabled, loses its material to DeleteImportedKeyMaterial naming
	// the material, and the import enables it again.
	other := createExternalKey(t, c, "", "")
	otherID := mustImport(t, tn, *other.KeyId, material, oaep256)
	if otherID == firstID || !materialIDShape.MatchString(otherID) {
		t.Errorf("the same material in two keys: KeyMaterialId %s and %s, want two different IDs", firstID, otherID)
	}
	must[*kms.DisableKeyOutput](t)(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: other.KeyId}))
	// A disabled EXTERNAL key gives parameters (key-state table: ?9).
	getImportParams(t, tn, *other.KeyId, oaep256)
	del = must[*kms.DeleteImportedKeyMaterialOutput](t)(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: other.Arn, KeyMaterialId: aws.String(otherID)}))
	if aws.ToString(del.KeyMaterialId) != otherID {
		t.Errorf("DeleteImportedKeyMaterial KeyMaterialId %s, want %s", aws.ToString(del.KeyMaterialId), otherID)
	}
	wantKeyState(t, c, *other.KeyId, types.KeyStatePendingImport)
	mustImport(t, tn, *other.KeyId, material, oaep256)
	wantKeyState(t, c, *other.KeyId, types.KeyStateEnabled)
	// The first key still works, with its own material.
	decryptsTo(t, c, blob, []byte("seed"))
}

// expiryRecords counts the audit log's DeleteExpiredKeyMaterial service
// events naming the key.
func expiryRecords(t *testing.T, tn *testNode, arn string) int {
	t.Helper()
	n := 0
	for _, r := range tn.auditRecords() {
		if r.EventName == "DeleteExpiredKeyMaterial" && len(r.Resources) == 1 && r.Resources[0].ARN == arn {
			if r.EventType != "AwsServiceEvent" || r.ErrorCode != "" {
				t.Errorf("DeleteExpiredKeyMaterial record: eventType %s errorCode %q, want AwsServiceEvent and none", r.EventType, r.ErrorCode)
			}
			n++
		}
	}
	return n
}

// TestImportedMaterialExpires: when ValidTo passes, the scheduler deletes
// the material as DeleteImportedKeyMaterial would, and logs a
// DeleteExpiredKeyMaterial event; the same material can be imported again.
func TestImportedMaterialExpires(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createExternalKey(t, c, "", "")
	material := randomBytes(32)
	validTo := tn.clock.Now().Add(2 * time.Hour)
	imp := must[*kms.ImportKeyMaterialOutput](t)(importMaterial(t, tn, *md.KeyId, material, oaep256,
		kms.ImportKeyMaterialInput{ExpirationModel: types.ExpirationModelTypeKeyMaterialExpires, ValidTo: &validTo}))
	blob := encryptUnder(t, c, *md.KeyId, []byte("short-lived"), nil)

	tn.clock.Advance(2*time.Hour - time.Second)
	tn.runDue()
	wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled)
	decryptsTo(t, c, blob, []byte("short-lived"))

	tn.clock.Advance(2 * time.Second)
	tn.runDue()
	wantKeyState(t, c, *md.KeyId, types.KeyStatePendingImport)
	wantPendingImportRefusals(t, c, md, blob)
	if n := expiryRecords(t, tn, *md.Arn); n != 1 {
		t.Errorf("%d DeleteExpiredKeyMaterial audit records, want 1", n)
	}
	tn.runDue()
	if n := expiryRecords(t, tn, *md.Arn); n != 1 {
		t.Errorf("a second runDue: %d DeleteExpiredKeyMaterial audit records, want 1", n)
	}

	again := mustImport(t, tn, *md.KeyId, material, kwp256)
	if again != aws.ToString(imp.KeyMaterialId) {
		t.Errorf("re-import after expiry: KeyMaterialId %s, want %s", again, aws.ToString(imp.KeyMaterialId))
	}
	if got := wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled); got.ValidTo != nil || got.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire {
		t.Errorf("after re-import without expiry: ValidTo %v ExpirationModel %s", got.ValidTo, got.ExpirationModel)
	}
	decryptsTo(t, c, blob, []byte("short-lived"))
	// Material that does not expire stays.
	tn.clock.Advance(400 * 24 * time.Hour)
	tn.runDue()
	wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled)
}

// TestImportPendingDeletion: a key pending deletion stays PendingDeletion
// when its material is deleted or expires, and refuses new parameters and
// imports (AWS's key-state table: GetParametersForImport and
// ImportKeyMaterial ✗ under PendingDeletion for EXTERNAL keys).
func TestImportPendingDeletion(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	schedule := func(t *testing.T, md *types.KeyMetadata) time.Time {
		t.Helper()
		out := must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)}))
		return *out.DeletionDate
	}
	wantPending := func(t *testing.T, md *types.KeyMetadata, deletion time.Time) {
		t.Helper()
		got := wantKeyState(t, c, *md.KeyId, types.KeyStatePendingDeletion)
		if got.DeletionDate == nil || !got.DeletionDate.Equal(deletion) {
			t.Fatalf("DeletionDate %v, want %v", got.DeletionDate, deletion)
		}
	}

	// Deleted material.
	md := createExternalKey(t, c, "", "")
	material := randomBytes(32)
	mustImport(t, tn, *md.KeyId, material, oaep256)
	// Parameters fetched before the deletion was scheduled.
	p := getImportParams(t, tn, *md.KeyId, oaep256)
	deletion := schedule(t, md)
	must[*kms.DeleteImportedKeyMaterialOutput](t)(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId}))
	wantPending(t, md, deletion)
	_, err := c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: p.out.ImportToken,
		EncryptedKeyMaterial: wrapMaterial(t, p, material), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	wantError(t, err, "KMSInvalidStateException", *md.Arn+" is pending deletion.")
	wantPending(t, md, deletion)
	_, err = c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: md.KeyId,
		WrappingAlgorithm: oaep256.alg, WrappingKeySpec: oaep256.spec})
	wantError(t, err, "KMSInvalidStateException", *md.Arn+" is pending deletion.")
	wantPending(t, md, deletion)

	// Expired material.
	expiring := createExternalKey(t, c, "", "")
	validTo := tn.clock.Now().Add(time.Hour)
	must[*kms.ImportKeyMaterialOutput](t)(importMaterial(t, tn, *expiring.KeyId, randomBytes(32), oaep256,
		kms.ImportKeyMaterialInput{ValidTo: &validTo}))
	expiringDeletion := schedule(t, expiring)
	tn.clock.Advance(time.Hour + time.Second)
	tn.runDue()
	wantPending(t, expiring, expiringDeletion)
	if n := expiryRecords(t, tn, *expiring.Arn); n != 1 {
		t.Errorf("%d DeleteExpiredKeyMaterial audit records for the key pending deletion, want 1", n)
	}
}

// TestImportTokens: a token is good for 24 hours and for its own key only.
func TestImportTokens(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createExternalKey(t, c, "", "")
	material := randomBytes(32)
	stale := getImportParams(t, tn, *md.KeyId, oaep256)
	staleBlob := wrapMaterial(t, stale, material)
	// Made two seconds later: a second left when stale has been expired
	// for a second.
	tn.clock.Advance(2 * time.Second)
	fresh := getImportParams(t, tn, *md.KeyId, oaep256)
	freshBlob := wrapMaterial(t, fresh, material)

	tn.clock.Advance(importTokenLifetime - time.Second)
	before := metadataJSON(t, c, *md.KeyId)
	_, err := c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: stale.out.ImportToken,
		EncryptedKeyMaterial: staleBlob, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	wantOwnError(t, err, "ExpiredImportTokenException")
	if after := metadataJSON(t, c, *md.KeyId); after != before {
		t.Errorf("refused import changed the key:\n%s\n->\n%s", before, after)
	}

	// Another key's token, and material wrapped for it, is not this key's.
	other := createExternalKey(t, c, "", "")
	otherParams := getImportParams(t, tn, *other.KeyId, oaep256)
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: otherParams.out.ImportToken,
		EncryptedKeyMaterial: wrapMaterial(t, otherParams, material), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	wantOwnError(t, err, "InvalidImportTokenException")
	if after := metadataJSON(t, c, *md.KeyId); after != before {
		t.Errorf("refused import changed the key:\n%s\n->\n%s", before, after)
	}

	// A token a second short of 24 hours old still works.
	must[*kms.ImportKeyMaterialOutput](t)(c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: fresh.out.ImportToken,
		EncryptedKeyMaterial: freshBlob, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}))
	wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled)
	wantSymmetricMaterial(t, c, md, material)
	wantKeyState(t, c, *other.KeyId, types.KeyStatePendingImport)
}
