package e2e

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/storetest"
)

// The service on storetest.Rerun(bolt): every store transaction runs its
// function twice, the first attempt rolled back. A side effect outside the
// transaction (a second audit record, a key created twice, a record naming
// a key only the rolled-back attempt touched) would show. On etcd such
// reruns happen for real, after conflicts.

// requestIDs collects the request IDs of successful calls, by operation.
type requestIDs map[string][]string

func (r requestIDs) add(op string, md middleware.Metadata) {
	id, _ := awsmiddleware.GetRequestIDMetadata(md)
	r[op] = append(r[op], id)
}

func TestServiceHasNoSideEffectsOutsideTransactions(t *testing.T) {
	t.Parallel()
	tn := startNodeWith(t, nodeOptions{wrapStore: func(st store.Store) store.Store { return storetest.Rerun(st) }})
	c := tn.kms()
	ids := requestIDs{}
	call := func(op string, md middleware.Metadata, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		ids.add(op, md)
	}

	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("a"), Tags: []types.Tag{{TagKey: aws.String("t"), TagValue: aws.String("1")}}})
	call("CreateKey", created.ResultMetadata, err)
	a := *created.KeyMetadata.KeyId
	other, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("b")})
	call("CreateKey", other.ResultMetadata, err)
	b := *other.KeyMetadata.KeyId

	o1, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: &a})
	call("CreateAlias", o1.ResultMetadata, err)
	o2, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: &b})
	call("UpdateAlias", o2.ResultMetadata, err)
	o3, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: &a, Tags: []types.Tag{{TagKey: aws.String("u"), TagValue: aws.String("2")}}})
	call("TagResource", o3.ResultMetadata, err)
	o4, err := c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: &a, TagKeys: []string{"t"}})
	call("UntagResource", o4.ResultMetadata, err)
	o5, err := c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: &a, Description: aws.String("a2")})
	call("UpdateKeyDescription", o5.ResultMetadata, err)
	o6, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &a})
	call("EnableKeyRotation", o6.ResultMetadata, err)
	o7, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &b})
	call("RotateKeyOnDemand", o7.ResultMetadata, err)
	tn.runDue() // the scheduler's own change: the on-demand rotation, due at once
	o8, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &a})
	call("DisableKey", o8.ResultMetadata, err)
	o9, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: &a})
	call("EnableKey", o9.ResultMetadata, err)
	// AWS managed keys are created by the request that first names them,
	// in its transaction: DescribeKey creates one each for s3 and ebs. A
	// direct Encrypt under one, which its key policy refuses (only use
	// through the AWS service is allowed), commits nothing, not even the
	// key it would have created for sqs.
	d1, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})
	call("DescribeKey", d1.ResultMetadata, err)
	d2, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/ebs")})
	call("DescribeKey", d2.ResultMetadata, err)
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/aws/sqs"), Plaintext: []byte("p")})
	apiError(t, err, "AccessDeniedException")
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: &a, Plaintext: []byte("p")})
	call("Encrypt", enc.ResultMetadata, err)
	re, err := c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: &b})
	call("ReEncrypt", re.ResultMetadata, err)
	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: &a, KeySpec: types.DataKeySpecAes256})
	call("GenerateDataKey", dk.ResultMetadata, err)
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob})
	call("Decrypt", dec.ResultMetadata, err)
	if string(dec.Plaintext) != "p" {
		t.Fatalf("Decrypt after ReEncrypt = %q", dec.Plaintext)
	}
	o10, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &b, PendingWindowInDays: aws.Int32(7)})
	call("ScheduleKeyDeletion", o10.ResultMetadata, err)
	o11, err := c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/app")})
	call("DeleteAlias", o11.ResultMetadata, err)
	// The scheduler's deletion of b after the window.
	tn.clock.Advance(8 * sdkDay)
	tn.runDue()

	// Every key exists once: a, and one AWS managed key per alias used.
	keysByAlias := map[string]string{}
	for _, al := range must[*kms.ListAliasesOutput](t)(c.ListAliases(ctx, &kms.ListAliasesInput{})).Aliases {
		if al.TargetKeyId != nil {
			keysByAlias[*al.AliasName] = *al.TargetKeyId
		}
	}
	wantKeys := []string{a, keysByAlias["alias/aws/s3"], keysByAlias["alias/aws/ebs"]}
	gotKeys := walkKeyIDs(t, c, 0)
	slices.Sort(wantKeys)
	slices.Sort(gotKeys)
	if len(keysByAlias) != 2 || !slices.Equal(gotKeys, wantKeys) {
		t.Fatalf("keys %v and aliases %v, want a and one AWS managed key each for s3 and ebs", gotKeys, keysByAlias)
	}

	// One record per request, naming exactly the keys it used.
	records := tn.auditRecords()
	byRequest := map[string][]audit.Record{}
	var rotations, deletions int
	for _, r := range records {
		byRequest[r.RequestID] = append(byRequest[r.RequestID], r)
		switch r.EventName {
		case "RotateKey":
			rotations++
		case "DeleteKey":
			deletions++
		}
	}
	if rotations != 1 || deletions != 1 {
		t.Errorf("%d RotateKey and %d DeleteKey service events, want 1 each", rotations, deletions)
	}
	for op, list := range ids {
		for _, id := range list {
			recs := byRequest[id]
			if len(recs) != 1 || recs[0].EventName != op || recs[0].ErrorCode != "" {
				t.Errorf("%s (request %s): %d records %+v, want one success", op, id, len(recs), recs)
			}
		}
	}
	arn := func(id string) string { return "arn:aws:kms:" + testRegion + ":" + testAccount + ":key/" + id }
	wantResources := map[string][]string{
		"DescribeKey": {arn(keysByAlias["alias/aws/ebs"])}, // the managed key it created
		"ReEncrypt":   {arn(a), arn(b)},
		"Encrypt":     {arn(a)},
		"CreateKey":   {arn(b)}, // the second CreateKey
	}
	for op, want := range wantResources {
		list := ids[op]
		r := byRequest[list[len(list)-1]][0]
		var got []string
		for _, res := range r.Resources {
			got = append(got, res.ARN)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s record resources %v, want %v", op, got, want)
		}
	}
}

