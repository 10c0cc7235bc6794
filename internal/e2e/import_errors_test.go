package e2e

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The refusals of the import operations, each with AWS's error type (and
// AWS's message where one is recorded: spec digest §3 footnotes, §5), and
// each leaving the key as it was (DescribeKey before and after).

// leavesKeyAlone runs call and fails the test if the key's metadata
// changed; it returns call's error.
func leavesKeyAlone(t *testing.T, c *kms.Client, keyID string, call func() error) error {
	t.Helper()
	before := metadataJSON(t, c, keyID)
	err := call()
	if after := metadataJSON(t, c, keyID); after != before {
		t.Errorf("refused call changed the key:\n%s\n->\n%s", before, after)
	}
	return err
}

// rawError sends a request the SDK would not send (a required member
// missing) and returns the error's code and message.
func rawError(t *testing.T, tn *testNode, op string, body map[string]any) (string, string) {
	t.Helper()
	status, members := rawKMSCall(t, tn, op, body)
	var code, message string
	if err := json.Unmarshal(members["__type"], &code); err != nil {
		t.Fatalf("%s: status %d, no __type: %v", op, status, members)
	}
	json.Unmarshal(members["message"], &message)
	if status != http.StatusBadRequest {
		t.Errorf("%s: status %d for %s, want 400", op, status, code)
	}
	if i := strings.LastIndex(code, "#"); i >= 0 {
		code = code[i+1:]
	}
	return code, message
}

// nullMember is AWS's message for a missing required member.
func nullMember(member string) string {
	return "1 validation error detected: Value null at '" + member + "' failed to satisfy constraint: Member must not be null"
}

// originAWSKMS is AWS's recorded refusal of the import operations on a key
// whose material AWS KMS made (footnote 9).
func originAWSKMS(md *types.KeyMetadata) string {
	return *md.Arn + " origin is AWS_KMS which is not valid for this operation."
}

func TestGetParametersForImportRefusals(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	ext := createExternalKey(t, c, "", "")
	awsKey := createSymmetricKey(t, c, nil)
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/import-me"), TargetKeyId: ext.KeyId}))
	absent := "4c0d7a8e-5b1f-4e2a-9c3d-2b1a0f9e8d7c"

	call := func(keyID string, alg types.AlgorithmSpec, spec types.WrappingKeySpec) error {
		_, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: aws.String(keyID), WrappingAlgorithm: alg, WrappingKeySpec: spec})
		return err
	}
	for _, tc := range []struct {
		name  string
		key   *types.KeyMetadata
		id    string // KeyId, when not key's ID
		alg   types.AlgorithmSpec
		spec  types.WrappingKeySpec
		check func(t *testing.T, err error)
	}{
		// Refused by AWS since 2023-10-10 (API Reference); the messages
		// are not recorded.
		{"RSAES_PKCS1_V1_5", ext, "", types.AlgorithmSpecRsaesPkcs1V15, types.WrappingKeySpecRsa2048,
			func(t *testing.T, err error) { wantOwnError(t, err, "UnsupportedOperationException") }},
		// SM2 wrapping exists in China Regions only.
		{"SM2PKE", ext, "", types.AlgorithmSpecSm2pke, types.WrappingKeySpecRsa2048,
			func(t *testing.T, err error) { wantOwnError(t, err, "UnsupportedOperationException") }},
		{"SM2 wrapping key", ext, "", types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecSm2,
			func(t *testing.T, err error) { wantOwnError(t, err, "UnsupportedOperationException") }},
		{"AWS_KMS origin", awsKey, "", types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa2048,
			func(t *testing.T, err error) {
				wantError(t, err, "UnsupportedOperationException", originAWSKMS(awsKey))
			}},
		{"unknown algorithm", ext, "", "RSAES_OAEP_SHA_512", types.WrappingKeySpecRsa2048,
			func(t *testing.T, err error) {
				wantError(t, err, "ValidationException", coralEnumMessage("RSAES_OAEP_SHA_512", "wrappingAlgorithm", types.AlgorithmSpec("").Values()))
			}},
		{"unknown wrapping key spec", ext, "", types.AlgorithmSpecRsaesOaepSha256, "RSA_1024",
			func(t *testing.T, err error) {
				wantError(t, err, "ValidationException", coralEnumMessage("RSA_1024", "wrappingKeySpec", types.WrappingKeySpec("").Values()))
			}},
		// The KeyId is a key ID or key ARN, never an alias (spec §7).
		{"alias", ext, "alias/import-me", types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa2048,
			func(t *testing.T, err error) {
				wantError(t, err, "NotFoundException", "Invalid keyId 'alias/import-me'")
			}},
		{"absent key", ext, absent, types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa2048,
			func(t *testing.T, err error) {
				wantError(t, err, "NotFoundException", "Key '"+keyARNFor(testRegion, testAccount, absent)+"' does not exist")
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.id
			if id == "" {
				id = *tc.key.KeyId
			}
			tc.check(t, leavesKeyAlone(t, c, *tc.key.KeyId, func() error { return call(id, tc.alg, tc.spec) }))
		})
	}

	// Required members, which the SDK will not leave out.
	full := map[string]any{"KeyId": *ext.KeyId, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}
	for member, path := range map[string]string{"KeyId": "keyId", "WrappingAlgorithm": "wrappingAlgorithm", "WrappingKeySpec": "wrappingKeySpec"} {
		body := map[string]any{}
		for k, v := range full {
			if k != member {
				body[k] = v
			}
		}
		code, msg := rawError(t, tn, "GetParametersForImport", body)
		if code != "ValidationException" || msg != nullMember(path) {
			t.Errorf("GetParametersForImport without %s: %s %q, want ValidationException %q", member, code, msg, nullMember(path))
		}
	}
	wantKeyState(t, c, *ext.KeyId, types.KeyStatePendingImport)
}

