package etcd

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/storetest"
)

// testBound is the consistency bound of the cached stores of these tests:
// short, so that the tests that wait it out are quick.
const testBound = 300 * time.Millisecond

// openCached opens a store with the cache on the given members.
func openCached(t storetest.T, prefix string, bound time.Duration, endpoints ...string) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, Options{Endpoints: endpoints, Prefix: prefix, Cache: true, ConsistencyBound: bound})
	if err != nil {
		t.Fatalf("Open(%v) with the cache: %v", endpoints, err)
	}
	return s
}

func prefixOf(s *Store) string { return s.keys.data[:len(s.keys.data)-len("d/")] }

// TestSuiteCachedSingleMember runs the conformance suite against a store
// whose Views read the cache.
func TestSuiteCachedSingleMember(t *testing.T) {
	c := single.Get(t)
	storetest.Run(t, storetest.Harness{
		Open: func(t storetest.T) store.Store { return openCached(t, newPrefix(), testBound, c.ClientURLs[0]) },
		Reopen: func(t storetest.T, s store.Store) store.Store {
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return openCached(t, prefixOf(s.(*Store)), testBound, c.ClientURLs[0])
		},
	})
}

// TestSuiteCachedThreeMembers runs the suite against a cached store on a
// three-member cluster, connected to all three.
func TestSuiteCachedThreeMembers(t *testing.T) {
	c := trio.Get(t)
	storetest.Run(t, storetest.Harness{
		Open: func(t storetest.T) store.Store { return openCached(t, newPrefix(), testBound, c.ClientURLs...) },
		Reopen: func(t storetest.T, s store.Store) store.Store {
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return openCached(t, prefixOf(s.(*Store)), testBound, c.ClientURLs...)
		},
	})
}

func put(t *testing.T, s store.Store, key, value string) {
	t.Helper()
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Put(key, []byte(value)) }); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func get(ctx context.Context, s store.Store, key string) (string, error) {
	var v string
	err := s.View(ctx, func(tx store.Tx) error {
		it, err := tx.Get(key)
		v = string(it.Value)
		return err
	})
	return v, err
}

