package e2e

// Throughput of the hot cryptographic operations through the public API, the
// way a user's application reaches Trent: a node on a loopback listener and
// the aws-sdk-go-v2 KMS client, which SigV4-signs every request, at 1, 16 and
// 64 concurrent clients. The baseline prices the layers of one Encrypt (the
// AES-GCM envelope alone, the server's handler in-process, the full SDK
// round trip) so docs/benchmarks.md can state the API's overhead as a ratio.
//
//	go test -run '^$' -bench . -benchtime 2s -count 6 ./internal/e2e/

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/server"
)

// benchClientCounts are the concurrency levels of the issue.
var benchClientCounts = []int{1, 16, 64}

// benchPlaintext is a data-key-sized payload, what envelope encryption
// sends to Encrypt in practice.
var benchPlaintext = bytes.Repeat([]byte{0x5a}, 32)

// benchContext is a small encryption context, as S3 or an SDK's envelope
// encryption would send: it is bound into every ciphertext.
var benchContext = map[string]string{"purpose": "benchmark", "tenant": "acme"}

// benchNode is a node as `trent serve --dev` runs it (wall clock, background
// scheduler and usage flusher started) with one symmetric key.
type benchNode struct {
	node  *server.Node
	srv   *httptest.Server
	http  *http.Client
	keyID string
	// creds sign the clients' requests.
	creds aws.Credentials
}

func startBenchNode(b *testing.B) *benchNode {
	b.Helper()
	return startBenchNodeWith(b, server.Config{DataDir: b.TempDir(), Dev: true}, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test-secret"})
}

// startBenchNodeWith starts a bench node with cfg (the wall clock added),
// whose clients sign with creds.
func startBenchNodeWith(b *testing.B, cfg server.Config, creds aws.Credentials) *benchNode {
	b.Helper()
	cfg.Clock = clock.Real{}
	n, err := server.Open(cfg)
	if err != nil {
		b.Fatalf("open node: %v", err)
	}
	n.Start()
	srv := httptest.NewServer(n.Handler())
	// The default transport keeps 2 idle connections per host: with more
	// concurrent clients most requests would dial a new TCP connection and
	// the benchmark would measure connection setup, not Trent.
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 256
	bn := &benchNode{node: n, srv: srv, http: &http.Client{Transport: tr}, creds: creds}
	b.Cleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
		if err := n.Close(); err != nil {
			b.Errorf("close node: %v", err)
		}
	})
	created, err := bn.client().CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("benchmark")})
	if err != nil {
		b.Fatalf("create key: %v", err)
	}
	bn.keyID = *created.KeyMetadata.KeyId
	return bn
}

// client returns an SDK client signing with bn.creds; clients share the
// node's connection pool, as the goroutines of one application would.
func (bn *benchNode) client() *kms.Client {
	return kms.New(kms.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(bn.srv.URL),
		Credentials:  credentials.StaticCredentialsProvider{Value: bn.creds},
		HTTPClient:   bn.http,
		// A failure must fail the benchmark, not be hidden by a retry.
		RetryMaxAttempts: 1,
	})
}

// warmClients makes one SDK client per concurrent caller and runs op once
// on each, so that the pool is warm up to the concurrency level and no
// timed request pays for a TCP handshake.
func warmClients(b *testing.B, bn *benchNode, clients int, op func(*kms.Client) error) []*kms.Client {
	b.Helper()
	return warmEach(b, clients, func(int) *kms.Client { return bn.client() }, op)
}

// warmEach makes clients SDK clients with newClient and runs op once on
// each.
func warmEach(b *testing.B, clients int, newClient func(i int) *kms.Client, op func(*kms.Client) error) []*kms.Client {
	b.Helper()
	cs := make([]*kms.Client, clients)
	for i := range cs {
		cs[i] = newClient(i)
	}
	var warm sync.WaitGroup
	for _, c := range cs {
		warm.Go(func() {
			if err := op(c); err != nil {
				b.Error(err)
			}
		})
	}
	warm.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return cs
}

// runClients runs op b.N times in all, spread over `clients` goroutines that
// each own an SDK client, and reports the throughput.
func runClients(b *testing.B, bn *benchNode, clients int, op func(*kms.Client) error) {
	b.Helper()
	runOn(b, warmClients(b, bn, clients, op), op)
}

