package e2e

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // crypto.SHA1.New for OAEP
	_ "crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// End-to-end tests of asymmetric encryption: Encrypt, Decrypt and ReEncrypt
// with RSA ENCRYPT_DECRYPT keys (RSAES-OAEP; MGF1 with the same hash, empty
// label, per the "Key spec reference"). The private key never leaves Trent,
// so the independent check is Go's crypto/rsa encrypting to the public key
// GetPublicKey returns and Trent decrypting.

// rsaEncryptionSpecs are the RSA specs, their modulus sizes and the OAEP
// plaintext limits the model documents for Encrypt.
var rsaEncryptionSpecs = []struct {
	spec         types.KeySpec
	bits         int
	sha1, sha256 int
}{
	{types.KeySpecRsa2048, 2048, 214, 190},
	{types.KeySpecRsa3072, 3072, 342, 318},
	{types.KeySpecRsa4096, 4096, 470, 446},
}

const (
	oaepSHA1   = types.EncryptionAlgorithmSpecRsaesOaepSha1
	oaepSHA256 = types.EncryptionAlgorithmSpecRsaesOaepSha256
)

// oaepHash is the hash of an RSAES_OAEP algorithm (OAEP and MGF1 both).
func oaepHash(alg types.EncryptionAlgorithmSpec) crypto.Hash {
	if alg == oaepSHA1 {
		return crypto.SHA1
	}
	return crypto.SHA256
}

// rsaPublicKey returns an RSA key's public key as Go's x509 reads it.
func rsaPublicKey(t *testing.T, c *kms.Client, keyID string) *rsa.PublicKey {
	t.Helper()
	pub, ok := stdlibPublicKey(t, publicKeyDER(t, c, keyID)).(*rsa.PublicKey)
	if !ok {
		t.Fatalf("GetPublicKey of %s is not an RSA key", keyID)
	}
	return pub
}

// oaepEncrypt encrypts with crypto/rsa, as a user does offline.
func oaepEncrypt(t *testing.T, pub *rsa.PublicKey, alg types.EncryptionAlgorithmSpec, plaintext []byte) []byte {
	t.Helper()
	ct, err := rsa.EncryptOAEP(oaepHash(alg).New(), rand.Reader, pub, plaintext, nil)
	if err != nil {
		t.Fatalf("crypto/rsa EncryptOAEP(%s, %d bytes): %v", alg, len(plaintext), err)
	}
	return ct
}

// decryptRSA decrypts an RSA ciphertext in Trent and checks the response.
func decryptRSA(t *testing.T, c *kms.Client, md *types.KeyMetadata, alg types.EncryptionAlgorithmSpec, blob []byte) []byte {
	t.Helper()
	out := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: blob, EncryptionAlgorithm: alg}))
	// KeyMaterialId identifies symmetric material; RSA responses have none.
	if aws.ToString(out.KeyId) != *md.Arn || out.EncryptionAlgorithm != alg || out.KeyMaterialId != nil {
		t.Fatalf("Decrypt(%s): KeyId %s, algorithm %s, KeyMaterialId %v", alg, aws.ToString(out.KeyId), out.EncryptionAlgorithm, out.KeyMaterialId)
	}
	return out.Plaintext
}

// wantRefusal asserts err is the API error code with message msg; msg "-"
// checks the code only (AWS's text is not recorded, or the text is
// Trent's).
func wantRefusal(t *testing.T, err error, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("succeeded, want %s", code)
	}
	if msg == "-" {
		apiError(t, err, code)
		return
	}
	wantError(t, err, code, msg)
}

// keyUsageMark summarises GetKeyLastUsage, to show that refused calls are
// not uses.
func keyUsageMark(t *testing.T, c *kms.Client, keyID string) string {
	t.Helper()
	u := must[*kms.GetKeyLastUsageOutput](t)(c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: aws.String(keyID)})).KeyLastUsage
	if u == nil {
		return "never used"
	}
	return fmt.Sprintf("%s %v %s", u.Operation, u.Timestamp, aws.ToString(u.KmsRequestId))
}

