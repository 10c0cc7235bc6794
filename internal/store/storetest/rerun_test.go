package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// TestRerunPassesSuite runs the suite on Rerun over the in-memory store;
// the bolt package runs it over bbolt.
func TestRerunPassesSuite(t *testing.T) {
	h := memHarness(memFlaws{})
	Run(t, Harness{
		Open:        func(t T) store.Store { return Rerun(h.Open(t)) },
		Reopen:      func(t T, s store.Store) store.Store { return Rerun(h.Reopen(t, s.(*RerunStore).Inner())) },
		MinAttempts: 2,
	})
}

// TestRerunShowsSideEffects is what the service's tests rely on: a side
// effect outside the transaction happens twice, and only the second
// attempt's writes are committed.
func TestRerunShowsSideEffects(t *testing.T) {
	s := Rerun(newMemStore(memFlaws{}))
	calls := 0 // the side effect
	err := s.Update(context.Background(), func(tx store.Tx) error {
		calls++
		return tx.Put(fmt.Sprintf("call/%d", calls), nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("fn ran %d times, want 2", calls)
	}
	wantMissing(t, s, "call/1")
	wantValue(t, s, "call/2", "")

	// A failing first attempt is not run again.
	calls = 0
	errFn := errors.New("fn failed")
	if err := s.Update(context.Background(), func(store.Tx) error { calls++; return errFn }); !errors.Is(err, errFn) || calls != 1 {
		t.Errorf("failing fn: Update = %v after %d runs, want its error after 1", err, calls)
	}
}

func TestConflictEvery(t *testing.T) {
	s := Rerun(newMemStore(memFlaws{}), ConflictEvery(3))
	for i := 1; i <= 6; i++ {
		calls := 0
		key := fmt.Sprintf("k%d", i)
		err := s.Update(context.Background(), func(tx store.Tx) error {
			calls++
			return tx.Put(key, nil)
		})
		if calls != 2 {
			t.Errorf("Update %d ran fn %d times, want 2", i, calls)
		}
		if i%3 == 0 {
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("Update %d = %v, want ErrConflict", i, err)
			}
			wantMissing(t, s, key)
			continue
		}
		if err != nil {
			t.Errorf("Update %d = %v", i, err)
		}
		wantValue(t, s, key, "")
	}
}
