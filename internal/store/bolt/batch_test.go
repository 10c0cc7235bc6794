package bolt

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// heldStore is a store whose commits the test can hold inside bbolt's
// Commit (see Store.committing) and count. Holding one commit is how the
// tests make a batch: every Update that arrives meanwhile queues, and
// the next leader runs them all in one transaction.
type heldStore struct {
	*Store
	commits atomic.Int64
	hold    atomic.Bool
	inside  chan struct{} // receives when a held commit is waiting
	release chan struct{} // a held commit goes on when this is closed
}

func openHeld(t *testing.T) *heldStore {
	t.Helper()
	h := &heldStore{Store: openTemp(t), inside: make(chan struct{}, 1), release: make(chan struct{})}
	// Set once, before any Update, so no leader ever reads it racily.
	h.committing = func() {
		h.commits.Add(1)
		if h.hold.CompareAndSwap(true, false) {
			h.inside <- struct{}{}
			<-h.release
		}
	}
	return h
}

// holdNextCommit starts an Update of key "hold" and returns once its
// commit is held; the returned function lets it finish and waits for it.
func (h *heldStore) holdNextCommit(t *testing.T) (finish func()) {
	t.Helper()
	h.hold.Store(true)
	done := make(chan error, 1)
	go func() { done <- putValue(h.Store, "hold", "x") }()
	select {
	case <-h.inside:
	case <-time.After(5 * time.Second):
		t.Fatal("the holding Update did not reach its commit within 5s")
	}
	var once sync.Once
	finish = func() {
		once.Do(func() {
			close(h.release)
			if err := <-done; err != nil {
				t.Errorf("holding Update: %v", err)
			}
		})
	}
	t.Cleanup(finish) // a failing test must not leave it stuck
	return finish
}

// waitQueued waits until n Updates are queued behind the held commit.
func (h *heldStore) waitQueued(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		queued := len(h.queue)
		h.mu.Unlock()
		if queued >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d Updates queued after 5s, want %d", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// updateAsync starts an Update and returns where its result will arrive.
// A panic in fn is reported as an error naming it.
func updateAsync(ctx context.Context, s *Store, fn func(store.Tx) error) <-chan error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("panic: %v", p)
			}
		}()
		done <- s.Update(ctx, fn)
	}()
	return done
}

func wait(t *testing.T, what string, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return within 10s", what)
		return nil
	}
}

var errRefused = errors.New("refused by the test's function")