func TestRSAEncryptDecrypt(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	for _, tc := range rsaEncryptionSpecs {
		t.Run(string(tc.spec), func(t *testing.T) {
			t.Parallel()
			md := createKeyOfType(t, c, tc.spec, types.KeyUsageTypeEncryptDecrypt)
			pub := rsaPublicKey(t, c, *md.KeyId)
			if pub.N.BitLen() != tc.bits {
				t.Fatalf("modulus of %d bits, want %d", pub.N.BitLen(), tc.bits)
			}
			for _, alg := range []types.EncryptionAlgorithmSpec{oaepSHA1, oaepSHA256} {
				limit := tc.sha1
				if alg == oaepSHA256 {
					limit = tc.sha256
				}
				// Trent to Trent, from one byte to the documented limit.
				for _, n := range []int{1, limit} {
					plaintext := randomBytes(n)
					enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: plaintext, EncryptionAlgorithm: alg}))
					// Raw RSAES-OAEP output: as long as the modulus.
					if aws.ToString(enc.KeyId) != *md.Arn || enc.EncryptionAlgorithm != alg || len(enc.CiphertextBlob) != tc.bits/8 {
						t.Fatalf("Encrypt(%s, %d bytes): KeyId %s, algorithm %s, %d-byte ciphertext", alg, n, aws.ToString(enc.KeyId), enc.EncryptionAlgorithm, len(enc.CiphertextBlob))
					}
					if got := decryptRSA(t, c, md, alg, enc.CiphertextBlob); !bytes.Equal(got, plaintext) {
						t.Fatalf("Decrypt(%s) of %d bytes gave other bytes", alg, n)
					}
					// OAEP is randomised.
					again := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.Arn, Plaintext: plaintext, EncryptionAlgorithm: alg}))
					if bytes.Equal(again.CiphertextBlob, enc.CiphertextBlob) {
						t.Fatalf("Encrypt(%s) gave the same ciphertext twice", alg)
					}
				}
				// One byte over: AWS's recorded message. crypto/rsa
				// agrees on where the limit is.
				_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: randomBytes(limit + 1), EncryptionAlgorithm: alg})
				wantError(t, err, "ValidationException", fmt.Sprintf("Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", alg, tc.spec, limit))
				if _, err := rsa.EncryptOAEP(oaepHash(alg).New(), rand.Reader, pub, make([]byte, limit+1), nil); !errors.Is(err, rsa.ErrMessageTooLong) {
					t.Fatalf("crypto/rsa takes %d bytes with %s: %v", limit+1, alg, err)
				}

				// crypto/rsa to Trent: the user encrypts offline with
				// the public key, Trent decrypts.
				plaintext := randomBytes(limit)
				ct := oaepEncrypt(t, pub, alg, plaintext)
				if got := decryptRSA(t, c, md, alg, ct); !bytes.Equal(got, plaintext) {
					t.Fatalf("Trent decrypts crypto/rsa's %s ciphertext to other bytes", alg)
				}
				// The other OAEP hash, a flipped bit, a shortened or
				// lengthened ciphertext do not decrypt.
				other := oaepSHA256
				if alg == oaepSHA256 {
					other = oaepSHA1
				}
				flipped := bytes.Clone(ct)
				flipped[len(flipped)/2] ^= 0x01
				for name, in := range map[string]*kms.DecryptInput{
					"other hash":  {KeyId: md.KeyId, CiphertextBlob: ct, EncryptionAlgorithm: other},
					"flipped bit": {KeyId: md.KeyId, CiphertextBlob: flipped, EncryptionAlgorithm: alg},
					"short":       {KeyId: md.KeyId, CiphertextBlob: ct[1:], EncryptionAlgorithm: alg},
					"long":        {KeyId: md.KeyId, CiphertextBlob: append(bytes.Clone(ct), 0), EncryptionAlgorithm: alg},
				} {
					_, err := c.Decrypt(ctx, in)
					if err == nil {
						t.Fatalf("%s %s: Decrypt succeeded", alg, name)
					}
					wantError(t, err, "InvalidCiphertextException", "")
				}
			}
		})
	}
}

