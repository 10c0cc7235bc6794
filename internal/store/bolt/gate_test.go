package bolt

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// getValue reads key in a View of its own, reporting an absent key as "".
func getValue(s *Store, key string) (string, error) {
	var value string
	err := s.View(context.Background(), func(tx store.Tx) error {
		it, err := tx.Get(key)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		value = string(it.Value)
		return err
	})
	return value, err
}

func putValue(s *Store, key, value string) error {
	return s.Update(context.Background(), func(tx store.Tx) error { return tx.Put(key, []byte(value)) })
}

// TestViewWaitsForDurableCommit holds an Update inside Commit, after bbolt
// has written the new meta page into the file (so read transactions that
// begin now would see the commit) and before Commit returns. That is the
// window of the fdatasync that makes the commit durable; bbolt has no hook
// inside it, so the test holds the nearest point it offers (an OnCommit
// handler, see Store.committing), where a reader is exactly as able to
// begin as during the fdatasync. A View that begins then may read the
// state before the commit, never the commit itself: a power cut could
// still undo it, and the service would have handed out a ciphertext under
// key material that never reached the disk.
func TestViewWaitsForDurableCommit(t *testing.T) {
	s := openTemp(t)
	if err := putValue(s, "k", "old"); err != nil {
		t.Fatal(err)
	}
	inCommit, release := make(chan struct{}), make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	defer releaseOnce() // a failing test must not leave the Update stuck
	s.committing = func() { close(inCommit); <-release }
	updated := make(chan error, 1)
	go func() { updated <- putValue(s, "k", "new") }()
	select {
	case <-inCommit:
	case <-time.After(5 * time.Second):
		t.Fatal("the Update did not reach Commit within 5s")
	}
	s.committing = nil // read by the Update before it signalled inCommit

	type result struct {
		value string
		err   error
	}
	viewed := make(chan result, 1)
	go func() {
		v, err := getValue(s, "k")
		viewed <- result{v, err}
	}()
	select {
	case r := <-viewed:
		if r.value == "new" {
			t.Fatal("a View that began while the commit was being synced read it")
		}
		if r.err != nil || r.value != "old" {
			t.Fatalf("View during the commit = %q, %v; want the state before it", r.value, r.err)
		}
	case <-time.After(100 * time.Millisecond):
		// Held back until the commit is durable, which is the fix.
	}
	releaseOnce()
	select {
	case err := <-updated:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the Update did not return within 5s of its release")
	}
	select {
	case r := <-viewed:
		if r.err != nil || (r.value != "old" && r.value != "new") {
			t.Errorf("View = %q, %v", r.value, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the View was still waiting 5s after the Update returned")
	}
	if v, err := getValue(s, "k"); err != nil || v != "new" {
		t.Errorf("View after the Update = %q, %v; want new", v, err)
	}
}

// TestGrowingCommitWithOpenView checks that holding Views back does not
// deadlock with bbolt's own lock on the memory map. An Update that grows
// the file must remap it, which waits for every open read transaction;
// meanwhile new Views wait for the Update. The open View must be able to
// finish, and then everyone must.
func TestGrowingCommitWithOpenView(t *testing.T) {
	s := openTemp(t)
	opened, finish := make(chan struct{}), make(chan struct{})
	finishOnce := sync.OnceFunc(func() { close(finish) })
	defer finishOnce()
	first := make(chan error, 1)
	go func() {
		first <- s.View(context.Background(), func(tx store.Tx) error {
			close(opened)
			<-finish
			return nil
		})
	}()
	<-opened
	// A fresh file is mapped in 32 KiB; 1 MiB does not fit.
	updated := make(chan error, 1)
	go func() { updated <- putValue(s, "big", string(make([]byte, 1<<20))) }()
	select {
	case err := <-updated:
		t.Fatalf("an Update that grows the file returned (%v) while a View was open; the test's premise is wrong", err)
	case <-time.After(100 * time.Millisecond):
	}
	second := make(chan error, 1)
	go func() {
		_, err := getValue(s, "big")
		second <- err
	}()
	finishOnce()
	for name, ch := range map[string]chan error{"open View": first, "Update": updated, "new View": second} {
		select {
		case err := <-ch:
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s still waiting 5s after the open View finished: deadlock", name)
		}
	}
}
