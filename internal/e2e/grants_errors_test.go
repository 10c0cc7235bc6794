package e2e

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestCreateGrantErrors: every refusal of CreateGrant, with its code and
// message, and no grant made by any of them.
func TestCreateGrantErrors(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	key := createSymmetricKey(t, c, nil)
	signing := createSymmetricKey(t, c, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	ops := []types.GrantOperation{types.GrantOperationEncrypt}
	base := func(mod func(in *kms.CreateGrantInput)) *kms.CreateGrantInput {
		in := &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(grantAlice), Operations: ops}
		mod(in)
		return in
	}
	coral := "1 validation error detected: "
	cases := []struct {
		name, code, message string
		in                  *kms.CreateGrantInput
	}{
		{"unknown operation", "ValidationException", coral + "Value 'Explode' at 'operations.2.member' failed to satisfy constraint: Member must satisfy enum value set: [" +
			strings.Join(grantOperationNames(), ", ") + "]",
			base(func(in *kms.CreateGrantInput) { in.Operations = []types.GrantOperation{"Encrypt", "Explode"} })},
		{"no grantee", "ValidationException", coral + "Value null at 'granteePrincipal' failed to satisfy constraint: Member must not be null",
			base(func(in *kms.CreateGrantInput) { in.GranteePrincipal = nil })},
		{"grantee pattern", "ValidationException", coral + `Value 'a b' at 'granteePrincipal' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\w+=,.@:/-]+$`,
			base(func(in *kms.CreateGrantInput) { in.GranteePrincipal = aws.String("a b") })},
		{"name pattern", "ValidationException", coral + "Value 'a name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
			base(func(in *kms.CreateGrantInput) { in.Name = aws.String("a name") })},
		{"both grantees", "ValidationException", "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.",
			base(func(in *kms.CreateGrantInput) { in.GranteeServicePrincipal = aws.String("s3.amazonaws.com") })},
		{"service grantee without SourceArn", "ValidationException", "A grant for a GranteeServicePrincipal must have a SourceArn grant constraint.",
			base(func(in *kms.CreateGrantInput) {
				in.GranteePrincipal, in.GranteeServicePrincipal = nil, aws.String("s3.amazonaws.com")
			})},
		{"only CreateGrant", "ValidationException", "Grants must not contain only the CreateGrant operation.",
			base(func(in *kms.CreateGrantInput) {
				in.Operations = []types.GrantOperation{types.GrantOperationCreateGrant}
			})},
		{"operation the key lacks", "ValidationException", "Grant operations Sign are not supported for a key with key spec SYMMETRIC_DEFAULT and key usage ENCRYPT_DECRYPT.",
			base(func(in *kms.CreateGrantInput) { in.Operations = []types.GrantOperation{"Encrypt", "Sign"} })},
		{"context constraint on a signing key", "ValidationException", "Encryption context grant constraints are supported only on symmetric encryption KMS keys.",
			base(func(in *kms.CreateGrantInput) {
				in.KeyId, in.Operations = signing.KeyId, []types.GrantOperation{"Sign"}
				in.Constraints = &types.GrantConstraints{EncryptionContextEquals: map[string]string{"a": "b"}}
			})},
		{"not a principal ARN", "InvalidArnException", "Invalid principal: alice",
			base(func(in *kms.CreateGrantInput) { in.GranteePrincipal = aws.String("alice") })},
		{"malformed grant token", "InvalidGrantTokenException", "Invalid grant token",
			base(func(in *kms.CreateGrantInput) { in.GrantTokens = []string{"bogus"} })},
		{"unknown key", "NotFoundException", "Key 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000' does not exist",
			base(func(in *kms.CreateGrantInput) { in.KeyId = aws.String("00000000-0000-0000-0000-000000000000") })},
		{"alias", "NotFoundException", "Invalid keyId 'alias/x'",
			base(func(in *kms.CreateGrantInput) { in.KeyId = aws.String("alias/x") })},
		{"dry run", "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.",
			base(func(in *kms.CreateGrantInput) { in.DryRun = aws.Bool(true) })},
	}
	for _, tc := range cases {
		_, err := c.CreateGrant(ctx, tc.in)
		if err == nil {
			t.Errorf("%s: succeeded", tc.name)
			continue
		}
		t.Run(tc.name, func(t *testing.T) { wantError(t, err, tc.code, tc.message) })
	}
	for _, k := range []*types.KeyMetadata{key, signing} {
		if n := len(listGrants(t, c, *k.KeyId)); n != 0 {
			t.Errorf("refused requests made %d grants on %s", n, *k.KeyId)
		}
	}
	// Another account may not create grants on the key (the key policy
	// names only its owner).
	_, err := tn.client(testRegion, granteeAccount).CreateGrant(ctx, base(func(in *kms.CreateGrantInput) { in.KeyId = key.Arn }))
	apiError(t, err, "AccessDeniedException")
	_, err = tn.client(testRegion, granteeAccount).ListGrants(ctx, &kms.ListGrantsInput{KeyId: key.Arn})
	apiError(t, err, "AccessDeniedException")
}

func grantOperationNames() []string {
	var out []string
	for _, op := range types.GrantOperation("").Values() {
		out = append(out, string(op))
	}
	return out
}

// TestRevokeGrantErrors: RevokeGrant's own refusals.
func TestRevokeGrantErrors(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	key := createSymmetricKey(t, c, nil)
	g := createGrant(t, c, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(grantAlice),
		Operations: []types.GrantOperation{types.GrantOperationEncrypt}})
	// Required members the SDK would not leave out.
	if code, msg := rawError(t, tn, "RevokeGrant", map[string]any{"KeyId": *key.KeyId}); code != "ValidationException" || msg != nullMember("grantId") {
		t.Errorf("RevokeGrant without GrantId: %s %q", code, msg)
	}
	if code, msg := rawError(t, tn, "CreateGrant", map[string]any{"KeyId": *key.KeyId, "GranteePrincipal": grantAlice}); code != "ValidationException" || msg != nullMember("operations") {
		t.Errorf("CreateGrant without Operations: %s %q", code, msg)
	}
	if code, msg := rawError(t, tn, "CreateGrant", map[string]any{"KeyId": *key.KeyId, "GranteePrincipal": grantAlice, "Operations": []string{}}); code != "ValidationException" || msg != "Grants must include at least one operation." {
		t.Errorf("CreateGrant with no operations: %s %q", code, msg)
	}
	_, err := c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: key.KeyId, GrantId: g.GrantId, DryRun: aws.Bool(true)})
	apiError(t, err, "DryRunOperationException")
	_, err = tn.client(testRegion, granteeAccount).RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: key.Arn, GrantId: g.GrantId})
	apiError(t, err, "AccessDeniedException")
	if n := len(listGrants(t, c, *key.KeyId)); n != 1 {
		t.Errorf("refused revocations left %d grants, want 1", n)
	}
}