// TestRSAEncryptRefusals: the errors of Encrypt and Decrypt that involve
// RSA keys, none of which counts as a use of a key.
func TestRSAEncryptRefusals(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	rsaKey := createKeyOfType(t, c, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	signer := createKeyOfType(t, c, types.KeySpecRsa2048, types.KeyUsageTypeSignVerify)
	sym := createSymmetricKey(t, c, nil)
	symBlob := encryptUnder(t, c, *sym.KeyId, []byte("symmetric"), nil)
	// An RSA ciphertext whose first byte is not that of Trent's symmetric
	// blobs (a 1 in 256 chance otherwise), so that it cannot pass for a
	// symmetric blob's header when Decrypt is not told the key.
	var rsaBlob []byte
	for rsaBlob == nil || rsaBlob[0] == symBlob[0] {
		rsaBlob = must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: rsaKey.KeyId, Plaintext: []byte("asymmetric"),
			EncryptionAlgorithm: oaepSHA256})).CiphertextBlob
	}
	marks := func() string {
		return keyUsageMark(t, c, *rsaKey.KeyId) + "|" + keyUsageMark(t, c, *signer.KeyId) + "|" + keyUsageMark(t, c, *sym.KeyId)
	}
	before := marks()

	incompatible := func(alg types.EncryptionAlgorithmSpec, spec types.KeySpec) string {
		return fmt.Sprintf("Algorithm %s is incompatible with key spec %s.", alg, spec)
	}
	ec := map[string]string{"purpose": "test"}
	for _, tc := range []struct {
		name, code, msg string // msg "-": AWS's text is not recorded, the code is checked
		call            func() error
	}{
		// An RSA ciphertext names no key: Decrypt needs KeyId.
		{"Decrypt RSA blob without KeyId", "InvalidCiphertextException", "", func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rsaBlob, EncryptionAlgorithm: oaepSHA256}))
		}},
		{"Decrypt RSA blob with nothing", "InvalidCiphertextException", "", func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rsaBlob}))
		}},
		// EncryptionAlgorithm defaults to SYMMETRIC_DEFAULT, which an RSA
		// key does not offer.
		{"Decrypt RSA without algorithm", "InvalidKeyUsageException", incompatible(symmetricDefault, types.KeySpecRsa2048), func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: rsaKey.KeyId, CiphertextBlob: rsaBlob}))
		}},
		{"Decrypt RSA with SYMMETRIC_DEFAULT", "InvalidKeyUsageException", incompatible(symmetricDefault, types.KeySpecRsa2048), func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: rsaKey.KeyId, CiphertextBlob: rsaBlob, EncryptionAlgorithm: symmetricDefault}))
		}},
		{"Encrypt RSA without algorithm", "InvalidKeyUsageException", incompatible(symmetricDefault, types.KeySpecRsa2048), func() error {
			return errOf(c.Encrypt(ctx, &kms.EncryptInput{KeyId: rsaKey.KeyId, Plaintext: []byte("x")}))
		}},
		{"Encrypt RSA with SYMMETRIC_DEFAULT", "InvalidKeyUsageException", incompatible(symmetricDefault, types.KeySpecRsa2048), func() error {
			return errOf(c.Encrypt(ctx, &kms.EncryptInput{KeyId: rsaKey.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: symmetricDefault}))
		}},
		{"Encrypt symmetric with OAEP", "InvalidKeyUsageException", incompatible(oaepSHA1, types.KeySpecSymmetricDefault), func() error {
			return errOf(c.Encrypt(ctx, &kms.EncryptInput{KeyId: sym.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: oaepSHA1}))
		}},
		{"Decrypt symmetric with OAEP", "InvalidKeyUsageException", incompatible(oaepSHA256, types.KeySpecSymmetricDefault), func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: sym.KeyId, CiphertextBlob: symBlob, EncryptionAlgorithm: oaepSHA256}))
		}},
		{"Decrypt symmetric blob with OAEP, no KeyId", "InvalidKeyUsageException", incompatible(oaepSHA256, types.KeySpecSymmetricDefault), func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: symBlob, EncryptionAlgorithm: oaepSHA256}))
		}},
		// A symmetric blob given to an RSA key is just bytes that do
		// not decrypt.
		{"Decrypt symmetric blob with the RSA key", "InvalidCiphertextException", "", func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: rsaKey.KeyId, CiphertextBlob: symBlob, EncryptionAlgorithm: oaepSHA256}))
		}},
		{"Decrypt a value above the modulus", "InvalidCiphertextException", "", func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: rsaKey.KeyId, CiphertextBlob: bytes.Repeat([]byte{0xff}, 256), EncryptionAlgorithm: oaepSHA256}))
		}},
		// The recorded key-usage message.
		{"Encrypt with a signing key", "InvalidKeyUsageException", *signer.Arn + " key usage is SIGN_VERIFY which is not valid for Encrypt.", func() error {
			return errOf(c.Encrypt(ctx, &kms.EncryptInput{KeyId: signer.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: oaepSHA256}))
		}},
		// Decrypt reads the ciphertext before the key usage (recorded: a
		// symmetric blob named with an HMAC key is IncorrectKeyException).
		// Without a ciphertext (a dry run that ignores it) the key usage
		// decides.
		{"Decrypt with a signing key", "InvalidKeyUsageException", *signer.Arn + " key usage is SIGN_VERIFY which is not valid for Decrypt.", func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: signer.KeyId, EncryptionAlgorithm: oaepSHA256, DryRun: aws.Bool(true),
				DryRunModifiers: []types.DryRunModifierType{types.DryRunModifierTypeIgnoreCiphertext}}))
		}},
		{"Decrypt a symmetric blob with a signing key", "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.", func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: signer.KeyId, CiphertextBlob: symBlob}))
		}},
		// Not a symmetric blob, so no key ID to compare: the signing
		// key is refused for its usage.
		{"Decrypt an RSA ciphertext with a signing key", "InvalidKeyUsageException", *signer.Arn + " key usage is SIGN_VERIFY which is not valid for Decrypt.", func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: signer.KeyId, CiphertextBlob: rsaBlob, EncryptionAlgorithm: oaepSHA256}))
		}},
		// The encryption context is for symmetric keys only (model);
		// Trent refuses it rather than drop it.
		{"Encrypt RSA with a context", "ValidationException", "-", func() error {
			return errOf(c.Encrypt(ctx, &kms.EncryptInput{KeyId: rsaKey.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: oaepSHA256, EncryptionContext: ec}))
		}},
		{"Decrypt RSA with a context", "ValidationException", "-", func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: rsaKey.KeyId, CiphertextBlob: rsaBlob, EncryptionAlgorithm: oaepSHA256, EncryptionContext: ec}))
		}},
		{"Encrypt with an unknown algorithm", "ValidationException",
			coralEnumMessage("RSAES_OAEP_SHA_512", "encryptionAlgorithm", types.EncryptionAlgorithmSpec("").Values()), func() error {
				return errOf(c.Encrypt(ctx, &kms.EncryptInput{KeyId: rsaKey.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_512"}))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantRefusal(t, tc.call(), tc.code, tc.msg) })
	}
	if after := marks(); after != before {
		t.Errorf("refused calls changed GetKeyLastUsage:\n%s\n->\n%s", before, after)
	}
	// The ciphertext is untouched by all that.
	if got := decryptRSA(t, c, rsaKey, oaepSHA256, rsaBlob); string(got) != "asymmetric" {
		t.Errorf("the RSA ciphertext decrypts to %q", got)
	}
}

// TestRSAEncryptDryRun: a dry run makes every check a real call makes
// (docs "Testing your permissions": DryRun verifies "that you have
// specified the parameters in the call correctly", and a dry run with
// wrong parameters fails with ValidationException), and then answers
// DryRunOperationException.
func TestRSAEncryptDryRun(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createKeyOfType(t, c, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	blob := oaepEncrypt(t, rsaPublicKey(t, c, *md.KeyId), oaepSHA1, []byte("dry"))
	before := keyUsageMark(t, c, *md.KeyId)
	yes := aws.Bool(true)
	ignore := []types.DryRunModifierType{types.DryRunModifierTypeIgnoreCiphertext}
	const dryRunMsg = "The request would have succeeded, but the DryRun option is set."

	for _, tc := range []struct {
		name, code, msg string // msg "-": Trent's wording, the code is checked
		call            func() error
	}{
		{"Encrypt", "DryRunOperationException", dryRunMsg, func() error {
			return errOf(c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: randomBytes(214), EncryptionAlgorithm: oaepSHA1, DryRun: yes}))
		}},
		{"Decrypt", "DryRunOperationException", dryRunMsg, func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: blob, EncryptionAlgorithm: oaepSHA1, DryRun: yes}))
		}},
		{"Decrypt IGNORE_CIPHERTEXT", "DryRunOperationException", dryRunMsg, func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, EncryptionAlgorithm: oaepSHA1, DryRun: yes, DryRunModifiers: ignore}))
		}},
		// The checks still run.
		{"Decrypt IGNORE_CIPHERTEXT without algorithm", "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.", func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, DryRun: yes, DryRunModifiers: ignore}))
		}},
		{"Decrypt with the wrong hash", "InvalidCiphertextException", "", func() error {
			return errOf(c.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: blob, EncryptionAlgorithm: oaepSHA256, DryRun: yes}))
		}},
		{"Encrypt without algorithm", "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.", func() error {
			return errOf(c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), DryRun: yes}))
		}},
		{"Encrypt over the limit", "ValidationException", "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes.", func() error {
			return errOf(c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: randomBytes(215), EncryptionAlgorithm: oaepSHA1, DryRun: yes}))
		}},
		{"Encrypt with a context", "ValidationException", "-", func() error {
			return errOf(c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: oaepSHA1,
				EncryptionContext: map[string]string{"k": "v"}, DryRun: yes}))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantRefusal(t, tc.call(), tc.code, tc.msg) })
	}
	if after := keyUsageMark(t, c, *md.KeyId); after != before {
		t.Errorf("dry runs changed GetKeyLastUsage: %s -> %s", before, after)
	}
}