// runOn runs op b.N times in all, one goroutine per client of cs, each
// taking the next iteration from a shared counter (so a slow client does
// not leave the others idle at the end), and reports the throughput.
func runOn(b *testing.B, cs []*kms.Client, op func(*kms.Client) error) {
	b.Helper()
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	// Allocations count the whole process: the SDK clients and the server.
	b.ReportAllocs()
	b.ResetTimer()
	for _, c := range cs {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) && !failed.Load() {
				if err := op(c); err != nil {
					failed.Store(true)
					b.Error(err) // Error, not Fatal: this is not the benchmark's goroutine
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// benchConcurrency runs op as one sub-benchmark per client count.
func benchConcurrency(b *testing.B, bn *benchNode, op func(*kms.Client) error) {
	for _, clients := range benchClientCounts {
		b.Run("clients="+strconv.Itoa(clients), func(b *testing.B) {
			runClients(b, bn, clients, op)
		})
	}
}

func BenchmarkEncrypt(b *testing.B) {
	bn := startBenchNode(b)
	in := &kms.EncryptInput{KeyId: &bn.keyID, Plaintext: benchPlaintext, EncryptionContext: benchContext}
	benchConcurrency(b, bn, func(c *kms.Client) error {
		_, err := c.Encrypt(ctx, in)
		return err
	})
}

func BenchmarkDecrypt(b *testing.B) {
	bn := startBenchNode(b)
	enc, err := bn.client().Encrypt(ctx, &kms.EncryptInput{KeyId: &bn.keyID, Plaintext: benchPlaintext, EncryptionContext: benchContext})
	if err != nil {
		b.Fatal(err)
	}
	// Without KeyId, as most callers decrypt: the key comes from the blob.
	in := &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: benchContext}
	benchConcurrency(b, bn, func(c *kms.Client) error {
		out, err := c.Decrypt(ctx, in)
		if err == nil && !bytes.Equal(out.Plaintext, benchPlaintext) {
			b.Error("Decrypt returned the wrong plaintext")
		}
		return err
	})
}

func BenchmarkGenerateDataKey(b *testing.B) {
	bn := startBenchNode(b)
	in := &kms.GenerateDataKeyInput{KeyId: &bn.keyID, KeySpec: types.DataKeySpecAes256, EncryptionContext: benchContext}
	benchConcurrency(b, bn, func(c *kms.Client) error {
		_, err := c.GenerateDataKey(ctx, in)
		return err
	})
}

// BenchmarkCreateKey creates symmetric keys at 1, 16 and 64 clients
// (issue 11). Each CreateKey is acknowledged only once its key and its
// audit record are durable, so at one client this is one fsync per key, and
// more clients are faster only as far as the store commits their writes
// together (group commit, internal/store/bolt/batch.go).
func BenchmarkCreateKey(b *testing.B) {
	bn := startBenchNode(b)
	in := &kms.CreateKeyInput{}
	benchConcurrency(b, bn, func(c *kms.Client) error {
		out, err := c.CreateKey(ctx, in)
		if err == nil && out.KeyMetadata.KeyState != types.KeyStateEnabled {
			b.Errorf("CreateKey made a key in state %s", out.KeyMetadata.KeyState)
		}
		return err
	})
}

// BenchmarkEncryptBaseline prices one Encrypt of the same plaintext and
// context, layer by layer, on one goroutine:
//   - cipher: the AES-GCM envelope alone (key derivation, seal), no service;
//   - handler: the server's whole request path in-process (routing, SigV4
//     header parsing, JSON, validation, store read, cipher, audit record),
//     without TCP or the SDK;
//   - sdk: the full round trip through the SDK over loopback HTTP, the same
//     as BenchmarkEncrypt/clients=1.
func BenchmarkEncryptBaseline(b *testing.B) {
	bn := startBenchNode(b)
	b.Run("layer=cipher", func(b *testing.B) {
		material, err := cipher.GenerateSymmetricMaterial(nil)
		if err != nil {
			b.Fatal(err)
		}
		key, err := cipher.NewSymmetricKey(material)
		if err != nil {
			b.Fatal(err)
		}
		h := cipher.Header{KeyID: bn.keyID, MaterialVersion: 1}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := key.Encrypt(h, benchPlaintext, benchContext, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
	b.Run("layer=handler", func(b *testing.B) { benchHandlerEncrypt(b, bn) })
	b.Run("layer=sdk", func(b *testing.B) {
		in := &kms.EncryptInput{KeyId: &bn.keyID, Plaintext: benchPlaintext, EncryptionContext: benchContext}
		runClients(b, bn, 1, func(c *kms.Client) error {
			_, err := c.Encrypt(ctx, in)
			return err
		})
	})
}

// benchHandlerEncrypt calls the node's handler in-process with one signed
// Encrypt request, again and again: the server's whole request path without
// TCP or the SDK.
func benchHandlerEncrypt(b *testing.B, bn *benchNode) {
	body, req := signedEncryptRequest(b, bn)
	handler := bn.node.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req.Body = io.NopCloser(bytes.NewReader(body))
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// signedEncryptRequest builds an Encrypt request signed once with the SDK's
// SigV4 signer. Reusing the signature is fine for the handler layer: it
// prices the server's work, and the signature stays inside the ±5 minute
// window for the length of a benchmark.
func signedEncryptRequest(b *testing.B, bn *benchNode) ([]byte, *http.Request) {
	b.Helper()
	body, err := json.Marshal(map[string]any{"KeyId": bn.keyID, "Plaintext": benchPlaintext, "EncryptionContext": benchContext})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, bn.srv.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService.Encrypt")
	// A server-side request carries Content-Length in its header map, and
	// the SDK signs it.
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, bn.creds, req, hex.EncodeToString(sum[:]), "kms", testRegion, clock.Real{}.Now()); err != nil {
		b.Fatal(err)
	}
	return body, req
}
