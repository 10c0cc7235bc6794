package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/storetest"
)

// fataler is what mustOpen needs of a test: both testing.TB and
// storetest.T have it.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func mustOpen(tb fataler, path string) *Store {
	tb.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		tb.Fatalf("%v", err)
	}
	return s
}

// openTemp opens a store in a fresh directory and closes it when the test
// ends.
func openTemp(tb testing.TB) *Store {
	tb.Helper()
	s := mustOpen(tb, filepath.Join(tb.TempDir(), "trent.db"))
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t storetest.T) store.Store {
			return mustOpen(t, filepath.Join(t.TempDir(), "trent.db"))
		},
		Reopen: func(t storetest.T, s store.Store) store.Store {
			return reopen(t, s.(*Store))
		},
	})
}

// reopen is the harness's Reopen for a bare bbolt store.
func reopen(t storetest.T, b *Store) *Store {
	// Every reopen doubles as a consistency check of what the suite has
	// written so far.
	if err := b.Check(); err != nil {
		t.Errorf("Check before reopen: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("%v", err)
	}
	return mustOpen(t, b.Path())
}

// TestConformanceRerun runs the suite on bbolt under storetest.Rerun, as
// the service's end-to-end tests use it: every fn runs twice.
func TestConformanceRerun(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t storetest.T) store.Store {
			return storetest.Rerun(mustOpen(t, filepath.Join(t.TempDir(), "trent.db")))
		},
		Reopen: func(t storetest.T, s store.Store) store.Store {
			return storetest.Rerun(reopen(t, s.(*storetest.RerunStore).Inner().(*Store)))
		},
		MinAttempts: 2,
	})
}

func TestOpenLockedFile(t *testing.T) {
	holder := openTemp(t)
	done := make(chan error, 1)
	go func() {
		s, err := Open(holder.Path(), Options{Timeout: 100 * time.Millisecond})
		if err == nil {
			s.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("second Open of a locked file succeeded")
		}
		if msg := err.Error(); !strings.Contains(msg, holder.Path()) || !strings.Contains(msg, "another trent process") {
			t.Errorf("error %q does not name the file and the likely cause", msg)
		}
		if !errors.Is(err, berrors.ErrTimeout) {
			t.Errorf("error %v does not wrap bbolt's timeout", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("second Open still waiting after 2s with a 100ms timeout")
	}
	// Closing releases the lock.
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}
	if err := holder.Check(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Check after Close = %v, want ErrClosed", err)
	}
	mustOpen(t, holder.Path()).Close()
}

// rawUpdate edits a closed data file behind the store's back.
func rawUpdate(t *testing.T, path string, fn func(*bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func setFormat(version uint32) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) error {
		return tx.Bucket(metaBucket).Put(formatKey, binary.BigEndian.AppendUint32(nil, version))
	}
}

func TestOpenRefusesFile(t *testing.T) {
	cases := []struct {
		name string
		// damage turns a fresh, closed data file into one Open must refuse.
		damage func(t *testing.T, path string)
		want   string
	}{
		{"newer format", func(t *testing.T, path string) {
			rawUpdate(t, path, setFormat(formatVersion+1))
		}, "has format version 2; this trent understands up to 1"},
		{"format zero", func(t *testing.T, path string) {
			rawUpdate(t, path, setFormat(0))
		}, "has format version 0, which this trent cannot migrate"},
		{"malformed format", func(t *testing.T, path string) {
			rawUpdate(t, path, func(tx *bbolt.Tx) error { return tx.Bucket(metaBucket).Put(formatKey, []byte{1}) })
		}, "malformed format version"},
		{"no data bucket", func(t *testing.T, path string) {
			rawUpdate(t, path, func(tx *bbolt.Tx) error { return tx.DeleteBucket(dataBucket) })
		}, `no "data" bucket`},
		{"malformed revision", func(t *testing.T, path string) {
			rawUpdate(t, path, func(tx *bbolt.Tx) error { return tx.Bucket(metaBucket).Put(revisionKey, []byte{1}) })
		}, "meta revision is malformed"},
		{"another program's bbolt file", func(t *testing.T, path string) {
			rawUpdate(t, path, func(tx *bbolt.Tx) error {
				if err := tx.DeleteBucket(metaBucket); err != nil {
					return err
				}
				_, err := tx.CreateBucket([]byte("sessions"))
				return err
			})
		}, "not a trent data file"},
		{"not a bbolt file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(strings.Repeat("not bbolt ", 1000)), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "invalid database"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "trent.db")
			if err := mustOpen(t, path).Close(); err != nil {
				t.Fatal(err)
			}
			c.damage(t, path)
			s, err := Open(path, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Open error = %q, want it to name %s and say %q", err, path, c.want)
			}
		})
	}
}

