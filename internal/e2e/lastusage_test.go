package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// End-to-end tests of GetKeyLastUsage.

func TestGetKeyLastUsage(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, nil)
	fresh := must[*kms.GetKeyLastUsageOutput](t)(c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: md.KeyId}))
	// The SDK documents an unused key's KeyLastUsage as empty; absent is
	// read the same way.
	if u := fresh.KeyLastUsage; u != nil && (u.Operation != "" || u.Timestamp != nil || u.KmsRequestId != nil || u.CloudTrailEventId != nil) {
		t.Errorf("fresh key has usage %+v", u)
	}
	if fresh.TrackingStartDate == nil || !fresh.TrackingStartDate.Equal(testEpoch) || fresh.KeyCreationDate == nil || !fresh.KeyCreationDate.Equal(testEpoch) {
		t.Errorf("TrackingStartDate %v KeyCreationDate %v, want %v", fresh.TrackingStartDate, fresh.KeyCreationDate, testEpoch)
	}

	tn.clock.Advance(90 * time.Minute)
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("used")}))
	requestID, ok := awsmiddleware.GetRequestIDMetadata(enc.ResultMetadata)
	if !ok || requestID == "" {
		t.Fatal("Encrypt response carried no request ID")
	}
	// A failed use afterwards is not a use.
	tn.clock.Advance(time.Minute)
	_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"wrong": "context"}})
	wantError(t, err, "InvalidCiphertextException", "")

	used := must[*kms.GetKeyLastUsageOutput](t)(c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: md.Arn}))
	u := used.KeyLastUsage
	if u == nil || u.Operation != types.KeyLastUsageTrackingOperationEncrypt || u.Timestamp == nil ||
		!u.Timestamp.Equal(testEpoch.Add(90*time.Minute)) || aws.ToString(u.KmsRequestId) != requestID {
		t.Fatalf("KeyLastUsage %+v, want Encrypt at %v with request %s", u, testEpoch.Add(90*time.Minute), requestID)
	}
	var eventID string
	for _, r := range tn.auditRecords() {
		if r.RequestID == requestID {
			if r.EventName != "Encrypt" || eventID != "" {
				t.Fatalf("audit record %s for request %s", r.EventName, requestID)
			}
			eventID = r.EventID
		}
	}
	if eventID == "" || aws.ToString(u.CloudTrailEventId) != eventID {
		t.Errorf("CloudTrailEventId %v, want the Encrypt record's eventID %q", u.CloudTrailEventId, eventID)
	}

	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/used"), TargetKeyId: md.KeyId}))
	for _, id := range []string{"alias/used", "arn:aws:kms:us-east-1:111122223333:alias/used"} {
		_, err := c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: aws.String(id)})
		wantOwnError(t, err, "NotFoundException")
	}
}
