package e2e

import (
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// scrape GETs path from the operations handler and returns status and body.
func scrape(t *testing.T, ops *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(ops.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestMetricsCountRequests: requests made through the SDK show in /metrics
// by operation, outcome and error code; using a disabled key counts in
// trent_disabled_key_use_total (the alarm AWS recommends); store
// transactions are timed. /healthz and /readyz answer 200 while the node
// serves, and /readyz 503 once its store is closed.
func TestMetricsCountRequests(t *testing.T) {
	tn := startNode(t)
	ops := httptest.NewServer(tn.node.OpsHandler())
	defer ops.Close()
	c := tn.kms()
	key := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata.KeyId
	must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: key, Plaintext: []byte("x")}))
	must[*kms.DisableKeyOutput](t)(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key}))
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: key, Plaintext: []byte("x")})
	apiError(t, err, "DisabledException")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: key, Plaintext: []byte("x")})
	apiError(t, err, "DisabledException")

	status, body := scrape(t, ops, "/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d", status)
	}
	for _, want := range []string{
		`trent_requests_total{error_code="",operation="CreateKey",outcome="success"} 1`,
		`trent_requests_total{error_code="",operation="Encrypt",outcome="success"} 1`,
		`trent_requests_total{error_code="DisabledException",operation="Encrypt",outcome="client_error"} 2`,
		`trent_disabled_key_use_total{operation="Encrypt"} 2`,
		`trent_request_duration_seconds_count{operation="Encrypt"} 3`,
		`trent_store_transaction_duration_seconds_count{kind="update",outcome="ok"}`,
		`trent_store_transaction_duration_seconds_count{kind="view",outcome="ok"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if status, body := scrape(t, ops, path); status != http.StatusOK || body != "ok\n" {
			t.Errorf("%s: %d %q", path, status, body)
		}
	}
	if err := tn.node.Close(); err != nil {
		t.Fatal(err)
	}
	if status, body := scrape(t, ops, "/readyz"); status != http.StatusServiceUnavailable || !strings.HasPrefix(body, "not ready: ") {
		t.Errorf("/readyz with the store closed: %d %q", status, body)
	}
	if status, _ := scrape(t, ops, "/healthz"); status != http.StatusOK {
		t.Errorf("/healthz with the store closed: %d", status)
	}
}

// TestProcessMetricsListener: trent serve --metrics-listen serves the
// operations endpoints on their own address, and the API address does not.
func TestProcessMetricsListener(t *testing.T) {
	t.Parallel()
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close()
	p := serveTrent(t, t.TempDir(), "--metrics-listen", addr)
	must[*kms.ListKeysOutput](t)(p.kms().ListKeys(ctx, &kms.ListKeysInput{}))
	ops := &httptest.Server{URL: "http://" + addr}
	if status, body := scrape(t, ops, "/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz: %d %q; log:\n%s", status, body, p.log)
	}
	if _, body := scrape(t, ops, "/metrics"); !strings.Contains(body, `trent_requests_total{error_code="",operation="ListKeys",outcome="success"} 1`) {
		t.Errorf("/metrics does not count the ListKeys:\n%s", body)
	}
	api := &httptest.Server{URL: p.start.Address}
	if status, _ := scrape(t, api, "/metrics"); status == http.StatusOK {
		t.Error("the API address serves /metrics")
	}
}

// TestMetricsKeyCounts: trent_keys counts the keys of every account and
// Region by state and spec, AWS managed keys included. A scrape within ten
// seconds of the last count reuses it; a later one counts again.
func TestMetricsKeyCounts(t *testing.T) {
	tn := startNode(t)
	ops := httptest.NewServer(tn.node.OpsHandler())
	defer ops.Close()
	c := tn.kms()
	other := tn.client("eu-west-2", "444455556666")
	create := func(c *kms.Client, in *kms.CreateKeyInput) string {
		t.Helper()
		return *must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, in)).KeyMetadata.KeyId
	}
	create(c, &kms.CreateKeyInput{})
	disabled := create(c, &kms.CreateKeyInput{})
	must[*kms.DisableKeyOutput](t)(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &disabled}))
	deleting := create(c, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &deleting}))
	create(c, &kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	create(other, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	create(other, &kms.CreateKeyInput{})
	// Resolving an AWS managed alias creates its key.
	must[*kms.DescribeKeyOutput](t)(other.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")}))

	wantCounts := func(want map[string]int) {
		t.Helper()
		_, body := scrape(t, ops, "/metrics")
		got := map[string]int{}
		for _, line := range strings.Split(body, "\n") {
			if name, value, ok := strings.Cut(line, " "); ok && strings.HasPrefix(name, "trent_keys{") {
				n, err := strconv.Atoi(value)
				if err != nil {
					t.Fatalf("%q: %v", line, err)
				}
				got[strings.TrimPrefix(name, "trent_keys")] = n
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("trent_keys = %v, want %v\n%s", got, want, body)
		}
		if !strings.Contains(body, "trent_keys_counted_timestamp_seconds ") {
			t.Error("/metrics lacks trent_keys_counted_timestamp_seconds")
		}
	}
	want := map[string]int{
		`{spec="SYMMETRIC_DEFAULT",state="Enabled"}`:       3,
		`{spec="SYMMETRIC_DEFAULT",state="Disabled"}`:      1,
		`{spec="HMAC_256",state="PendingDeletion"}`:        1,
		`{spec="SYMMETRIC_DEFAULT",state="PendingImport"}`: 1,
		`{spec="ECC_NIST_P256",state="Enabled"}`:           1,
	}
	wantCounts(want)

	// Within ten seconds the count is reused: a new key is not in it yet.
	create(c, &kms.CreateKeyInput{})
	tn.clock.Advance(9 * time.Second)
	wantCounts(want)
	tn.clock.Advance(time.Second)
	want[`{spec="SYMMETRIC_DEFAULT",state="Enabled"}`]++
	wantCounts(want)
}
