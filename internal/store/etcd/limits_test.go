package etcd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// TestLimitsDerivedFromEtcdDefaults: the declared limits are etcd's
// defaults less the marker's compare and put, and less the byte reserve.
func TestLimitsDerivedFromEtcdDefaults(t *testing.T) {
	s := openAt(t, newPrefix(), single.Get(t).ClientURLs[0])
	defer s.Close()
	want := store.Limits{MaxOps: 127, MaxBytes: 1536<<10 - 256<<10}
	if got := s.Limits(); got != want {
		t.Errorf("Limits() = %+v, want %+v", got, want)
	}
	// The embedded store enforces the same limits, so that what the
	// service does on one machine fits a cluster.
	if want != store.PortableLimits {
		t.Errorf("store.PortableLimits = %+v, but the driver on etcd's defaults takes %+v", store.PortableLimits, want)
	}
}

// TestLargestTransactionFitsEtcd: an Update at every declared limit at
// once (all its reads, with long keys, all its writes, all its bytes)
// commits on a member running etcd's default --max-txn-ops and
// --max-request-bytes; one byte more is refused by the driver with
// ErrTooLarge, before etcd sees it, and writes nothing.
func TestLargestTransactionFitsEtcd(t *testing.T) {
	s := openAt(t, newPrefix(), single.Get(t).ClientURLs[0])
	defer s.Close()
	lim := s.Limits()
	// A Scan of a long prefix that returns 10 items (11 reads, and a
	// guard naming two long keys), then Gets of long absent keys for the
	// rest of the reads.
	scanPrefix := "scan/" + strings.Repeat("p", 800) + "/"
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for i := range 10 {
			if err := tx.Put(fmt.Sprintf("%s%02d", scanPrefix, i), []byte("v")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("preload: %v", err)
	}
	longKey := func(i int) string { return fmt.Sprintf("absent/%04d/%s", i, strings.Repeat("k", 1500)) }
	largest := func(extraBytes int) func(store.Tx) error {
		return func(tx store.Tx) error {
			items, err := tx.Scan(scanPrefix, "", 0)
			if err != nil || len(items) != 10 {
				return fmt.Errorf("Scan = %d items, %v", len(items), err)
			}
			for i := range lim.MaxOps - 11 {
				if _, err := tx.Get(longKey(i)); !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("Get %d: %v", i, err)
				}
			}
			// MaxOps writes: MaxOps-1 small ones, then one value that
			// takes the bytes written to MaxBytes (plus extraBytes).
			used := 0
			for i := range lim.MaxOps - 1 {
				k := fmt.Sprintf("w/%03d", i)
				if err := tx.Put(k, []byte("v")); err != nil {
					return err
				}
				used += len(k) + 1
			}
			last := "w/last"
			return tx.Put(last, make([]byte, lim.MaxBytes-used-len(last)+extraBytes))
		}
	}
	if err := s.Update(context.Background(), largest(1)); !errors.Is(err, store.ErrTooLarge) {
		t.Errorf("Update one byte past MaxBytes = %v, want ErrTooLarge", err)
	}
	if v, _ := valueOf(t, s, "w/000"); v != "" {
		t.Errorf("the refused Update wrote w/000 = %q", v)
	}
	if err := s.Update(context.Background(), largest(0)); err != nil {
		t.Fatalf("Update at every declared limit = %v, want it to commit on etcd's defaults", err)
	}
	if v, _ := valueOf(t, s, "w/125"); v != "v" {
		t.Errorf("w/125 = %q after the largest Update, want v", v)
	}
	var n int
	err = s.View(context.Background(), func(tx store.Tx) error {
		it, err := tx.Get("w/last")
		n = len(it.Value)
		return err
	})
	if err != nil || n == 0 {
		t.Errorf("w/last: %d bytes, %v", n, err)
	}
}

// TestReadKeysTooLongToCompare: the declared limits bound the keys read in
// number, not in length. An Update that reads keys so long that their
// compares, with the bytes it writes, would not fit in the request etcd
// takes is refused by the driver with ErrTooLarge, not sent to be refused
// by etcd, and writes nothing.
func TestReadKeysTooLongToCompare(t *testing.T) {
	s := openAt(t, newPrefix(), single.Get(t).ClientURLs[0])
	defer s.Close()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for i := range s.Limits().MaxOps - 1 {
			if _, err := tx.Get(fmt.Sprintf("%04d/%s", i, strings.Repeat("k", 4096))); !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if err := tx.Put("canary", []byte("v")); err != nil {
			return err
		}
		return tx.Put("big", make([]byte, s.Limits().MaxBytes-len("canary")-1-len("big")))
	})
	if !errors.Is(err, store.ErrTooLarge) {
		t.Errorf("Update comparing %d keys of 4 KiB = %v, want ErrTooLarge", s.Limits().MaxOps-1, err)
	}
	if v, _ := valueOf(t, s, "canary"); v != "" {
		t.Errorf("the refused Update wrote canary = %q", v)
	}
}
