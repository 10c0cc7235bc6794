package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestUpdateAliasBetweenKeyTypes: UpdateAlias moves an alias only between
// keys of the same type (symmetric, asymmetric or HMAC) and the same key
// usage (API Reference, UpdateAlias); the key spec may differ.
func TestUpdateAliasBetweenKeyTypes(t *testing.T) {
	t.Parallel()
	c := startNode(t).kms()
	rsaSign := createKeyOfType(t, c, types.KeySpecRsa2048, types.KeyUsageTypeSignVerify)
	eccSign := createKeyOfType(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	rsaEncrypt := createKeyOfType(t, c, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	symmetric := createSymmetricKey(t, c, nil)
	hmac256 := createKeyOfType(t, c, types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac)
	hmac512 := createKeyOfType(t, c, types.KeySpecHmac512, types.KeyUsageTypeGenerateVerifyMac)

	move := func(alias string, from, to *types.KeyMetadata) error {
		t.Helper()
		must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: from.KeyId}))
		_, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(alias), TargetKeyId: to.KeyId})
		return err
	}
	target := func(alias string) string {
		t.Helper()
		return *describeKeyMetadata(t, c, alias).KeyId
	}
	for _, tc := range []struct {
		alias    string
		from, to *types.KeyMetadata
	}{
		{"alias/rsa-to-ecc", rsaSign, eccSign},
		{"alias/hmac-256-to-512", hmac256, hmac512},
	} {
		if err := move(tc.alias, tc.from, tc.to); err != nil {
			t.Errorf("%s: %v", tc.alias, err)
		} else if got := target(tc.alias); got != *tc.to.KeyId {
			t.Errorf("%s targets %s, want %s", tc.alias, got, *tc.to.KeyId)
		}
	}
	for _, tc := range []struct {
		alias    string
		from, to *types.KeyMetadata
	}{
		{"alias/symmetric-to-rsa", symmetric, rsaEncrypt},  // same usage, another type
		{"alias/rsa-sign-to-encrypt", rsaSign, rsaEncrypt}, // same type, another usage
		{"alias/symmetric-to-hmac", symmetric, hmac256},
	} {
		wantOwnError(t, move(tc.alias, tc.from, tc.to), "ValidationException")
		if got := target(tc.alias); got != *tc.from.KeyId {
			t.Errorf("%s: a refused UpdateAlias moved it to %s", tc.alias, got)
		}
	}
}