// TestRSAReEncrypt: ReEncrypt between symmetric and RSA keys in every
// direction. The algorithms given are echoed, KeyMaterialId appears only
// for a symmetric side, and the result decrypts under the destination.
func TestRSAReEncrypt(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	r2048 := createKeyOfType(t, c, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	r3072 := createKeyOfType(t, c, types.KeySpecRsa3072, types.KeyUsageTypeEncryptDecrypt)
	symA, symB := createSymmetricKey(t, c, nil), createSymmetricKey(t, c, nil)
	pubs := map[string]*rsa.PublicKey{*r2048.KeyId: rsaPublicKey(t, c, *r2048.KeyId), *r3072.KeyId: rsaPublicKey(t, c, *r3072.KeyId)}
	srcEC, dstEC := map[string]string{"side": "source"}, map[string]string{"side": "destination"}

	// side is one end of a ReEncrypt: a symmetric key (alg "") or an RSA
	// key with an OAEP algorithm.
	type side struct {
		md  *types.KeyMetadata
		alg types.EncryptionAlgorithmSpec
	}
	for _, tc := range []struct {
		name     string
		src, dst side
	}{
		{"symmetric to RSA_2048", side{symA, ""}, side{r2048, oaepSHA1}},
		{"RSA_2048 to symmetric", side{r2048, oaepSHA256}, side{symA, ""}},
		{"RSA_2048 to RSA_3072", side{r2048, oaepSHA1}, side{r3072, oaepSHA256}},
		{"RSA_3072 to RSA_2048", side{r3072, oaepSHA256}, side{r2048, oaepSHA1}},
		{"RSA_3072 to itself, other hash", side{r3072, oaepSHA1}, side{r3072, oaepSHA256}},
		{"symmetric to symmetric", side{symA, ""}, side{symB, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plaintext := randomBytes(100)
			in := &kms.ReEncryptInput{DestinationKeyId: tc.dst.md.KeyId, DestinationEncryptionAlgorithm: tc.dst.alg}
			wantSrcAlg, wantDstAlg := tc.src.alg, tc.dst.alg
			if tc.src.alg == "" {
				in.CiphertextBlob = encryptUnder(t, c, *tc.src.md.KeyId, plaintext, srcEC)
				in.SourceEncryptionContext, wantSrcAlg = srcEC, symmetricDefault
			} else {
				// Made offline with crypto/rsa.
				in.CiphertextBlob = oaepEncrypt(t, pubs[*tc.src.md.KeyId], tc.src.alg, plaintext)
				in.SourceKeyId, in.SourceEncryptionAlgorithm = tc.src.md.Arn, tc.src.alg
			}
			if tc.dst.alg == "" {
				in.DestinationEncryptionContext, wantDstAlg = dstEC, symmetricDefault
			}
			out := must[*kms.ReEncryptOutput](t)(c.ReEncrypt(ctx, in))
			if aws.ToString(out.SourceKeyId) != *tc.src.md.Arn || aws.ToString(out.KeyId) != *tc.dst.md.Arn ||
				out.SourceEncryptionAlgorithm != wantSrcAlg || out.DestinationEncryptionAlgorithm != wantDstAlg {
				t.Fatalf("ReEncrypt: from %s (%s) to %s (%s)", aws.ToString(out.SourceKeyId), out.SourceEncryptionAlgorithm,
					aws.ToString(out.KeyId), out.DestinationEncryptionAlgorithm)
			}
			materialOf := func(s side) string {
				if s.alg == "" {
					return *s.md.CurrentKeyMaterialId
				}
				return ""
			}
			if aws.ToString(out.SourceKeyMaterialId) != materialOf(tc.src) || aws.ToString(out.DestinationKeyMaterialId) != materialOf(tc.dst) {
				t.Errorf("KeyMaterialIds: source %v, destination %v", out.SourceKeyMaterialId, out.DestinationKeyMaterialId)
			}
			var got []byte
			if tc.dst.alg == "" {
				dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: dstEC}))
				if aws.ToString(dec.KeyId) != *tc.dst.md.Arn {
					t.Fatalf("the new blob names %s", aws.ToString(dec.KeyId))
				}
				got = dec.Plaintext
			} else {
				if n := pubs[*tc.dst.md.KeyId].Size(); len(out.CiphertextBlob) != n {
					t.Fatalf("%d-byte RSA ciphertext, want %d", len(out.CiphertextBlob), n)
				}
				got = decryptRSA(t, c, tc.dst.md, tc.dst.alg, out.CiphertextBlob)
			}
			if !bytes.Equal(got, plaintext) {
				t.Fatal("the re-encrypted ciphertext decrypts to other bytes")
			}
		})
	}

	// The refusals, source checks first.
	big := randomBytes(300) // fits RSA_3072 with SHA-1 (342), not RSA_2048 with SHA-256 (190)
	bigBlob := oaepEncrypt(t, pubs[*r3072.KeyId], oaepSHA1, big)
	rsaBlob := oaepEncrypt(t, pubs[*r2048.KeyId], oaepSHA256, []byte("small"))
	symBlob := encryptUnder(t, c, *symA.KeyId, []byte("small"), nil)
	for _, tc := range []struct {
		name, code, msg string
		in              kms.ReEncryptInput
	}{
		{"RSA source without SourceKeyId", "InvalidCiphertextException", "",
			kms.ReEncryptInput{CiphertextBlob: rsaBlob, SourceEncryptionAlgorithm: oaepSHA256, DestinationKeyId: symA.KeyId}},
		{"RSA source without algorithm", "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
			kms.ReEncryptInput{CiphertextBlob: rsaBlob, SourceKeyId: r2048.KeyId, DestinationKeyId: symA.KeyId}},
		{"RSA source with the wrong hash", "InvalidCiphertextException", "",
			kms.ReEncryptInput{CiphertextBlob: rsaBlob, SourceKeyId: r2048.KeyId, SourceEncryptionAlgorithm: oaepSHA1, DestinationKeyId: symA.KeyId}},
		{"RSA source with a context", "ValidationException", "-",
			kms.ReEncryptInput{CiphertextBlob: rsaBlob, SourceKeyId: r2048.KeyId, SourceEncryptionAlgorithm: oaepSHA256,
				SourceEncryptionContext: srcEC, DestinationKeyId: symA.KeyId}},
		{"RSA destination without algorithm", "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_3072.",
			kms.ReEncryptInput{CiphertextBlob: symBlob, DestinationKeyId: r3072.KeyId}},
		{"RSA destination with a context", "ValidationException", "-",
			kms.ReEncryptInput{CiphertextBlob: symBlob, DestinationKeyId: r3072.KeyId, DestinationEncryptionAlgorithm: oaepSHA1, DestinationEncryptionContext: dstEC}},
		{"symmetric destination with OAEP", "InvalidKeyUsageException", "Algorithm RSAES_OAEP_SHA_1 is incompatible with key spec SYMMETRIC_DEFAULT.",
			kms.ReEncryptInput{CiphertextBlob: rsaBlob, SourceKeyId: r2048.KeyId, SourceEncryptionAlgorithm: oaepSHA256,
				DestinationKeyId: symB.KeyId, DestinationEncryptionAlgorithm: oaepSHA1}},
		{"plaintext over the destination's limit", "ValidationException",
			"Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.",
			kms.ReEncryptInput{CiphertextBlob: bigBlob, SourceKeyId: r3072.KeyId, SourceEncryptionAlgorithm: oaepSHA1,
				DestinationKeyId: r2048.KeyId, DestinationEncryptionAlgorithm: oaepSHA256}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRefusal(t, errOf(c.ReEncrypt(ctx, &tc.in)), tc.code, tc.msg)
		})
	}

	// Dry runs, with the ciphertext and without.
	yes := aws.Bool(true)
	_, err := c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: rsaBlob, SourceKeyId: r2048.KeyId, SourceEncryptionAlgorithm: oaepSHA256,
		DestinationKeyId: r3072.KeyId, DestinationEncryptionAlgorithm: oaepSHA1, DryRun: yes})
	wantError(t, err, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")
	_, err = c.ReEncrypt(ctx, &kms.ReEncryptInput{SourceKeyId: r2048.KeyId, SourceEncryptionAlgorithm: oaepSHA256, DestinationKeyId: symA.KeyId,
		DryRun: yes, DryRunModifiers: []types.DryRunModifierType{types.DryRunModifierTypeIgnoreCiphertext}})
	wantError(t, err, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")
	// A dry run checks the destination's limit too (see TestRSAEncryptDryRun).
	_, err = c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: bigBlob, SourceKeyId: r3072.KeyId, SourceEncryptionAlgorithm: oaepSHA1,
		DestinationKeyId: r2048.KeyId, DestinationEncryptionAlgorithm: oaepSHA256, DryRun: yes})
	wantError(t, err, "ValidationException", "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.")
}
