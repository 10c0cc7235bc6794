package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Grants in authorisation: a grant allows its grantee the operations it
// lists, under its constraints, without a policy statement, across
// accounts; an account grantee delegates to IAM in that account; an
// explicit Deny still wins; retiring the grant takes the access away.

func TestGrantAllowsItsGranteeUnderItsConstraints(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{"AKIABOB": iamUser(testAccount, "bob")})
	owner, bob := tn.as(testAccount), tn.as("AKIABOB")
	key := createSymmetricKey(t, owner, nil)
	bobARN := "arn:aws:iam::111122223333:user/bob"
	ec := map[string]string{"app": "billing", "env": "prod"}

	_, err := bob.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x"), EncryptionContext: ec})
	wantError(t, err, "AccessDeniedException", denied(bobARN, "Encrypt", *key.Arn, noIdentityPolicy("Encrypt")))

	grant := must[*kms.CreateGrantOutput](t)(owner.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(bobARN),
		Operations:  []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationDecrypt},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"app": "billing"}}}))
	// Usable at once, with its token and without.
	blob := must[*kms.EncryptOutput](t)(bob.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("granted"),
		EncryptionContext: ec, GrantTokens: []string{*grant.GrantToken}})).CiphertextBlob
	out := must[*kms.DecryptOutput](t)(bob.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec}))
	if string(out.Plaintext) != "granted" {
		t.Fatalf("bob decrypted %q", out.Plaintext)
	}
	// Outside the constraint, or an operation the grant does not list.
	_, err = bob.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"app": "payroll"}})
	wantError(t, err, "AccessDeniedException", denied(bobARN, "Encrypt", *key.Arn, noIdentityPolicy("Encrypt")))
	_, err = bob.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: key.KeyId, NumberOfBytes: aws.Int32(32), EncryptionContext: ec})
	wantError(t, err, "AccessDeniedException", denied(bobARN, "GenerateDataKey", *key.Arn, noIdentityPolicy("GenerateDataKey")))
	// A token that is not a grant token fails the request.
	_, err = bob.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x"), EncryptionContext: ec, GrantTokens: []string{"not-a-token"}})
	apiError(t, err, "InvalidGrantTokenException")

	// Once retired, the grant allows nothing.
	must[*kms.RetireGrantOutput](t)(owner.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: grant.GrantToken}))
	_, err = bob.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec})
	wantError(t, err, "AccessDeniedException", denied(bobARN, "Decrypt", *key.Arn, noIdentityPolicy("Decrypt")))
}

func TestGrantToAnotherAccountDelegatesToItsIAM(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{
		"AKIAFRANK": iamUser(otherAccount, "frank", allowKMS("kms:Encrypt")),
		"AKIAGRACE": iamUser(otherAccount, "grace"),
	})
	owner := tn.as(testAccount)
	key := createSymmetricKey(t, owner, nil)
	must[*kms.CreateGrantOutput](t)(owner.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: key.KeyId,
		GranteePrincipal: aws.String("arn:aws:iam::444455556666:root"), Operations: []types.GrantOperation{types.GrantOperationEncrypt}}))

	// The account's root needs nothing more; its users need their own
	// policies to allow it.
	must[*kms.EncryptOutput](t)(tn.as(otherAccount).Encrypt(ctx, &kms.EncryptInput{KeyId: key.Arn, Plaintext: []byte("x")}))
	must[*kms.EncryptOutput](t)(tn.as("AKIAFRANK").Encrypt(ctx, &kms.EncryptInput{KeyId: key.Arn, Plaintext: []byte("x")}))
	_, err := tn.as("AKIAGRACE").Encrypt(ctx, &kms.EncryptInput{KeyId: key.Arn, Plaintext: []byte("x")})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::444455556666:user/grace", "Encrypt", *key.Arn, noResourcePolicy("Encrypt")))
	// The grant gives no management rights.
	_, err = tn.as(otherAccount).DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.Arn})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::444455556666:root", "DisableKey", *key.Arn, noResourcePolicy("DisableKey")))
}

