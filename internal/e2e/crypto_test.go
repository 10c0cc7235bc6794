package e2e

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// End-to-end tests of the cryptographic operations: Encrypt, Decrypt,
// ReEncrypt, GenerateDataKey*, GenerateRandom, DryRun and Recipient.

const symmetricDefault = types.EncryptionAlgorithmSpecSymmetricDefault

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func encryptUnder(t *testing.T, c *kms.Client, keyID string, plaintext []byte, ec map[string]string) []byte {
	t.Helper()
	return must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: plaintext, EncryptionContext: ec})).CiphertextBlob
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, nil)
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/round-trip"), TargetKeyId: md.KeyId}))
	for _, size := range []int{1, 4096} {
		plaintext := randomBytes(size)
		enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: plaintext}))
		if *enc.KeyId != *md.Arn || enc.EncryptionAlgorithm != symmetricDefault || len(enc.CiphertextBlob) > 6144 {
			t.Fatalf("Encrypt(%d bytes): KeyId %s, algorithm %s, %d-byte blob", size, *enc.KeyId, enc.EncryptionAlgorithm, len(enc.CiphertextBlob))
		}
		// Decrypt finds the key from the blob, or checks the key named in
		// any of the four identifier forms.
		for _, keyID := range []*string{nil, md.KeyId, md.Arn, aws.String("alias/round-trip"), aws.String("arn:aws:kms:us-east-1:111122223333:alias/round-trip")} {
			dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: keyID}))
			if !bytes.Equal(dec.Plaintext, plaintext) || *dec.KeyId != *md.Arn || dec.EncryptionAlgorithm != symmetricDefault ||
				aws.ToString(dec.KeyMaterialId) != *md.CurrentKeyMaterialId {
				t.Fatalf("Decrypt(KeyId %v) of %d bytes: %d bytes, KeyId %s, algorithm %s, material %v", aws.ToString(keyID), size,
					len(dec.Plaintext), *dec.KeyId, dec.EncryptionAlgorithm, dec.KeyMaterialId)
			}
		}
		if again := encryptUnder(t, c, *md.KeyId, plaintext, nil); bytes.Equal(again, enc.CiphertextBlob) {
			t.Error("two encryptions of the same plaintext gave the same blob")
		}
	}
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 4097)})
	wantError(t, err, "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")

	other := createSymmetricKey(t, c, nil)
	blob := encryptUnder(t, c, *md.KeyId, []byte("mine"), nil)
	for _, keyID := range []string{*other.KeyId, *other.Arn} {
		_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, KeyId: aws.String(keyID)})
		wantError(t, err, "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")
	}
}

func TestEncryptionContextBinding(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, nil)
	ec := map[string]string{"tenant": "acme", "purpose": "invoices", "region": "eu", "a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}
	blob := encryptUnder(t, c, *md.KeyId, []byte("bound"), ec)
	// Go randomises map iteration, so the context reaches the server in a
	// different member order on each call: the binding must not depend on it.
	for range 8 {
		same := map[string]string{}
		for k, v := range ec {
			same[k] = v
		}
		dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: same}))
		if string(dec.Plaintext) != "bound" {
			t.Fatalf("plaintext %q", dec.Plaintext)
		}
	}
	with := func(change func(m map[string]string)) map[string]string {
		m := map[string]string{}
		for k, v := range ec {
			m[k] = v
		}
		change(m)
		return m
	}
	for name, wrong := range map[string]map[string]string{
		"missing":           nil,
		"one pair missing":  with(func(m map[string]string) { delete(m, "a") }),
		"extra pair":        with(func(m map[string]string) { m["extra"] = "x" }),
		"changed value":     with(func(m map[string]string) { m["tenant"] = "other" }),
		"value case":        with(func(m map[string]string) { m["tenant"] = "ACME" }),
		"key case":          with(func(m map[string]string) { delete(m, "tenant"); m["Tenant"] = "acme" }),
		"empty value added": with(func(m map[string]string) { m["z"] = "" }),
	} {
		_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: wrong})
		if err == nil {
			t.Fatalf("%s: Decrypt succeeded", name)
		}
		wantError(t, err, "InvalidCiphertextException", "")
	}
	// A blob made without a context does not open with one.
	plain := encryptUnder(t, c, *md.KeyId, []byte("unbound"), nil)
	_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: plain, EncryptionContext: map[string]string{"tenant": "acme"}})
	wantError(t, err, "InvalidCiphertextException", "")
}

