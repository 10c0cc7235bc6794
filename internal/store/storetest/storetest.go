// Package storetest is the conformance suite for store.Store: every
// implementation (bbolt now, etcd later) runs Run from its own tests, so the
// service above can rely on one behaviour whichever store it is given.
//
// The suite asserts what the store package promises, plus one choice the
// interface leaves open and the service depends on: a context that has
// ended is reported with its own error (errors.Is context.Canceled or
// context.DeadlineExceeded), so a caller can tell it from a storage failure.
//
// Its concurrency cases (isolation.go, snapshot.go, retry.go) are written
// to judge both kinds of driver: one that serialises writers, like bbolt,
// and one that runs Update functions concurrently and reruns them on
// conflict, as the etcd driver will. They force the interleaving that would expose a missing
// guard wherever the driver allows it, and wait a bounded time where it
// does not. The package's own tests prove the suite can judge: they run it
// against an in-memory optimistic store with switchable flaws.
//
// Rerun is a store decorator for the service's tests: it runs every Update
// function twice, so that a side effect outside the transaction shows.
package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// T is what the cases need of a test: *testing.T has it. It is an
// interface so that the package's own tests can run a case against a
// recorder and assert that the case fails on a flawed store.
//
// Only the goroutine running the case may call Fatalf; goroutines a case
// starts report with Errorf and are waited for before the case returns.
type T interface {
	Helper()
	Cleanup(func())
	TempDir() string
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Harness tells Run how to get stores of the implementation under test.
type Harness struct {
	// Open returns a fresh, empty store; the suite closes it.
	Open func(t T) store.Store
	// Reopen closes s and opens the same underlying data again (optional;
	// nil skips the persistence cases).
	Reopen func(t T, s store.Store) store.Store
	// MinAttempts is how many times, at least, the store runs the function
	// of every Update: 0 or 1 for a driver (it reruns only on conflict), 2
	// for Rerun. The FnRunsAgain case holds the store to it.
	MinAttempts int
}

// suiteCase is one behaviour the suite checks.
type suiteCase struct {
	name string
	run  func(T, Harness)
	// needsReopen skips the case when Harness.Reopen is nil.
	needsReopen bool
}

// suite lists the cases in the order Run runs them.
var suite = []suiteCase{
	{name: "GetMissing", run: testGetMissing},
	{name: "RoundTrip", run: testRoundTrip},
	{name: "ReadYourWrites", run: testReadYourWrites},
	{name: "FailedUpdateWritesNothing", run: testFailedUpdate},
	{name: "Scan", run: testScan},
	{name: "ScanPages", run: testScanPages},
	{name: "DeleteMissing", run: testDeleteMissing},
	{name: "Revisions", run: testRevisions},
	{name: "ValuesAreCopies", run: testValuesAreCopies},
	{name: "ViewIsReadOnly", run: testViewIsReadOnly},
	{name: "EndedContext", run: testEndedContext},
	{name: "Closed", run: testClosed},
	{name: "ConcurrentIncrements", run: testConcurrentIncrements},
	{name: "WriteSkew", run: testWriteSkew},
	{name: "CreateIfAbsent", run: testCreateIfAbsent},
	{name: "ScanPhantoms", run: testScanPhantoms},
	{name: "ViewSnapshot", run: testViewSnapshot},
	{name: "FnRunsAgain", run: testFnRunsAgain},
	{name: "Limits", run: testLimits},
	{name: "Persistence", run: testPersistence, needsReopen: true},
	{name: "RevisionsAfterReopen", run: testRevisionsAfterReopen, needsReopen: true},
}

// Run runs the conformance suite, one subtest per behaviour.
func Run(t *testing.T, h Harness) {
	for _, c := range suite {
		t.Run(c.name, func(t *testing.T) {
			if c.needsReopen && h.Reopen == nil {
				t.Skip("Harness.Reopen is nil")
			}
			c.run(t, h)
		})
	}
}

// opened is the store a test works on. Reopen replaces the store inside
// it, so helpers and the cleanup that closes it always see the current one.
type opened struct{ store.Store }

// open returns a fresh store that is closed when the test ends.
func open(t T, h Harness) *opened {
	t.Helper()
	s := &opened{h.Open(t)}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func put(t T, s store.Store, kv ...string) {
	t.Helper()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for i := 0; i < len(kv); i += 2 {
			if err := tx.Put(kv[i], []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update(Put %q): %v", kv, err)
	}
}

func get(t T, s store.Store, key string) store.Item {
	t.Helper()
	var item store.Item
	err := s.View(context.Background(), func(tx store.Tx) error {
		var err error
		item, err = tx.Get(key)
		return err
	})
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return item
}

// wantMissing fails the test unless key is absent.
func wantMissing(t T, s store.Store, key string) {
	t.Helper()
	err := s.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.Get(key)
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(%q) = %v, want ErrNotFound", key, err)
	}
}

func wantValue(t T, s store.Store, key, want string) {
	t.Helper()
	if got := get(t, s, key); string(got.Value) != want || got.Key != key {
		t.Errorf("Get(%q) = key %q value %q, want value %q", key, got.Key, got.Value, want)
	}
}

func scanKeys(t T, tx store.Tx, prefix, after string, limit int) []string {
	t.Helper()
	items, err := tx.Scan(prefix, after, limit)
	if err != nil {
		t.Fatalf("Scan(%q, %q, %d): %v", prefix, after, limit, err)
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	return keys
}
