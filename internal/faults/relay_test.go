package faults

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// relay is a TCP forwarder owned by the test, in the root namespace, that
// one Trent node reaches an etcd member through. It adds no delay until
// setDelay is called; then it holds every chunk it reads, in either
// direction, for that long before passing it on, keeping order — the delay
// emulation for kernels without netem (see faultnet_test.go). Each chunk
// waits on its own, so throughput is unchanged: it adds latency, not a
// bandwidth limit.
type relay struct {
	ln     net.Listener
	target string
	delay  atomic.Int64 // nanoseconds
	mu     sync.Mutex
	conns  map[net.Conn]bool
	closed bool
	wg     sync.WaitGroup
}

// startRelay listens on listenIP (any port) and forwards to target.
func startRelay(t *testing.T, listenIP, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(listenIP, "0"))
	if err != nil {
		t.Fatalf("relay listen: %v", err)
	}
	r := &relay{ln: ln, target: target, conns: map[net.Conn]bool{}}
	r.wg.Add(1)
	go r.accept()
	t.Cleanup(r.close)
	return r
}

func (r *relay) addr() string { return r.ln.Addr().String() }

func (r *relay) setDelay(d time.Duration) { r.delay.Store(int64(d)) }

func (r *relay) accept() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.wg.Add(1)
		go r.serve(c)
	}
}

// serve forwards one connection until either side ends.
func (r *relay) serve(c net.Conn) {
	defer r.wg.Done()
	up, err := net.DialTimeout("tcp", r.target, 3*time.Second)
	if err != nil {
		c.Close()
		return
	}
	if !r.track(c, up) {
		return
	}
	var done sync.WaitGroup
	done.Add(2)
	go func() { defer done.Done(); r.pipe(up, c) }()
	go func() { defer done.Done(); r.pipe(c, up) }()
	done.Wait()
	r.untrack(c, up)
}

// pipe copies src to dst, each chunk released delay after it was read.
// When either side fails both are closed, so the other pipe ends too.
func (r *relay) pipe(dst, src net.Conn) {
	type chunk struct {
		data []byte
		due  time.Time
	}
	queue := make(chan chunk, 1024)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				queue <- chunk{buf[:n], time.Now().Add(time.Duration(r.delay.Load()))}
			}
			if err != nil {
				return
			}
		}
	}()
	for ch := range queue {
		if wait := time.Until(ch.due); wait > 0 {
			time.Sleep(wait)
		}
		if _, err := dst.Write(ch.data); err != nil {
			break
		}
	}
	src.Close()
	dst.Close()
	for range queue { // let the reader end
	}
}

func (r *relay) track(cs ...net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	for _, c := range cs {
		r.conns[c] = true
	}
	return true
}

func (r *relay) untrack(cs ...net.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cs {
		delete(r.conns, c)
	}
}

// close stops the relay and ends its connections.
func (r *relay) close() {
	r.mu.Lock()
	r.closed = true
	for c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	r.ln.Close()
	r.wg.Wait()
}
