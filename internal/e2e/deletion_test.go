package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// End-to-end tests of deletion: ScheduleKeyDeletion, CancelKeyDeletion and
// the real deletion of a key when its waiting period ends.

func TestScheduleAndCancelKeyDeletion(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, nil)
	out := must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId}))
	deletion := testEpoch.Add(30 * 24 * time.Hour)
	if *out.KeyId != *md.Arn || out.KeyState != types.KeyStatePendingDeletion || aws.ToInt32(out.PendingWindowInDays) != 30 ||
		out.DeletionDate == nil || !out.DeletionDate.Equal(deletion) {
		t.Errorf("ScheduleKeyDeletion = %s %s %v %v, want ARN, PendingDeletion, 30, %v", *out.KeyId, out.KeyState, out.PendingWindowInDays, out.DeletionDate, deletion)
	}
	got := describeKeyMetadata(t, c, *md.KeyId)
	if got.KeyState != types.KeyStatePendingDeletion || got.Enabled || got.DeletionDate == nil || !got.DeletionDate.Equal(deletion) ||
		got.PendingDeletionWindowInDays != nil {
		t.Errorf("DescribeKey: %s enabled %v deletion %v window %v", got.KeyState, got.Enabled, got.DeletionDate, got.PendingDeletionWindowInDays)
	}
	_, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)})
	wantError(t, err, "KMSInvalidStateException", *md.Arn+" is pending deletion.")
	if again := describeKeyMetadata(t, c, *md.KeyId); !again.DeletionDate.Equal(deletion) {
		t.Errorf("refused reschedule moved DeletionDate to %v", again.DeletionDate)
	}

	cancel := must[*kms.CancelKeyDeletionOutput](t)(c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.Arn}))
	if *cancel.KeyId != *md.Arn {
		t.Errorf("CancelKeyDeletion KeyId %s, want the ARN", *cancel.KeyId)
	}
	got = describeKeyMetadata(t, c, *md.KeyId)
	if got.KeyState != types.KeyStateDisabled || got.Enabled || got.DeletionDate != nil {
		t.Errorf("after cancel: %s enabled %v deletion %v, want Disabled without DeletionDate", got.KeyState, got.Enabled, got.DeletionDate)
	}
	_, err = c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId})
	wantError(t, err, "KMSInvalidStateException", *md.Arn+" is not pending deletion.")

	tn.clock.Advance(time.Hour)
	week := must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)}))
	if want := tn.clock.Now().Add(7 * 24 * time.Hour); !week.DeletionDate.Equal(want) || aws.ToInt32(week.PendingWindowInDays) != 7 {
		t.Errorf("7-day window: %v %v, want %v", week.DeletionDate, week.PendingWindowInDays, want)
	}

	other := createSymmetricKey(t, c, nil)
	// The model allows 1..365; AWS enforces 7..30 with its own message
	// (recorded for 1: "PendingWindowInDays must be between 7 and 30").
	for _, days := range []int32{1, 6, 31, 365} {
		_, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: other.KeyId, PendingWindowInDays: aws.Int32(days)})
		wantError(t, err, "ValidationException", "PendingWindowInDays must be between 7 and 30")
	}
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: other.KeyId, PendingWindowInDays: aws.Int32(0)})
	wantError(t, err, "ValidationException", "1 validation error detected: Value '0' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1")
	if got := describeKeyMetadata(t, c, *other.KeyId); got.KeyState != types.KeyStateEnabled {
		t.Errorf("refused ScheduleKeyDeletion left the key %s", got.KeyState)
	}
	_, err = c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: other.KeyId})
	wantError(t, err, "KMSInvalidStateException", *other.Arn+" is not pending deletion.")
}

func TestKeyDeletedWhenWindowEnds(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	doomed, survivor := createSymmetricKey(t, c, nil), createSymmetricKey(t, c, nil)
	for alias, key := range map[string]*string{"alias/doomed": doomed.KeyId, "alias/doomed-too": doomed.KeyId, "alias/survivor": survivor.KeyId} {
		must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: key}))
	}
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: doomed.KeyId, Plaintext: []byte("gone soon")}))
	must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: doomed.KeyId, PendingWindowInDays: aws.Int32(7)}))

	tn.clock.Advance(7*24*time.Hour - time.Second)
	tn.runDue()
	if md := describeKeyMetadata(t, c, *doomed.KeyId); md.KeyState != types.KeyStatePendingDeletion {
		t.Fatalf("a second before the end: %s", md.KeyState)
	}

	tn.clock.Advance(2 * time.Second)
	tn.runDue()
	state := func() string {
		aliases := must[*kms.ListAliasesOutput](t)(c.ListAliases(ctx, &kms.ListAliasesInput{}))
		var names []string
		for _, a := range aliases.Aliases {
			if a.TargetKeyId == nil {
				continue // a predefined alias/aws/* name, listed on every account
			}
			names = append(names, *a.AliasName+"->"+aws.ToString(a.TargetKeyId))
		}
		return fmt.Sprint(walkKeyIDs(t, c, 0), names)
	}
	after := state()
	if want := fmt.Sprint([]string{*survivor.KeyId}, []string{"alias/survivor->" + *survivor.KeyId}); after != want {
		t.Errorf("after the window: keys and aliases %s, want %s", after, want)
	}
	_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: doomed.KeyId})
	wantError(t, err, "NotFoundException", "Key '"+*doomed.Arn+"' does not exist")
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/doomed")})
	wantError(t, err, "NotFoundException", "Alias arn:aws:kms:us-east-1:111122223333:alias/doomed is not found.")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantError(t, err, "AccessDeniedException", "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: doomed.Arn})
	wantError(t, err, "NotFoundException", "Key '"+*doomed.Arn+"' does not exist")

	deleteRecords := func() int {
		n := 0
		for _, r := range tn.auditRecords() {
			if r.EventName == "DeleteKey" && len(r.Resources) == 1 && r.Resources[0].ARN == *doomed.Arn {
				n++
			}
		}
		return n
	}
	if n := deleteRecords(); n != 1 {
		t.Errorf("%d DeleteKey audit records, want 1", n)
	}
	tn.runDue()
	if again := state(); again != after || deleteRecords() != 1 {
		t.Errorf("second runDue changed something: %s, %d DeleteKey records", again, deleteRecords())
	}
}
