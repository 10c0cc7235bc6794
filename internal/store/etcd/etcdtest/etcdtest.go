// Package etcdtest starts real etcd deployments for tests: one member, or
// a cluster of several on loopback, embedded in the test binary
// (go.etcd.io/etcd/server/v3/embed). It is test support compiled as a
// package so that the store driver's tests, the node's and the end-to-end
// tests share it; only test binaries import it, so the trent binary does
// not carry an etcd server.
package etcdtest

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// startTimeout bounds how long a deployment may take to become ready.
const startTimeout = 60 * time.Second

// Shared is a deployment started once per test binary, on first use; a
// TestMain stops it. Embedded etcd takes a second or two to start, a
// cluster more, so one deployment serves every test of a binary, each test
// under a key prefix of its own (NewPrefix).
type Shared struct {
	Members int
	once    sync.Once
	c       *Cluster
	err     error
}

// Get starts the deployment on first use and returns it; a deployment
// that failed to start fails every test that needs it.
func (s *Shared) Get(t testing.TB) *Cluster {
	t.Helper()
	s.once.Do(func() { s.c, s.err = Start(s.Members) })
	if s.err != nil {
		t.Fatalf("start a %d-member etcd: %v", s.Members, s.err)
	}
	return s.c
}

// Stop stops the deployment if it was started.
func (s *Shared) Stop() {
	if s.c != nil {
		s.c.Stop()
	}
}

// Cluster is a running embedded etcd deployment. Its members run with
// etcd's default limits (--max-txn-ops 128, --max-request-bytes 1.5 MiB).
type Cluster struct {
	Dir     string
	Members []*embed.Etcd
	// ClientURLs[i] is member i's client URL.
	ClientURLs []string
}

// Start starts n members on loopback ports, data in a fresh temporary
// directory, and waits (bounded) until every one is ready.
func Start(n int) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "trent-etcd-test-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir}
	ports, err := FreePorts(2 * n)
	if err != nil {
		return nil, err
	}
	peer := func(i int) url.URL { return url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", ports[2*i])} }
	client := func(i int) url.URL { return url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", ports[2*i+1])} }
	var initial []string
	for i := range n {
		u := peer(i)
		initial = append(initial, fmt.Sprintf("m%d=%s", i, u.String()))
	}
	for i := range n {
		cfg := embed.NewConfig()
		cfg.Name = fmt.Sprintf("m%d", i)
		cfg.Dir = filepath.Join(dir, cfg.Name)
		cfg.ListenPeerUrls = []url.URL{peer(i)}
		cfg.AdvertisePeerUrls = []url.URL{peer(i)}
		cfg.ListenClientUrls = []url.URL{client(i)}
		cfg.AdvertiseClientUrls = []url.URL{client(i)}
		cfg.InitialCluster = strings.Join(initial, ",")
		cfg.InitialClusterToken = "trent-etcd-test"
		// Members log to a file next to their data: shutting down logs
		// errors about closed listeners that would bury test output.
		cfg.LogOutputs = []string{filepath.Join(dir, cfg.Name+".log")}
		cfg.ListenMetricsUrls = nil
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			c.Stop()
			return nil, fmt.Errorf("member %d: %w", i, err)
		}
		c.Members = append(c.Members, e)
		u := client(i)
		c.ClientURLs = append(c.ClientURLs, u.String())
	}
	deadline := time.After(startTimeout)
	for i, e := range c.Members {
		select {
		case <-e.Server.ReadyNotify():
		case err := <-e.Err():
			c.Stop()
			return nil, fmt.Errorf("member %d: %w", i, err)
		case <-deadline:
			c.Stop()
			return nil, fmt.Errorf("member %d not ready within %v", i, startTimeout)
		}
	}
	return c, nil
}

// Stop stops every member and removes the data.
func (c *Cluster) Stop() {
	for _, e := range c.Members {
		e.Close()
	}
	_ = os.RemoveAll(c.Dir)
}

// FreePorts returns n loopback ports that were free a moment ago.
func FreePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

var prefixes struct {
	sync.Mutex
	n int
}

// NewPrefix returns a key prefix no other caller in this test binary got.
func NewPrefix() string {
	prefixes.Lock()
	defer prefixes.Unlock()
	prefixes.n++
	return fmt.Sprintf("test-%d/", prefixes.n)
}
