package e2e

// Benchmarks of the key types beyond symmetric keys (issue 8), through the
// SDK against a node as `trent serve --dev` runs it (see bench_test.go):
// how long CreateKey takes for RSA keys, whether Encrypt on a symmetric key
// keeps its pace while RSA_4096 keys are being generated (Trent runs at
// most half the cores' worth of key generations at once, internal/kms/
// keygen.go), and Sign and Verify throughput for three signing key types.
//
//	go test -run '^$' -bench 'BenchmarkEncrypt$|EncryptWhile' -benchtime 3s ./internal/e2e/
//	go test -run '^$' -bench 'BenchmarkSign|BenchmarkVerify' -benchtime 2s ./internal/e2e/
//	go test -run '^$' -bench 'CreateKeyRSA' -benchtime 20x ./internal/e2e/
//
// docs/benchmarks.md ("Key types") has the figures.

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func benchCreateKey(b *testing.B, spec types.KeySpec) {
	bn := startBenchNode(b)
	c := bn.client()
	in := &kms.CreateKeyInput{KeySpec: spec, KeyUsage: types.KeyUsageTypeSignVerify}
	for b.Loop() {
		if _, err := c.CreateKey(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/key")
}

// BenchmarkCreateKeyRSA2048 and BenchmarkCreateKeyRSA4096 are the latency
// of one CreateKey, one after another: key generation dominates it.
func BenchmarkCreateKeyRSA2048(b *testing.B) { benchCreateKey(b, types.KeySpecRsa2048) }

func BenchmarkCreateKeyRSA4096(b *testing.B) { benchCreateKey(b, types.KeySpecRsa4096) }

// keygenBurst is how many clients keep asking for RSA_4096 keys in the
// background of BenchmarkEncryptWhileRSA4096KeysAreCreated: more than the
// two cores of the machine the figures come from, so that without the
// generation limit they would take every core.
const keygenBurst = 4

// BenchmarkEncryptWhileRSA4096KeysAreCreated measures Encrypt on a
// symmetric key at 1 and 16 clients, with nothing else running
// (background=none) and while keygenBurst clients create RSA_4096 keys
// without pause (background=rsa4096), on the same kind of node. It reports
// throughput and the median and 99th percentile latency of one Encrypt,
// and, under load, how many RSA_4096 keys were made per second.
func BenchmarkEncryptWhileRSA4096KeysAreCreated(b *testing.B) {
	for _, background := range []string{"none", "rsa4096"} {
		// One node (and background load) for both client counts and
		// every b.N the framework tries: restarting the load would wait
		// each time for a generation in progress.
		b.Run("background="+background, func(b *testing.B) {
			bn := startBenchNode(b)
			in := &kms.EncryptInput{KeyId: &bn.keyID, Plaintext: benchPlaintext, EncryptionContext: benchContext}
			var created *atomic.Int64
			if background == "rsa4096" {
				created = createRSA4096InBackground(b, bn)
			}
			for _, clients := range []int{1, 16} {
				b.Run("clients="+strconv.Itoa(clients), func(b *testing.B) {
					runClientsLatency(b, bn, clients, func(c *kms.Client) error {
						_, err := c.Encrypt(ctx, in)
						return err
					}, created)
				})
			}
		})
	}
}

// createRSA4096InBackground starts keygenBurst clients that create
// RSA_4096 keys until the benchmark ends, and returns the count of keys
// they have created. It returns once every client's first request is
// being served, so that timing starts under load.
func createRSA4096InBackground(b *testing.B, bn *benchNode) *atomic.Int64 {
	b.Helper()
	bgCtx, cancel := context.WithCancel(context.Background())
	var created atomic.Int64
	var started, done sync.WaitGroup
	in := &kms.CreateKeyInput{KeySpec: types.KeySpecRsa4096, KeyUsage: types.KeyUsageTypeSignVerify,
		Description: aws.String("background RSA_4096")}
	for range keygenBurst {
		c := bn.client()
		started.Add(1)
		done.Go(func() {
			first := true
			for bgCtx.Err() == nil {
				if first {
					started.Done()
					first = false
				}
				if _, err := c.CreateKey(bgCtx, in); err != nil {
					if bgCtx.Err() == nil {
						b.Error(err)
					}
					return
				}
				created.Add(1)
			}
		})
	}
	started.Wait()
	// The requests have been sent; give the server a moment to start
	// generating.
	time.Sleep(50 * time.Millisecond)
	// Cleanups run last in, first out: this one runs before the node's
	// (registered by startBenchNode), which must outlive the clients. A
	// generation in progress is not interrupted, so this can wait a few
	// seconds.
	b.Cleanup(func() {
		cancel()
		done.Wait()
	})
	return &created
}

// runClientsLatency is runClients (bench_test.go) that also times each
// operation and reports the median and 99th percentile latency, and, if
// created is not nil, the rate at which it grew while the benchmark was
// timed.
func runClientsLatency(b *testing.B, bn *benchNode, clients int, op func(*kms.Client) error, created *atomic.Int64) {
	b.Helper()
	cs := warmClients(b, bn, clients, op)
	latencies := make([][]time.Duration, clients)
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	var before int64
	if created != nil {
		before = created.Load()
	}
	b.ResetTimer()
	for i, c := range cs {
		latencies[i] = make([]time.Duration, 0, b.N/clients+1)
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) && !failed.Load() {
				start := time.Now()
				if err := op(c); err != nil {
					failed.Store(true)
					b.Error(err)
					return
				}
				latencies[i] = append(latencies[i], time.Since(start))
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	elapsed := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/elapsed, "ops/s")
	all := slices.Concat(latencies...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(all[(len(all)*99)/100].Microseconds()), "p99-µs")
	}
	if created != nil {
		b.ReportMetric(float64(created.Load()-before)/elapsed, "rsa4096-keys/s")
	}
}

// benchSigningKeys are the key types of BenchmarkSign and BenchmarkVerify
// with the algorithm each signs with.
var benchSigningKeys = []struct {
	spec types.KeySpec
	alg  types.SigningAlgorithmSpec
}{
	{types.KeySpecEccNistP256, types.SigningAlgorithmSpecEcdsaSha256},
	{types.KeySpecRsa2048, types.SigningAlgorithmSpecRsassaPssSha256},
	{types.KeySpecMlDsa65, types.SigningAlgorithmSpecMlDsaShake256},
}

// benchMessage is what BenchmarkSign and BenchmarkVerify sign: a short
// RAW message, hashed by the server.
var benchMessage = []byte("a short message signed by Trent for the benchmark")

// benchSignClients are the concurrency levels of the signature
// benchmarks: on two cores, 16 clients already keep both busy.
var benchSignClients = []int{1, 16}

// BenchmarkSign is Sign throughput (RAW messages) per key type.
func BenchmarkSign(b *testing.B) {
	for _, k := range benchSigningKeys {
		b.Run("spec="+string(k.spec), func(b *testing.B) {
			bn := startBenchNode(b)
			keyID := benchSigningKey(b, bn, k.spec)
			in := &kms.SignInput{KeyId: &keyID, Message: benchMessage, SigningAlgorithm: k.alg}
			for _, clients := range benchSignClients {
				b.Run("clients="+strconv.Itoa(clients), func(b *testing.B) {
					runClients(b, bn, clients, func(c *kms.Client) error {
						_, err := c.Sign(ctx, in)
						return err
					})
				})
			}
		})
	}
}

// BenchmarkVerify is Verify throughput per key type, of a valid
// signature: the server verifies with the key's public key.
func BenchmarkVerify(b *testing.B) {
	for _, k := range benchSigningKeys {
		b.Run("spec="+string(k.spec), func(b *testing.B) {
			bn := startBenchNode(b)
			keyID := benchSigningKey(b, bn, k.spec)
			sig, err := bn.client().Sign(ctx, &kms.SignInput{KeyId: &keyID, Message: benchMessage, SigningAlgorithm: k.alg})
			if err != nil {
				b.Fatal(err)
			}
			in := &kms.VerifyInput{KeyId: &keyID, Message: benchMessage, Signature: sig.Signature, SigningAlgorithm: k.alg}
			for _, clients := range benchSignClients {
				b.Run("clients="+strconv.Itoa(clients), func(b *testing.B) {
					runClients(b, bn, clients, func(c *kms.Client) error {
						out, err := c.Verify(ctx, in)
						if err == nil && !out.SignatureValid {
							b.Error("Verify: SignatureValid false")
						}
						return err
					})
				})
			}
		})
	}
}

func benchSigningKey(b *testing.B, bn *benchNode, spec types.KeySpec) string {
	b.Helper()
	out, err := bn.client().CreateKey(ctx, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: types.KeyUsageTypeSignVerify})
	if err != nil {
		b.Fatalf("create %s key: %v", spec, err)
	}
	return *out.KeyMetadata.KeyId
}
