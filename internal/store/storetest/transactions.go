package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/trent-kms/trent/internal/store"
)

func testReadYourWrites(t T, h Harness) {
	s := open(t, h)
	put(t, s, "a/0", "old", "a/9", "old")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.Put("a/1", []byte("new")); err != nil {
			return err
		}
		if err := tx.Put("a/9", []byte("replaced")); err != nil {
			return err
		}
		if it, err := tx.Get("a/1"); err != nil || string(it.Value) != "new" {
			t.Errorf("Get(a/1) after Put = %q, %v; want new", it.Value, err)
		}
		if it, err := tx.Get("a/9"); err != nil || string(it.Value) != "replaced" {
			t.Errorf("Get(a/9) after Put = %q, %v; want replaced", it.Value, err)
		}
		if got, want := scanKeys(t, tx, "a/", "", 0), []string{"a/0", "a/1", "a/9"}; !slices.Equal(got, want) {
			t.Errorf("Scan after Put = %q, want %q", got, want)
		}
		// Delete both a committed key and one written by this transaction.
		for _, key := range []string{"a/0", "a/1"} {
			if err := tx.Delete(key); err != nil {
				return err
			}
			if _, err := tx.Get(key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get(%q) after Delete = %v, want ErrNotFound", key, err)
			}
		}
		items, err := tx.Scan("a/", "", 0)
		if err != nil {
			return err
		}
		if len(items) != 1 || items[0].Key != "a/9" || string(items[0].Value) != "replaced" {
			t.Errorf("Scan after Delete = %+v, want only a/9=replaced", items)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	wantMissing(t, s, "a/0")
	wantMissing(t, s, "a/1")
	wantValue(t, s, "a/9", "replaced")
}

func testFailedUpdate(t T, h Harness) {
	s := open(t, h)
	put(t, s, "kept", "1", "doomed", "x")
	before := get(t, s, "kept")
	errFn := errors.New("fn failed")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := errors.Join(tx.Put("kept", []byte("2")), tx.Put("new", []byte("n")), tx.Delete("doomed")); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", errFn)
	})
	if !errors.Is(err, errFn) {
		t.Fatalf("Update = %v, want the error fn returned", err)
	}
	if after := get(t, s, "kept"); string(after.Value) != "1" || after.Revision != before.Revision {
		t.Errorf("kept = %q rev %d after failed Update, want 1 rev %d", after.Value, after.Revision, before.Revision)
	}
	wantMissing(t, s, "new")
	wantValue(t, s, "doomed", "x")
	// The failed Update must not leave the store locked.
	put(t, s, "after", "ok")
	wantValue(t, s, "after", "ok")
}

func testViewIsReadOnly(t T, h Harness) {
	s := open(t, h)
	put(t, s, "k", "v")
	err := s.View(context.Background(), func(tx store.Tx) error {
		if err := tx.Delete("k"); !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("Delete in View = %v, want ErrReadOnly", err)
		}
		return tx.Put("new", []byte("v"))
	})
	if !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("View returning Put's error = %v, want ErrReadOnly", err)
	}
	wantValue(t, s, "k", "v")
	wantMissing(t, s, "new")
}

func testEndedContext(t T, h Harness) {
	s := open(t, h)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel := context.WithTimeout(context.Background(), -1)
	defer cancel()
	for _, c := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"cancelled", cancelled, context.Canceled},
		{"expired", expired, context.DeadlineExceeded},
	} {
		err := s.Update(c.ctx, func(tx store.Tx) error { return tx.Put(c.name, []byte("v")) })
		if !errors.Is(err, c.want) {
			t.Errorf("Update with %s context = %v, want %v", c.name, err, c.want)
		}
		err = s.View(c.ctx, func(tx store.Tx) error { return nil })
		if !errors.Is(err, c.want) {
			t.Errorf("View with %s context = %v, want %v", c.name, err, c.want)
		}
		wantMissing(t, s, c.name)
	}
	// A context that ends while fn runs must still stop the commit.
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Update(ctx, func(tx store.Tx) error {
		err := tx.Put("during", []byte("v"))
		cancel()
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update cancelled during fn = %v, want context.Canceled", err)
	}
	wantMissing(t, s, "during")
}

func testConcurrentIncrements(t T, h Harness) {
	const writers, increments = 8, 50
	s := open(t, h)
	increment := func(tx store.Tx) error {
		n := 0
		it, err := tx.Get("counter")
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			if n, err = strconv.Atoi(string(it.Value)); err != nil {
				return err
			}
		}
		return tx.Put("counter", []byte(strconv.Itoa(n+1)))
	}
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for done := 0; done < increments; {
				err := s.Update(context.Background(), increment)
				// A conflicting Update had no effect, so trying again
				// cannot count twice.
				if errors.Is(err, store.ErrConflict) {
					continue
				}
				if err != nil {
					t.Errorf("Update: %v", err)
					return
				}
				done++
			}
		})
	}
	// Readers running alongside must never see the counter go backwards.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			var last int64
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(context.Background(), func(tx store.Tx) error {
					it, err := tx.Get("counter")
					if errors.Is(err, store.ErrNotFound) {
						return nil
					}
					if err != nil {
						return err
					}
					if it.Revision < last {
						t.Errorf("counter revision went back from %d to %d", last, it.Revision)
					}
					last = it.Revision
					return nil
				})
				if err != nil {
					t.Errorf("View: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	wantValue(t, s, "counter", strconv.Itoa(writers*increments))
}
