package e2e

import (
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/seal"
)

// HTTPS, and plain HTTP only where it is safe: trent serve with
// --tls-cert/--tls-key and a CA the test made, clients given that CA, and
// the start-up refusals. Traffic goes to loopback only; 0.0.0.0 is bound
// to test the refusal and the override, never sent to.

// sdkWithCA is an SDK client of endpoint that trusts only ca.
func sdkWithCA(endpoint string, ca *testCA, keyID, secret string) *kms.Client {
	return kms.New(kms.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		HTTPClient:       ca.httpsClient(),
		RetryMaxAttempts: 1,
	})
}

func TestTLSServeProcess(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	p := serveTrent(t, t.TempDir(), "--tls-cert", ca.certFile, "--tls-key", ca.keyFile)
	if !strings.HasPrefix(p.start.Address, "https://127.0.0.1:") {
		t.Fatalf("start line address %q, want https://", p.start.Address)
	}
	c := sdkWithCA(p.start.Address, ca, "test", "test-secret")
	key := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("over TLS")}))

	// The AWS CLI with --ca-bundle.
	cli := newAWSCLI(t, p.start.Address)
	ct := filepath.Join(t.TempDir(), "ct")
	if err := os.WriteFile(ct, enc.CiphertextBlob, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := cli.run("decrypt", "--ciphertext-blob", "fileb://"+ct, "--query", "Plaintext", "--output", "text", "--ca-bundle", ca.caFile)
	if code != 0 || strings.TrimSpace(stdout) != "b3ZlciBUTFM=" { // base64("over TLS")
		t.Fatalf("aws kms decrypt --ca-bundle: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	// Without the CA the CLI does not trust the server.
	if _, stderr, code := cli.run("list-keys"); code == 0 || !strings.Contains(stderr, "SSL") {
		t.Fatalf("aws kms without --ca-bundle: exit %d\n%s", code, stderr)
	}

	// TLS 1.1 is refused; plain HTTP to the HTTPS port gets no KMS answer.
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool, MaxVersion: tls.VersionTLS11}}}
	if resp, err := old.Post(p.start.Address, "application/x-amz-json-1.1", nil); err == nil {
		resp.Body.Close()
		t.Fatal("a TLS 1.1 client was served")
	}
	plain := &http.Client{Timeout: 10 * time.Second}
	if resp, err := plain.Post("http://"+strings.TrimPrefix(p.start.Address, "https://"), "application/x-amz-json-1.1", nil); err == nil {
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("x-amzn-RequestId") != "" {
			t.Fatalf("plain HTTP to the HTTPS port: %d %v", resp.StatusCode, resp.Header)
		}
	}
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// A verifying node behind HTTPS: the Go SDK with the CA in its HTTP
// client, botocore with verify=<bundle> and the CLI with --ca-bundle.
func TestTLSVerifyingClients(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	tn := startVerifyingNode(t, testCredentials(clock.Real{}.Now().Add(time.Hour)), clock.Real{}, &ca.cert)
	if !strings.HasPrefix(tn.srv.URL, "https://") {
		t.Fatalf("node URL %s", tn.srv.URL)
	}
	c := sdkWithCA(tn.srv.URL, ca, longTermKeyID, longTermSecret)
	must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{}))
	_, err := sdkWithCA(tn.srv.URL, ca, longTermKeyID, "wrong").ListKeys(ctx, &kms.ListKeysInput{})
	wantError(t, err, "InvalidSignatureException", sigMismatch)

	if r := runBotocore(t, tn.srv.URL, longTermKeyID, longTermSecret, "", ca.caFile); r.Plaintext != "from botocore" {
		t.Fatalf("botocore over HTTPS: %+v", r)
	}
	cliRoundTrip(t, cliAs(t, tn.srv.URL, tempKeyID, tempSecret, tempToken), "--ca-bundle", ca.caFile)
}

// trentRootKey is a root key file for a non-dev trent serve.
func trentRootKey(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "root.key")
	if err := seal.CreateKeyFile(path, nil); err != nil {
		t.Fatal(err)
	}
	return path
}