func TestTamperedCiphertext(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, nil)
	blob := encryptUnder(t, c, *md.KeyId, []byte("do not touch"), map[string]string{"k": "v"})
	flip := func(i int, mask byte) []byte {
		b := bytes.Clone(blob)
		b[i] ^= mask
		return b
	}
	// Positions per docs/ciphertext-format.md: the format version, the key
	// ID kind, the material version, the salt, the nonce, the ciphertext and
	// the tag. (A flipped key ID names another key: that is a different
	// error, the one a ciphertext of a deleted key gets.)
	tampered := map[string][]byte{
		"version":          flip(0, 0x80),
		"kind":             flip(1, 0x02),
		"material version": flip(18, 0x01),
		"material low":     flip(21, 0x04),
		"salt":             flip(30, 0x10),
		"nonce":            flip(45, 0x01),
		"ciphertext":       flip(52, 0x01),
		"tag":              flip(len(blob)-1, 0x80),
		"truncated by one": blob[:len(blob)-1],
		"truncated to 10":  blob[:10],
		"appended byte":    append(bytes.Clone(blob), 0),
		"appended block":   append(bytes.Clone(blob), make([]byte, 16)...),
	}
	for name, b := range tampered {
		for _, keyID := range []*string{nil, md.KeyId} {
			_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: b, KeyId: keyID, EncryptionContext: map[string]string{"k": "v"}})
			if err == nil {
				t.Fatalf("%s: tampered blob decrypted", name)
			}
			wantError(t, err, "InvalidCiphertextException", "")
		}
	}
	if _, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"k": "v"}}); err != nil {
		t.Fatalf("the untouched blob no longer decrypts: %v", err)
	}
}

func TestReEncrypt(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	src, dst := createSymmetricKey(t, c, nil), createSymmetricKey(t, c, nil)
	srcEC, dstEC := map[string]string{"stage": "old"}, map[string]string{"stage": "new"}
	blob := encryptUnder(t, c, *src.KeyId, []byte("moving"), srcEC)

	out := must[*kms.ReEncryptOutput](t)(c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob, SourceEncryptionContext: srcEC,
		DestinationKeyId: dst.KeyId, DestinationEncryptionContext: dstEC}))
	if *out.KeyId != *dst.Arn || *out.SourceKeyId != *src.Arn || out.SourceEncryptionAlgorithm != symmetricDefault ||
		out.DestinationEncryptionAlgorithm != symmetricDefault || aws.ToString(out.SourceKeyMaterialId) != *src.CurrentKeyMaterialId ||
		aws.ToString(out.DestinationKeyMaterialId) != *dst.CurrentKeyMaterialId {
		t.Errorf("ReEncrypt output: %+v", out)
	}
	dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: dstEC}))
	if string(dec.Plaintext) != "moving" || *dec.KeyId != *dst.Arn {
		t.Errorf("re-encrypted blob decrypts to %q under %s", dec.Plaintext, *dec.KeyId)
	}

	// Same key, new context: only the new context opens the new blob.
	same := must[*kms.ReEncryptOutput](t)(c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob, SourceEncryptionContext: srcEC,
		SourceKeyId: src.Arn, DestinationKeyId: src.KeyId, DestinationEncryptionContext: dstEC}))
	if *same.KeyId != *src.Arn || *same.SourceKeyId != *src.Arn {
		t.Errorf("same-key ReEncrypt: %s from %s", *same.KeyId, *same.SourceKeyId)
	}
	_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: same.CiphertextBlob, EncryptionContext: srcEC})
	wantError(t, err, "InvalidCiphertextException", "")
	must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: same.CiphertextBlob, EncryptionContext: dstEC}))

	_, err = c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob, SourceEncryptionContext: dstEC, DestinationKeyId: dst.KeyId})
	wantError(t, err, "InvalidCiphertextException", "")
	_, err = c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob, SourceEncryptionContext: srcEC, SourceKeyId: dst.KeyId, DestinationKeyId: dst.KeyId})
	wantError(t, err, "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")
	must[*kms.DisableKeyOutput](t)(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: dst.KeyId}))
	_, err = c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob, SourceEncryptionContext: srcEC, DestinationKeyId: dst.KeyId})
	wantError(t, err, "DisabledException", *dst.Arn+" is disabled.")
}

