package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/request"
)

type sampleTag struct {
	TagKey   *string `json:"TagKey,omitempty"`
	TagValue *string `json:"TagValue,omitempty"`
}

type sampleInput struct {
	KeyId             *string           `json:"KeyId,omitempty"`
	Plaintext         []byte            `json:"Plaintext,omitempty"`
	Password          *string           `json:"Password,omitempty" audit:"-"`
	EncryptionContext map[string]string `json:"EncryptionContext,omitempty"`
	Tags              []sampleTag       `json:"Tags,omitempty"`
	NumberOfBytes     *int32            `json:"NumberOfBytes,omitempty"`
	DryRun            *bool             `json:"DryRun,omitempty"`
	AWSAccountId      string            `json:"AWSAccountId,omitempty"`
	Absent            *string           `json:"Absent,omitempty"`
	// The wire omits an empty ExpirationModel, so the record must too;
	// Description is always sent, so an empty one is recorded.
	ExpirationModel string   `json:"ExpirationModel,omitempty"`
	Description     string   `json:"Description"`
	Enabled         bool     `json:"Enabled,omitempty"`
	Algorithms      []string `json:"Algorithms,omitempty"`
}

func ptr[T any](v T) *T { return &v }

func TestParamsScrubsSecretsAndUsesCloudTrailNames(t *testing.T) {
	in := &sampleInput{
		KeyId:             ptr("alias/x"),
		Plaintext:         []byte("canary plaintext"),
		Password:          ptr("canary password"),
		EncryptionContext: map[string]string{"Department": "Engineering"},
		Tags:              []sampleTag{{TagKey: ptr("k"), TagValue: ptr("v")}},
		NumberOfBytes:     ptr(int32(32)),
		DryRun:            ptr(false),
		AWSAccountId:      "111122223333",
	}
	js := paramsJSON(t, in)
	// CloudTrail names members as Java beans do (Introspector.decapitalize):
	// the first letter lowered unless the first two are capitals, so
	// AWSAccountId stays AWSAccountId (recorded in AWS's CreateKey example,
	// docs "CreateKey" under "AWS KMS log file examples").
	want := `{"AWSAccountId":"111122223333","description":"","dryRun":false,"encryptionContext":{"Department":"Engineering"},"keyId":"alias/x","numberOfBytes":32,"tags":[{"tagKey":"k","tagValue":"v"}]}`
	if string(js) != want {
		t.Fatalf("params:\n got %s\nwant %s", js, want)
	}
	if strings.Contains(string(js), "canary") {
		t.Fatal("a secret reached the parameters")
	}
	for _, empty := range []any{nil, (*sampleInput)(nil), &sampleTag{}, &struct {
		A string `json:"A,omitempty"`
	}{}} {
		if got := paramsJSON(t, empty); got != "null" {
			t.Fatalf("an empty input must give null parameters, got %s for %T", got, empty)
		}
	}
}

