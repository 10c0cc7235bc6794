package e2e

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/audit"
)

const (
	seedSymID      = "1234abcd-12ab-34cd-56ef-1234567890ab"
	seedHMACID     = "2234abcd-12ab-34cd-56ef-1234567890ab"
	seedECCID      = "3234abcd-12ab-34cd-56ef-1234567890ab"
	seedRSAID      = "4234abcd-12ab-34cd-56ef-1234567890ab"
	seedExternalID = "5234abcd-12ab-34cd-56ef-1234567890ab"
	seedDisabledID = "6234abcd-12ab-34cd-56ef-1234567890ab"
	seedOtherID    = "7234abcd-12ab-34cd-56ef-1234567890ab"
)

// trentSeed is a seed in Trent's format with material of every kind, and
// what it gave.
type trentSeed struct {
	text      string
	aes, mac  []byte
	ec        *ecdsa.PrivateKey
	rsa       *rsa.PrivateKey
	secrets   []string // the material as the file spells it
	keyIDsAll []string
}

func newTrentSeed(t *testing.T) *trentSeed {
	s := &trentSeed{aes: randomBytes(32), mac: randomBytes(40)}
	var err error
	if s.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if s.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(s.ec)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}))
	// OpenSSL's traditional RSA form (PKCS#1), which the seed converts.
	rsaPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(s.rsa)}))
	aesB64, macB64 := base64.StdEncoding.EncodeToString(s.aes), base64.StdEncoding.EncodeToString(s.mac)
	s.secrets = []string{aesB64, macB64, strings.Split(ecPEM, "\n")[1], strings.Split(rsaPEM, "\n")[1]}
	s.keyIDsAll = []string{seedSymID, seedHMACID, seedECCID, seedRSAID, seedExternalID, seedDisabledID}
	s.text = fmt.Sprintf(`# Trent's format: two accounts, keys of every kind.
accounts:
  - keys:
      - id: %s
        description: app data
        material: %s
        tags: {team: payments, env: dev}
        rotation: {periodInDays: 180}
        aliases: [alias/app]
      - id: %s
        spec: HMAC_256
        usage: GENERATE_VERIFY_MAC
        material: %s
      - id: %s
        usage: SIGN_VERIFY
        material: |
%s
      - id: %s
        spec: RSA_2048
        usage: SIGN_VERIFY
        material: |
%s
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: Root, Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: "kms:*", Resource: "*"}
      - id: %s
        origin: EXTERNAL
      - id: %s
        enabled: false
  - account: "444455556666"
    region: eu-west-1
    keys:
      - id: %s
        aliases: [alias/other]
`, seedSymID, aesB64, seedHMACID, macB64, seedECCID, indentBlock(ecPEM, 10), seedRSAID, indentBlock(rsaPEM, 10),
		seedExternalID, seedDisabledID, seedOtherID)
	return s
}

