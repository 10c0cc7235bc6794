package faults

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// The cluster every failure test runs: three etcd members on hosts e1-e3
// and three Trent nodes on hosts t1-t3, each a separate process in its own
// namespace. Node t3 reaches etcd through the test's relays (one per
// member), so that the delay test can slow its path; t1 and t2 reach the
// members directly. Every node is given all three members.

const (
	etcdClientPort = 2379
	etcdPeerPort   = 2380
	trentPort      = 4599
	// servingMsg is the log line trent serve writes once it listens.
	servingMsg = "trent is serving the AWS KMS API"
	// readyLine is what etcdmember prints once it serves (etcdmember's
	// ReadyLine).
	readyLine = "etcdmember ready"
	// startWithin bounds a member's or node's start.
	startWithin = 60 * time.Second
	// requestTimeout bounds each request of the workload's clients: short,
	// so that a client stuck on a cut-off node or a stopped member moves
	// on, yet longer than an etcd leader election (about a second).
	requestTimeout = 3 * time.Second
	// prefix is the Trent cluster's key prefix in the test's own etcd.
	prefix = "faults/"
)

// consistencyBound is the nodes' --consistency-bound (the default): a read
// served by a node's watch-fed cache may be that stale.
const consistencyBound = time.Second

// readStaleness is how old a state a successful read may return: the
// checker moves every read's call time that much earlier. It is the
// nodes' consistency bound: a stricter check would fail a correct node.
const readStaleness = consistencyBound

type cluster struct {
	t        *testing.T
	net      *testNet
	trentBin string
	etcdBin  string
	dir      string
	rootKey  string
	members  []*member
	nodes    []*node
	etcd     *clientv3.Client // the test's own client, for Status
}

type member struct {
	name    string
	host    *host
	dataDir string
	args    []string
	proc    *proc
}

func (m *member) clientURL() string { return fmt.Sprintf("http://%s:%d", m.host.ip, etcdClientPort) }

type node struct {
	name    string
	host    *host
	dataDir string
	args    []string
	proc    *proc
	relays  []*relay // the node's paths to the members, if relayed
	client  *kms.Client
	// patient is a client with a longer timeout, for checks after the
	// faults are healed.
	patient *kms.Client
}

func (n *node) url() string { return fmt.Sprintf("http://%s:%d", n.host.ip, trentPort) }

// startCluster starts the network, the members and the nodes.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	needRoot(t)
	c := &cluster{t: t, dir: t.TempDir()}
	c.trentBin, c.etcdBin = buildBinaries(t)
	c.net = newTestNet(t, []string{"e1", "e2", "e3", "t1", "t2", "t3"}, []int{11, 12, 13, 21, 22, 23})

	var initial []string
	for i := 1; i <= 3; i++ {
		h := c.net.hosts[fmt.Sprintf("e%d", i)]
		initial = append(initial, fmt.Sprintf("%s=http://%s:%d", h.name, h.ip, etcdPeerPort))
	}
	for i := 1; i <= 3; i++ {
		h := c.net.hosts[fmt.Sprintf("e%d", i)]
		m := &member{name: h.name, host: h, dataDir: filepath.Join(c.dir, h.name, "data")}
		m.args = []string{"-name", h.name, "-data-dir", m.dataDir,
			"-peer-url", fmt.Sprintf("http://%s:%d", h.ip, etcdPeerPort),
			"-client-url", m.clientURL(), "-initial-cluster", strings.Join(initial, ",")}
		c.members = append(c.members, m)
	}
	c.startMembers(c.members...)

	var urls []string
	for _, m := range c.members {
		urls = append(urls, m.clientURL())
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: urls, DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	c.etcd = cli

	c.rootKey = filepath.Join(c.dir, "root.key")
	if out, err := runCmd(c.trentBin, "create-root-key", c.rootKey); err != nil {
		t.Fatalf("trent create-root-key: %v\n%s", err, out)
	}
	for i := 1; i <= 3; i++ {
		h := c.net.hosts[fmt.Sprintf("t%d", i)]
		n := &node{name: h.name, host: h, dataDir: filepath.Join(c.dir, h.name)}
		endpoints := urls
		if i == 3 {
			endpoints = nil
			for _, m := range c.members {
				r := startRelay(t, c.net.rootIP(), fmt.Sprintf("%s:%d", m.host.ip, etcdClientPort))
				n.relays = append(n.relays, r)
				endpoints = append(endpoints, "http://"+r.addr())
			}
		}
		n.args = []string{"serve", "--dev", "--listen", fmt.Sprintf("%s:%d", h.ip, trentPort),
			"--data-dir", n.dataDir, "--store", "etcd", "--etcd-endpoints", strings.Join(endpoints, ","),
			"--etcd-prefix", prefix, "--node-id", h.name, "--root-key-file", c.rootKey, "--console=false",
			"--consistency-bound", consistencyBound.String()}
		n.client = newKMSClient(n.url(), requestTimeout)
		n.patient = newKMSClient(n.url(), 10*time.Second)
		c.nodes = append(c.nodes, n)
	}
	// The first node seals the root key check into the empty prefix; the
	// others then prove their key against it.
	c.startNodes(c.nodes[0])
	c.startNodes(c.nodes[1:]...)
	return c
}

// startMembers starts the members (again, on their data directories) at
// once and waits until each serves: a member is ready only once a quorum
// is up, so restarting them all needs them started together.
func (c *cluster) startMembers(ms ...*member) {
	c.t.Helper()
	for _, m := range ms {
		m.proc = startProc(c.t, "etcd member "+m.name, m.host.ns, readyLine, c.etcdBin, m.args...)
	}
	for _, m := range ms {
		m.proc.waitReady(c.t, startWithin)
	}
}

// startNodes starts the nodes (again, on their data directories and node
// IDs) and waits until each serves.
func (c *cluster) startNodes(ns ...*node) {
	c.t.Helper()
	for _, n := range ns {
		n.proc = startProc(c.t, "trent node "+n.name, n.host.ns, servingMsg, c.trentBin, n.args...)
	}
	for _, n := range ns {
		n.proc.waitReady(c.t, startWithin)
	}
}

// leader returns the member that leads the raft group now, asking each
// member that answers within a second.
func (c *cluster) leader() *member {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, m := range c.members {
			if m.proc.exited() {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			st, err := c.etcd.Status(ctx, m.clientURL())
			cancel()
			if err != nil || st.Leader == 0 {
				continue
			}
			for _, l := range c.members {
				lctx, lcancel := context.WithTimeout(context.Background(), time.Second)
				lst, err := c.etcd.Status(lctx, l.clientURL())
				lcancel()
				if err == nil && lst.Header.MemberId == st.Leader {
					return l
				}
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatal("no etcd member reports a leader within 20 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// newKMSClient is an SDK client of one node that does not retry: a request
// cut off by a fault must surface as an error, not be sent again (a resent
// write could take effect twice at different times, which the history
// could not describe). Dialling is bounded apart, so that a refused or
// unreachable node is told from one that got the request.
func newKMSClient(url string, timeout time.Duration) *kms.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 16
	transport.DialContext = (&net.Dialer{Timeout: time.Second}).DialContext
	return kms.New(kms.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test-secret", ""),
		HTTPClient:       &http.Client{Transport: transport, Timeout: timeout},
		RetryMaxAttempts: 1,
	})
}

// eventually calls fn until it returns nil or d has passed, and returns the
// last error.
func eventually(d time.Duration, fn func() error) error {
	deadline := time.Now().Add(d)
	for {
		err := fn()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// parallel runs fn(i) for i in [0, n) on workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
