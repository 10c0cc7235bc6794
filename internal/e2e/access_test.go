package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
)

// Access control through the SDK: key policies, identity-based policies,
// their combination within and across accounts, explicit denies,
// conditions and the policy lockout safety check. Each case asserts AWS's
// exact AccessDeniedException text.

func TestSameAccountIdentityPolicyNeedsKeyPolicyForTheAccount(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{
		"AKIAALICE": iamUser(testAccount, "alice", allowKMS("kms:Encrypt", "kms:Decrypt", "kms:DescribeKey")),
		"AKIABOB":   iamUser(testAccount, "bob"),
	})
	owner := tn.as(testAccount)
	key := createSymmetricKey(t, owner, nil) // default key policy: the account, so IAM policies count
	alice, bob := tn.as("AKIAALICE"), tn.as("AKIABOB")

	blob := encryptUnder(t, alice, *key.KeyId, []byte("by alice"), nil)
	out := must[*kms.DecryptOutput](t)(alice.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob}))
	if string(out.Plaintext) != "by alice" {
		t.Fatalf("alice decrypted %q", out.Plaintext)
	}
	// Alice's policy does not name GenerateDataKey.
	_, err := alice.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: key.KeyId, NumberOfBytes: aws.Int32(32)})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::111122223333:user/alice", "GenerateDataKey", *key.Arn, noIdentityPolicy("GenerateDataKey")))
	// Bob has no identity-based policy at all.
	_, err = bob.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::111122223333:user/bob", "Encrypt", *key.Arn, noIdentityPolicy("Encrypt")))

	// A key policy that no longer names the account turns alice's IAM
	// policy off.
	must[*kms.PutKeyPolicyOutput](t)(owner.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyId, Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},` +
			`"Action":"kms:PutKeyPolicy","Resource":"*"}]}`)}))
	_, err = alice.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::111122223333:user/alice", "Encrypt", *key.Arn, noResourcePolicy("Encrypt")))
	// ... and even the root user's other actions.
	_, err = owner.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyId})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::111122223333:root", "DisableKey", *key.Arn, noResourcePolicy("DisableKey")))
}

func TestKeyPolicyNamingPrincipalsDirectly(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{
		"AKIACAROL":  iamUser(testAccount, "carol"),
		"ASIAOPS":    roleSession(testAccount, "Operator", "ops"),
		"ASIAOTHERS": roleSession(testAccount, "Auditor", "others"),
	})
	owner := tn.as(testAccount)
	key := createSymmetricKey(t, owner, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(
		`{"Sid":"Carol","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/carol"},"Action":"kms:Encrypt","Resource":"*"}`,
		`{"Sid":"Operators","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Operator"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}`,
	))})
	// Named in the key policy, neither needs an identity-based policy.
	blob := encryptUnder(t, tn.as("AKIACAROL"), *key.KeyId, []byte("c"), nil)
	must[*kms.DecryptOutput](t)(tn.as("ASIAOPS").Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob}))
	// Carol may not decrypt; a session of another role may do nothing.
	_, err := tn.as("AKIACAROL").Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::111122223333:user/carol", "Decrypt", *key.Arn, noIdentityPolicy("Decrypt")))
	_, err = tn.as("ASIAOTHERS").Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:sts::111122223333:assumed-role/Auditor/others", "Encrypt", *key.Arn, noIdentityPolicy("Encrypt")))
}

func TestExplicitDenyWins(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{
		"AKIADAN":  iamUser(testAccount, "dan", allowKMS("kms:*")),
		"AKIAERIN": iamUser(testAccount, "erin", allowKMS("kms:*"), denyKMS("kms:Decrypt")),
	})
	owner := tn.as(testAccount)
	key := createSymmetricKey(t, owner, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(
		`{"Sid":"NoDecryptForDan","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/dan"},"Action":"kms:Decrypt","Resource":"*"}`,
	))})
	blob := encryptUnder(t, tn.as("AKIADAN"), *key.KeyId, []byte("d"), nil)
	_, err := tn.as("AKIADAN").Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::111122223333:user/dan", "Decrypt", *key.Arn, explicitResourceDeny))
	_, err = tn.as("AKIAERIN").Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::111122223333:user/erin", "Decrypt", *key.Arn, explicitIdentityDeny))
	// The owner is not affected.
	must[*kms.DecryptOutput](t)(owner.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob}))

	// Denied calls are audited, with the real caller.
	var deniedDecrypts []audit.Record
	for _, r := range tn.auditRecords() {
		if r.EventName == "Decrypt" && r.ErrorCode == "AccessDeniedException" {
			deniedDecrypts = append(deniedDecrypts, r)
		}
	}
	if len(deniedDecrypts) != 2 {
		t.Fatalf("%d denied Decrypt records, want 2", len(deniedDecrypts))
	}
	for i, who := range []string{"dan", "erin"} {
		u := deniedDecrypts[i].UserIdentity
		if u.Type != "IAMUser" || u.UserName != who || u.ARN != "arn:aws:iam::111122223333:user/"+who ||
			u.AccessKeyID != "AKIA"+strings.ToUpper(who) || u.AccountID != testAccount || deniedDecrypts[i].ErrorMessage == "" {
			t.Errorf("denied Decrypt by %s recorded as %+v", who, deniedDecrypts[i])
		}
	}
}

func TestCrossAccountNeedsKeyPolicyAndIdentityPolicy(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{
		"AKIAFRANK": iamUser(otherAccount, "frank", allowKMS("kms:Encrypt", "kms:Decrypt")),
		"AKIAGRACE": iamUser(otherAccount, "grace"),
	})
	owner := tn.as(testAccount)
	key := createSymmetricKey(t, owner, nil)
	foreignRoot := tn.as(otherAccount)
	frank := tn.as("AKIAFRANK")

	// The default key policy names only the owner account.
	_, err := foreignRoot.Encrypt(ctx, &kms.EncryptInput{KeyId: key.Arn, Plaintext: []byte("x")})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::444455556666:root", "Encrypt", *key.Arn, noResourcePolicy("Encrypt")))
	_, err = frank.Encrypt(ctx, &kms.EncryptInput{KeyId: key.Arn, Plaintext: []byte("x")})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::444455556666:user/frank", "Encrypt", *key.Arn, noResourcePolicy("Encrypt")))

	// The key policy gives the other account Encrypt and Decrypt.
	must[*kms.PutKeyPolicyOutput](t)(owner.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyId, Policy: aws.String(keyPolicy(
		`{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}`,
	))}))
	blob := encryptUnder(t, foreignRoot, *key.Arn, []byte("from abroad"), nil)
	out := must[*kms.DecryptOutput](t)(frank.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, KeyId: key.Arn}))
	if string(out.Plaintext) != "from abroad" || *out.KeyId != *key.Arn {
		t.Fatalf("frank decrypted %q under %s", out.Plaintext, *out.KeyId)
	}
	// Grace's account may, but her own policies do not delegate it.
	_, err = tn.as("AKIAGRACE").Encrypt(ctx, &kms.EncryptInput{KeyId: key.Arn, Plaintext: []byte("x")})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::444455556666:user/grace", "Encrypt", *key.Arn, noIdentityPolicy("Encrypt")))
	// The key policy still keeps management to the owner.
	_, err = foreignRoot.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.Arn})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::444455556666:root", "DisableKey", *key.Arn, noResourcePolicy("DisableKey")))
}

func TestConditionKeysInKeyPolicies(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{"AKIAHEIDI": iamUser(testAccount, "heidi")})
	owner := tn.as(testAccount)
	key := createSymmetricKey(t, owner, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(
		`{"Sid":"TaggedContextOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/heidi"},`+
			`"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:purpose":"billing"},`+
			`"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["purpose","invoice"]}}}`,
		`{"Sid":"SignOnlyWithPSS","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/heidi"},`+
			`"Action":"kms:DescribeKey","Resource":"*","Condition":{"StringEquals":{"kms:KeySpec":"SYMMETRIC_DEFAULT","kms:CallerAccount":"111122223333"}}}`,
	))})
	heidi := tn.as("AKIAHEIDI")
	ec := map[string]string{"purpose": "billing", "invoice": "42"}
	blob := encryptUnder(t, heidi, *key.KeyId, []byte("h"), ec)
	must[*kms.DecryptOutput](t)(heidi.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec}))
	must[*kms.DescribeKeyOutput](t)(heidi.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyId}))
	for name, bad := range map[string]map[string]string{
		"no context":    nil,
		"other purpose": {"purpose": "payroll"},
		"extra key":     {"purpose": "billing", "team": "x"},
	} {
		_, err := heidi.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x"), EncryptionContext: bad})
		if ae := apiError(t, err, "AccessDeniedException"); ae.ErrorMessage() != denied("arn:aws:iam::111122223333:user/heidi", "Encrypt", *key.Arn, noIdentityPolicy("Encrypt")) {
			t.Errorf("%s: %s", name, ae.ErrorMessage())
		}
	}
}

