package e2e

import (
	"bufio"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// metricValues scrapes a node's /metrics and returns every sample by its
// name and labels as printed (trent_etcd_requests_total{purpose="read"}).
func metricValues(t *testing.T, tn *testNode) map[string]float64 {
	t.Helper()
	ops := httptest.NewServer(tn.node.OpsHandler())
	defer ops.Close()
	_, body := scrape(t, ops, "/metrics")
	values := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			values[line[:i]] = v
		}
	}
	return values
}

// TestClusterCryptoMakesNoEtcdRequests: on a node whose cache is warm,
// cryptographic requests (and DescribeKey) send no request to etcd: no
// read, no commit, no lease or fence, no load; every one of their read
// transactions is served by the cache. Counted by the node's own metrics,
// trent_etcd_requests_total and trent_store_views_total.
func TestClusterCryptoMakesNoEtcdRequests(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, nil)
	a, b := c.nodes[0].kms(), c.nodes[1].kms()
	sym := createSymmetricKey(t, a, nil)
	signer := createKeyOfType(t, a, types.KeySpecRsa2048, types.KeyUsageTypeSignVerify)
	mac := createKeyOfType(t, a, types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac)
	withinBound(t, c.bound, func() error {
		_, err := b.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: mac.KeyId})
		return err
	})

	// One round warms the node's caches of records, material and
	// policies; the next rounds are counted.
	round := func() int {
		blob := encryptUnder(t, b, *sym.KeyId, []byte("counted"), map[string]string{"purpose": "count"})
		must[*kms.DecryptOutput](t)(b.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"purpose": "count"}}))
		must[*kms.GenerateDataKeyOutput](t)(b.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: sym.KeyId, KeySpec: types.DataKeySpecAes256}))
		must[*kms.ReEncryptOutput](t)(b.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob, DestinationKeyId: sym.KeyId,
			SourceEncryptionContext: map[string]string{"purpose": "count"}}))
		sig := mustSign(t, b, signer, types.SigningAlgorithmSpecRsassaPssSha256, types.MessageTypeRaw, []byte("counted"))
		must[*kms.VerifyOutput](t)(b.Verify(ctx, &kms.VerifyInput{KeyId: signer.KeyId, Message: []byte("counted"), Signature: sig,
			SigningAlgorithm: types.SigningAlgorithmSpecRsassaPssSha256}))
		tag := generateMac(t, b, *mac.KeyId, types.MacAlgorithmSpecHmacSha256, []byte("counted"))
		must[*kms.VerifyMacOutput](t)(b.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: mac.KeyId, Mac: tag, Message: []byte("counted"),
			MacAlgorithm: types.MacAlgorithmSpecHmacSha256}))
		describeKeyMetadata(t, b, *sym.KeyId)
		return 9
	}
	round()
	before := metricValues(t, c.nodes[1])
	requests := 0
	for range 20 {
		requests += round()
	}
	after := metricValues(t, c.nodes[1])

	for _, purpose := range []string{"read", "commit", "fence", "lease", "load"} {
		name := `trent_etcd_requests_total{purpose="` + purpose + `"}`
		if _, ok := after[name]; !ok {
			t.Fatalf("/metrics has no %s", name)
		}
		if d := after[name] - before[name]; d != 0 {
			t.Errorf("%d cryptographic requests on a warm node sent %v %s requests to etcd, want none", requests, d, purpose)
		}
	}
	cached := after[`trent_store_views_total{source="cache"}`] - before[`trent_store_views_total{source="cache"}`]
	if cached < float64(requests) {
		t.Errorf("the cache served %v read transactions for %d requests, want at least one each", cached, requests)
	}
	if d := after[`trent_store_views_total{source="etcd"}`] - before[`trent_store_views_total{source="etcd"}`]; d != 0 {
		t.Errorf("%v read transactions went to etcd", d)
	}
	if age, ok := after["trent_etcd_cache_staleness_seconds"]; !ok || age > defaultBound.Seconds() {
		t.Errorf("trent_etcd_cache_staleness_seconds = %v (present: %v), want at most the bound %s", age, ok, defaultBound)
	}
}

// TestClusterNodeWithoutEtcdAnswersDependencyTimeout: a node whose etcd
// cluster is gone serves from its cache only until the consistency bound
// has passed; then it refuses, with DependencyTimeoutException where the
// operation's model lists it (Encrypt, Decrypt, DescribeKey) and
// KMSInternalException where it does not (GenerateMac), rather than answer
// from key state it can no longer confirm.
func TestClusterNodeWithoutEtcdAnswersDependencyTimeout(t *testing.T) {
	t.Parallel()
	own, err := etcdtest.Start(1)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			own.Stop()
		}
	})
	const bound = 200 * time.Millisecond
	c := &testCluster{t: t, etcd: own, prefix: etcdtest.NewPrefix(), clock: clock.NewManual(testEpoch), rootKey: newRootKeyFile(t),
		bound: bound, operationTimeout: time.Second}
	// Opened by hand: its Close, with etcd gone, fails (checked below).
	node, err := server.Open(c.config(0, c.rootKey))
	if err != nil {
		t.Fatal(err)
	}
	tn := &testNode{t: t, node: node, srv: httptest.NewServer(node.Handler()), clock: c.clock}
	defer tn.srv.Close()
	client := tn.kms()
	key := createSymmetricKey(t, client, nil)
	mac := createKeyOfType(t, client, types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac)
	blob := encryptUnder(t, client, *key.KeyId, []byte("before"), nil)

	own.Stop()
	stopped = true
	time.Sleep(2 * bound)
	_, err = client.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
	wantOwnError(t, err, "DependencyTimeoutException")
	_, err = client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
	wantOwnError(t, err, "DependencyTimeoutException")
	_, err = client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyId})
	wantOwnError(t, err, "DependencyTimeoutException")
	_, err = client.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: mac.KeyId, Message: []byte("x"), MacAlgorithm: types.MacAlgorithmSpecHmacSha256})
	wantOwnError(t, err, "KMSInternalException")

	// Shutting down cannot write the last usage data; it gives up after
	// its bound (10 s) rather than hang, and says why.
	start := time.Now()
	err = node.Close()
	if err == nil || !strings.Contains(err.Error(), "unavailable") {
		t.Errorf("Close with etcd gone: %v, want an error saying the store is unavailable", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("Close with etcd gone took %s", d)
	}
}