// TestBatchCommitsTogetherAndFailuresWriteNothing queues Updates behind a
// held commit, a third of which write and then fail. They must all be
// decided by one further commit: the failing ones wrote nothing, the
// others are all there, each with a revision of its own, in the order
// they ran.
func TestBatchCommitsTogetherAndFailuresWriteNothing(t *testing.T) {
	h := openHeld(t)
	finish := h.holdNextCommit(t)
	const n = 30
	results := make([]<-chan error, n)
	for i := range n {
		results[i] = updateAsync(context.Background(), h.Store, func(tx store.Tx) error {
			if err := tx.Put(fmt.Sprintf("k/%02d", i), []byte("v")); err != nil {
				return err
			}
			if err := tx.Put("shared", []byte(fmt.Sprint(i))); err != nil {
				return err
			}
			if i%3 == 1 {
				return errRefused
			}
			return nil
		})
	}
	h.waitQueued(t, n)
	before := h.commits.Load()
	finish()
	for i, done := range results {
		err := wait(t, fmt.Sprintf("Update %d", i), done)
		if want := i%3 == 1; want != errors.Is(err, errRefused) || (!want && err != nil) {
			t.Errorf("Update %d = %v", i, err)
		}
	}
	if got := h.commits.Load() - before; got != 1 {
		t.Errorf("%d Updates took %d commits, want 1", n, got)
	}
	var revs []int64
	var lastWriter int64 = -1
	err := h.View(context.Background(), func(tx store.Tx) error {
		for i := range n {
			it, err := tx.Get(fmt.Sprintf("k/%02d", i))
			if i%3 == 1 {
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("failed Update %d left k/%02d (%v)", i, i, err)
				}
				continue
			}
			if err != nil {
				return err
			}
			revs = append(revs, it.Revision)
		}
		shared, err := tx.Get("shared")
		if err != nil {
			return err
		}
		lastWriter = shared.Revision
		var writer int
		if _, err := fmt.Sscan(string(shared.Value), &writer); err != nil || writer%3 == 1 {
			t.Errorf("shared = %q, written by a failed Update", shared.Value)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != n-n/3 {
		t.Fatalf("%d committed Updates, want %d", len(revs), n-n/3)
	}
	// The queue is run in order of arrival, which is i's order here only
	// by chance of scheduling, so distinctness and range are checked,
	// not the order.
	sorted := slices.Clone(revs)
	slices.Sort(sorted)
	if len(slices.Compact(slices.Clone(sorted))) != len(sorted) {
		t.Errorf("revisions %v are not distinct", revs)
	}
	if lastWriter != sorted[len(sorted)-1] {
		t.Errorf("shared has revision %d, want the last Update's %d", lastWriter, sorted[len(sorted)-1])
	}
	hold := get(t, h.Store, "hold")
	if sorted[0] != hold.Revision+1 || sorted[len(sorted)-1] != hold.Revision+int64(len(revs)) {
		t.Errorf("revisions %v, want %d..%d (consecutive after the held commit's)", sorted, hold.Revision+1, hold.Revision+int64(len(revs)))
	}
}

func get(t *testing.T, s *Store, key string) store.Item {
	t.Helper()
	var it store.Item
	err := s.View(context.Background(), func(tx store.Tx) error {
		var err error
		it, err = tx.Get(key)
		return err
	})
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return it
}

// TestBatchLaterFunctionSeesEarlierWrites runs, in one batch, a function
// that creates a key and then two that create it only if it is absent
// (the second of which would succeed alone on an empty store) and one
// that reads it. The first wins, the create-if-absent ones fail with
// their own error, as they would have run after it, and the reader sees
// the first's value and revision.
func TestBatchLaterFunctionSeesEarlierWrites(t *testing.T) {
	h := openHeld(t)
	finish := h.holdNextCommit(t)
	errExists := errors.New("already exists")
	create := func(value string) func(store.Tx) error {
		return func(tx store.Tx) error {
			if _, err := tx.Get("alias"); err == nil {
				return errExists
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return tx.Put("alias", []byte(value))
		}
	}
	first := updateAsync(context.Background(), h.Store, create("first"))
	h.waitQueued(t, 1)
	second := updateAsync(context.Background(), h.Store, create("second"))
	h.waitQueued(t, 2)
	var seen store.Item
	var readErr error
	reader := updateAsync(context.Background(), h.Store, func(tx store.Tx) error {
		seen, readErr = tx.Get("alias")
		return nil
	})
	h.waitQueued(t, 3)
	before := h.commits.Load()
	finish()
	if err := wait(t, "first", first); err != nil {
		t.Fatalf("first create: %v", err)
	}
	if err := wait(t, "second", second); !errors.Is(err, errExists) {
		t.Errorf("second create = %v, want its own error (already exists)", err)
	}
	if err := wait(t, "reader", reader); err != nil {
		t.Fatal(err)
	}
	if h.commits.Load()-before != 1 {
		t.Errorf("%d commits, want 1", h.commits.Load()-before)
	}
	stored := get(t, h.Store, "alias")
	if string(stored.Value) != "first" {
		t.Errorf("alias = %q, want first", stored.Value)
	}
	if readErr != nil || string(seen.Value) != "first" || seen.Revision != stored.Revision {
		t.Errorf("the reader in the batch saw %q rev %d (%v), want first rev %d", seen.Value, seen.Revision, readErr, stored.Revision)
	}
}

// TestBatchOverBudgetFailsOnlyThatUpdate: a function in a batch that goes
// past the limits and swallows the error fails with ErrTooLarge and
// writes nothing; the others commit.
func TestBatchOverBudgetFailsOnlyThatUpdate(t *testing.T) {
	h := openHeld(t)
	finish := h.holdNextCommit(t)
	before := updateAsync(context.Background(), h.Store, func(tx store.Tx) error { return tx.Put("before", []byte("1")) })
	h.waitQueued(t, 1)
	big := updateAsync(context.Background(), h.Store, func(tx store.Tx) error {
		for i := range limits.MaxOps + 1 {
			_ = tx.Put(fmt.Sprintf("big/%03d", i), []byte("x")) // the refusal is dropped on purpose
		}
		return nil
	})
	h.waitQueued(t, 2)
	after := updateAsync(context.Background(), h.Store, func(tx store.Tx) error { return tx.Put("after", []byte("1")) })
	h.waitQueued(t, 3)
	finish()
	if err := wait(t, "before", before); err != nil {
		t.Error(err)
	}
	if err := wait(t, "big", big); !errors.Is(err, store.ErrTooLarge) {
		t.Errorf("over-budget Update = %v, want ErrTooLarge", err)
	}
	if err := wait(t, "after", after); err != nil {
		t.Error(err)
	}
	wantValue(t, h.Store, "before", "1")
	wantValue(t, h.Store, "after", "1")
	err := h.View(context.Background(), func(tx store.Tx) error {
		items, err := tx.Scan("big/", "", 0)
		if err == nil && len(items) != 0 {
			t.Errorf("the over-budget Update left %d items", len(items))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func wantValue(t *testing.T, s *Store, key, want string) {
	t.Helper()
	if got, err := getValue(s, key); err != nil || got != want {
		t.Errorf("%s = %q, %v; want %q", key, got, err, want)
	}
}

// TestBatchContextEnds: a caller whose context ends while it is queued
// returns at once with the context's error; one whose context ends while
// its function runs in the batch (before the commit) gets the context's
// error too; neither writes anything, and the rest of the batch commits.
func TestBatchContextEnds(t *testing.T) {
	h := openHeld(t)
	finish := h.holdNextCommit(t)
	queuedCtx, cancelQueued := context.WithCancel(context.Background())
	queued := updateAsync(queuedCtx, h.Store, func(tx store.Tx) error { return tx.Put("queued", []byte("1")) })
	runningCtx, cancelRunning := context.WithCancel(context.Background())
	running := updateAsync(runningCtx, h.Store, func(tx store.Tx) error {
		if err := tx.Put("running", []byte("1")); err != nil {
			return err
		}
		cancelRunning() // the context ends while the function runs
		return nil
	})
	other := updateAsync(context.Background(), h.Store, func(tx store.Tx) error { return tx.Put("other", []byte("1")) })
	h.waitQueued(t, 3)
	cancelQueued()
	// It leaves the queue without waiting for the held commit.
	if err := wait(t, "queued", queued); !errors.Is(err, context.Canceled) {
		t.Errorf("Update whose context ended in the queue = %v, want context.Canceled", err)
	}
	finish()
	if err := wait(t, "running", running); !errors.Is(err, context.Canceled) {
		t.Errorf("Update whose context ended while it ran = %v, want context.Canceled", err)
	}
	if err := wait(t, "other", other); err != nil {
		t.Error(err)
	}
	wantValue(t, h.Store, "queued", "")
	wantValue(t, h.Store, "running", "")
	wantValue(t, h.Store, "other", "1")
}

// TestBatchPanicSurfacesInItsCaller: a function that panics in a batch
// (run by whichever caller leads it) panics in its own caller's goroutine,
// writes nothing, and the other Updates of the batch still commit.
func TestBatchPanicSurfacesInItsCaller(t *testing.T) {
	h := openHeld(t)
	finish := h.holdNextCommit(t)
	var results []<-chan error
	for i := range 6 {
		results = append(results, updateAsync(context.Background(), h.Store, func(tx store.Tx) error {
			if err := tx.Put(fmt.Sprintf("p/%d", i), []byte("1")); err != nil {
				return err
			}
			if i == 3 {
				panic("function 3 panics")
			}
			return nil
		}))
		h.waitQueued(t, i+1)
	}
	finish()
	for i, done := range results {
		err := wait(t, fmt.Sprintf("Update %d", i), done)
		if i == 3 {
			if err == nil || err.Error() != "panic: function 3 panics" {
				t.Errorf("panicking Update = %v, want its panic in its caller", err)
			}
			wantValue(t, h.Store, "p/3", "")
			continue
		}
		if err != nil {
			t.Errorf("Update %d = %v", i, err)
		}
		wantValue(t, h.Store, fmt.Sprintf("p/%d", i), "1")
	}
	if err := h.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestBatchIsCapped: more Updates than a batch takes queue behind a held
// commit; they take more than one commit, and all commit.
func TestBatchIsCapped(t *testing.T) {
	h := openHeld(t)
	finish := h.holdNextCommit(t)
	n := maxBatchCalls + 10
	var results []<-chan error
	for i := range n {
		results = append(results, updateAsync(context.Background(), h.Store, func(tx store.Tx) error {
			return tx.Put(fmt.Sprintf("c/%03d", i), []byte("1"))
		}))
	}
	h.waitQueued(t, n)
	before := h.commits.Load()
	finish()
	for i, done := range results {
		if err := wait(t, fmt.Sprintf("Update %d", i), done); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.commits.Load() - before; got < 2 {
		t.Errorf("%d Updates took %d commit, want at least 2 (batches of at most %d)", n, got, maxBatchCalls)
	}
}

// TestConcurrentUpdatesWithFailures runs many goroutines of Updates, each
// writing keys of its own and every fifth failing after its writes, with
// no commit held: whatever batches form, the failed Updates left nothing,
// every other one is there whole, and no two share a revision.
func TestConcurrentUpdatesWithFailures(t *testing.T) {
	s := openTemp(t)
	const writers, each = 32, 40
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				err := s.Update(context.Background(), func(tx store.Tx) error {
					for _, part := range []string{"a", "b"} {
						if err := tx.Put(fmt.Sprintf("w/%02d/%03d/%s", w, i, part), []byte(part)); err != nil {
							return err
						}
					}
					if i%5 == 4 {
						return errRefused
					}
					return nil
				})
				if (i%5 == 4) != errors.Is(err, errRefused) || (i%5 != 4 && err != nil) {
					t.Errorf("writer %d Update %d = %v", w, i, err)
				}
			}
		})
	}
	wg.Wait()
	seen := map[int64]string{}
	err := s.View(context.Background(), func(tx store.Tx) error {
		items, err := tx.Scan("w/", "", 0)
		if err != nil {
			return err
		}
		if want := 2 * writers * (each - each/5); len(items) != want {
			t.Errorf("%d items, want %d", len(items), want)
		}
		for j := 0; j+1 < len(items); j += 2 {
			a, b := items[j], items[j+1]
			var w, i int
			if _, err := fmt.Sscanf(a.Key, "w/%02d/%03d/a", &w, &i); err != nil || b.Key != fmt.Sprintf("w/%02d/%03d/b", w, i) {
				t.Fatalf("items %q and %q are not one Update's pair", a.Key, b.Key)
			}
			if i%5 == 4 {
				t.Errorf("failed Update %s is present", a.Key)
			}
			if a.Revision != b.Revision {
				t.Errorf("%s has revisions %d and %d", a.Key, a.Revision, b.Revision)
			}
			if other, ok := seen[a.Revision]; ok {
				t.Errorf("%s and %s share revision %d", other, a.Key, a.Revision)
			}
			seen[a.Revision] = a.Key
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}