// TestSeedTrentFormat: a node started with a seed has the keys under their
// IDs, with the material the file gave (checked against the standard
// library: the ciphertext format opened by hand, HMAC recomputed, public
// keys and signatures), their settings, aliases and other accounts; the
// audit log records the seeding without the material; and a restart with
// the same seed changes nothing.
func TestSeedTrentFormat(t *testing.T) {
	s := newTrentSeed(t)
	path := writeSeed(t, s.text)
	tn := startNodeWith(t, nodeOptions{seedFile: path})
	c := tn.kms()

	// The symmetric key: its material, settings, tags and alias.
	md := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/app")})).KeyMetadata
	if *md.KeyId != seedSymID || *md.Description != "app data" || md.KeyState != types.KeyStateEnabled {
		t.Fatalf("alias/app names %s (%s, %s)", *md.KeyId, *md.Description, md.KeyState)
	}
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(seedSymID), Plaintext: []byte("seeded")}))
	if pt, v, err := openBlob(t, s.aes, seedSymID, enc.CiphertextBlob); err != nil || string(pt) != "seeded" || v != 1 {
		t.Fatalf("the ciphertext does not open under the seeded material: %q, version %d, %v", pt, v, err)
	}
	mine := sealBlob(t, s.aes, seedSymID, 1, []byte("made outside"))
	if dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: mine})); string(dec.Plaintext) != "made outside" {
		t.Fatalf("Decrypt of a blob made under the seeded material: %q", dec.Plaintext)
	}
	rot := must[*kms.GetKeyRotationStatusOutput](t)(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(seedSymID)}))
	if !rot.KeyRotationEnabled || aws.ToInt32(rot.RotationPeriodInDays) != 180 {
		t.Fatalf("rotation: %v every %d days, want on every 180", rot.KeyRotationEnabled, aws.ToInt32(rot.RotationPeriodInDays))
	}
	tags := must[*kms.ListResourceTagsOutput](t)(c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(seedSymID)})).Tags
	if len(tags) != 2 || *tags[0].TagKey != "env" || *tags[1].TagKey != "team" || *tags[1].TagValue != "payments" {
		t.Fatalf("tags %+v", tags)
	}

	// HMAC: the MAC is Go's HMAC under the seeded material.
	msg := []byte("message")
	mac := must[*kms.GenerateMacOutput](t)(c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: aws.String(seedHMACID), Message: msg, MacAlgorithm: types.MacAlgorithmSpecHmacSha256}))
	want := hmac.New(sha256.New, s.mac)
	want.Write(msg)
	if !hmac.Equal(mac.Mac, want.Sum(nil)) {
		t.Fatal("GenerateMac is not HMAC-SHA256 under the seeded material")
	}

	// Key pairs: the public key is the seeded key's, and signatures verify
	// with the standard library. The ECC key's spec came from its PEM.
	digest := sha256.Sum256(msg)
	ecc := must[*kms.GetPublicKeyOutput](t)(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(seedECCID)}))
	if wantPub, _ := x509.MarshalPKIXPublicKey(&s.ec.PublicKey); !bytes.Equal(ecc.PublicKey, wantPub) || ecc.KeySpec != types.KeySpecEccNistP256 {
		t.Fatalf("ECC public key (%s) is not the seeded key's", ecc.KeySpec)
	}
	sig := must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: aws.String(seedECCID), Message: msg, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}))
	if !ecdsa.VerifyASN1(&s.ec.PublicKey, digest[:], sig.Signature) {
		t.Fatal("the ECDSA signature does not verify under the seeded public key")
	}
	rsaPub := must[*kms.GetPublicKeyOutput](t)(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(seedRSAID)}))
	if wantPub, _ := x509.MarshalPKIXPublicKey(&s.rsa.PublicKey); !bytes.Equal(rsaPub.PublicKey, wantPub) {
		t.Fatal("RSA public key is not the seeded key's")
	}
	sig = must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: aws.String(seedRSAID), Message: msg, SigningAlgorithm: types.SigningAlgorithmSpecRsassaPssSha256}))
	if err := rsa.VerifyPSS(&s.rsa.PublicKey, crypto.SHA256, digest[:], sig.Signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
		t.Fatalf("the RSA-PSS signature does not verify: %v", err)
	}
	pol := must[*kms.GetKeyPolicyOutput](t)(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(seedRSAID)}))
	if !strings.Contains(*pol.Policy, `"Sid":"Root"`) {
		t.Fatalf("the seeded policy is not the key's: %s", *pol.Policy)
	}

	// States, and the other account's key in its Region only.
	for id, state := range map[string]types.KeyState{seedExternalID: types.KeyStatePendingImport, seedDisabledID: types.KeyStateDisabled} {
		md := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})).KeyMetadata
		if md.KeyState != state {
			t.Fatalf("key %s is %s, want %s", id, md.KeyState, state)
		}
	}
	other := tn.client("eu-west-1", "444455556666")
	if md := must[*kms.DescribeKeyOutput](t)(other.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/other")})).KeyMetadata; *md.KeyId != seedOtherID {
		t.Fatalf("alias/other names %s", *md.KeyId)
	}
	_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(seedOtherID)})
	apiError(t, err, "NotFoundException")

	// The audit log records the seeding, and no material.
	before := seedRecords(tn)
	if before["SeedKey"] != 7 || before["SeedAlias"] != 2 {
		t.Fatalf("seed records %v, want 7 SeedKey and 2 SeedAlias", before)
	}
	raw, err := os.ReadFile(filepath.Join(tn.dataDir, audit.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range s.secrets {
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatal("the audit log holds seeded material")
		}
	}

	// Restart with the same seed, an hour later: nothing changes.
	snap := seedSnapshot(t, c, s.keyIDsAll)
	tn.srv.Close()
	if err := tn.node.Close(); err != nil {
		t.Fatal(err)
	}
	again := startNodeWith(t, nodeOptions{dataDir: tn.dataDir, seedFile: path, epoch: testEpoch.Add(time.Hour)})
	if after := seedSnapshot(t, again.kms(), s.keyIDsAll); !reflect.DeepEqual(snap, after) {
		t.Fatalf("the second start changed the seeded keys:\nbefore %v\nafter  %v", snap, after)
	}
	if after := seedRecords(again); !reflect.DeepEqual(before, after) {
		t.Fatalf("the second start wrote seed records: %v, before %v", after, before)
	}
}

