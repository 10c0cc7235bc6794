package e2e

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// BenchmarkCluster: throughput of 1, 2 and 3 nodes on one three-member etcd
// (the shared test cluster, on loopback), with 16 clients spread evenly over
// the nodes, and what each operation costs in etcd requests, summed over
// every node's trent_etcd_requests_total:
//   - etcd-req/op: the requests of the operations themselves (purposes
//     read, commit, fence, lease and load);
//   - bg-req/s: the caches' heartbeats (which do not grow with the load)
//     and progress requests (messages on the watch's stream, sent when a
//     node reads right after its own write, before the watch has brought
//     it back).
//
// Encrypt/nodes=N/cache=off runs the same on nodes with the caches off
// (--consistency-bound 0), where every read goes to etcd.
//
// On one machine the nodes, etcd and the clients share its cores, so the
// figures show the cost per operation and whether nodes contend, not the
// capacity of separate machines (docs/benchmarks.md).
func BenchmarkCluster(b *testing.B) {
	members := clusterEtcd.Get(b)
	rootKey := newRootKeyFile(b)
	prefix := etcdtest.NewPrefix()
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test-secret"}
	// nodes serve with the default bound; uncached, on another prefix,
	// with the caches off (--consistency-bound 0), for comparison.
	start := func(prefix string, bound time.Duration) []*benchNode {
		nodes := make([]*benchNode, len(members.ClientURLs))
		for i := range nodes {
			nodes[i] = startBenchNodeWith(b, server.Config{DataDir: b.TempDir(), Dev: true, RootKeyFile: rootKey,
				Etcd: &server.EtcdConfig{Endpoints: []string{members.ClientURLs[i]}, Prefix: prefix, ConsistencyBound: bound}}, creds)
		}
		return nodes
	}
	nodes := start(prefix, time.Second)
	uncached := start(etcdtest.NewPrefix(), 0)
	key := &nodes[0].keyID
	// Each client updates a key of its own: writers of one key would
	// measure their conflicts, not the cluster.
	const clients = 16
	own := make([]*string, clients)
	for i := range own {
		out, err := nodes[0].client().CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			b.Fatal(err)
		}
		own[i] = out.KeyMetadata.KeyId
	}
	ownKey := map[*kms.Client]*string{}
	// The other nodes' caches have the keys within the bound.
	time.Sleep(time.Second)
	ops := []struct {
		name string
		op   func(*kms.Client) error
	}{
		{"Encrypt", func(c *kms.Client) error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: key, Plaintext: benchPlaintext, EncryptionContext: benchContext})
			return err
		}},
		{"GenerateDataKey", func(c *kms.Client) error {
			_, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: key, KeySpec: types.DataKeySpecAes256, EncryptionContext: benchContext})
			return err
		}},
		{"UpdateKeyDescription", func(c *kms.Client) error {
			_, err := c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: ownKey[c], Description: aws.String("benchmark")})
			return err
		}},
	}
	for _, o := range ops {
		for n := 1; n <= len(nodes); n++ {
			b.Run(fmt.Sprintf("%s/nodes=%d", o.name, n), func(b *testing.B) {
				runCluster(b, nodes[:n], clients, ownKey, own, o.op)
			})
		}
	}
	// The caches off: every read goes to etcd.
	uncachedKey := &uncached[0].keyID
	for n := 1; n <= len(uncached); n++ {
		b.Run(fmt.Sprintf("Encrypt/nodes=%d/cache=off", n), func(b *testing.B) {
			runCluster(b, uncached[:n], clients, nil, nil, func(c *kms.Client) error {
				_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: uncachedKey, Plaintext: benchPlaintext, EncryptionContext: benchContext})
				return err
			})
		})
	}
}

// runCluster runs op from clients clients spread evenly over nodes, client
// i with key own[i] in ownKey (if own is given), and reports the etcd
// requests of the operations and of the caches' background.
func runCluster(b *testing.B, nodes []*benchNode, clients int, ownKey map[*kms.Client]*string, own []*string, op func(*kms.Client) error) {
	b.Helper()
	cs := warmEach(b, clients, func(i int) *kms.Client {
		c := nodes[i%len(nodes)].client()
		if own != nil {
			ownKey[c] = own[i]
		}
		return c
	}, op)
	before := etcdRequests(b, nodes)
	runOn(b, cs, op)
	after := etcdRequests(b, nodes)
	var ops, background float64
	for purpose, v := range after {
		if purpose == "heartbeat" || purpose == "progress" {
			background += v - before[purpose]
		} else {
			ops += v - before[purpose]
		}
	}
	b.ReportMetric(ops/float64(b.N), "etcd-req/op")
	b.ReportMetric(background/b.Elapsed().Seconds(), "bg-req/s")
}

// etcdRequests sums trent_etcd_requests_total by purpose over nodes.
func etcdRequests(b *testing.B, nodes []*benchNode) map[string]float64 {
	b.Helper()
	sums := map[string]float64{}
	for _, n := range nodes {
		rec := httptest.NewRecorder()
		n.node.OpsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		for _, line := range strings.Split(rec.Body.String(), "\n") {
			const name = `trent_etcd_requests_total{purpose="`
			if !strings.HasPrefix(line, name) {
				continue
			}
			purpose, value, _ := strings.Cut(line[len(name):], `"} `)
			var v float64
			if _, err := fmt.Sscan(value, &v); err != nil {
				b.Fatalf("metrics line %q: %v", line, err)
			}
			sums[purpose] += v
		}
	}
	if len(sums) == 0 {
		b.Fatal("no trent_etcd_requests_total in the nodes' metrics")
	}
	return sums
}
