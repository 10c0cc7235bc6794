package leader

import (
	"context"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// trio is a real 3-member etcd cluster on loopback shared by this
// package's tests, each under a prefix of its own.
var trio = &etcdtest.Shared{Members: 3}

func TestMain(m *testing.M) {
	code := m.Run()
	trio.Stop()
	os.Exit(code)
}

// newClient connects to the given members; the test closes it at the end
// unless it closed it itself (a killed node).
func newClient(t *testing.T, endpoints ...string) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// tenure is what the lead functions of one test saw: how many ran at
// once, at most, and who started and stopped when.
type tenure struct {
	mu        sync.Mutex
	active    int
	maxActive int
	holder    string
	started   chan string // the name of each node whose lead starts
	stopped   chan string // ... and stops
}

func newTenure() *tenure {
	return &tenure{started: make(chan string, 64), stopped: make(chan string, 64)}
}

// lead returns a lead function for node name that holds leadership until
// its ctx ends, counting concurrent holders. check, if set, runs at the
// start of each term.
func (r *tenure) lead(name string, check func(ctx context.Context)) func(ctx context.Context) {
	return func(ctx context.Context) {
		r.mu.Lock()
		r.active++
		r.maxActive = max(r.maxActive, r.active)
		r.holder = name
		r.mu.Unlock()
		r.started <- name
		if check != nil {
			check(ctx)
		}
		<-ctx.Done()
		r.mu.Lock()
		r.active--
		r.mu.Unlock()
		r.stopped <- name
	}
}

func (r *tenure) max() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.maxActive
}

// candidate is one node standing for election.
type candidate struct {
	name   string
	cli    *clientv3.Client
	el     *Election
	cancel context.CancelFunc
	done   chan error
}

func stand(t *testing.T, cli *clientv3.Client, prefix, name string, ttl time.Duration, lead func(name string) func(context.Context)) *candidate {
	t.Helper()
	el, err := NewElection(Options{Client: cli, Prefix: prefix, Name: name, TTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &candidate{name: name, cli: cli, el: el, cancel: cancel, done: make(chan error, 1)}
	go func() { c.done <- el.Run(ctx, lead(name)) }()
	t.Cleanup(func() { c.stop(t) })
	return c
}

// stop shuts the candidate down as a node does, and waits (bounded) for
// Run to return.
func (c *candidate) stop(t *testing.T) error {
	t.Helper()
	c.cancel()
	select {
	case err, ok := <-c.done:
		if ok {
			close(c.done)
		}
		return err
	case <-time.After(15 * time.Second):
		t.Fatalf("%s: Run did not return within 15s of shutdown", c.name)
		return nil
	}
}

// next waits (bounded) for the next name on ch.
func next(t *testing.T, ch <-chan string, within time.Duration, what string) string {
	t.Helper()
	select {
	case name := <-ch:
		return name
	case <-time.After(within):
		t.Fatalf("%s: nothing within %v", what, within)
		return ""
	}
}

// blackhole is a TCP relay on loopback between one client and one etcd
// member that the test can cut: from then on it drops every byte both
// ways and leaves connections (old and new) open and silent, as a network
// partition does, so the client sees no error, only silence.
type blackhole struct {
	ln     net.Listener
	target string
	cut    atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func startBlackhole(t *testing.T, target string) *blackhole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackhole{ln: ln, target: target}
	go b.accept()
	t.Cleanup(b.close)
	return b
}

func (b *blackhole) url() string { return "http://" + b.ln.Addr().String() }

func (b *blackhole) accept() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.track(c)
		if b.cut.Load() {
			continue // held open, never relayed
		}
		s, err := net.Dial("tcp", b.target)
		if err != nil {
			c.Close()
			continue
		}
		b.track(s)
		go b.pipe(s, c)
		go b.pipe(c, s)
	}
}

func (b *blackhole) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !b.cut.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (b *blackhole) track(c net.Conn) {
	b.mu.Lock()
	b.conns = append(b.conns, c)
	b.mu.Unlock()
}

func (b *blackhole) close() {
	b.ln.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Close()
	}
}

func hostOf(t *testing.T, rawURL string) string {
	t.Helper()
	const scheme = "http://"
	if len(rawURL) <= len(scheme) || rawURL[:len(scheme)] != scheme {
		t.Fatalf("unexpected client URL %q", rawURL)
	}
	return rawURL[len(scheme):]
}