func TestGenerateDataKey(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, nil)
	ec := map[string]string{"file": "report.pdf"}
	for _, tc := range []struct {
		spec  types.DataKeySpec
		bytes int32
		want  int
	}{{types.DataKeySpecAes256, 0, 32}, {types.DataKeySpecAes128, 0, 16}, {"", 1, 1}, {"", 1024, 1024}} {
		in := &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: tc.spec, EncryptionContext: ec}
		if tc.bytes > 0 {
			in.NumberOfBytes = aws.Int32(tc.bytes)
		}
		out := must[*kms.GenerateDataKeyOutput](t)(c.GenerateDataKey(ctx, in))
		if len(out.Plaintext) != tc.want || *out.KeyId != *md.Arn || aws.ToString(out.KeyMaterialId) != *md.CurrentKeyMaterialId {
			t.Fatalf("GenerateDataKey(%s %d): %d bytes, KeyId %s, material %v", tc.spec, tc.bytes, len(out.Plaintext), *out.KeyId, out.KeyMaterialId)
		}
		dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ec}))
		if !bytes.Equal(dec.Plaintext, out.Plaintext) {
			t.Fatalf("GenerateDataKey(%s %d): the blob decrypts to another key", tc.spec, tc.bytes)
		}

		wo := must[*kms.GenerateDataKeyWithoutPlaintextOutput](t)(c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{
			KeyId: md.Arn, KeySpec: tc.spec, NumberOfBytes: in.NumberOfBytes, EncryptionContext: ec}))
		dec = must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wo.CiphertextBlob, EncryptionContext: ec}))
		if len(dec.Plaintext) != tc.want || *wo.KeyId != *md.Arn || aws.ToString(wo.KeyMaterialId) != *md.CurrentKeyMaterialId {
			t.Fatalf("GenerateDataKeyWithoutPlaintext(%s %d): %d bytes, KeyId %s", tc.spec, tc.bytes, len(dec.Plaintext), *wo.KeyId)
		}
	}

	bad := []struct {
		in  kms.GenerateDataKeyInput
		msg string // "" when Trent's own wording (AWS's is not recorded)
	}{
		{kms.GenerateDataKeyInput{KeySpec: types.DataKeySpecAes256, NumberOfBytes: aws.Int32(32)}, ""},
		{kms.GenerateDataKeyInput{}, ""},
		{kms.GenerateDataKeyInput{NumberOfBytes: aws.Int32(0)}, "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{kms.GenerateDataKeyInput{NumberOfBytes: aws.Int32(1025)}, "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"},
	}
	for _, tc := range bad {
		tc.in.KeyId = md.KeyId
		_, err := c.GenerateDataKey(ctx, &tc.in)
		_, err2 := c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: md.KeyId, KeySpec: tc.in.KeySpec, NumberOfBytes: tc.in.NumberOfBytes})
		for _, e := range []error{err, err2} {
			if tc.msg != "" {
				wantError(t, e, "ValidationException", tc.msg)
			} else if ae := apiError(t, e, "ValidationException"); !strings.Contains(ae.ErrorMessage(), "key spec") {
				t.Errorf("message %q does not say what to specify", ae.ErrorMessage())
			}
		}
	}
}

func TestGenerateRandom(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	for _, n := range []int32{1, 32, 1024} {
		out := must[*kms.GenerateRandomOutput](t)(c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(n)}))
		if len(out.Plaintext) != int(n) {
			t.Errorf("GenerateRandom(%d) gave %d bytes", n, len(out.Plaintext))
		}
	}
	a := must[*kms.GenerateRandomOutput](t)(c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32)}))
	b := must[*kms.GenerateRandomOutput](t)(c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32)}))
	if bytes.Equal(a.Plaintext, b.Plaintext) {
		t.Error("two GenerateRandom calls returned the same 32 bytes")
	}
	_, err := c.GenerateRandom(ctx, &kms.GenerateRandomInput{})
	wantError(t, err, "ValidationException", "NumberOfBytes is required.")
	_, err = c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(0)})
	wantError(t, err, "ValidationException", "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1025)})
	wantError(t, err, "ValidationException", "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024")
}

