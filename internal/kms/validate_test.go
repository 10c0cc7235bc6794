package kms

import (
	"net/http"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/kmserr"
)

// pointerTo returns a pointer to v, for optional members.
func pointerTo[T any](v T) *T { return &v }

// The expected messages are AWS's ("Coral") wording. Where the spec digest
// (§5) or /tmp/aws-recorded.md quotes a real response, the case names it
// "recorded" and the string is copied from it.
func TestValidatorMessages(t *testing.T) {
	t.Parallel()
	const prefix1 = "1 validation error detected: "
	tests := []struct {
		name  string
		check func(v *validator)
		want  string // "" means no error
	}{
		{
			name: "no violations",
			check: func(v *validator) {
				v.required("keyId", true)
				v.length("keyId", pointerTo("1234abcd-12ab-34cd-56ef-1234567890ab"), 1, maxKeyIDLength)
				v.intRange("numberOfBytes", pointerTo[int32](1024), 1, 1024)
				v.enum("keySpec", pointerTo("AES_256"), dataKeySpecValues)
				v.pattern("aliasName", pointerTo("alias/ok_name-1:x"), aliasNamePattern)
				v.blob("plaintext", []byte("x"), true, 1, maxPlaintextLength)
			},
		},
		{
			name: "absent optional members are not checked",
			check: func(v *validator) {
				v.length("description", nil, 1, 10)
				v.intRange("limit", nil, 1, 1000)
				v.enum("keyUsage", nil, keyUsageValues)
				v.pattern("aliasName", nil, aliasNamePattern)
				v.blob("plaintext", nil, false, 1, maxPlaintextLength)
				v.keyID("keyId", nil, false)
				v.paging(nil, nil, 1000)
			},
		},
		{
			name:  "required member missing",
			check: func(v *validator) { v.required("keyId", false) },
			want:  prefix1 + "Value null at 'keyId' failed to satisfy constraint: Member must not be null",
		},
		{
			name:  "required key ID missing reports only not-null",
			check: func(v *validator) { v.keyID("keyId", nil, true) },
			want:  prefix1 + "Value null at 'keyId' failed to satisfy constraint: Member must not be null",
		},
		{
			name:  "empty key ID",
			check: func(v *validator) { v.keyID("keyId", pointerTo(""), true) },
			want:  prefix1 + "Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name:  "string too long (recorded, tag key)",
			check: func(v *validator) { v.length("tags.1.member.tagKey", pointerTo(strings.Repeat("a", 129)), 1, 128) },
			want: prefix1 + "Value '" + strings.Repeat("a", 129) +
				"' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128",
		},
		{
			// Smithy lengths count characters: 128 three-byte runes fit.
			name:  "length counts characters, not bytes",
			check: func(v *validator) { v.length("tags.1.member.tagKey", pointerTo(strings.Repeat("€", 128)), 1, 128) },
		},
		{
			name:  "blob too long is not echoed (recorded, plaintext)",
			check: func(v *validator) { v.blob("plaintext", make([]byte, 4097), true, 1, maxPlaintextLength) },
			want:  prefix1 + "Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
		},
		{
			name:  "empty blob is not echoed",
			check: func(v *validator) { v.blob("plaintext", []byte{}, true, 1, maxPlaintextLength) },
			want:  prefix1 + "Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name:  "int above range (recorded, numberOfBytes)",
			check: func(v *validator) { v.intRange("numberOfBytes", pointerTo[int32](1025), 1, 1024) },
			want:  prefix1 + "Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
		},
		{
			name:  "int below range (recorded, numberOfBytes)",
			check: func(v *validator) { v.intRange("numberOfBytes", pointerTo[int32](0), 1, 1024) },
			want:  prefix1 + "Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
		},
		{
			name:  "negative int",
			check: func(v *validator) { v.intRange("limit", pointerTo[int32](-5), 1, 1000) },
			want:  prefix1 + "Value '-5' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
		},
		{
			name: "enum value set (recorded, keyUsage)",
			check: func(v *validator) {
				v.enum("keyUsage", pointerTo("RANDOM"), []string{"ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"})
			},
			want: prefix1 + "Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC]",
		},
		{
			name:  "enum values are case sensitive",
			check: func(v *validator) { v.enum("keySpec", pointerTo("aes_256"), dataKeySpecValues) },
			want:  prefix1 + "Value 'aes_256' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
		},
		{
			name:  "pattern",
			check: func(v *validator) { v.pattern("aliasName", pointerTo("alias/bad name!"), aliasNamePattern) },
			want:  prefix1 + "Value 'alias/bad name!' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
		},
		{
			name: "two violations, in the order checked",
			check: func(v *validator) {
				v.keyID("keyId", nil, true)
				v.intRange("numberOfBytes", pointerTo[int32](1025), 1, 1024)
			},
			want: "2 validation errors detected: " +
				"Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
				"Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
		},
		{
			name: "three violations mixing sensitive and plain members",
			check: func(v *validator) {
				v.blob("plaintext", make([]byte, 4097), true, 1, maxPlaintextLength)
				v.enum("encryptionAlgorithm", pointerTo("AES"), []string{"SYMMETRIC_DEFAULT"})
				v.length("description", pointerTo("abc"), 0, 2)
			},
			want: "3 validation errors detected: " +
				"Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096; " +
				"Value 'AES' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT]; " +
				"Value 'abc' at 'description' failed to satisfy constraint: Member must have length less than or equal to 2",
		},
		{
			name:  "too many grant tokens",
			check: func(v *validator) { v.grantTokens(strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")) },
			want:  prefix1 + "Value '[a, b, c, d, e, f, g, h, i, j, k]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10",
		},
		{
			name:  "empty grant token, list index 1-based",
			check: func(v *validator) { v.grantTokens([]string{"token", ""}) },
			want:  prefix1 + "Value '' at 'grantTokens.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name:  "paging limit and marker",
			check: func(v *validator) { v.paging(pointerTo[int32](1001), pointerTo(""), 1000) },
			want: "2 validation errors detected: " +
				"Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000; " +
				"Value '' at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var v validator
			tc.check(&v)
			wantValidation(t, v.err(), tc.want)
		})
	}
}

// TestValidatorNeverEchoesSensitiveValues: a blob's bytes (a plaintext, a
// ciphertext) must not reach the client or the logs through a message.
func TestValidatorNeverEchoesSensitiveValues(t *testing.T) {
	t.Parallel()
	secret := []byte(strings.Repeat("TOP-SECRET ", 500))
	var v validator
	v.blob("plaintext", secret, true, 1, maxPlaintextLength)
	err := v.err()
	wantValidation(t, err, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
	if strings.Contains(err.Error(), "TOP-SECRET") {
		t.Fatalf("error text echoes the plaintext: %v", err)
	}
}

// TestAliasNamePatternMatchesModel keeps the pattern printed in messages the
// model's, character for character.
func TestAliasNamePatternMatchesModel(t *testing.T) {
	t.Parallel()
	if got, want := aliasNamePattern.String(), `^[a-zA-Z0-9:/_-]+$`; got != want {
		t.Fatalf("aliasNamePattern = %s, want %s", got, want)
	}
	var v validator
	v.pattern("aliasName", pointerTo("alias/ü"), aliasNamePattern)
	if v.err() == nil {
		t.Fatal("non-ASCII alias name passed the pattern")
	}
}

// wantValidation asserts err is a 400 ValidationException with message want,
// or nil when want is "".
func wantValidation(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	e, ok := kmserr.As(err)
	if !ok {
		t.Fatalf("want ValidationException, got %v", err)
	}
	if e.Code != kmserr.CodeValidation || e.Status != http.StatusBadRequest {
		t.Fatalf("got %s (HTTP %d), want ValidationException (HTTP 400)", e.Code, e.Status)
	}
	if e.Message != want {
		t.Fatalf("message:\n got %q\nwant %q", e.Message, want)
	}
}
