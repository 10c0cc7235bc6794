package etcd

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// waitUntil polls cond every few milliseconds for up to limit.
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting until %s", limit, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func hostOf(t *testing.T, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// valueOf reads key through s, "" if absent.
func valueOf(t *testing.T, s *Store, key string) (string, int64) {
	t.Helper()
	var it store.Item
	err := s.View(context.Background(), func(tx store.Tx) error {
		var err error
		it, err = tx.Get(key)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", 0
	}
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return string(it.Value), it.Revision
}

func setValue(t *testing.T, s *Store, key, value string) {
	t.Helper()
	err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Put(key, []byte(value)) })
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

// increment adds one to the counter at key, counting its attempts.
func increment(key string, attempts *atomic.Int32) func(store.Tx) error {
	return func(tx store.Tx) error {
		attempts.Add(1)
		it, err := tx.Get(key)
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(string(it.Value))
		if err != nil {
			return err
		}
		return tx.Put(key, []byte(strconv.Itoa(n+1)))
	}
}

// TestCommitAppliedButReplyLost: the cluster applies an increment, and the
// reply never reaches the client, because the connection drops, or because
// the reply is delayed until after the caller's context has ended. Update must find out that its commit
// was applied, report success, and not apply it again: the counter goes up
// by exactly one and fn ran once.
func TestCommitAppliedButReplyLost(t *testing.T) {
	c := single.Get(t)
	for _, lost := range []string{"connection dropped", "reply too late"} {
		t.Run(lost, func(t *testing.T) {
			p := startProxy(t, hostOf(t, c.ClientURLs[0]))
			prefix := newPrefix()
			s := openAt(t, prefix, p.url())
			defer s.Close()
			direct := openAt(t, prefix, c.ClientURLs[0])
			defer direct.Close()
			// Through s, so that it also takes its marker lease now: the
			// proxy is to lose the commit, not the lease grant before it.
			setValue(t, s, "counter", "41")

			mode := dropReplies
			if lost == "reply too late" {
				mode = delayReplies
			}
			var attempts atomic.Int32
			armed := make(chan []*relay, 1)
			s.beforeCommit = func() {
				if attempts.Load() == 1 {
					armed <- p.arm(mode)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- s.Update(ctx, increment("counter", &attempts)) }()

			relays := <-armed
			waitUntil(t, 10*time.Second, "the cluster applied the increment", func() bool {
				v, _ := valueOf(t, direct, "counter")
				return v == "42"
			})
			waitUntil(t, 10*time.Second, "the server replied to the commit", func() bool {
				for _, r := range relays {
					if r.withheld() > 0 {
						return true
					}
				}
				return false
			})
			if mode == dropReplies {
				cut(relays)
			} else {
				// The caller gives up waiting; then the delayed reply
				// arrives, too late for the commit call.
				cancel()
				for _, r := range relays {
					if err := r.flush(); err != nil {
						t.Fatalf("deliver the delayed replies: %v", err)
					}
				}
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Update = %v, want nil: the commit was applied", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("Update did not return within 20s of losing its reply")
			}
			if v, _ := valueOf(t, direct, "counter"); v != "42" {
				t.Errorf("counter = %s after one increment from 41, want 42", v)
			}
			if n := attempts.Load(); n != 1 {
				t.Errorf("fn ran %d times, want once: its commit was applied", n)
			}
		})
	}
}

// TestLostCommitIsFenced: the commit never reaches the cluster before the
// connection drops; it is held back, to arrive later. Update must find that
// it was not applied, run fn again and commit once; and the first commit,
// delivered afterwards, must not apply. fn is a blind write (it reads
// nothing), so no compare on what it read can stop the late commit: only
// the marker's fence does.
func TestLostCommitIsFenced(t *testing.T) {
	c := single.Get(t)
	p := startProxy(t, hostOf(t, c.ClientURLs[0]))
	prefix := newPrefix()
	s := openAt(t, prefix, p.url())
	defer s.Close()
	direct := openAt(t, prefix, c.ClientURLs[0])
	defer direct.Close()
	setValue(t, s, "blind", "0") // takes s's marker lease now, see above

	var attempts atomic.Int32
	armed := make(chan []*relay, 1)
	s.beforeCommit = func() {
		if attempts.Load() == 1 {
			armed <- p.arm(holdRequests)
		}
	}
	done := make(chan error, 1)
	go func() {
		done <- s.Update(context.Background(), func(tx store.Tx) error {
			n := attempts.Add(1)
			return tx.Put("blind", []byte(strconv.Itoa(int(n))))
		})
	}()
	relays := <-armed
	defer func() {
		for _, r := range relays {
			r.server.Close()
		}
	}()
	held := func() (n int64) {
		for _, r := range relays {
			n += r.heldBytes.Load()
		}
		return n
	}
	waitUntil(t, 10*time.Second, "the commit was sent and held", func() bool { return held() > 0 })
	// Let the rest of the request's frames arrive.
	for last := int64(-1); last != held(); {
		last = held()
		time.Sleep(50 * time.Millisecond)
	}
	if v, _ := valueOf(t, direct, "blind"); v != "0" {
		t.Fatalf("blind = %q while the commit was held, want 0", v)
	}
	cut(relays)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Update = %v, want nil after a rerun", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("Update did not return within 20s of losing its connection")
	}
	if n := attempts.Load(); n != 2 {
		t.Errorf("fn ran %d times, want 2: the first commit was lost", n)
	}
	v, rev := valueOf(t, direct, "blind")
	if v != "2" {
		t.Fatalf("blind = %q, want 2 (the second attempt's)", v)
	}

	// Deliver the first attempt's commit now, and wait for the server to
	// answer it (its reply bytes stop coming).
	replies := func() (n int64) {
		for _, r := range relays {
			n += r.replied.Load()
		}
		return n
	}
	before := replies()
	for _, r := range relays {
		if err := r.release(); err != nil {
			t.Fatalf("deliver the held commit: %v", err)
		}
	}
	waitUntil(t, 10*time.Second, "the server answered the late commit", func() bool { return replies() > before })
	for last := int64(-1); last != replies(); {
		last = replies()
		time.Sleep(100 * time.Millisecond)
	}
	if v2, rev2 := valueOf(t, direct, "blind"); v2 != "2" || rev2 != rev {
		t.Errorf("after the lost commit arrived late, blind = %q rev %d; want 2 rev %d: a commit settled as not applied must never apply", v2, rev2, rev)
	}
}
