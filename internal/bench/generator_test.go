package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/server"
)

const testRegion = "us-east-1"

// startTrent starts an in-process Trent node as `trent serve --dev` runs
// it (wall clock, background work) on a loopback listener.
func startTrent(t *testing.T) *httptest.Server {
	t.Helper()
	n, err := server.Open(server.Config{DataDir: t.TempDir(), Dev: true, Clock: clock.Real{}})
	if err != nil {
		t.Fatalf("open node: %v", err)
	}
	n.Start()
	srv := httptest.NewServer(n.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := n.Close(); err != nil {
			t.Errorf("close node: %v", err)
		}
	})
	return srv
}

// rootKeyResolver resolves one access key to an account's root user,
// signing with secret.
type rootKeyResolver struct{ accessKey, secret string }

func (r rootKeyResolver) Lookup(id string) (identity.Credential, bool) {
	if id != r.accessKey {
		return identity.Credential{}, false
	}
	return identity.Credential{Caller: identity.RootCaller("111122223333", id), Secret: r.secret}, true
}

// TestGeneratorSignaturesPassTrentsVerification: against a node without
// --dev, which verifies every signature, the generator's requests succeed
// with the right secret and are refused with InvalidSignatureException
// with a wrong one.
func TestGeneratorSignaturesPassTrentsVerification(t *testing.T) {
	dir := t.TempDir()
	rootKey := dir + "/root.key"
	if err := seal.CreateKeyFile(rootKey, nil); err != nil {
		t.Fatal(err)
	}
	resolver := rootKeyResolver{accessKey: "AKIABENCHVERIFIED000", secret: "bench-verified-secret"}
	n, err := server.Open(server.Config{DataDir: dir, RootKeyFile: rootKey, Identity: resolver, Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(n.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := n.Close(); err != nil {
			t.Error(err)
		}
	})
	ops, _ := LookupOperations([]string{"Encrypt-4KiB", "Decrypt-32B", "Verify-ECC_NIST_P256"})
	good := newTestCaller(t, srv.URL, aws.Credentials{AccessKeyID: resolver.accessKey, SecretAccessKey: resolver.secret}, 2)
	rep, err := Run(context.Background(), Config{Caller: good, Ops: ops, Clients: []int{2}, Duration: 150 * time.Millisecond, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range rep.Results {
		if res.Ops == 0 || res.Errors != 0 || res.SetupError != "" {
			t.Errorf("%s: ops %d errors %v (%s) setup %q", res.Operation, res.Ops, res.ErrorCodes, res.FirstError, res.SetupError)
		}
	}
	bad := newTestCaller(t, srv.URL, aws.Credentials{AccessKeyID: resolver.accessKey, SecretAccessKey: "wrong"}, 1)
	listKeys, _ := LookupOperations([]string{"ListKeys"})
	rep, err = Run(context.Background(), Config{Caller: bad, Ops: listKeys, Clients: []int{1}, Duration: 50 * time.Millisecond, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	if res := rep.Results[0]; res.Ops != 0 || res.Errors == 0 || res.ErrorCodes["InvalidSignatureException"] != res.Errors {
		t.Errorf("wrong secret: ops %d errors %v", res.Ops, res.ErrorCodes)
	}
}

func newTestCaller(t *testing.T, url string, creds aws.Credentials, clients int) *Caller {
	c := NewCaller(url, testRegion, creds, clients, 30*time.Second, time.Now)
	t.Cleanup(c.Close)
	return c
}

// TestGeneratorRunsEveryOperationAgainstTrent drives a Trent node with
// every operation at 2 clients for 300 ms each: every operation must
// complete requests without a single error, and the JSON report must carry
// the same numbers as the report returned.
func TestGeneratorRunsEveryOperationAgainstTrent(t *testing.T) {
	srv := startTrent(t)
	caller := newTestCaller(t, srv.URL, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test-secret"}, 2)
	ops, err := LookupOperations([]string{"all"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Config{
		Caller: caller, Ops: ops, Clients: []int{2},
		Duration: 300 * time.Millisecond, Warmup: 50 * time.Millisecond, Now: time.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != len(Operations) {
		t.Fatalf("%d results for %d operations", len(rep.Results), len(Operations))
	}
	for i, res := range rep.Results {
		if res.Operation != Operations[i].Name || res.Clients != 2 {
			t.Errorf("result %d is %s clients=%d, want %s clients=2", i, res.Operation, res.Clients, Operations[i].Name)
		}
		if res.SetupError != "" || res.Errors != 0 || res.Ops == 0 {
			t.Errorf("%s: ops %d, errors %d %v (%s), setup %q", res.Operation, res.Ops, res.Errors, res.ErrorCodes, res.FirstError, res.SetupError)
			continue
		}
		// The window is at least the duration; it runs on until the
		// requests in flight at the deadline finish.
		if res.Seconds < 0.3 || res.OpsPerSecond != float64(res.Ops)/res.Seconds {
			t.Errorf("%s: %d ops in %v s, %v ops/s", res.Operation, res.Ops, res.Seconds, res.OpsPerSecond)
		}
		l := res.Latency
		if !(l.P50 > 0 && l.P50 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) {
			t.Errorf("%s: latencies not ordered: %+v", res.Operation, l)
		}
		// A client sends one request at a time: n requests by 2 clients
		// in s seconds cannot each take more than 2s/n on average.
		if l.Mean > 2*res.Seconds*1e6/float64(res.Ops)*1.01 {
			t.Errorf("%s: mean latency %v µs impossible for %d ops in %v s by 2 clients", res.Operation, l.Mean, res.Ops, res.Seconds)
		}
	}

	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadReport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range rep.Results {
		got, ok := back.Find(res.Operation, res.Clients)
		if !ok || got.Ops != res.Ops || got.OpsPerSecond != res.OpsPerSecond || got.Latency != res.Latency || got.Errors != res.Errors {
			t.Errorf("%s: JSON round trip gave %+v, want %+v", res.Operation, got, res)
		}
	}
	// The JSON uses the documented member names.
	var raw struct {
		Results []map[string]any
	}
	if err := json.Unmarshal(mustJSON(t, rep), &raw); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Operation", "Clients", "Ops", "Errors", "ErrorCodes", "OpsPerSecond", "LatencyMicros", "Seconds"} {
		if _, ok := raw.Results[0][name]; !ok {
			t.Errorf("JSON result lacks %s: %v", name, raw.Results[0])
		}
	}

	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, op := range Operations {
		if !strings.Contains(table.String(), op.Name) {
			t.Errorf("table lacks %s:\n%s", op.Name, table.String())
		}
	}
}

func mustJSON(t *testing.T, rep *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGeneratorCountsErrorsByCode: requests the server refuses are counted
// under their __type, not as operations, and a setup that fails is
// reported and skipped while the run goes on.
func TestGeneratorCountsErrorsByCode(t *testing.T) {
	srv := startTrent(t)
	caller := newTestCaller(t, srv.URL, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test-secret"}, 1)
	ops, err := LookupOperations([]string{"Encrypt-32B", "Decrypt-32B", "DescribeKey"})
	if err != nil {
		t.Fatal(err)
	}
	// An alias that does not exist: Encrypt's setup needs no call, so its
	// requests fail with NotFoundException; Decrypt's setup encrypts, so
	// it fails before timing.
	rep, err := Run(context.Background(), Config{
		Caller: caller, Ops: ops, Clients: []int{1}, Duration: 100 * time.Millisecond,
		KeyID: "alias/does-not-exist", Now: time.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := rep.Find("Encrypt-32B", 1)
	if enc.Ops != 0 || enc.Errors == 0 || enc.ErrorCodes["NotFoundException"] != enc.Errors {
		t.Errorf("Encrypt: ops %d errors %d %v", enc.Ops, enc.Errors, enc.ErrorCodes)
	}
	if !strings.Contains(enc.FirstError, "NotFoundException") {
		t.Errorf("first error %q", enc.FirstError)
	}
	dec, _ := rep.Find("Decrypt-32B", 1)
	if !strings.Contains(dec.SetupError, "NotFoundException") || dec.Ops != 0 {
		t.Errorf("Decrypt: setup error %q, ops %d", dec.SetupError, dec.Ops)
	}
	if d, ok := rep.Find("DescribeKey", 1); !ok || d.Errors == 0 || d.ErrorCodes["NotFoundException"] == 0 {
		t.Errorf("DescribeKey after a failed setup: %+v", d)
	}
}

// TestGeneratorStopsWhenCancelled: a cancelled context ends the run early
// with what it has and the context's error.
func TestGeneratorStopsWhenCancelled(t *testing.T) {
	srv := startTrent(t)
	caller := newTestCaller(t, srv.URL, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test-secret"}, 1)
	ops, _ := LookupOperations([]string{"DescribeKey", "ListKeys"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	rep, err := Run(ctx, Config{Caller: caller, Ops: ops, Clients: []int{1}, Duration: time.Minute, Now: time.Now})
	if err == nil {
		t.Fatal("no error from a cancelled run")
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("a cancelled run took %v", time.Since(start))
	}
	if rep == nil || len(rep.Results) > 1 {
		t.Fatalf("a cancelled run went on: %+v", rep)
	}
}

func TestLookupOperations(t *testing.T) {
	ops, err := LookupOperations([]string{"Sign-RSA_2048", "Encrypt-32B"})
	if err != nil || len(ops) != 2 || ops[0].Name != "Sign-RSA_2048" || ops[1].Name != "Encrypt-32B" {
		t.Fatalf("%v %v", ops, err)
	}
	if _, err := LookupOperations([]string{"Encrypt"}); err == nil || !strings.Contains(err.Error(), "Encrypt-32B") {
		t.Fatalf("an unknown name: %v", err)
	}
	if _, err := LookupOperations(nil); err == nil {
		t.Fatal("no operations accepted")
	}
}
