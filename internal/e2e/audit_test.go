package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/trent-kms/trent/internal/audit"
)

// The audit log: one CloudTrail record per request, successful or not,
// plus the scheduler's own actions, and never a secret.

// wantAuditRecord is what one record must say.
type wantAuditRecord struct {
	name, requestID, errorCode string
	time                       time.Time
	readOnly, service          bool
	params                     map[string]any // nil: must be null
	check                      func(t *testing.T, r audit.Record)
}

func sdkRequestID(t *testing.T, md middleware.Metadata) string {
	t.Helper()
	id, ok := awsmiddleware.GetRequestIDMetadata(md)
	if !ok || id == "" {
		t.Fatal("response without a request ID")
	}
	return id
}

func sdkErrorRequestID(t *testing.T, err error) string {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("error without a request ID: %v", err)
	}
	return re.ServiceRequestID()
}

func TestAuditLogRecordsEveryCall(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	var want []wantAuditRecord
	step := func(w wantAuditRecord) {
		w.time = tn.clock.Now()
		want = append(want, w)
		tn.clock.Advance(time.Minute)
	}

	created := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("audited")}))
	id, arn := *created.KeyMetadata.KeyId, *created.KeyMetadata.Arn
	step(wantAuditRecord{name: "CreateKey", requestID: sdkRequestID(t, created.ResultMetadata),
		params: map[string]any{"description": "audited"},
		check: func(t *testing.T, r audit.Record) {
			md, _ := r.ResponseElements["keyMetadata"].(map[string]any)
			if md["keyId"] != id || md["arn"] != arn || md["keyState"] != "Enabled" {
				t.Fatalf("CreateKey responseElements %v", r.ResponseElements)
			}
		}})
	firstMaterial := aws.ToString(created.KeyMetadata.CurrentKeyMaterialId)

	rot := must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: aws.Int32(90)}))
	step(wantAuditRecord{name: "EnableKeyRotation", requestID: sdkRequestID(t, rot.ResultMetadata),
		params: map[string]any{"keyId": id, "rotationPeriodInDays": float64(90)}})

	plaintext := []byte("audit-plaintext-7f3c9a1e-must-not-be-logged")
	ec := map[string]string{"dept": "audit"}
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: plaintext, EncryptionContext: ec}))
	step(wantAuditRecord{name: "Encrypt", requestID: sdkRequestID(t, enc.ResultMetadata), readOnly: true,
		params: map[string]any{"keyId": id, "encryptionContext": map[string]any{"dept": "audit"}},
		check: func(t *testing.T, r audit.Record) {
			if r.ResponseElements != nil || r.AdditionalEventData["keyMaterialId"] != firstMaterial {
				t.Fatalf("Encrypt record: responseElements %v, additionalEventData %v", r.ResponseElements, r.AdditionalEventData)
			}
		}})

	tampered := bytes.Clone(enc.CiphertextBlob)
	tampered[len(tampered)-1] ^= 1
	_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: tampered, EncryptionContext: ec})
	apiError(t, err, "InvalidCiphertextException")
	step(wantAuditRecord{name: "Decrypt", requestID: sdkErrorRequestID(t, err), readOnly: true, errorCode: "InvalidCiphertextException",
		params: map[string]any{"encryptionContext": map[string]any{"dept": "audit"}}})

	missing := "0d1f2e3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &missing})
	step(wantAuditRecord{name: "DescribeKey", requestID: sdkErrorRequestID(t, err), readOnly: true, errorCode: "NotFoundException",
		params: map[string]any{"keyId": missing},
		check: func(t *testing.T, r audit.Record) {
			if r.ErrorMessage != "Key 'arn:aws:kms:us-east-1:111122223333:key/"+missing+"' does not exist" || len(r.Resources) != 0 {
				t.Fatalf("failed DescribeKey: message %q, resources %v", r.ErrorMessage, r.Resources)
			}
		}})

	desc := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id}))
	step(wantAuditRecord{name: "DescribeKey", requestID: sdkRequestID(t, desc.ResultMetadata), readOnly: true, params: map[string]any{"keyId": id}})

	dk := must[*kms.GenerateDataKeyOutput](t)(c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: &id, KeySpec: types.DataKeySpecAes256}))
	step(wantAuditRecord{name: "GenerateDataKey", requestID: sdkRequestID(t, dk.ResultMetadata), readOnly: true,
		params: map[string]any{"keyId": id, "keySpec": "AES_256"}})

	// The scheduler rotates the key when its 90 days are up.
	tn.clock.Advance(90 * sdkDay)
	tn.runDue()
	var newMaterial string // read by the DescribeKey below
	step(wantAuditRecord{name: "RotateKey", service: true, check: func(t *testing.T, r audit.Record) {
		if r.ServiceEventDetails["keyMaterialId"] != newMaterial || newMaterial == firstMaterial {
			t.Fatalf("RotateKey details %v, new material %s", r.ServiceEventDetails, newMaterial)
		}
	}})
	desc = must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id}))
	newMaterial = aws.ToString(desc.KeyMetadata.CurrentKeyMaterialId)
	step(wantAuditRecord{name: "DescribeKey", requestID: sdkRequestID(t, desc.ResultMetadata), readOnly: true, params: map[string]any{"keyId": id}})

	sched := must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(7)}))
	step(wantAuditRecord{name: "ScheduleKeyDeletion", requestID: sdkRequestID(t, sched.ResultMetadata),
		params: map[string]any{"keyId": id, "pendingWindowInDays": float64(7)},
		check: func(t *testing.T, r audit.Record) {
			if r.ResponseElements["keyState"] != "PendingDeletion" || r.ResponseElements["keyId"] != arn {
				t.Fatalf("ScheduleKeyDeletion responseElements %v", r.ResponseElements)
			}
		}})
	tn.clock.Advance(7 * sdkDay)
	tn.runDue()
	step(wantAuditRecord{name: "DeleteKey", service: true})

	records := tn.auditRecords()
	compareAuditLog(t, records, want, arn)

	// No secret reaches the log in any encoding.
	raw, err := os.ReadFile(filepath.Join(tn.dataDir, audit.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range [][]byte{plaintext, enc.CiphertextBlob, tampered, dk.Plaintext, dk.CiphertextBlob} {
		for _, form := range []string{string(secret), base64.RawStdEncoding.EncodeToString(secret),
			base64.RawURLEncoding.EncodeToString(secret), hex.EncodeToString(secret)} {
			if bytes.Contains(raw, []byte(form)) {
				t.Fatalf("the audit log contains a secret (%q)", form)
			}
		}
	}
}

// compareAuditLog compares the log with the expected records, in order.
func compareAuditLog(t *testing.T, records []audit.Record, want []wantAuditRecord, arn string) {
	t.Helper()
	if len(records) != len(want) {
		for _, r := range records {
			t.Logf("record: %s %s %s", r.EventName, r.EventTime, r.ErrorCode)
		}
		t.Fatalf("%d audit records, want %d", len(records), len(want))
	}
	eventIDs := map[string]bool{}
	for i, w := range want {
		r := records[i]
		where := fmt.Sprintf("record %d (%s)", i, r.EventName)
		if r.EventName != w.name || r.EventSource != "kms.amazonaws.com" || r.EventVersion == "" || r.AWSRegion != testRegion {
			t.Fatalf("%s: name/source/version/region %s %s %q %s, want %s", where, r.EventName, r.EventSource, r.EventVersion, r.AWSRegion, w.name)
		}
		if r.EventTime != w.time.UTC().Format("2006-01-02T15:04:05Z") {
			t.Fatalf("%s: eventTime %s, want %s", where, r.EventTime, w.time)
		}
		if r.EventID == "" || eventIDs[r.EventID] {
			t.Fatalf("%s: eventID %q empty or repeated", where, r.EventID)
		}
		eventIDs[r.EventID] = true
		if !auditNamesKey(r, arn) && !(w.name == "DescribeKey" && w.errorCode != "") {
			t.Fatalf("%s: resources %v lack %s", where, r.Resources, arn)
		}
		if w.service {
			if r.EventType != "AwsServiceEvent" || r.UserIdentity.AccountID != testAccount || r.RequestID != "" || r.ReadOnly {
				t.Fatalf("%s: service event %+v", where, r)
			}
		} else {
			id := r.UserIdentity
			if r.EventType != "AwsApiCall" || id.AccountID != testAccount || id.AccessKeyID != "test" || id.ARN != "arn:aws:iam::111122223333:root" {
				t.Fatalf("%s: type %s identity %+v", where, r.EventType, id)
			}
			if r.RequestID == "" || r.RequestID != w.requestID {
				t.Fatalf("%s: requestID %q, want %q", where, r.RequestID, w.requestID)
			}
			if r.ReadOnly != w.readOnly || r.ErrorCode != w.errorCode {
				t.Fatalf("%s: readOnly %v errorCode %q, want %v %q", where, r.ReadOnly, r.ErrorCode, w.readOnly, w.errorCode)
			}
			if !reflect.DeepEqual(r.RequestParameters, w.params) {
				t.Fatalf("%s: requestParameters %v, want %v", where, r.RequestParameters, w.params)
			}
			if (r.ReadOnly || r.ErrorCode != "") && r.ResponseElements != nil {
				t.Fatalf("%s: responseElements %v, want null", where, r.ResponseElements)
			}
		}
		if w.check != nil {
			w.check(t, r)
		}
	}
}

func auditNamesKey(r audit.Record, arn string) bool {
	for _, res := range r.Resources {
		if res.ARN == arn && res.AccountID == testAccount {
			return true
		}
	}
	return false
}

// A body that is not JSON fails with SerializationException and is audited
// once the caller is known; a request with no credentials is not.
func TestAuditLogRecordsUndecodableRequest(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	send := func(body []byte, sign bool) (*http.Response, string) {
		req, err := http.NewRequest(http.MethodPost, tn.srv.URL+"/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "TrentService.DescribeKey")
		if sign {
			sum := sha256.Sum256(body)
			creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test-secret"}
			if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "kms", testRegion, tn.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := tn.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		payload, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(payload)
	}

	resp, payload := send([]byte(`{"KeyId": `), true)
	if resp.StatusCode != http.StatusBadRequest || !bytes.Contains([]byte(payload), []byte("SerializationException")) {
		t.Fatalf("bad JSON: %d %s", resp.StatusCode, payload)
	}
	requestID := resp.Header.Get("X-Amzn-Requestid")
	records := tn.auditRecords()
	if len(records) != 1 {
		t.Fatalf("%d records, want 1", len(records))
	}
	r := records[0]
	if r.EventName != "DescribeKey" || r.ErrorCode != "SerializationException" || r.ErrorMessage == "" ||
		r.RequestID == "" || r.RequestID != requestID || r.UserIdentity.AccountID != testAccount || r.RequestParameters != nil {
		t.Fatalf("record of the undecodable request: %+v", r)
	}

	if resp, payload := send([]byte(`{}`), false); resp.StatusCode < 400 {
		t.Fatalf("unsigned request answered %d %s", resp.StatusCode, payload)
	}
	if n := len(tn.auditRecords()); n != 1 {
		t.Fatalf("unsigned request audited: %d records", n)
	}
}