// seedRecords counts the seed records in the audit log.
func seedRecords(tn *testNode) map[string]int {
	n := map[string]int{}
	for _, r := range tn.auditRecords() {
		if strings.HasPrefix(r.EventName, "Seed") {
			n[r.EventName]++
		}
	}
	return n
}

// seedSnapshot is what DescribeKey, ListResourceTags and ListAliases say
// of the keys.
func seedSnapshot(t *testing.T, c *kms.Client, ids []string) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		md := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})).KeyMetadata
		tags := must[*kms.ListResourceTagsOutput](t)(c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)})).Tags
		out = append(out, fmt.Sprintf("%s %s %s %v %s %v", *md.KeyId, md.KeyState, md.KeySpec, md.CreationDate.UTC(), aws.ToString(md.CurrentKeyMaterialId), len(tags)))
		for _, tag := range tags {
			out = append(out, *tag.TagKey+"="+*tag.TagValue)
		}
	}
	for _, a := range must[*kms.ListAliasesOutput](t)(c.ListAliases(ctx, &kms.ListAliasesInput{})).Aliases {
		out = append(out, aws.ToString(a.AliasName)+"->"+aws.ToString(a.TargetKeyId))
	}
	return out
}

// TestREADMESeedExample: the seed file in the README's "Seeding keys"
// section seeds a node as the README says: the key under its ID, with the
// alias, the tag and the rotation period.
func TestREADMESeedExample(t *testing.T) {
	blocks := readmeBlocks(t, "Seeding keys")
	if len(blocks) == 0 || blocks[0].lang != "yaml" {
		t.Fatalf("the README's Seeding keys section has no yaml block first: %v", blocks)
	}
	tn := startNodeWith(t, nodeOptions{seedFile: writeSeed(t, blocks[0].code)})
	c := tn.kms()
	md := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/app")})).KeyMetadata
	if *md.KeyId != "1234abcd-12ab-34cd-56ef-1234567890ab" || md.KeyState != types.KeyStateEnabled {
		t.Fatalf("alias/app names %s (%s), want the seeded key, Enabled", *md.KeyId, md.KeyState)
	}
	rot := must[*kms.GetKeyRotationStatusOutput](t)(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId}))
	if !rot.KeyRotationEnabled || aws.ToInt32(rot.RotationPeriodInDays) != 180 {
		t.Errorf("rotation %v every %d days, want on, 180", rot.KeyRotationEnabled, aws.ToInt32(rot.RotationPeriodInDays))
	}
	tags := must[*kms.ListResourceTagsOutput](t)(c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: md.KeyId})).Tags
	if len(tags) != 1 || *tags[0].TagKey != "env" || *tags[0].TagValue != "dev" {
		t.Errorf("tags %v, want env=dev", tags)
	}
}
