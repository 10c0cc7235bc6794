package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/audit"
)

func tag(k, v string) types.Tag { return types.Tag{TagKey: aws.String(k), TagValue: aws.String(v)} }

// tagsOf returns a key's tags as a map.
func tagsOf(t *testing.T, c *kms.Client, keyID string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tg := range must[*kms.ListResourceTagsOutput](t)(c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(keyID)})).Tags {
		out[*tg.TagKey] = *tg.TagValue
	}
	return out
}

// TestLocalStackTagsInDevMode: in dev mode CreateKey honours LocalStack's
// _custom_id_ (the key ID, kept as a tag, as LocalStack keeps it) and
// _custom_key_material_ (the material, base64: raw for symmetric and HMAC
// keys, DER for key pairs; dropped from the tags and redacted in the audit
// log). The keys use the given material, checked against the standard
// library; bad values are refused and change nothing.
func TestLocalStackTagsInDevMode(t *testing.T) {
	tn := startNode(t)
	c := tn.kms()
	aesKey, macKey := randomBytes(32), randomBytes(100)
	ec, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaDER := x509.MarshalPKCS1PrivateKey(rk) // longer than a tag value may be
	b64 := base64.StdEncoding.EncodeToString
	const symID, macID, ecID, rsaID = "1111abcd-12ab-34cd-56ef-1234567890ab", "2222abcd-12ab-34cd-56ef-1234567890ab",
		"3333abcd-12ab-34cd-56ef-1234567890ab", "4444abcd-12ab-34cd-56ef-1234567890ab"
	create := func(in *kms.CreateKeyInput) (*kms.CreateKeyOutput, error) { return c.CreateKey(ctx, in) }

	sym := must[*kms.CreateKeyOutput](t)(create(&kms.CreateKeyInput{Tags: []types.Tag{
		tag("_custom_id_", symID), tag("_custom_key_material_", b64(aesKey)), tag("team", "payments")}}))
	if *sym.KeyMetadata.KeyId != symID {
		t.Fatalf("KeyId %s, want the _custom_id_ %s", *sym.KeyMetadata.KeyId, symID)
	}
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(symID), Plaintext: []byte("ls")}))
	if pt, _, err := openBlob(t, aesKey, symID, enc.CiphertextBlob); err != nil || string(pt) != "ls" {
		t.Fatalf("the key does not use the _custom_key_material_: %v", err)
	}
	if tags := tagsOf(t, c, symID); len(tags) != 2 || tags["_custom_id_"] != symID || tags["team"] != "payments" {
		t.Fatalf("tags %v: _custom_id_ is kept, _custom_key_material_ is not", tags)
	}

	must[*kms.CreateKeyOutput](t)(create(&kms.CreateKeyInput{KeySpec: types.KeySpecHmac512, KeyUsage: types.KeyUsageTypeGenerateVerifyMac,
		Tags: []types.Tag{tag("_custom_id_", macID), tag("_custom_key_material_", b64(macKey))}}))
	mac := must[*kms.GenerateMacOutput](t)(c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: aws.String(macID), Message: []byte("m"), MacAlgorithm: types.MacAlgorithmSpecHmacSha512}))
	want := hmac.New(sha512.New, macKey)
	want.Write([]byte("m"))
	if !hmac.Equal(mac.Mac, want.Sum(nil)) {
		t.Fatal("GenerateMac is not HMAC-SHA512 under the _custom_key_material_")
	}

	for _, kp := range []struct {
		id   string
		spec types.KeySpec
		der  []byte
		pub  any
	}{{ecID, types.KeySpecEccNistP384, ecDER, &ec.PublicKey}, {rsaID, types.KeySpecRsa2048, rsaDER, &rk.PublicKey}} {
		must[*kms.CreateKeyOutput](t)(create(&kms.CreateKeyInput{KeySpec: kp.spec, KeyUsage: types.KeyUsageTypeSignVerify,
			Tags: []types.Tag{tag("_custom_id_", kp.id), tag("_custom_key_material_", b64(kp.der))}}))
		got := must[*kms.GetPublicKeyOutput](t)(c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(kp.id)}))
		if wantPub, _ := x509.MarshalPKIXPublicKey(kp.pub); !bytes.Equal(got.PublicKey, wantPub) {
			t.Fatalf("%s: the public key is not the _custom_key_material_'s", kp.spec)
		}
	}

	// Refusals, which create nothing.
	refusals := []struct {
		name string
		in   *kms.CreateKeyInput
		code string
	}{
		{"taken ID", &kms.CreateKeyInput{Tags: []types.Tag{tag("_custom_id_", symID)}}, "AlreadyExistsException"},
		{"not a key ID", &kms.CreateKeyInput{Tags: []types.Tag{tag("_custom_id_", "my-key")}}, "ValidationException"},
		{"material not base64", &kms.CreateKeyInput{Tags: []types.Tag{tag("_custom_key_material_", "%%%")}}, "ValidationException"},
		{"material too short", &kms.CreateKeyInput{Tags: []types.Tag{tag("_custom_key_material_", b64(aesKey[:16]))}}, "ValidationException"},
		{"material of another spec", &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify,
			Tags: []types.Tag{tag("_custom_key_material_", b64(ecDER))}}, "ValidationException"},
		{"material for EXTERNAL", &kms.CreateKeyInput{Origin: types.OriginTypeExternal, Tags: []types.Tag{tag("_custom_key_material_", b64(aesKey))}}, "ValidationException"},
	}
	for _, r := range refusals {
		_, err := create(r.in)
		apiError(t, err, r.code)
	}
	if keys := must[*kms.ListKeysOutput](t)(c.ListKeys(ctx, &kms.ListKeysInput{})).Keys; len(keys) != 4 {
		t.Fatalf("%d keys after the refusals, want the 4 created", len(keys))
	}

	// No material reaches the audit log, from the keys made or refused.
	tn.auditRecords() // ships the records of changes
	if err := tn.node.ShipAudit(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(tn.dataDir, audit.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range [][]byte{aesKey, aesKey[:16], macKey, ecDER, rsaDER} {
		if bytes.Contains(raw, []byte(b64(m))) {
			t.Fatal("the audit log holds _custom_key_material_")
		}
	}
	if !bytes.Contains(raw, []byte(`"tagKey":"_custom_key_material_","tagValue":"[REDACTED]"`)) {
		t.Fatal("the audit log does not record the material tag as redacted")
	}
}

// TestLocalStackTagsOutsideDevMode: without --dev, _custom_id_ and
// _custom_key_material_ are ordinary tags, as in AWS: the key gets a
// random ID and material of its own, and both tags are kept.
func TestLocalStackTagsOutsideDevMode(t *testing.T) {
	tn := startVerifyingNode(t, testCredentials(testEpoch.Add(time.Hour)), nil, nil)
	c := tn.signingClient(testRegion, longTermKeyID, longTermSecret, "", 0)
	const id = "1111abcd-12ab-34cd-56ef-1234567890ab"
	material := base64.StdEncoding.EncodeToString(randomBytes(32))
	out := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{Tags: []types.Tag{
		tag("_custom_id_", id), tag("_custom_key_material_", material)}}))
	keyID := *out.KeyMetadata.KeyId
	if keyID == id {
		t.Fatal("a node without --dev took the key ID from _custom_id_")
	}
	if tags := tagsOf(t, c, keyID); tags["_custom_id_"] != id || tags["_custom_key_material_"] != material {
		t.Fatalf("tags %v: both are ordinary tags", tags)
	}
	raw, _ := base64.StdEncoding.DecodeString(material)
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x")}))
	if _, _, err := openBlob(t, raw, keyID, enc.CiphertextBlob); err == nil {
		t.Fatal("a node without --dev used the tag's value as key material")
	}
}

// TestLocalStackCustomIDOfADeletedKey: _custom_id_ may name the ID of a
// key that was deleted. The new key is a key of its own: the old key's
// policy, which the node had compiled and kept, does not apply to it.
func TestLocalStackCustomIDOfADeletedKey(t *testing.T) {
	tn := startNode(t)
	c := tn.kms()
	const id = "1111abcd-12ab-34cd-56ef-1234567890ab"
	denyEncrypt := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*"}]}`
	must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(denyEncrypt), Tags: []types.Tag{tag("_custom_id_", id)}}))
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
	apiError(t, err, "AccessDeniedException")
	must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)}))
	tn.clock.Advance(8 * 24 * time.Hour)
	tn.runDue()
	if _, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)}); err == nil {
		t.Fatal("the key was not deleted")
	}
	must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{Tags: []types.Tag{tag("_custom_id_", id)}}))
	if _, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")}); err != nil {
		t.Fatalf("the new key under the deleted key's ID is refused with the old key's policy: %v", err)
	}
}
