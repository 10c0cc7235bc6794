package etcd

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

// The package's tests share two real etcd deployments, started on first
// use: one member, and a cluster of three members on loopback. Embedded
// etcd takes a second or two to start, a cluster more, so one of each
// serves every test; each store gets a prefix of its own (newPrefix).
// Both run with etcd's default limits (--max-txn-ops 128,
// --max-request-bytes 1.5 MiB), which the driver's Limits are derived from.
var (
	single = &sharedCluster{members: 1}
	trio   = &sharedCluster{members: 3}
)

func TestMain(m *testing.M) {
	code := m.Run()
	single.stop()
	trio.stop()
	os.Exit(code)
}

// sharedCluster is an etcd deployment started once per test binary.
type sharedCluster struct {
	members int
	once    sync.Once
	c       *cluster
	err     error
}

// get starts the deployment on first use and returns it; a deployment that
// failed to start fails every test that needs it.
func (s *sharedCluster) get(t testing.TB) *cluster {
	t.Helper()
	s.once.Do(func() { s.c, s.err = startCluster(s.members) })
	if s.err != nil {
		t.Fatalf("start a %d-member etcd: %v", s.members, s.err)
	}
	return s.c
}

func (s *sharedCluster) stop() {
	if s.c != nil {
		s.c.stop()
	}
}

// cluster is a running embedded etcd deployment.
type cluster struct {
	dir     string
	members []*embed.Etcd
	// clientURLs[i] is member i's client URL.
	clientURLs []string
}

// startCluster starts n members on loopback ports, data in a fresh
// temporary directory, and waits (bounded) until every one is ready.
func startCluster(n int) (*cluster, error) {
	dir, err := os.MkdirTemp("", "trent-etcd-test-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir}
	ports, err := freePorts(2 * n)
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
			c.stop()
			return nil, fmt.Errorf("member %d: %w", i, err)
		}
		c.members = append(c.members, e)
		u := client(i)
		c.clientURLs = append(c.clientURLs, u.String())
	}
	deadline := time.After(60 * time.Second)
	for i, e := range c.members {
		select {
		case <-e.Server.ReadyNotify():
		case err := <-e.Err():
			c.stop()
			return nil, fmt.Errorf("member %d: %w", i, err)
		case <-deadline:
			c.stop()
			return nil, fmt.Errorf("member %d not ready within 60s", i)
		}
	}
	return c, nil
}

func (c *cluster) stop() {
	for _, e := range c.members {
		e.Close()
	}
	_ = os.RemoveAll(c.dir)
}

// freePorts returns n loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
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

// newPrefix returns a key prefix no other store in this test binary uses.
func newPrefix() string {
	prefixes.Lock()
	defer prefixes.Unlock()
	prefixes.n++
	return fmt.Sprintf("test-%d/", prefixes.n)
}
