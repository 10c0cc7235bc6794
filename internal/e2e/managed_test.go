package e2e

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// AWS managed keys: alias/aws/<service> creates its key on first use, once;
// the key rotates yearly and the account cannot change it.

const sdkDay = 24 * time.Hour

// sdkHelper wraps the SDK calls that the rotation, managed key, alias, tag,
// policy and audit tests repeat; a failed call ends the test. Methods keep
// the package namespace free for the other test files of the package.
type sdkHelper struct {
	t *testing.T
	c *kms.Client
}

func sdkFor(t *testing.T, c *kms.Client) sdkHelper { return sdkHelper{t: t, c: c} }

// newKey creates a customer managed SYMMETRIC_DEFAULT key.
func (h sdkHelper) newKey() *types.KeyMetadata {
	h.t.Helper()
	return must[*kms.CreateKeyOutput](h.t)(h.c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
}

func (h sdkHelper) wantTime(what string, got *time.Time, want time.Time) {
	h.t.Helper()
	if got == nil || !got.Equal(want) {
		h.t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

const managedS3Description = "Default key that protects my S3 objects when no other key is defined"

func (h sdkHelper) describe(keyID string) *types.KeyMetadata {
	h.t.Helper()
	return must[*kms.DescribeKeyOutput](h.t)(h.c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &keyID})).KeyMetadata
}

// keyIDs lists the key IDs of ListKeys (one page).
func (h sdkHelper) keyIDs() []string {
	h.t.Helper()
	out := must[*kms.ListKeysOutput](h.t)(h.c.ListKeys(ctx, &kms.ListKeysInput{}))
	if out.Truncated {
		h.t.Fatal("ListKeys truncated")
	}
	var ids []string
	for _, k := range out.Keys {
		ids = append(ids, aws.ToString(k.KeyId))
	}
	return ids
}

func TestManagedKeyCreatedOnFirstUse(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	created := tn.clock.Now()

	// The first request that names the alias creates the key, whether
	// the key policy then lets it use the key or not: a direct Encrypt is
	// refused (only use through the AWS service is allowed), and creates
	// nothing; DescribeKey is allowed ("kms:Describe*") and creates the key.
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/aws/s3"), Plaintext: []byte("x")})
	apiError(t, err, "AccessDeniedException")
	if ids := h.keyIDs(); len(ids) != 0 {
		t.Fatalf("a refused request created %v", ids)
	}
	arn := aws.ToString(h.describe("alias/aws/s3").Arn)
	tn.clock.Advance(time.Minute)
	md := h.describe("arn:aws:kms:us-east-1:111122223333:alias/aws/s3")
	if aws.ToString(md.Arn) != arn {
		t.Fatalf("alias/aws/s3 names %s and %s", arn, aws.ToString(md.Arn))
	}
	if md.KeyManager != types.KeyManagerTypeAws || aws.ToString(md.Description) != managedS3Description ||
		md.KeyState != types.KeyStateEnabled || !md.Enabled || md.Origin != types.OriginTypeAwsKms ||
		md.KeySpec != types.KeySpecSymmetricDefault || md.KeyUsage != types.KeyUsageTypeEncryptDecrypt {
		t.Fatalf("managed key metadata: %+v", md)
	}
	h.wantTime("CreationDate", md.CreationDate, created)
	if ids := h.keyIDs(); len(ids) != 1 || ids[0] != *md.KeyId {
		t.Fatalf("ListKeys %v, want just %s", ids, *md.KeyId)
	}
	if got := h.aliasTargets(""); len(got) != 1 || got["alias/aws/s3"] != *md.KeyId {
		t.Fatalf("ListAliases %v", got)
	}

	st := h.rotStatus(*md.KeyId)
	if !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 365 {
		t.Fatalf("managed key rotation: %+v", st)
	}
	h.wantTime("NextRotationDate", st.NextRotationDate, created.Add(365*sdkDay))

	// Another service's alias, first named by its alias ARN, is another
	// key, and so is one first described.
	ebsOut := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{
		KeyId: aws.String("arn:aws:kms:us-east-1:111122223333:alias/aws/ebs")}))
	ebs := h.describe("alias/aws/ebs")
	if *ebs.Arn != aws.ToString(ebsOut.KeyMetadata.Arn) || *ebs.KeyId == *md.KeyId || ebs.KeyManager != types.KeyManagerTypeAws {
		t.Fatalf("alias/aws/ebs: %+v, first described as %s", ebs, aws.ToString(ebsOut.KeyMetadata.Arn))
	}
	if rds := h.describe("alias/aws/rds"); *rds.KeyId == *ebs.KeyId || *rds.KeyId == *md.KeyId {
		t.Fatal("alias/aws/rds reuses another service's key")
	}
	if ids := h.keyIDs(); len(ids) != 3 {
		t.Fatalf("ListKeys %v, want 3 managed keys", ids)
	}

	// Per account and Region: another Region gets its own key.
	west := tn.client("us-west-2", "test")
	if w := sdkFor(t, west).describe("alias/aws/s3"); *w.KeyId == *md.KeyId {
		t.Fatal("us-west-2 shares us-east-1's managed key")
	}
}

