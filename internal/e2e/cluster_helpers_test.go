package e2e

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// testCluster is several in-process Trent nodes serving from one etcd
// store: each node has its own data directory (its audit log and node ID)
// and its own listener, and talks to its own etcd member; they share the
// root key file, the key prefix and a manual clock (a cluster's clocks
// agree closely; tests move the one clock and call runDue on one node).
type testCluster struct {
	t       *testing.T
	etcd    *etcdtest.Cluster
	prefix  string
	rootKey string
	clock   *clock.Manual
	nodes   []*testNode
	ident   identity.Resolver
	// bound is the nodes' consistency bound; zero turns their caches off.
	bound time.Duration
	// operationTimeout is the nodes' deadline of a request; zero means
	// the default.
	operationTimeout time.Duration
}

// defaultBound is --consistency-bound's default, which the cluster tests
// run with unless they say otherwise.
const defaultBound = time.Second

// startCluster starts n nodes on the shared three-member etcd, node i on
// member i%3, with the identities p (nil: --dev's), with the default
// consistency bound.
func startCluster(t *testing.T, n int, p principals) *testCluster {
	t.Helper()
	return startClusterWith(t, n, p, defaultBound)
}

// startClusterWith is startCluster with the consistency bound given.
func startClusterWith(t *testing.T, n int, p principals, bound time.Duration) *testCluster {
	t.Helper()
	c := &testCluster{t: t, etcd: clusterEtcd.Get(t), prefix: etcdtest.NewPrefix(), clock: clock.NewManual(testEpoch), bound: bound}
	if p != nil {
		c.ident = p
	}
	c.rootKey = newRootKeyFile(t)
	for i := 0; i < n; i++ {
		tn, err := c.open(i, c.rootKey)
		if err != nil {
			t.Fatalf("open node %d: %v", i, err)
		}
		c.nodes = append(c.nodes, tn)
	}
	return c
}

// newRootKeyFile makes a root key file in a new directory.
func newRootKeyFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "root.key")
	if err := seal.CreateKeyFile(path, nil); err != nil {
		t.Fatal(err)
	}
	return path
}

// config is the configuration of a node of c on etcd member i.
func (c *testCluster) config(i int, rootKeyFile string) server.Config {
	return server.Config{
		DataDir: c.t.TempDir(), Dev: true, RootKeyFile: rootKeyFile, Clock: c.clock, Identity: c.ident, OperationTimeout: c.operationTimeout,
		Etcd: &server.EtcdConfig{Endpoints: []string{c.etcd.ClientURLs[i%len(c.etcd.ClientURLs)]}, Prefix: c.prefix, ConsistencyBound: c.bound},
	}
}

// open opens one more node of c on member i with the root key file given,
// serving at once; it is closed at the end of the test.
func (c *testCluster) open(i int, rootKeyFile string) (*testNode, error) {
	cfg := c.config(i, rootKeyFile)
	n, err := server.Open(cfg)
	if err != nil {
		return nil, err
	}
	tn := &testNode{t: c.t, node: n, srv: httptest.NewServer(n.Handler()), clock: c.clock, dataDir: cfg.DataDir}
	c.t.Cleanup(func() {
		tn.srv.Close()
		if err := n.Close(); err != nil {
			c.t.Errorf("close node: %v", err)
		}
	})
	return tn, nil
}

// withinBound checks what a node's request sees after a change another
// node acknowledged: at once when the caches are off, and within the
// consistency bound when they are on (the bound is the promise; it is
// usually milliseconds, the watch's delay). check is retried until it
// returns nil; the test fails with its last error after the bound, plus
// slack for a loaded machine.
func withinBound(t *testing.T, bound time.Duration, check func() error) {
	t.Helper()
	if bound == 0 {
		if err := check(); err != nil {
			t.Fatalf("the next request: %v", err)
		}
		return
	}
	start := time.Now()
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Since(start) > bound+2*time.Second {
			t.Fatalf("still after %s (consistency bound %s): %v", time.Since(start).Round(time.Millisecond), bound, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// failsWith returns nil when err is the API error code, and says what it
// is otherwise.
func failsWith(err error, code string) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == code {
		return nil
	}
	return fmt.Errorf("got %v, want %s", err, code)
}
