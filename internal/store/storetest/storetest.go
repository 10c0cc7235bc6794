// Package storetest is the conformance suite for store.Store: every
// implementation (bbolt now, etcd later) runs Run from its own tests, so the
// service above can rely on one behaviour whichever store it is given.
//
// The suite asserts what the store package promises, plus one choice the
// interface leaves open and the service depends on: a context that has
// ended is reported with its own error (errors.Is context.Canceled or
// context.DeadlineExceeded), so a caller can tell it from a storage failure.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// Harness tells Run how to get stores of the implementation under test.
type Harness struct {
	// Open returns a fresh, empty store; the suite closes it.
	Open func(t *testing.T) store.Store
	// Reopen closes s and opens the same underlying data again (optional;
	// nil skips the persistence cases).
	Reopen func(t *testing.T, s store.Store) store.Store
}

// Run runs the conformance suite, one subtest per behaviour.
func Run(t *testing.T, h Harness) {
	cases := []struct {
		name string
		run  func(*testing.T, Harness)
	}{
		{"GetMissing", testGetMissing},
		{"RoundTrip", testRoundTrip},
		{"ReadYourWrites", testReadYourWrites},
		{"FailedUpdateWritesNothing", testFailedUpdate},
		{"Scan", testScan},
		{"ScanPages", testScanPages},
		{"DeleteMissing", testDeleteMissing},
		{"Revisions", testRevisions},
		{"ValuesAreCopies", testValuesAreCopies},
		{"ViewIsReadOnly", testViewIsReadOnly},
		{"EndedContext", testEndedContext},
		{"Closed", testClosed},
		{"ConcurrentIncrements", testConcurrentIncrements},
		{"Persistence", testPersistence},
		{"RevisionsAfterReopen", testRevisionsAfterReopen},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, h) })
	}
}

// opened is the store a test works on. Reopen replaces the store inside
// it, so helpers and the cleanup that closes it always see the current one.
type opened struct{ store.Store }

// open returns a fresh store that is closed when the test ends.
func open(t *testing.T, h Harness) *opened {
	t.Helper()
	s := &opened{h.Open(t)}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func put(t *testing.T, s store.Store, kv ...string) {
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

func get(t *testing.T, s store.Store, key string) store.Item {
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
func wantMissing(t *testing.T, s store.Store, key string) {
	t.Helper()
	err := s.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.Get(key)
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(%q) = %v, want ErrNotFound", key, err)
	}
}

func wantValue(t *testing.T, s store.Store, key, want string) {
	t.Helper()
	if got := get(t, s, key); string(got.Value) != want || got.Key != key {
		t.Errorf("Get(%q) = key %q value %q, want value %q", key, got.Key, got.Value, want)
	}
}

func scanKeys(t *testing.T, tx store.Tx, prefix, after string, limit int) []string {
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

func testGetMissing(t *testing.T, h Harness) {
	s := open(t, h)
	wantMissing(t, s, "missing")
	// Neighbours of a stored key must not be mistaken for it by a
	// seek-based lookup.
	put(t, s, "ab", "v")
	for _, key := range []string{"a", "abc", "aa", "b"} {
		wantMissing(t, s, key)
	}
	err := s.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Get("missing")
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get in Update = %v, want ErrNotFound", err)
	}
}

func testRoundTrip(t *testing.T, h Harness) {
	s := open(t, h)
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>8)
	}
	cases := []struct{ key, value string }{
		{"plain", "value"},
		{"empty-value", ""},
		{"big", string(big)},
		{"a/b/c/", "slashes"},
		{"ключ/日本/🔑", "unicode"},
		{"\xff", "one 0xff byte"},
		{"k\xff\xfe\x00end", "high and NUL bytes"},
	}
	for _, c := range cases {
		put(t, s, c.key, c.value)
	}
	for _, c := range cases {
		got := get(t, s, c.key)
		if got.Key != c.key || !bytes.Equal(got.Value, []byte(c.value)) {
			t.Errorf("Get(%q) = key %q, %d-byte value; want the %d bytes put", c.key, got.Key, len(got.Value), len(c.value))
		}
		if got.Revision <= 0 {
			t.Errorf("Get(%q).Revision = %d, want > 0", c.key, got.Revision)
		}
	}
	put(t, s, "plain", "replaced")
	wantValue(t, s, "plain", "replaced")
}

