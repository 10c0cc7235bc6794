package etcd

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// proxy is a TCP relay on loopback between the driver and an etcd member.
// A test arms it on the connections open at that moment to lose a commit's
// reply or to hold its request back, then cuts them: the gRPC client sees a
// connection that dropped with a request in flight, the case whose outcome
// it cannot know. Connections made after arm (the client's reconnection)
// are relayed normally.
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	conns []*relay
}

// relay is one proxied connection.
type relay struct {
	client, server net.Conn
	// mode is what happens to the bytes: relayed, replies dropped, or
	// requests held.
	mode atomic.Int32
	// dropped counts reply bytes dropped; held and heldBytes are the
	// requests kept back.
	dropped   atomic.Int64
	heldMu    sync.Mutex
	held      []byte
	heldBytes atomic.Int64
	// replied counts the bytes the server sent, relayed or not.
	replied atomic.Int64
	// delayMu orders delayed replies with flush.
	delayMu sync.Mutex
	delayed []byte
}

const (
	relayAll int32 = iota
	dropReplies
	holdRequests
	delayReplies
)

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		r := &relay{client: c, server: s}
		p.mu.Lock()
		p.conns = append(p.conns, r)
		p.mu.Unlock()
		go r.requests()
		go r.replies()
	}
}

func (r *relay) requests() {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.client.Read(buf)
		if n > 0 {
			if r.mode.Load() == holdRequests {
				r.heldMu.Lock()
				r.held = append(r.held, buf[:n]...)
				r.heldMu.Unlock()
				r.heldBytes.Add(int64(n))
			} else if _, werr := r.server.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if r.mode.Load() != holdRequests {
				r.server.Close()
			}
			return
		}
	}
}

func (r *relay) replies() {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.server.Read(buf)
		if n > 0 {
			r.replied.Add(int64(n))
			r.delayMu.Lock()
			switch r.mode.Load() {
			case relayAll:
				_, err = r.client.Write(buf[:n])
			case delayReplies:
				r.delayed = append(r.delayed, buf[:n]...)
			default:
				r.dropped.Add(int64(n))
			}
			r.delayMu.Unlock()
		}
		if err != nil {
			r.client.Close()
			return
		}
	}
}

// arm switches the connections open now to mode and returns them.
func (p *proxy) arm(mode int32) []*relay {
	p.mu.Lock()
	defer p.mu.Unlock()
	armed := p.conns
	p.conns = nil
	for _, r := range armed {
		r.mode.Store(mode)
	}
	return armed
}

// cut closes the client side of rs; a relay holding requests keeps its
// server side open so that release can still deliver them.
func cut(rs []*relay) {
	for _, r := range rs {
		r.client.Close()
		if r.mode.Load() != holdRequests {
			r.server.Close()
		}
	}
}

// withheld counts the reply bytes r dropped or delayed.
func (r *relay) withheld() int64 {
	r.delayMu.Lock()
	defer r.delayMu.Unlock()
	return r.dropped.Load() + int64(len(r.delayed))
}

// flush delivers the replies r delayed, late, and relays from then on.
func (r *relay) flush() error {
	r.delayMu.Lock()
	defer r.delayMu.Unlock()
	r.mode.Store(relayAll)
	_, err := r.client.Write(r.delayed)
	return err
}

// release sends the requests r held to the server, late.
func (r *relay) release() error {
	r.heldMu.Lock()
	defer r.heldMu.Unlock()
	_, err := r.server.Write(r.held)
	return err
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range p.conns {
		r.client.Close()
		r.server.Close()
	}
}
