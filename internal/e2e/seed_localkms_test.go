package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The key IDs of local-kms's README examples.
const (
	lkRotatedID  = "bc436485-5092-42b8-92a3-0aa8b93536dc"
	lkDatedID    = "49c5492b-b1bc-42a8-9a5c-b2015e810c1c"
	lkImportedID = "5ef77041-d1e6-4af1-9a41-e49a4b45efb6"
	lkPendingID  = "5d05267f-bb87-4d0b-8594-295a4371d414"
	lkECCID      = "800d5768-3fd7-4edd-a4b8-4c81c3e4c147"
	lkRSAID      = "ff275b92-0def-4dfc-b0f6-87c96b26c6c7"
)

// TestSeedLocalKMSFormat: a seed file written for nsmithuk/local-kms, like
// the examples of its README, loads unchanged. Two backing keys are a key
// rotated once: the first still decrypts, the second encrypts, ReEncrypt
// moves ciphertexts to it, and ListKeyRotations shows the rotation. A past
// NextKeyRotation rotates the key at the scheduler's next run. EXTERNAL
// keys have their material or wait for it; RSA and ECC keys are the PEM
// keys given (SEC1 for ECC, as in local-kms's README).
func TestSeedLocalKMSFormat(t *testing.T) {
	backing := [][]byte{randomBytes(32), randomBytes(32), randomBytes(32), randomBytes(32)}
	hx := func(i int) string { return strings.ToUpper(hex.EncodeToString(backing[i])) }
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sec1, err := x509.MarshalECPrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(rk)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}))
	rsaPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	path := writeSeed(t, fmt.Sprintf(`Keys:
  Symmetric:
    Aes:
      - Metadata:
          KeyId: %s
        BackingKeys:
          - %s
          - %s
      - Metadata:
          KeyId: %s
          Description: "Your key description"
        NextKeyRotation: "2019-09-12T15:19:21+00:00"
        BackingKeys:
          - %s
      - Metadata:
          KeyId: %s
          Origin: EXTERNAL
        BackingKeys:
          - %s
      - Metadata:
          KeyId: %s
          Origin: EXTERNAL
  Asymmetric:
    Ecc:
      - Metadata:
          KeyId: %s
          KeyUsage: SIGN_VERIFY
          Description: ECC key with curve secp256r1
        PrivateKeyPem: |
%s
    Rsa:
      - Metadata:
          KeyId: %s
          KeyUsage: ENCRYPT_DECRYPT
          Description: RSA key with 2048 bits
        PrivateKeyPem: |
%s

Aliases:
  - AliasName: alias/dev
    TargetKeyId: %s
  - AliasName: alias/test
    TargetKeyId: %s
`, lkRotatedID, hx(0), hx(1), lkDatedID, hx(2), lkImportedID, hx(3), lkPendingID,
		lkECCID, indentBlock(ecPEM, 10), lkRSAID, indentBlock(rsaPEM, 10), lkRotatedID, lkDatedID))
	tn := startNodeWith(t, nodeOptions{seedFile: path})
	c := tn.kms()

	// The rotated key: both backing keys decrypt, the last encrypts.
	md := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/dev")})).KeyMetadata
	if *md.Arn != "arn:aws:kms:us-east-1:111122223333:key/"+lkRotatedID {
		t.Fatalf("alias/dev names %s: the dev account in us-east-1 by default", *md.Arn)
	}
	old := sealBlob(t, backing[0], lkRotatedID, 1, []byte("before the rotation"))
	if out := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old})); string(out.Plaintext) != "before the rotation" {
		t.Fatalf("Decrypt under the first backing key: %q", out.Plaintext)
	}
	current := sealBlob(t, backing[1], lkRotatedID, 2, []byte("after"))
	if out := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: current})); string(out.Plaintext) != "after" {
		t.Fatalf("Decrypt under the second backing key: %q", out.Plaintext)
	}
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/dev"), Plaintext: []byte("new")}))
	if pt, v, err := openBlob(t, backing[1], lkRotatedID, enc.CiphertextBlob); err != nil || v != 2 || string(pt) != "new" {
		t.Fatalf("Encrypt does not use the last backing key: version %d, %v", v, err)
	}
	re := must[*kms.ReEncryptOutput](t)(c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: old, DestinationKeyId: aws.String(lkRotatedID)}))
	if pt, v, err := openBlob(t, backing[1], lkRotatedID, re.CiphertextBlob); err != nil || v != 2 || string(pt) != "before the rotation" {
		t.Fatalf("ReEncrypt does not move the ciphertext to the last backing key: version %d, %v", v, err)
	}
	rotations := must[*kms.ListKeyRotationsOutput](t)(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(lkRotatedID)})).Rotations
	if len(rotations) != 1 || aws.ToString(rotations[0].KeyMaterialId) != aws.ToString(md.CurrentKeyMaterialId) {
		t.Fatalf("ListKeyRotations: %d rotations, want one, to the current material", len(rotations))
	}

	// A past NextKeyRotation: rotation is on, and the next run rotates.
	rot := must[*kms.GetKeyRotationStatusOutput](t)(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(lkDatedID)}))
	if !rot.KeyRotationEnabled {
		t.Fatal("NextKeyRotation did not turn rotation on")
	}
	before := sealBlob(t, backing[2], lkDatedID, 1, []byte("dated"))
	tn.runDue()
	enc = must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(lkDatedID), Plaintext: []byte("x")}))
	if v := binary.BigEndian.Uint32(enc.CiphertextBlob[18:22]); v != 2 {
		t.Fatalf("after the due rotation Encrypt uses material version %d, want 2", v)
	}
	if _, _, err := openBlob(t, backing[2], lkDatedID, enc.CiphertextBlob); err == nil {
		t.Fatal("after the due rotation Encrypt still uses the seeded material")
	}
	if out := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: before})); string(out.Plaintext) != "dated" {
		t.Fatal("the seeded material no longer decrypts after the rotation")
	}

	// EXTERNAL keys.
	imported := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(lkImportedID)})).KeyMetadata
	if imported.KeyState != types.KeyStateEnabled || imported.Origin != types.OriginTypeExternal || imported.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire {
		t.Fatalf("imported key: %s, %s, %s", imported.KeyState, imported.Origin, imported.ExpirationModel)
	}
	enc = must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(lkImportedID), Plaintext: []byte("ext")}))
	if pt, _, err := openBlob(t, backing[3], lkImportedID, enc.CiphertextBlob); err != nil || string(pt) != "ext" {
		t.Fatalf("the EXTERNAL key does not use its backing key: %v", err)
	}
	if md := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(lkPendingID)})).KeyMetadata; md.KeyState != types.KeyStatePendingImport {
		t.Fatalf("EXTERNAL key without backing keys is %s", md.KeyState)
	}

	// The ECC key (spec from its PEM) signs as the PEM key.
	pub := must[*kms.GetPublicKeyOutput](t)(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(lkECCID)}))
	if want, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey); !bytes.Equal(pub.PublicKey, want) || pub.KeySpec != types.KeySpecEccNistP256 {
		t.Fatalf("ECC key: %s, not the PEM key", pub.KeySpec)
	}
	msg := []byte("signed")
	sig := must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: aws.String(lkECCID), Message: msg, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}))
	digest := sha256.Sum256(msg)
	if !ecdsa.VerifyASN1(&ec.PublicKey, digest[:], sig.Signature) {
		t.Fatal("the signature does not verify under the PEM key")
	}

	// The RSA key decrypts what the standard library encrypted to its PEM
	// key's public half.
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, &rk.PublicKey, []byte("to rsa"), nil)
	if err != nil {
		t.Fatal(err)
	}
	dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(lkRSAID), CiphertextBlob: ct,
		EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256}))
	if string(dec.Plaintext) != "to rsa" {
		t.Fatalf("RSA Decrypt: %q", dec.Plaintext)
	}
}