func TestManagedKeyConcurrentFirstUse(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	const n = 8
	arns := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/sqs")})
			errs[i] = err
			if err == nil {
				arns[i] = aws.ToString(out.KeyMetadata.Arn)
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || arns[i] != arns[0] {
			t.Fatalf("call %d: %s %v, call 0: %s", i, arns[i], errs[i], arns[0])
		}
	}
	if ids := h.keyIDs(); len(ids) != 1 {
		t.Fatalf("concurrent first use created %d keys", len(ids))
	}
	id := h.describe("alias/aws/sqs").KeyId
	if got := h.aliasTargets(*id); got["alias/aws/sqs"] != *id || len(got) != 1 {
		t.Fatalf("ListAliases(KeyId) %v", got)
	}
}

func TestManagedKeyRotatesYearly(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	md := h.describe("alias/aws/s3")
	tn.clock.Advance(364 * sdkDay)
	tn.runDue()
	if got := h.rotations(*md.KeyId, "", 0); len(got) != 0 {
		t.Fatalf("rotated before a year: %+v", got)
	}
	tn.clock.Advance(sdkDay + time.Hour)
	tn.runDue()
	rots := h.rotations(*md.KeyId, "", 0)
	if len(rots) != 1 || rots[0].RotationType != types.RotationTypeAutomatic {
		t.Fatalf("rotations %+v, want one AUTOMATIC", rots)
	}
	h.wantTime("RotationDate", rots[0].RotationDate, tn.clock.Now())
	h.wantTime("NextRotationDate", h.rotStatus(*md.KeyId).NextRotationDate, tn.clock.Now().Add(365*sdkDay))
}