// servableDataDir is a data directory that trent serve without --dev can
// start on: a root key and an identities file with one account.
func servableDataDir(t *testing.T) (dir, rootKey string) {
	t.Helper()
	dir, rootKey = t.TempDir(), trentRootKey(t)
	createAccount(t, dir, rootKey, otherAccount)
	return dir, rootKey
}

func TestServePlainHTTPOffLoopback(t *testing.T) {
	t.Parallel()
	t.Run("refused without --dev", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "data")
		code, log := runTrentToExit(t, nil, "--listen", "0.0.0.0:0", "--data-dir", dir, "--root-key-file", trentRootKey(t))
		wantStartupError(t, code, log, "refusing to serve plain HTTP on 0.0.0.0:0", "--allow-plain-http", "--tls-cert")
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("a refused start created the data directory: %v", err)
		}
	})
	t.Run("refused on every interface", func(t *testing.T) {
		t.Parallel()
		code, log := runTrentToExit(t, nil, "--listen", ":0", "--data-dir", t.TempDir(), "--root-key-file", trentRootKey(t))
		wantStartupError(t, code, log, "refusing to serve plain HTTP on :0", "--allow-plain-http")
	})
	t.Run("allowed with --allow-plain-http", func(t *testing.T) {
		t.Parallel()
		dir, key := servableDataDir(t)
		p := launchTrent(t, nil, "--listen", "0.0.0.0:0", "--data-dir", dir, "--root-key-file", key, "--allow-plain-http")
		if !p.waitServing() {
			t.Fatalf("did not serve: %s", p.log)
		}
		if code := p.stop(syscall.SIGTERM); code != 0 {
			t.Fatalf("exit code %d", code)
		}
	})
	t.Run("allowed with TRENT_ALLOW_PLAIN_HTTP", func(t *testing.T) {
		t.Parallel()
		dir, key := servableDataDir(t)
		p := launchTrent(t, []string{"TRENT_ALLOW_PLAIN_HTTP=true"}, "--listen", "0.0.0.0:0", "--data-dir", dir, "--root-key-file", key)
		if !p.waitServing() {
			t.Fatalf("did not serve: %s", p.log)
		}
		p.stop(syscall.SIGTERM)
	})
	t.Run("loopback needs no flag, and signatures are verified", func(t *testing.T) {
		t.Parallel()
		dir, key := servableDataDir(t)
		p := launchTrent(t, nil, "--listen", "127.0.0.1:0", "--data-dir", dir, "--root-key-file", key)
		if !p.waitServing() {
			t.Fatalf("did not serve: %s", p.log)
		}
		if !strings.Contains(p.log.String(), `"signatures":"verified"`) || !strings.Contains(p.log.String(), `"tls":false`) {
			t.Fatalf("start line does not say the mode:\n%s", p.log)
		}
		// The test client's key is not in the identities file.
		_, err := p.kms().ListKeys(ctx, &kms.ListKeysInput{})
		wantError(t, err, "UnrecognizedClientException", tokenInvalid)
		p.stop(syscall.SIGTERM)
	})
}

func TestServeTLSFlagErrors(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	t.Run("certificate without key", func(t *testing.T) {
		t.Parallel()
		code, log := runTrentToExit(t, nil, "--dev", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--tls-cert", ca.certFile)
		if code != 2 || !strings.Contains(log, "--tls-cert and --tls-key") {
			t.Fatalf("exit %d, want 2 naming both flags:\n%s", code, log)
		}
	})
	t.Run("missing certificate file", func(t *testing.T) {
		t.Parallel()
		missing := filepath.Join(t.TempDir(), "no-cert.pem")
		code, log := runTrentToExit(t, nil, "--dev", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--tls-cert", missing, "--tls-key", ca.keyFile)
		wantStartupError(t, code, log, "cannot serve HTTPS", missing)
	})
	t.Run("key of another certificate", func(t *testing.T) {
		t.Parallel()
		other := newTestCA(t)
		code, log := runTrentToExit(t, nil, "--dev", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--tls-cert", ca.certFile, "--tls-key", other.keyFile)
		wantStartupError(t, code, log, "cannot serve HTTPS", ca.certFile, other.keyFile)
		key, err := os.ReadFile(other.keyFile)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(log, strings.Split(string(key), "\n")[1]) {
			t.Fatal("the log shows the key")
		}
	})
}