func TestImportKeyMaterialMemberRefusals(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createExternalKey(t, c, "", "")
	material := randomBytes(32)
	now := tn.clock.Now()
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	day := 24 * time.Hour

	// Each case gets fresh parameters and material wrapped for them, so
	// only the member under test is wrong.
	try := func(t *testing.T, in kms.ImportKeyMaterialInput) error {
		t.Helper()
		return leavesKeyAlone(t, c, *md.KeyId, func() error {
			_, err := importMaterial(t, tn, *md.KeyId, material, oaep256, in)
			return err
		})
	}
	// AWS's recorded message when ValidTo is missing.
	const validToMissing = "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"
	for _, tc := range []struct {
		name  string
		in    kms.ImportKeyMaterialInput
		check func(t *testing.T, err error)
	}{
		{"KEY_MATERIAL_EXPIRES without ValidTo", kms.ImportKeyMaterialInput{ExpirationModel: types.ExpirationModelTypeKeyMaterialExpires},
			func(t *testing.T, err error) { wantError(t, err, "ValidationException", validToMissing) }},
		// KEY_MATERIAL_EXPIRES is the default, so the same rule and, we
		// take it, the same message.
		{"no ExpirationModel and no ValidTo", kms.ImportKeyMaterialInput{},
			func(t *testing.T, err error) { wantError(t, err, "ValidationException", validToMissing) }},
		{"KEY_MATERIAL_DOES_NOT_EXPIRE with ValidTo", kms.ImportKeyMaterialInput{ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire, ValidTo: at(day)},
			func(t *testing.T, err error) { wantOwnError(t, err, "ValidationException") }},
		{"ValidTo now", kms.ImportKeyMaterialInput{ValidTo: at(0)},
			func(t *testing.T, err error) { wantOwnError(t, err, "ValidationException") }},
		{"ValidTo in the past", kms.ImportKeyMaterialInput{ExpirationModel: types.ExpirationModelTypeKeyMaterialExpires, ValidTo: at(-time.Hour)},
			func(t *testing.T, err error) { wantOwnError(t, err, "ValidationException") }},
		{"ValidTo past 365 days", kms.ImportKeyMaterialInput{ValidTo: at(365*day + time.Second)},
			func(t *testing.T, err error) { wantOwnError(t, err, "ValidationException") }},
		{"unknown ExpirationModel", kms.ImportKeyMaterialInput{ExpirationModel: "NEVER", ValidTo: at(day)},
			func(t *testing.T, err error) {
				wantError(t, err, "ValidationException", coralEnumMessage("NEVER", "expirationModel", types.ExpirationModelType("").Values()))
			}},
		{"unknown ImportType", kms.ImportKeyMaterialInput{ImportType: "REPLACE", ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire},
			func(t *testing.T, err error) {
				wantError(t, err, "ValidationException", coralEnumMessage("REPLACE", "importType", types.ImportType("").Values()))
			}},
		{"KeyMaterialId not lowercase hex", kms.ImportKeyMaterialInput{KeyMaterialId: aws.String(strings.Repeat("A", 64)), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire},
			func(t *testing.T, err error) {
				wantError(t, err, "ValidationException", "1 validation error detected: Value '"+strings.Repeat("A", 64)+
					"' at 'keyMaterialId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-f0-9]+$")
			}},
		{"KeyMaterialId too short", kms.ImportKeyMaterialInput{KeyMaterialId: aws.String("abc"), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire},
			func(t *testing.T, err error) {
				wantError(t, err, "ValidationException", "1 validation error detected: Value 'abc' at 'keyMaterialId' failed to satisfy constraint: Member must have length greater than or equal to 64")
			}},
		{"KeyMaterialDescription too long", kms.ImportKeyMaterialInput{KeyMaterialDescription: aws.String(strings.Repeat("d", 257)), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire},
			func(t *testing.T, err error) {
				wantError(t, err, "ValidationException", "1 validation error detected: Value '"+strings.Repeat("d", 257)+
					"' at 'keyMaterialDescription' failed to satisfy constraint: Member must have length less than or equal to 256")
			}},
		// "You cannot specify a key material ID with ImportType set to
		// NEW_KEY_MATERIAL" (API Reference; spec §5: mutually exclusive
		// members).
		{"KeyMaterialId with NEW_KEY_MATERIAL", kms.ImportKeyMaterialInput{ImportType: types.ImportTypeNewKeyMaterial,
			KeyMaterialId: aws.String(strings.Repeat("0", 64)), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire},
			func(t *testing.T, err error) { wantOwnError(t, err, "ValidationException") }},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, try(t, tc.in)) })
	}

	// Required members and blob lengths, which the SDK will not send.
	p := getImportParams(t, tn, *md.KeyId, oaep256)
	b64 := base64.StdEncoding.EncodeToString
	full := map[string]any{"KeyId": *md.KeyId, "ImportToken": b64(p.out.ImportToken),
		"EncryptedKeyMaterial": b64(wrapMaterial(t, p, material)), "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}
	without := func(member string) map[string]any {
		body := map[string]any{}
		for k, v := range full {
			if k != member {
				body[k] = v
			}
		}
		return body
	}
	for member, path := range map[string]string{"KeyId": "keyId", "ImportToken": "importToken", "EncryptedKeyMaterial": "encryptedKeyMaterial"} {
		leavesKeyAlone(t, c, *md.KeyId, func() error {
			if code, msg := rawError(t, tn, "ImportKeyMaterial", without(member)); code != "ValidationException" || msg != nullMember(path) {
				t.Errorf("ImportKeyMaterial without %s: %s %q, want ValidationException %q", member, code, msg, nullMember(path))
			}
			return nil
		})
	}
	// The model's blob bounds, 1..6144 bytes. How Coral prints a blob's
	// value is not recorded, so only the type is checked.
	for _, tc := range []struct{ member, value string }{
		{"ImportToken", ""}, {"EncryptedKeyMaterial", ""}, {"EncryptedKeyMaterial", b64(make([]byte, 6145))}, {"ImportToken", b64(make([]byte, 6145))},
	} {
		leavesKeyAlone(t, c, *md.KeyId, func() error {
			body := without(tc.member)
			body[tc.member] = tc.value
			if code, msg := rawError(t, tn, "ImportKeyMaterial", body); code != "ValidationException" || msg == "" {
				t.Errorf("ImportKeyMaterial with a %d-character %s: %s %q, want ValidationException", len(tc.value), tc.member, code, msg)
			}
			return nil
		})
	}
	wantKeyState(t, c, *md.KeyId, types.KeyStatePendingImport)

	// ValidTo exactly 365 days ahead is the latest accepted.
	must[*kms.ImportKeyMaterialOutput](t)(importMaterial(t, tn, *md.KeyId, material, oaep256, kms.ImportKeyMaterialInput{ValidTo: at(365 * day)}))
	if got := wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled); got.ValidTo == nil || !got.ValidTo.Equal(*at(365 * day)) {
		t.Errorf("ValidTo %v, want %v", got.ValidTo, *at(365 * day))
	}
}