func TestExplicitDenyBeatsAGrant(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{"AKIAMALLORY": iamUser(testAccount, "mallory")})
	owner := tn.as(testAccount)
	mallory := "arn:aws:iam::111122223333:user/mallory"
	key := createSymmetricKey(t, owner, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(
		`{"Sid":"NeverMallory","Effect":"Deny","Principal":{"AWS":"` + mallory + `"},"Action":"kms:*","Resource":"*"}`))})
	must[*kms.CreateGrantOutput](t)(owner.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: key.KeyId,
		GranteePrincipal: aws.String(mallory), Operations: []types.GrantOperation{types.GrantOperationEncrypt}}))
	_, err := tn.as("AKIAMALLORY").Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
	wantError(t, err, "AccessDeniedException", denied(mallory, "Encrypt", *key.Arn, explicitResourceDeny))
}

// TestCreateGrantConditions: a key policy can limit what grants a
// principal creates, with kms:GrantOperations and kms:GrantIsForAWSResource
// (false for every request Trent serves), as the console's default policy
// does for key users.
func TestCreateGrantConditions(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{"AKIAOSCAR": iamUser(testAccount, "oscar")})
	owner, oscar := tn.as(testAccount), tn.as("AKIAOSCAR")
	key := createSymmetricKey(t, owner, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(
		`{"Sid":"DecryptGrantsOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/oscar"},"Action":"kms:CreateGrant",` +
			`"Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:GrantOperations":["Decrypt"]},"Bool":{"kms:GrantIsForAWSResource":"false"}}}`))})
	grantee := aws.String("arn:aws:iam::111122223333:user/bob")
	must[*kms.CreateGrantOutput](t)(oscar.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: grantee,
		Operations: []types.GrantOperation{types.GrantOperationDecrypt}}))
	_, err := oscar.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: grantee,
		Operations: []types.GrantOperation{types.GrantOperationDecrypt, types.GrantOperationEncrypt}})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::111122223333:user/oscar", "CreateGrant", *key.Arn, noIdentityPolicy("CreateGrant")))
}

// TestGrantThroughAGrantIsNoBroader: a grantee whose grant lists
// CreateGrant may pass on no more than its grant allows.
func TestGrantThroughAGrantIsNoBroader(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{"AKIABOB": iamUser(testAccount, "bob"), "AKIACAROL": iamUser(testAccount, "carol")})
	owner, bob := tn.as(testAccount), tn.as("AKIABOB")
	key := createSymmetricKey(t, owner, nil)
	bobARN, carolARN := "arn:aws:iam::111122223333:user/bob", aws.String("arn:aws:iam::111122223333:user/carol")
	parent := must[*kms.CreateGrantOutput](t)(owner.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(bobARN),
		Operations:  []types.GrantOperation{types.GrantOperationDecrypt, types.GrantOperationCreateGrant},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"app": "billing"}}}))

	// As narrow or narrower: allowed.
	must[*kms.CreateGrantOutput](t)(bob.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: carolARN,
		Operations:  []types.GrantOperation{types.GrantOperationDecrypt},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"app": "billing", "env": "prod"}}}))
	must[*kms.CreateGrantOutput](t)(bob.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: carolARN,
		Operations:  []types.GrantOperation{types.GrantOperationDecrypt},
		Constraints: &types.GrantConstraints{EncryptionContextEquals: map[string]string{"app": "billing"}}}))
	// Broader: refused, naming the grant that limits it.
	for name, in := range map[string]*kms.CreateGrantInput{
		"another operation": {Operations: []types.GrantOperation{types.GrantOperationEncrypt},
			Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"app": "billing"}}},
		"no constraint": {Operations: []types.GrantOperation{types.GrantOperationDecrypt}},
		"other context": {Operations: []types.GrantOperation{types.GrantOperationDecrypt},
			Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"app": "payroll"}}},
	} {
		in.KeyId, in.GranteePrincipal = key.KeyId, carolARN
		_, err := bob.CreateGrant(ctx, in)
		t.Log(name)
		wantError(t, err, "AccessDeniedException", "User: "+bobARN+" is not authorized to perform: kms:CreateGrant on resource: "+*key.Arn+
			" because grant "+*parent.GrantId+", through which the grant is created, does not allow its operations or its constraints")
	}
	// The owner, allowed by the key policy, is not limited by any grant.
	must[*kms.CreateGrantOutput](t)(owner.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: carolARN,
		Operations: []types.GrantOperation{types.GrantOperationEncrypt}}))
}