// paramsJSON is the CloudTrail form of a decoded request, as a record
// holds it.
func paramsJSON(t *testing.T, v any) string {
	t.Helper()
	js, err := appendParams(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

// readBack encodes rec as the log holds it and reads it back, as tools
// do.
func readBack(t *testing.T, rec *Record) Record {
	t.Helper()
	line, err := rec.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := ReadRecords(strings.NewReader(string(line)))
	if err != nil || len(recs) != 1 {
		t.Fatalf("read back %s: %v", line, err)
	}
	return recs[0]
}

func testInfo() *request.Info {
	return &request.Info{
		ID: "req-1", Operation: "Encrypt", Region: "eu-west-1", SourceIP: "127.0.0.1",
		UserAgent: strings.Repeat("é", 600),
		Caller:    identity.Caller{Account: "111122223333", AccessKeyID: "test", ARN: "arn:aws:iam::111122223333:root", PrincipalID: "111122223333", Type: "Root"},
	}
}

func TestAPICallRecord(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 30, 45, 999, time.UTC)
	_, d := WithDetails(context.Background(), testInfo(), true, at)
	d.SetInput(&sampleInput{KeyId: ptr("k")})
	d.AddKey("arn:aws:kms:eu-west-1:111122223333:key/k", "111122223333")
	d.AddKey("arn:aws:kms:eu-west-1:111122223333:key/k", "111122223333")
	d.SetAdditional("keyMaterialId", "abc")
	rec := readBack(t, d.Record(&sampleInput{KeyId: ptr("out")}, nil))
	if rec.RequestParameters["keyId"] != "k" {
		t.Fatalf("request parameters: %+v", rec.RequestParameters)
	}
	if rec.EventSource != "kms.amazonaws.com" || rec.EventName != "Encrypt" || rec.EventTime != "2026-11-25T12:30:45Z" ||
		rec.AWSRegion != "eu-west-1" || rec.RequestID != "req-1" || rec.EventID != d.EventID || !rec.ReadOnly ||
		rec.EventType != "AwsApiCall" || rec.RecipientAccountID != "111122223333" || rec.UserIdentity.AccessKeyID != "test" {
		t.Fatalf("record: %+v", rec)
	}
	if len(rec.Resources) != 1 || rec.Resources[0].ARN != "arn:aws:kms:eu-west-1:111122223333:key/k" {
		t.Fatalf("resources: %+v", rec.Resources)
	}
	if rec.AdditionalEventData["keyMaterialId"] != "abc" {
		t.Fatalf("additional: %+v", rec.AdditionalEventData)
	}
	if rec.ResponseElements != nil {
		t.Fatal("a read-only call must not record its response")
	}
	if len(rec.UserAgent) > maxUserAgent || !strings.HasPrefix(rec.UserAgent, "é") || !json.Valid([]byte(`"`+rec.UserAgent+`"`)) {
		t.Fatalf("user agent not truncated on a rune boundary: %d bytes", len(rec.UserAgent))
	}

	write := readBack(t, APICall(Call{Info: testInfo(), Input: &sampleInput{}, Output: &sampleInput{KeyId: ptr("out")}, Time: at}))
	if write.ResponseElements["keyId"] != "out" {
		t.Fatalf("a change must record its response: %+v", write.ResponseElements)
	}
	failed := readBack(t, APICall(Call{Info: testInfo(), Err: kmserr.Disabled("arn is disabled."), Time: at}))
	if failed.ErrorCode != "DisabledException" || failed.ErrorMessage != "arn is disabled." || failed.ResponseElements != nil {
		t.Fatalf("failure: %+v", failed)
	}
	internal := APICall(Call{Info: testInfo(), Err: errors.New("disk on fire at /var/secret/path"), Time: at})
	if internal.ErrorCode != kmserr.CodeInternal || strings.Contains(internal.ErrorMessage, "/var") {
		t.Fatalf("an internal error must be recorded generically: %+v", internal)
	}
}

// TestDetailsRewind: a transaction attempt that is rolled back and run
// again must leave only what the last attempt recorded.
func TestDetailsRewind(t *testing.T) {
	_, d := WithDetails(context.Background(), testInfo(), false, time.Unix(0, 0))
	d.AddKey("arn:first", "111122223333")
	d.SetAdditional("kept", 1)
	mark := d.Mark()
	d.AddKey("arn:attempt-1", "111122223333")
	d.SetAdditional("kept", 2)
	d.SetAdditional("attempt", 1)
	d.Rewind(mark)
	d.AddKey("arn:attempt-2", "111122223333")
	res := d.Resources()
	if len(res) != 2 || res[0].ARN != "arn:first" || res[1].ARN != "arn:attempt-2" {
		t.Fatalf("resources after rewind: %+v", res)
	}
	if add := d.Additional(); len(add) != 1 || add["kept"] != 1 {
		t.Fatalf("additional after rewind: %+v", add)
	}
	if d.Staged() {
		t.Fatal("a new Details is not staged")
	}
	d.MarkStaged()
	if !d.Staged() {
		t.Fatal("MarkStaged did not stick")
	}
	if (&Details{}).Record(nil, nil) != nil || DetailsFrom(context.Background()).Record(nil, nil) != nil {
		t.Fatal("a Details outside a request must not make a record")
	}
}

func TestServiceRecord(t *testing.T) {
	rec := Service(ServiceEvent{Name: "RotateKey", Account: "111122223333", Region: "us-east-1", KeyARN: "arn:k",
		Time: time.Unix(0, 0), Details: map[string]any{"keyMaterialId": "m"}})
	if rec.EventType != "AwsServiceEvent" || rec.UserIdentity.InvokedBy != "kms.amazonaws.com" || rec.EventName != "RotateKey" ||
		rec.Resources[0].ARN != "arn:k" || rec.ServiceEventDetails["keyMaterialId"] != "m" || rec.EventID == "" || rec.ErrorCode != "" {
		t.Fatalf("service record: %+v", rec)
	}
}

func TestFileWriterAppendsOneLinePerRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	w, err := OpenFile(path, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			info := testInfo()
			info.ID = strings.Repeat("x", i+1)
			if err := w.Write(APICall(Call{Info: info, Time: time.Unix(0, 0)})); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal("a second Close must be harmless")
	}
	if err := w.Write(&Record{}); err == nil {
		t.Fatal("Write after Close must fail")
	}
	// Reopening appends instead of truncating.
	w2, err := OpenFile(path, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Write(Service(ServiceEvent{Name: "DeleteKey", Time: time.Unix(0, 0)})); err != nil {
		t.Fatal(err)
	}
	w2.Close()

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[string]bool{}
	lines := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d is not a record: %v", lines+1, err)
		}
		ids[r.RequestID] = true
		lines++
	}
	if lines != 51 || len(ids) != 51 {
		t.Fatalf("%d lines with %d distinct request IDs, want 51", lines, len(ids))
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("audit log mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
}

var (
	timeOfTest = time.Date(2026, 11, 25, 12, 30, 45, 0, time.UTC)
	errTest    = errors.New("test failure")
)