func TestImportKeyMaterialKeyRefusals(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	ext := createExternalKey(t, c, "", "")
	awsKey := createSymmetricKey(t, c, nil)
	material := randomBytes(32)
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/import-into"), TargetKeyId: ext.KeyId}))

	// Parameters of the EXTERNAL key, used on the keys under test.
	p := getImportParams(t, tn, *ext.KeyId, oaep256)
	wrapped := wrapMaterial(t, p, material)
	importAs := func(keyID string, token []byte, in kms.ImportKeyMaterialInput) error {
		in.KeyId, in.ImportToken, in.EncryptedKeyMaterial = aws.String(keyID), token, wrapped
		if in.ExpirationModel == "" {
			in.ExpirationModel = types.ExpirationModelTypeKeyMaterialDoesNotExpire
		}
		_, err := c.ImportKeyMaterial(ctx, &in)
		return err
	}

	err := leavesKeyAlone(t, c, *awsKey.KeyId, func() error { return importAs(*awsKey.KeyId, p.out.ImportToken, kms.ImportKeyMaterialInput{}) })
	wantError(t, err, "UnsupportedOperationException", originAWSKMS(awsKey))
	err = leavesKeyAlone(t, c, *ext.KeyId, func() error { return importAs("alias/import-into", p.out.ImportToken, kms.ImportKeyMaterialInput{}) })
	wantError(t, err, "NotFoundException", "Invalid keyId 'alias/import-into'")
	// Bytes the server never issued as a token.
	err = leavesKeyAlone(t, c, *ext.KeyId, func() error { return importAs(*ext.KeyId, randomBytes(33), kms.ImportKeyMaterialInput{}) })
	wantOwnError(t, err, "InvalidImportTokenException")

	// ImportType, KeyMaterialId and KeyMaterialDescription are "only
	// usable with symmetric encryption keys" (API Reference); AWS's error
	// is not recorded, a ValidationException is our reading.
	hmacKey := createExternalKey(t, c, types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac)
	for name, in := range map[string]kms.ImportKeyMaterialInput{
		"ImportType":             {ImportType: types.ImportTypeNewKeyMaterial},
		"KeyMaterialId":          {KeyMaterialId: aws.String(strings.Repeat("0", 64))},
		"KeyMaterialDescription": {KeyMaterialDescription: aws.String("hmac")},
	} {
		err := leavesKeyAlone(t, c, *hmacKey.KeyId, func() error {
			_, err := importMaterial(t, tn, *hmacKey.KeyId, material, oaep256, func() kms.ImportKeyMaterialInput {
				in.ExpirationModel = types.ExpirationModelTypeKeyMaterialDoesNotExpire
				return in
			}())
			return err
		})
		t.Run(name+" on an HMAC key", func(t *testing.T) { wantOwnError(t, err, "ValidationException") })
	}
	wantKeyState(t, c, *hmacKey.KeyId, types.KeyStatePendingImport)

	// NEW_KEY_MATERIAL with the material the key already has is refused:
	// it is not new (import_rotation_test.go imports really new material).
	must[*kms.ImportKeyMaterialOutput](t)(c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: ext.KeyId, ImportToken: p.out.ImportToken,
		EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}))
	err = leavesKeyAlone(t, c, *ext.KeyId, func() error {
		_, err := importMaterial(t, tn, *ext.KeyId, material, oaep256, kms.ImportKeyMaterialInput{
			ImportType: types.ImportTypeNewKeyMaterial, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
		return err
	})
	t.Run("NEW_KEY_MATERIAL, the same material", func(t *testing.T) { wantOwnError(t, err, "IncorrectKeyMaterialException") })
}

// TestImportUnwrapRefusals: blobs that do not unwrap under the token's
// wrapping key and algorithm are InvalidCiphertextException.
func TestImportUnwrapRefusals(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createExternalKey(t, c, "", "")
	material := randomBytes(32)
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte, i int) []byte {
		b = append([]byte(nil), b...)
		b[(i+len(b))%len(b)] ^= 0x01
		return b
	}
	kwp1 := wrapping{types.AlgorithmSpecRsaAesKeyWrapSha1, types.WrappingKeySpecRsa2048}
	cases := []struct {
		name string
		w    wrapping
		blob func(t *testing.T, p importParams) []byte
	}{
		{"wrapped for another wrapping key of the KMS key", oaep256, func(t *testing.T, p importParams) []byte {
			return wrapMaterial(t, getImportParams(t, tn, *md.KeyId, oaep256), material)
		}},
		{"wrapped for a key that is not Trent's", oaep256, func(t *testing.T, p importParams) []byte {
			p.public = &stranger.PublicKey
			return wrapMaterial(t, p, material)
		}},
		{"RSAES_OAEP_SHA_1 blob for an RSAES_OAEP_SHA_256 token", oaep256, func(t *testing.T, p importParams) []byte {
			return wrapOAEP(t, sha1.New(), p.public, material)
		}},
		{"RSA_AES_KEY_WRAP_SHA_256 blob for an RSAES_OAEP_SHA_256 token", oaep256, func(t *testing.T, p importParams) []byte {
			p.w = kwp256
			return wrapMaterial(t, p, material)
		}},
		{"RSAES_OAEP_SHA_256 blob for an RSA_AES_KEY_WRAP_SHA_256 token", kwp256, func(t *testing.T, p importParams) []byte {
			p.w = oaep256
			return wrapMaterial(t, p, material)
		}},
		{"RSA_AES_KEY_WRAP_SHA_256 blob for an RSA_AES_KEY_WRAP_SHA_1 token", kwp1, func(t *testing.T, p importParams) []byte {
			p.w = kwp256
			return wrapMaterial(t, p, material)
		}},
		{"RSA-OAEP blob with a bit flipped", oaep256, func(t *testing.T, p importParams) []byte {
			return flip(wrapMaterial(t, p, material), 100)
		}},
		{"key wrap blob with a bit flipped in the RSA part", kwp256, func(t *testing.T, p importParams) []byte {
			return flip(wrapMaterial(t, p, material), 3)
		}},
		{"key wrap blob with a bit flipped in the AES part", kwp256, func(t *testing.T, p importParams) []byte {
			return flip(wrapMaterial(t, p, material), -1)
		}},
		{"RSA-OAEP blob a byte short", oaep256, func(t *testing.T, p importParams) []byte {
			b := wrapMaterial(t, p, material)
			return b[:len(b)-1]
		}},
		{"key wrap blob eight bytes short", kwp256, func(t *testing.T, p importParams) []byte {
			b := wrapMaterial(t, p, material)
			return b[:len(b)-8]
		}},
		{"key wrap blob without the AES part", kwp256, func(t *testing.T, p importParams) []byte {
			return wrapMaterial(t, p, material)[:256]
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := leavesKeyAlone(t, c, *md.KeyId, func() error {
				p := getImportParams(t, tn, *md.KeyId, tc.w)
				_, err := c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: p.out.ImportToken,
					EncryptedKeyMaterial: tc.blob(t, p), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
				return err
			})
			apiError(t, err, "InvalidCiphertextException")
		})
	}
	// The check can fail: the material itself imports.
	mustImport(t, tn, *md.KeyId, material, kwp256)
	wantSymmetricMaterial(t, c, md, material)
}