func testDeleteMissing(t *testing.T, h Harness) {
	s := open(t, h)
	put(t, s, "k", "v")
	for range 2 {
		err := s.Update(context.Background(), func(tx store.Tx) error {
			if err := tx.Delete("never-existed"); err != nil {
				return err
			}
			return tx.Delete("k")
		})
		if err != nil {
			t.Fatalf("Update(Delete): %v", err)
		}
		wantMissing(t, s, "k")
	}
}

func testRevisions(t *testing.T, h Harness) {
	s := open(t, h)
	put(t, s, "a", "1", "b", "1")
	a1, b1 := get(t, s, "a"), get(t, s, "b")
	if a1.Revision <= 0 || a1.Revision != b1.Revision {
		t.Fatalf("one Update gave revisions %d and %d, want one positive revision", a1.Revision, b1.Revision)
	}
	put(t, s, "b", "2", "c", "2")
	a2, b2, c2 := get(t, s, "a"), get(t, s, "b"), get(t, s, "c")
	if b2.Revision <= b1.Revision || c2.Revision != b2.Revision {
		t.Errorf("second Update: b rev %d, c rev %d; want equal and > %d", b2.Revision, c2.Revision, b1.Revision)
	}
	if a2.Revision != a1.Revision {
		t.Errorf("a not written, but its revision went %d → %d", a1.Revision, a2.Revision)
	}
	// Writing the same bytes again is still a write.
	put(t, s, "a", "1")
	if a3 := get(t, s, "a"); a3.Revision <= b2.Revision {
		t.Errorf("rewriting a gave revision %d, want > %d", a3.Revision, b2.Revision)
	}
	// A key deleted and created again must not look unchanged to a reader
	// that remembered its old revision.
	last := get(t, s, "c").Revision
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Delete("c") }); err != nil {
		t.Fatal(err)
	}
	put(t, s, "c", "2")
	if c3 := get(t, s, "c"); c3.Revision <= last {
		t.Errorf("recreated c has revision %d, want > %d", c3.Revision, last)
	}
	// Scan reports the same revisions as Get.
	var items []store.Item
	err := s.View(context.Background(), func(tx store.Tx) error {
		var err error
		items, err = tx.Scan("", "", 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if g := get(t, s, it.Key); g.Revision != it.Revision {
			t.Errorf("%q: Scan revision %d, Get revision %d", it.Key, it.Revision, g.Revision)
		}
	}
}

func testValuesAreCopies(t *testing.T, h Harness) {
	s := open(t, h)
	buf := []byte("original")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.Put("k", buf); err != nil {
			return err
		}
		// Mutated after Put but before commit: the store keeps what Put saw.
		buf[0] = 'X'
		it, err := tx.Get("k")
		if err != nil {
			return err
		}
		if string(it.Value) != "original" {
			t.Errorf("Get after mutating Put's slice = %q", it.Value)
		}
		it.Value[0] = 'Y'
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	copy(buf, "mutated!")
	wantValue(t, s, "k", "original")

	err = s.View(context.Background(), func(tx store.Tx) error {
		it, err := tx.Get("k")
		if err != nil {
			return err
		}
		clear(it.Value)
		items, err := tx.Scan("", "", 0)
		if err != nil {
			return err
		}
		clear(items[0].Value)
		again, err := tx.Get("k")
		if err != nil {
			return err
		}
		if string(again.Value) != "original" {
			t.Errorf("Get after mutating returned values in the same View = %q", again.Value)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, s, "k", "original")
}