func TestManagedKeyRefusesChanges(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	before := h.describe("alias/aws/s3")
	id := *before.KeyId
	policy := must[*kms.GetKeyPolicyOutput](t)(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &id})).Policy
	const customPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`

	calls := map[string]func() error{
		"DisableKey": func() error { _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &id}); return err },
		"EnableKey":  func() error { _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: &id}); return err },
		"ScheduleKeyDeletion": func() error {
			_, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(7)})
			return err
		},
		"EnableKeyRotation": func() error {
			_, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: aws.Int32(90)})
			return err
		},
		"DisableKeyRotation": func() error {
			_, err := c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: &id})
			return err
		},
		"RotateKeyOnDemand": func() error { _, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id}); return err },
		"TagResource": func() error {
			_, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: []types.Tag{{TagKey: aws.String("k"), TagValue: aws.String("v")}}})
			return err
		},
		"UpdateKeyDescription": func() error {
			_, err := c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: &id, Description: aws.String("mine")})
			return err
		},
		"PutKeyPolicy": func() error {
			_, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &id, Policy: aws.String(customPolicy)})
			return err
		},
		"CreateAlias": func() error {
			_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/mine"), TargetKeyId: &id})
			return err
		},
	}
	for op, call := range calls {
		ae := apiError(t, call(), "AccessDeniedException")
		if msg := ae.ErrorMessage(); !strings.Contains(msg, "kms:"+op) || !strings.Contains(msg, *before.Arn) {
			t.Fatalf("%s: message %q does not name the action and key", op, msg)
		}
	}

	after := h.describe(id)
	if after.KeyState != types.KeyStateEnabled || aws.ToString(after.Description) != managedS3Description ||
		after.DeletionDate != nil || aws.ToString(after.CurrentKeyMaterialId) != aws.ToString(before.CurrentKeyMaterialId) {
		t.Fatalf("managed key changed: %+v", after)
	}
	if st := h.rotStatus(id); !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 365 || st.OnDemandRotationStartDate != nil {
		t.Fatalf("rotation changed: %+v", st)
	}
	if p := must[*kms.GetKeyPolicyOutput](t)(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &id})).Policy; aws.ToString(p) != aws.ToString(policy) {
		t.Fatalf("policy changed to %s", aws.ToString(p))
	}
	if tags := must[*kms.ListResourceTagsOutput](t)(c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &id})).Tags; len(tags) != 0 {
		t.Fatalf("tags %+v", tags)
	}
	if got := h.aliasTargets(""); len(got) != 1 {
		t.Fatalf("aliases %v", got)
	}
}

func TestManagedAliasUnknownOrReserved(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/aws/nope"), Plaintext: []byte("x")})
	wantError(t, err, "NotFoundException", "Alias arn:aws:kms:us-east-1:111122223333:alias/aws/nope is not found.")
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/nope")})
	wantError(t, err, "NotFoundException", "Alias arn:aws:kms:us-east-1:111122223333:alias/aws/nope is not found.")

	// Customers cannot create aliases under alias/aws/, new or predefined.
	key := h.newKey()
	for _, name := range []string{"alias/aws/x", "alias/aws/s3"} {
		_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: key.KeyId})
		if ae := apiError(t, err, "NotAuthorizedException"); ae.ErrorMessage() == "" {
			t.Fatalf("%s: refusal without a message", name)
		}
	}
	if ids := h.keyIDs(); len(ids) != 1 {
		t.Fatalf("keys %v: an unknown or refused alias created a key", ids)
	}
	if got := h.aliasTargets(""); len(got) != 0 {
		t.Fatalf("aliases %v", got)
	}
}

// TestManagedKeyNotCreatedByAFailedRequest: a request that fails, a dry run
// included, changes nothing, not even the creation of the AWS managed key
// its alias names.
func TestManagedKeyNotCreatedByAFailedRequest(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)

	// Refused by the managed key's policy, which allows no direct use,
	// with and without a dry run.
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/aws/sqs"), Plaintext: []byte("x")})
	apiError(t, err, "AccessDeniedException")
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("alias/aws/ssm"), NumberOfBytes: aws.Int32(16), DryRun: aws.Bool(true)})
	apiError(t, err, "AccessDeniedException")

	if ids := h.keyIDs(); len(ids) != 0 {
		t.Fatalf("failed requests created keys %v", ids)
	}
	if got := h.aliasTargets(""); len(got) != 0 {
		t.Fatalf("failed requests created aliases %v", got)
	}

	// A request that succeeds creates the key.
	md := h.describe("alias/aws/sns")
	out := must[*kms.GetKeyPolicyOutput](t)(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId}))
	if md.KeyManager != types.KeyManagerTypeAws || !strings.Contains(*out.Policy, "kms:ViaService") {
		t.Fatalf("key %s is not AWS managed", *md.KeyId)
	}
}