// TestImportIncorrectMaterial: material that unwraps but is not material
// of the key's spec is IncorrectKeyMaterialException.
func TestImportIncorrectMaterial(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	pkcs8 := func(key any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsa3072, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sec1, err := x509.MarshalECPrivateKey(p256)
	if err != nil {
		t.Fatal(err)
	}

	type wrong struct {
		name     string
		material []byte
	}
	cases := []struct {
		spec  types.KeySpec
		usage types.KeyUsageType
		wrong []wrong
	}{
		{"", "", []wrong{{"16 bytes", randomBytes(16)}, {"31 bytes", randomBytes(31)}, {"33 bytes", randomBytes(33)}}},
		{types.KeySpecHmac224, types.KeyUsageTypeGenerateVerifyMac, []wrong{{"27 bytes", randomBytes(27)}, {"65 bytes", randomBytes(65)}}},
		{types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac, []wrong{{"31 bytes", randomBytes(31)}, {"65 bytes", randomBytes(65)}}},
		{types.KeySpecHmac384, types.KeyUsageTypeGenerateVerifyMac, []wrong{{"47 bytes", randomBytes(47)}, {"129 bytes", randomBytes(129)}}},
		{types.KeySpecHmac512, types.KeyUsageTypeGenerateVerifyMac, []wrong{{"63 bytes", randomBytes(63)}, {"129 bytes", randomBytes(129)}}},
		{types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt, []wrong{
			{"an RSA 3072 key", pkcs8(rsa3072)}, {"a P-256 key", pkcs8(p256)},
			{"PKCS#1, not PKCS#8", x509.MarshalPKCS1PrivateKey(rsa2048)}, {"32 random bytes", randomBytes(32)}}},
		{types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify, []wrong{
			{"a P-384 key", pkcs8(p384)}, {"an Ed25519 key", pkcs8(ed)}, {"an RSA 2048 key", pkcs8(rsa2048)},
			{"SEC 1, not PKCS#8", sec1}}},
	}
	for _, tc := range cases {
		name := string(tc.spec)
		if name == "" {
			name = "SYMMETRIC_DEFAULT"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			md := createExternalKey(t, c, tc.spec, tc.usage)
			for _, w := range tc.wrong {
				err := leavesKeyAlone(t, c, *md.KeyId, func() error {
					_, err := importMaterial(t, tn, *md.KeyId, w.material, kwp256, noExpiry)
					return err
				})
				t.Run(w.name, func(t *testing.T) { wantOwnError(t, err, "IncorrectKeyMaterialException") })
			}
			wantKeyState(t, c, *md.KeyId, types.KeyStatePendingImport)
		})
	}
}

