package etcd

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// TestOutcomeUnknownPastTheLeaseWindow: when the reply of an applied commit
// is lost and, by the store's clock, its marker's lease may have expired
// before the fence could look, the fence's answer could not be trusted (an
// expired marker looks like one never written). Update must then say the
// outcome is unknown, not guess.
func TestOutcomeUnknownPastTheLeaseWindow(t *testing.T) {
	c := single.Get(t)
	p := startProxy(t, hostOf(t, c.ClientURLs[0]))
	prefix := newPrefix()
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, Options{Endpoints: []string{p.url()}, Prefix: prefix, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	direct := openAt(t, prefix, c.ClientURLs[0])
	defer direct.Close()
	setValue(t, s, "counter", "41") // takes the marker lease now

	var attempts atomic.Int32
	armed := make(chan []*relay, 1)
	s.beforeCommit = func() {
		if attempts.Load() == 1 {
			armed <- p.arm(dropReplies)
		}
	}
	done := make(chan error, 1)
	go func() { done <- s.Update(context.Background(), increment("counter", &attempts)) }()
	relays := <-armed
	waitUntil(t, 10*time.Second, "the cluster applied the increment", func() bool {
		v, _ := valueOf(t, direct, "counter")
		return v == "42"
	})
	clk.Advance(markerTTL - trustMargin)
	cut(relays)
	select {
	case err := <-done:
		if !errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("Update = %v, want ErrOutcomeUnknown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("Update did not return within 20s of losing its reply")
	}
	if n := attempts.Load(); n != 1 {
		t.Errorf("fn ran %d times; with the outcome unknown it must not run again", n)
	}
}

// TestMarkerLeaseGone: a marker lease that etcd no longer has (revoked
// here; expired early in life) makes the commit fail before it applies.
// The store takes a new lease and the Update commits once.
func TestMarkerLeaseGone(t *testing.T) {
	s := openAt(t, newPrefix(), single.Get(t).ClientURLs[0])
	defer s.Close()
	setValue(t, s, "counter", "1")
	lease, err := s.markers.current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.cli.Revoke(context.Background(), lease.id); err != nil {
		t.Fatalf("revoke the marker lease: %v", err)
	}
	var attempts atomic.Int32
	if err := s.Update(context.Background(), increment("counter", &attempts)); err != nil {
		t.Fatalf("Update after the lease was revoked = %v", err)
	}
	if v, _ := valueOf(t, s, "counter"); v != "2" {
		t.Errorf("counter = %s, want 2", v)
	}
	if n := attempts.Load(); n != 2 {
		t.Errorf("fn ran %d times, want 2: one refused for the lease, one committed", n)
	}
	if again, _ := s.markers.current(context.Background()); again.id == lease.id {
		t.Errorf("the store still uses the revoked lease %x", lease.id)
	}
}

// TestOpenRefusesBadOptions: each refusal names the setting and why.
func TestOpenRefusesBadOptions(t *testing.T) {
	closed, err := etcdtest.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"no endpoints", Options{}, "no endpoints"},
		{"long prefix", Options{Endpoints: []string{"http://127.0.0.1:1"}, Prefix: string(make([]byte, 129))}, "prefix is 129 bytes"},
		{"small max txn ops", Options{Endpoints: []string{"http://127.0.0.1:1"}, MaxTxnOps: 4}, "max txn ops 4"},
		{"small max request", Options{Endpoints: []string{"http://127.0.0.1:1"}, MaxRequestBytes: 1000}, "max request bytes 1000"},
		{"nobody there", Options{Endpoints: []string{"http://127.0.0.1:" + strconv.Itoa(closed[0])}, DialTimeout: 300 * time.Millisecond}, "no answer from"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			s, err := Open(context.Background(), c.opts)
			if err == nil {
				s.Close()
				t.Fatalf("Open succeeded, want an error containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open = %v, want an error containing %q", err, c.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Open took %s to fail", d)
			}
		})
	}
}