// TestConflictFailsCleanly: a transaction that loses more races than the
// store retries fails the request with a retryable fault and changes
// nothing; the SDK's retry then succeeds, once.
func TestConflictFailsCleanly(t *testing.T) {
	t.Parallel()
	conflicts := &armedStore{}
	tn := startNodeWith(t, nodeOptions{wrapStore: func(st store.Store) store.Store {
		conflicts.Store, conflicts.armed = st, storetest.Rerun(st, storetest.ConflictEvery(2))
		return conflicts
	}})
	// From here on (after the node's own start-up writes), every second
	// transaction loses its race.
	conflicts.on.Store(true)
	retrying := kms.New(kms.Options{
		Region: testRegion, BaseEndpoint: aws.String(tn.srv.URL), HTTPClient: tn.srv.Client(),
		Credentials: tn.kms().Options().Credentials, RetryMaxAttempts: 3,
	})
	failed := 0
	const calls = 6
	for i := range calls {
		_, err := tn.kms().CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("no retry")})
		var ae smithy.APIError
		switch {
		case err == nil:
		case errors.As(err, &ae) && ae.ErrorCode() == "KMSInternalException":
			failed++
		default:
			t.Fatalf("call %d: %v", i, err)
		}
		if _, err := retrying.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("retried")}); err != nil {
			t.Fatalf("call %d with retries: %v", i, err)
		}
	}
	if failed == 0 {
		t.Fatal("no call met an injected conflict; nothing was tested")
	}
	conflicts.on.Store(false) // the test's own shipping of the audit log
	var creates int
	for _, r := range tn.auditRecords() {
		if r.EventName == "CreateKey" && r.ErrorCode == "" {
			creates++
		}
	}
	keys := walkKeyIDs(t, tn.kms(), 0)
	if want := 2*calls - failed; len(keys) != want || creates != want {
		t.Fatalf("%d keys and %d CreateKey success records after %d successful calls", len(keys), creates, want)
	}
}

// armedStore passes Updates to armed once on is set, to Store before.
type armedStore struct {
	store.Store
	armed store.Store
	on    atomic.Bool
}

func (a *armedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if a.on.Load() {
		return a.armed.Update(ctx, fn)
	}
	return a.Store.Update(ctx, fn)
}