// dryRunCalls are the dry runs of every cryptographic operation with a
// DryRun member, against keyID, given a blob made under it.
func dryRunCalls(c *kms.Client, keyID string, blob []byte) map[string]func() error {
	yes, ignore := aws.Bool(true), []types.DryRunModifierType{types.DryRunModifierTypeIgnoreCiphertext}
	id := aws.String(keyID)
	call := func(_ any, err error) error { return err }
	return map[string]func() error{
		"Encrypt": func() error {
			return call(c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), DryRun: yes}))
		},
		"Decrypt": func() error { return call(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, DryRun: yes})) },
		"Decrypt IGNORE_CIPHERTEXT": func() error {
			return call(c.Decrypt(ctx, &kms.DecryptInput{KeyId: id, DryRun: yes, DryRunModifiers: ignore}))
		},
		"ReEncrypt": func() error {
			return call(c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob, DestinationKeyId: id, DryRun: yes}))
		},
		"ReEncrypt IGNORE_CIPHERTEXT": func() error {
			return call(c.ReEncrypt(ctx, &kms.ReEncryptInput{SourceKeyId: id, DestinationKeyId: id, DryRun: yes, DryRunModifiers: ignore}))
		},
		"GenerateDataKey": func() error {
			return call(c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: id, KeySpec: types.DataKeySpecAes256, DryRun: yes}))
		},
		"GenerateDataKeyWithoutPlaintext": func() error {
			return call(c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: id, NumberOfBytes: aws.Int32(8), DryRun: yes}))
		},
	}
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, nil)
	blob := encryptUnder(t, c, *md.KeyId, []byte("real"), nil)
	usage := func() string {
		u := must[*kms.GetKeyLastUsageOutput](t)(c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: md.KeyId})).KeyLastUsage
		return string(u.Operation) + " " + u.Timestamp.String() + " " + aws.ToString(u.KmsRequestId)
	}
	before, records := usage(), len(tn.auditRecords())
	tn.clock.Advance(time.Hour)
	calls := dryRunCalls(c, *md.KeyId, blob)
	for name, call := range calls {
		if err := call(); err == nil {
			t.Fatalf("%s: DryRun succeeded", name)
		} else {
			wantError(t, err, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")
		}
	}
	if after := usage(); after != before {
		t.Errorf("dry runs changed GetKeyLastUsage: %s -> %s", before, after)
	}
	// One audit record per dry run (the failed call), and only that: the
	// GetKeyLastUsage above adds one more.
	recs := tn.auditRecords()[records:]
	if len(recs) != len(calls)+1 {
		t.Fatalf("%d audit records for %d dry runs", len(recs), len(calls))
	}
	for _, r := range recs[:len(calls)] {
		if r.ErrorCode != "DryRunOperationException" {
			t.Errorf("%s record: errorCode %q", r.EventName, r.ErrorCode)
		}
	}

	// A dry run runs every check first: on a disabled key it reports that.
	must[*kms.DisableKeyOutput](t)(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}))
	for name, call := range dryRunCalls(c, *md.KeyId, blob) {
		if err := call(); err == nil {
			t.Fatalf("%s: DryRun on a disabled key succeeded", name)
		} else {
			wantError(t, err, "DisabledException", *md.Arn+" is disabled.")
		}
	}
	// IGNORE_CIPHERTEXT needs the key named instead.
	_, err := c.Decrypt(ctx, &kms.DecryptInput{DryRun: aws.Bool(true), DryRunModifiers: []types.DryRunModifierType{types.DryRunModifierTypeIgnoreCiphertext}})
	if ae := apiError(t, err, "ValidationException"); !strings.Contains(ae.ErrorMessage(), "keyId") {
		t.Errorf("message %q does not name keyId", ae.ErrorMessage())
	}
}

func TestRecipientRefused(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, nil)
	blob := encryptUnder(t, c, *md.KeyId, []byte("for an enclave"), nil)
	// Trent cannot verify Nitro attestation, so it never returns a secret
	// to a claimed enclave.
	recipient := &types.RecipientInfo{AttestationDocument: []byte("attestation"), KeyEncryptionAlgorithm: types.KeyEncryptionMechanismRsaesOaepSha256}
	_, err1 := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, Recipient: recipient})
	_, err2 := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: types.DataKeySpecAes256, Recipient: recipient})
	_, err3 := c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32), Recipient: recipient})
	for _, err := range []error{err1, err2, err3} {
		if ae := apiError(t, err, "ValidationException"); !strings.Contains(ae.ErrorMessage(), "Recipient") {
			t.Errorf("message %q does not name Recipient", ae.ErrorMessage())
		}
	}
}
