package server

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/clock"
)

func serveNode(t *testing.T, dir string) (*Node, *httptest.Server, *kms.Client) {
	t.Helper()
	return serveNodeOn(t, dir, clock.NewManual(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))
}

// serveNodeOn opens a dev node in dir on clk and serves it on a loopback
// listener, with an SDK client that does not retry.
func serveNodeOn(t *testing.T, dir string, clk clock.Clock) (*Node, *httptest.Server, *kms.Client) {
	t.Helper()
	n, err := Open(Config{DataDir: dir, Dev: true, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(n.Handler())
	c := kms.New(kms.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1,
	})
	return n, srv, c
}

func readRecords(t *testing.T, path string) []audit.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := audit.ReadRecords(f)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestChangeIsAuditedWhenTheLogFileFails: a change is committed together
// with its audit record, so a log file that cannot be written neither
// fails a change that was made (a client retrying CreateKey would make a
// second key) nor loses its record: the record waits in the store and
// reaches the log once the file can be written again.
func TestChangeIsAuditedWhenTheLogFileFails(t *testing.T) {
	dir := t.TempDir()
	n, srv, c := serveNode(t, dir)
	// The log file can no longer be written.
	if err := n.audit.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("audited")})
	if err != nil {
		t.Fatalf("CreateKey with an unwritable log file: %v", err)
	}
	srv.Close()
	n.Close()

	n, srv, c = serveNode(t, dir)
	defer func() { srv.Close(); n.Close() }()
	keys, err := c.ListKeys(context.Background(), &kms.ListKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.Keys) != 1 || *keys.Keys[0].KeyId != *out.KeyMetadata.KeyId {
		t.Fatalf("keys after the restart: %+v, want only %s", keys.Keys, *out.KeyMetadata.KeyId)
	}
	var creates []audit.Record
	for _, r := range readRecords(t, filepath.Join(dir, audit.FileName)) {
		if r.EventName == "CreateKey" {
			creates = append(creates, r)
		}
	}
	if len(creates) != 1 || creates[0].ErrorCode != "" {
		t.Fatalf("CreateKey records: %+v, want exactly one success", creates)
	}
	md, _ := creates[0].ResponseElements["keyMetadata"].(map[string]any)
	if md["keyId"] != *out.KeyMetadata.KeyId {
		t.Fatalf("the CreateKey record names key %v, want %s", md["keyId"], *out.KeyMetadata.KeyId)
	}
}
