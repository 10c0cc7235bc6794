package e2e

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
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