// An AWS managed key's policy lets the account use it only through the AWS
// service (kms:ViaService): a direct Encrypt is denied even to the root user.
func TestAWSManagedKeyRefusesDirectUse(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{})
	owner := tn.as(testAccount)
	meta := describeKeyMetadata(t, owner, "alias/aws/ebs")
	_, err := owner.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/aws/ebs"), Plaintext: []byte("x")})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::111122223333:root", "Encrypt", *meta.Arn, noResourcePolicy("Encrypt")))
	_, err = owner.DisableKey(ctx, &kms.DisableKeyInput{KeyId: meta.KeyId})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::111122223333:root", "DisableKey", *meta.Arn, noResourcePolicy("DisableKey")))
	if meta.KeyManager != types.KeyManagerTypeAws {
		t.Fatalf("alias/aws/ebs is %s managed", meta.KeyManager)
	}
}

func TestPolicyLockoutSafetyCheck(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{"AKIAIVAN": iamUser(testAccount, "ivan", allowKMS("kms:*"))})
	owner := tn.as(testAccount)
	key := createSymmetricKey(t, owner, nil)
	lockout := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/ivan"},"Action":"kms:Encrypt","Resource":"*"}]}`
	const msg = "The new key policy will not allow you to update the key policy in the future."
	_, err := owner.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyId, Policy: aws.String(lockout)})
	wantError(t, err, "MalformedPolicyDocumentException", msg)
	_, err = owner.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(lockout)})
	wantError(t, err, "MalformedPolicyDocumentException", msg)
	// Nothing changed: the owner still manages the key.
	must[*kms.DisableKeyOutput](t)(owner.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyId}))

	// With the bypass the policy is stored, and locks the owner out.
	must[*kms.PutKeyPolicyOutput](t)(owner.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyId, Policy: aws.String(lockout),
		BypassPolicyLockoutSafetyCheck: true}))
	_, err = owner.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyId, Policy: aws.String(keyPolicy())})
	wantError(t, err, "AccessDeniedException", denied("arn:aws:iam::111122223333:root", "PutKeyPolicy", *key.Arn, noResourcePolicy("PutKeyPolicy")))
}