// TestOpenLeavesNewerFileAlone checks that refusing a newer file does not
// also rewrite it, so the newer trent can still read it.
func TestOpenLeavesNewerFileAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trent.db")
	mustOpen(t, path).Close()
	rawUpdate(t, path, setFormat(formatVersion+1))
	if _, err := Open(path, Options{}); err == nil {
		t.Fatal("Open succeeded")
	}
	rawUpdate(t, path, func(tx *bbolt.Tx) error {
		if got := binary.BigEndian.Uint32(tx.Bucket(metaBucket).Get(formatKey)); got != formatVersion+1 {
			t.Errorf("format is %d after a refused Open, want %d", got, formatVersion+1)
		}
		return nil
	})
}

// TestRevisionCounter checks what the suite cannot assume of every store:
// here revisions are dense, and only an Update that writes consumes one.
func TestRevisionCounter(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	revisionOf := func(key string) int64 {
		var rev int64
		if err := s.View(ctx, func(tx store.Tx) error {
			it, err := tx.Get(key)
			rev = it.Revision
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return rev
	}
	putKey := func(key string) {
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put(key, nil) }); err != nil {
			t.Fatal(err)
		}
	}
	putKey("a")
	if got := revisionOf("a"); got != 1 {
		t.Fatalf("first write on a fresh file has revision %d, want 1", got)
	}
	readOnly := func(tx store.Tx) error {
		if _, err := tx.Get("a"); err != nil {
			return err
		}
		return tx.Delete("missing")
	}
	if err := s.Update(ctx, readOnly); err != nil {
		t.Fatal(err)
	}
	errFn := errors.New("fn failed")
	failing := func(tx store.Tx) error {
		if err := tx.Put("x", nil); err != nil {
			return err
		}
		return errFn
	}
	if err := s.Update(ctx, failing); !errors.Is(err, errFn) {
		t.Fatalf("failing Update = %v, want %v", err, errFn)
	}
	putKey("b")
	if got := revisionOf("b"); got != 2 {
		t.Errorf("write after a read-only and a failed Update has revision %d, want 2", got)
	}
	if err := s.db.View(func(tx *bbolt.Tx) error {
		last, err := lastRevision(tx)
		if last != 2 {
			t.Errorf("meta revision = %d, want 2", last)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestCorruptItem checks that a damaged record surfaces as a failure, never
// as ErrNotFound (which the service would turn into "key does not exist").
func TestCorruptItem(t *testing.T) {
	s := openTemp(t)
	if err := s.db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(dataBucket).Put([]byte("k"), []byte{0, 1}) }); err != nil {
		t.Fatal(err)
	}
	err := s.View(context.Background(), func(tx store.Tx) error {
		if _, err := tx.Get("k"); err == nil || errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get of a corrupt item = %v, want a corruption error", err)
		}
		if _, err := tx.Scan("", "", 0); err == nil {
			t.Error("Scan over a corrupt item succeeded")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("Check = %v, want it to report the corrupt item", err)
	}
}

func TestPanicInUpdateReleasesStore(t *testing.T) {
	s := openTemp(t)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic did not propagate")
			}
		}()
		s.Update(context.Background(), func(tx store.Tx) error {
			tx.Put("half", []byte("done"))
			panic("fn failed")
		})
	}()
	// A timeout turns a writer left locked into a failure instead of a hang.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("next", nil) }); err != nil {
		t.Fatalf("Update after a panicking one: %v", err)
	}
	if err := s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.Get("half"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(half) = %v, want ErrNotFound", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestQueuedUpdateHonoursContext checks that an Update waiting behind a
// slow one gives up when its context ends, rather than when the slow one
// finishes.
func TestQueuedUpdateHonoursContext(t *testing.T) {
	s := openTemp(t)
	held, release, slowDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		slowDone <- s.Update(context.Background(), func(tx store.Tx) error {
			close(held)
			<-release
			return tx.Put("slow", nil)
		})
	}()
	<-held
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	queued := make(chan error, 1)
	go func() { queued <- s.Update(ctx, func(tx store.Tx) error { return tx.Put("queued", nil) }) }()
	select {
	case err := <-queued:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("queued Update = %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("queued Update still waiting 5s after its deadline")
	}
	close(release)
	if err := <-slowDone; err != nil {
		t.Fatal(err)
	}
}

func TestTxUsedAfterReturn(t *testing.T) {
	s := openTemp(t)
	var kept store.Tx
	if err := s.Update(context.Background(), func(tx store.Tx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := kept.Get("k"); !errors.Is(err, errTxDone) {
		t.Errorf("Get on a finished Tx = %v, want errTxDone", err)
	}
	if err := kept.Put("k", nil); !errors.Is(err, errTxDone) {
		t.Errorf("Put on a finished Tx = %v, want errTxDone", err)
	}
}
