package storetest

import (
	"context"
	"errors"
	"fmt"

	"github.com/trent-kms/trent/internal/store"
)

// testLimits holds the store to the Limits it declares, counted as
// store.Limits says: an Update exactly at a limit commits; one past it
// fails with ErrTooLarge and writes nothing, even if fn drops the error. A
// View is not limited.
func testLimits(t T, h Harness) {
	s := open(t, h)
	lim := s.Limits()
	if lim.MaxOps < 4 || lim.MaxBytes < 64 {
		t.Fatalf("Limits() = %+v; a store must allow useful transactions", lim)
	}
	n := lim.MaxOps
	key := func(prefix string, i int) string { return fmt.Sprintf("%s/%06d", prefix, i) }
	// commits runs fn and fails the test unless the Update commits.
	commits := func(what string, fn func(store.Tx) error) {
		t.Helper()
		if err := s.Update(context.Background(), fn); err != nil {
			t.Errorf("%s: Update = %v, want it to commit", what, err)
		}
	}
	// tooLarge runs fn, fails the test unless the Update fails with
	// ErrTooLarge, and checks that canary, which fn writes first, was not
	// written.
	tooLarge := func(what, canary string, fn func(store.Tx) error) {
		t.Helper()
		if err := s.Update(context.Background(), fn); !errors.Is(err, store.ErrTooLarge) {
			t.Errorf("%s: Update = %v, want ErrTooLarge", what, err)
		}
		wantMissing(t, s, canary)
	}

	// Writes: distinct keys Put or Deleted, a Delete counting even when
	// the key is missing.
	commits(fmt.Sprintf("%d distinct writes", n), func(tx store.Tx) error {
		for i := range n - 1 {
			if err := tx.Put(key("w", i), []byte("v")); err != nil {
				return err
			}
		}
		if err := tx.Put(key("w", 0), []byte("again")); err != nil {
			return err
		}
		return tx.Delete("w/missing")
	})
	wantValue(t, s, key("w", 0), "again")
	tooLarge(fmt.Sprintf("%d distinct writes", n+1), key("x", 0), func(tx store.Tx) error {
		for i := range n {
			if err := tx.Put(key("x", i), []byte("v")); err != nil {
				return err
			}
		}
		err := tx.Delete("x/one-more")
		if !errors.Is(err, store.ErrTooLarge) {
			t.Errorf("Delete as write %d of at most %d = %v, want ErrTooLarge", n+1, n, err)
		}
		return err
	})
	tooLarge("fn dropping ErrTooLarge", key("y", 0), func(tx store.Tx) error {
		for i := range n + 1 {
			_ = tx.Put(key("y", i), []byte("v"))
		}
		return nil
	})

	// Reads: distinct keys read by Get (found or not) or returned by a
	// Scan, plus one per Scan call.
	commits("preload", func(tx store.Tx) error {
		for i := range n - 1 {
			if err := tx.Put(key("r", i), []byte("v")); err != nil {
				return err
			}
		}
		return nil
	})
	commits(fmt.Sprintf("%d reads and %d writes", n, n), func(tx store.Tx) error {
		// 1 read; the Scan then adds itself and the n-2 items not read yet.
		if _, err := tx.Get(key("r", 0)); err != nil {
			return err
		}
		if items, err := tx.Scan("r/", "", 0); err != nil || len(items) != n-1 {
			return fmt.Errorf("Scan = %d items, %v; want %d", len(items), err, n-1)
		}
		if _, err := tx.Get(key("r", 1)); err != nil {
			return err
		}
		for i := range n {
			if err := tx.Put(key("rw", i), nil); err != nil {
				return err
			}
		}
		return nil
	})
	tooLarge(fmt.Sprintf("%d Gets", n+1), "g/canary", func(tx store.Tx) error {
		if err := tx.Put("g/canary", nil); err != nil {
			return err
		}
		for i := range n {
			if _, err := tx.Get(key("g", i)); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("Get %d of at most %d = %v, want ErrNotFound", i+1, n, err)
			}
		}
		_, err := tx.Get("g/one-more")
		return err
	})
	tooLarge(fmt.Sprintf("%d Scans of an empty range", n+1), "s/canary", func(tx store.Tx) error {
		if err := tx.Put("s/canary", nil); err != nil {
			return err
		}
		for i := range n {
			if _, err := tx.Scan("empty/", "", 0); err != nil {
				return fmt.Errorf("Scan %d of at most %d: %w", i+1, n, err)
			}
		}
		_, err := tx.Scan("empty/", "", 0)
		return err
	})
	tooLarge("a Scan whose items go past the limit", "i/canary", func(tx store.Tx) error {
		if err := tx.Put("i/canary", nil); err != nil {
			return err
		}
		if _, err := tx.Get("i/other"); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		_, err := tx.Scan("r/", "", 0) // n-1 items + 1 Scan + 1 Get
		return err
	})

	// Bytes: keys and values written, each key counted once with its last
	// value.
	m := lim.MaxBytes
	commits(fmt.Sprintf("%d bytes", m), func(tx store.Tx) error {
		if err := tx.Put("b/1", make([]byte, m/2)); err != nil {
			return err
		}
		if err := tx.Put("b/1", make([]byte, m-len("b/1")-len("b/2"))); err != nil {
			return err
		}
		return tx.Delete("b/2")
	})
	if got := len(get(t, s, "b/1").Value); got != m-6 {
		t.Errorf("b/1 holds %d bytes, want %d", got, m-6)
	}
	tooLarge(fmt.Sprintf("%d bytes", m+1), "c/1", func(tx store.Tx) error {
		if err := tx.Put("c/1", make([]byte, m-len("c/1")-len("c/2"))); err != nil {
			return err
		}
		return tx.Put("c/2", []byte("x"))
	})

	// A View is not limited.
	err := s.View(context.Background(), func(tx store.Tx) error {
		for i := range n + 1 {
			if _, err := tx.Get(key("v", i)); !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if _, err := tx.Scan("r/", "", 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Errorf("View reading past the Update limits: %v", err)
	}
}