// TestEveryKeyOperationPassesTheGate calls every operation that names a key,
// as a caller whose own policies allow everything but whom the key policy
// denies: each must answer with that explicit deny, except RetireGrant,
// which the grant authorises. The calls are the
// key-state test's, so an operation added to the table is covered here too.
func TestEveryKeyOperationPassesTheGate(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{"AKIAJUDY": iamUser(testAccount, "judy", allowKMS("kms:*"))})
	owner, judy := tn.as(testAccount), tn.as("AKIAJUDY")
	denyJudy := keyPolicy(`{"Sid":"NotJudy","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/judy"},"Action":"kms:*","Resource":"*"}`)
	i := 0
	for op, calls := range stateCallers {
		for _, call := range calls {
			i++
			alias := fmt.Sprintf("alias/gate-%d", i)
			t.Run(string(op)+" "+call.side, func(t *testing.T) {
				t.Parallel()
				f := newStateFixture(t, owner, types.KeyStateEnabled, alias, stateShapes[op])
				must[*kms.PutKeyPolicyOutput](t)(owner.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: f.key.KeyId, Policy: aws.String(denyJudy)}))
				before := keySnapshot(t, f)
				f.c = judy
				if op == keys.OpRetireGrant {
					// The grant decides, not the key policy: judy is of
					// the account that issued it, and her IAM policy
					// allows RetireGrant.
					if err := call.call(f); err != nil {
						t.Fatalf("RetireGrant by the issuing account's user: %v", err)
					}
					return
				}
				ae := apiError(t, call.call(f), "AccessDeniedException")
				if msg := ae.ErrorMessage(); !strings.HasSuffix(msg, " on resource: "+*f.key.Arn+" "+explicitResourceDeny) {
					t.Errorf("%s", msg)
				}
				f.c = owner
				if after := keySnapshot(t, f); after != before {
					t.Errorf("denied call changed the key:\n%s\n->\n%s", before, after)
				}
			})
		}
	}
}