func TestDeleteImportedKeyMaterialRefusals(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	ext := createExternalKey(t, c, "", "")
	awsKey := createSymmetricKey(t, c, nil)
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/delete-from"), TargetKeyId: ext.KeyId}))
	del := func(keyID string, materialID *string) error {
		_, err := c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(keyID), KeyMaterialId: materialID})
		return err
	}

	err := leavesKeyAlone(t, c, *awsKey.KeyId, func() error { return del(*awsKey.KeyId, nil) })
	wantError(t, err, "UnsupportedOperationException", originAWSKMS(awsKey))
	encryptUnder(t, c, *awsKey.KeyId, []byte("still has its material"), nil)
	err = leavesKeyAlone(t, c, *ext.KeyId, func() error { return del("alias/delete-from", nil) })
	wantError(t, err, "NotFoundException", "Invalid keyId 'alias/delete-from'")
	err = leavesKeyAlone(t, c, *ext.KeyId, func() error { return del(*ext.KeyId, aws.String("not-an-id")) })
	apiError(t, err, "ValidationException")
	if code, msg := rawError(t, tn, "DeleteImportedKeyMaterial", map[string]any{}); code != "ValidationException" || msg != nullMember("keyId") {
		t.Errorf("DeleteImportedKeyMaterial without KeyId: %s %q", code, msg)
	}

	// A key waiting for its first import: succeeds with no effect (AWS's
	// key-state table, PendingImport column).
	out := must[*kms.DeleteImportedKeyMaterialOutput](t)(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: ext.KeyId}))
	if aws.ToString(out.KeyId) != *ext.Arn {
		t.Errorf("DeleteImportedKeyMaterial KeyId %s, want %s", aws.ToString(out.KeyId), *ext.Arn)
	}
	wantKeyState(t, c, *ext.KeyId, types.KeyStatePendingImport)
}