// TestCachedViewsSendNothing: once the cache holds the items, Views (Gets
// and Scans) are answered with no request to etcd, and they read this
// store's own writes at once.
func TestCachedViewsSendNothing(t *testing.T) {
	c := single.Get(t)
	s := openCached(t, newPrefix(), time.Second, c.ClientURLs[0])
	defer s.Close()
	for i := range 20 {
		put(t, s, fmt.Sprintf("k/%02d", i), fmt.Sprint(i))
		// Read-your-writes: the View right after the Update sees it.
		if v, err := get(context.Background(), s, fmt.Sprintf("k/%02d", i)); err != nil || v != fmt.Sprint(i) {
			t.Fatalf("View right after writing k/%02d = %d: %q, %v", i, i, v, err)
		}
	}
	before := s.Stats()
	for range 500 {
		err := s.View(context.Background(), func(tx store.Tx) error {
			if _, err := tx.Get("k/07"); err != nil {
				return err
			}
			items, err := tx.Scan("k/", "k/10", 5)
			if err != nil {
				return err
			}
			if len(items) != 5 || items[0].Key != "k/11" || string(items[4].Value) != "15" {
				return fmt.Errorf("Scan(k/, after k/10, 5) = %v", items)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	after := s.Stats()
	if d := after.Requests["read"] - before.Requests["read"]; d != 0 {
		t.Errorf("500 Views on a warm cache sent %d reads to etcd, want 0", d)
	}
	if d := after.Views["cache"] - before.Views["cache"]; d != 500 {
		t.Errorf("%d of 500 Views were served by the cache", d)
	}
	if d := after.Views["etcd"] - before.Views["etcd"]; d != 0 {
		t.Errorf("%d Views read etcd", d)
	}
}

// TestCacheSeesOtherWritersThroughTheWatch: a write by another store on the
// same prefix reaches the cache through the watch, within the bound, and
// deletions do too.
func TestCacheSeesOtherWritersThroughTheWatch(t *testing.T) {
	c := trio.Get(t)
	prefix := newPrefix()
	reader := openCached(t, prefix, testBound, c.ClientURLs[0])
	defer reader.Close()
	writer := openAt(t, prefix, c.ClientURLs[2])
	defer writer.Close()

	for i := range 10 {
		want := fmt.Sprint(i)
		put(t, writer, "shared", want)
		acked := time.Now()
		waitFor(t, testBound, func() bool { v, err := get(context.Background(), reader, "shared"); return err == nil && v == want })
		if d := time.Since(acked); d > testBound {
			t.Errorf("write %d seen %s after it was acknowledged, over the bound of %s", i, d, testBound)
		}
	}
	if err := writer.Update(context.Background(), func(tx store.Tx) error { return tx.Delete("shared") }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, testBound, func() bool {
		_, err := get(context.Background(), reader, "shared")
		return errors.Is(err, store.ErrNotFound)
	})
	if reader.Stats().Views["etcd"] != 0 {
		t.Errorf("the reader's Views read etcd %d times; the watch should have kept its cache fresh", reader.Stats().Views["etcd"])
	}
}

// waitFor polls cond until it holds, failing the test after within (plus
// scheduling slack on a loaded machine).
func waitFor(t *testing.T, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within + 2*time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// cachedReader opens a cached store at readerURL (testBound) and an
// uncached writer on the same prefix at writerURL, writes key = value with
// the writer and waits until the reader's cache has it.
func cachedReader(t *testing.T, readerURL, writerURL, key, value string) (reader, writer *Store) {
	t.Helper()
	prefix := newPrefix()
	reader = openCached(t, prefix, testBound, readerURL)
	t.Cleanup(func() { reader.Close() })
	writer = openAt(t, prefix, writerURL)
	t.Cleanup(func() { writer.Close() })
	put(t, writer, key, value)
	waitFor(t, testBound, func() bool { v, _ := get(context.Background(), reader, key); return v == value })
	return reader, writer
}

// TestStalledWatchIsNotServed: while the cache's watch is stalled, a View
// never returns what the cache holds once the bound has passed: it reads
// etcd, and sees the write the cache missed. When the watch resumes, Views
// go back to the cache.
func TestStalledWatchIsNotServed(t *testing.T) {
	c := single.Get(t)
	reader, writer := cachedReader(t, c.ClientURLs[0], c.ClientURLs[0], "state", "Enabled")

	reader.mirror.stall.Lock()
	put(t, writer, "state", "Disabled")
	acked := time.Now()
	// Until the bound has passed the cache may still answer "Enabled";
	// from then on every View must see "Disabled".
	for time.Since(acked) < 3*testBound {
		v, err := get(context.Background(), reader, "state")
		if err != nil {
			t.Fatal(err)
		}
		if v == "Enabled" && time.Since(acked) > testBound {
			t.Fatalf("%s after the write was acknowledged, with the watch stalled, a View still read the old value", time.Since(acked))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if reader.Stats().Views["etcd"] == 0 {
		t.Error("no View read etcd while the watch was stalled")
	}
	reader.mirror.stall.Unlock()
	before := reader.Stats()
	waitFor(t, testBound, func() bool {
		b := reader.Stats()
		_, err := get(context.Background(), reader, "state")
		return err == nil && reader.Stats().Views["cache"] > b.Views["cache"]
	})
	if before.Views["cache"] == reader.Stats().Views["cache"] {
		t.Error("after the watch resumed, Views did not go back to the cache")
	}
}

// TestCutOffStoreRefusesRatherThanServesStale: a store cut off from etcd
// (its requests held back by a proxy) answers from its cache only until the
// bound passes; then its Views fail with store.ErrUnavailable, and never
// return the value another writer has since replaced.
func TestCutOffStoreRefusesRatherThanServesStale(t *testing.T) {
	c := single.Get(t)
	p := startProxy(t, c.ClientURLs[0][len("http://"):])
	reader, writer := cachedReader(t, p.url(), c.ClientURLs[0], "state", "Enabled")

	held := p.arm(holdRequests)
	put(t, writer, "state", "Disabled")
	acked := time.Now()
	var refused bool
	for time.Since(acked) < 3*testBound {
		ctx, cancel := context.WithTimeout(context.Background(), testBound)
		v, err := get(ctx, reader, "state")
		cancel()
		switch {
		case err == nil && v == "Enabled" && time.Since(acked) > testBound:
			t.Fatalf("%s after the write, cut off from etcd, the store still served the old value", time.Since(acked))
		case err != nil && !errors.Is(err, store.ErrUnavailable):
			t.Fatalf("a cut-off store's View failed with %v, want an error wrapping store.ErrUnavailable", err)
		case err != nil:
			refused = true
		}
	}
	if !refused {
		t.Error("the cut-off store never refused a View")
	}
	// Heal: drop the held connections; the client connects again.
	cut(held)
	for _, r := range held {
		r.server.Close()
	}
	waitFor(t, 5*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), testBound)
		defer cancel()
		v, err := get(ctx, reader, "state")
		return err == nil && v == "Disabled"
	})
}

// TestCacheReloadsWhenItsWatchEnds: when the cache's watch ends (here
// cancelled, as etcd cancels a watch whose revision it has compacted, or
// one on a member that lost its leader), the cache loads everything again
// rather than resume from its revision, which etcd may no longer have: the
// test compacts past it first. Changes made meanwhile are all seen.
func TestCacheReloadsWhenItsWatchEnds(t *testing.T) {
	c := single.Get(t)
	reader, writer := cachedReader(t, c.ClientURLs[0], c.ClientURLs[0], "gone", "soon")

	reader.mirror.stall.Lock()
	if err := writer.Update(context.Background(), func(tx store.Tx) error { return tx.Delete("gone") }); err != nil {
		t.Fatal(err)
	}
	put(t, writer, "new", "value")
	resp, err := writer.cli.Get(context.Background(), "any")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writer.cli.Compact(context.Background(), resp.Header.Revision); err != nil {
		t.Fatal(err)
	}
	reloads := reader.Stats().CacheReloads
	reader.mirror.mu.Lock()
	reader.mirror.endWatch()
	reader.mirror.mu.Unlock()
	reader.mirror.stall.Unlock()
	waitFor(t, 5*time.Second, func() bool {
		_, errGone := get(context.Background(), reader, "gone")
		v, err := get(context.Background(), reader, "new")
		return errors.Is(errGone, store.ErrNotFound) && err == nil && v == "value"
	})
	if reader.Stats().CacheReloads == reloads {
		t.Error("the cache did not load again after its watch ended")
	}
	if got := reader.Stats().Views["cache"]; got == 0 {
		t.Error("no View was served by the reloaded cache")
	}
}
