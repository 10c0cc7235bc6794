package etcd

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// TestConflictAcrossMembers: an Update on one member reads x; before it
// commits, an Update through another member overwrites x. The first must
// lose its commit, run fn again on the new value and build on it.
func TestConflictAcrossMembers(t *testing.T) {
	c := trio.Get(t)
	prefix := newPrefix()
	a := openAt(t, prefix, c.ClientURLs[0])
	defer a.Close()
	b := openAt(t, prefix, c.ClientURLs[1])
	defer b.Close()
	setValue(t, a, "x", "v0")

	var reads []string
	err := a.Update(context.Background(), func(tx store.Tx) error {
		it, err := tx.Get("x")
		if err != nil {
			return err
		}
		reads = append(reads, string(it.Value))
		if len(reads) == 1 {
			setValue(t, b, "x", "from-b")
		}
		return tx.Put("x", append(it.Value, "+a"...))
	})
	if err != nil {
		t.Fatalf("Update through member 0 = %v", err)
	}
	if len(reads) != 2 || reads[1] != "from-b" {
		t.Errorf("fn read %q; want a second attempt that read from-b", reads)
	}
	if v, _ := valueOf(t, b, "x"); v != "from-b+a" {
		t.Errorf("x = %q, want from-b+a", v)
	}
}

// TestContentionAcrossMembers: writers on all three members increment one
// counter. Every increment counts exactly once, and fn ran more times than
// there were increments: Updates lost commits to writers on other members
// and ran again.
func TestContentionAcrossMembers(t *testing.T) {
	const writersPerMember, increments = 2, 15
	c := trio.Get(t)
	prefix := newPrefix()
	var stores []*Store
	for _, u := range c.ClientURLs {
		s := openAt(t, prefix, u)
		defer s.Close()
		stores = append(stores, s)
	}
	setValue(t, stores[0], "counter", "0")
	var attempts atomic.Int32
	var wg sync.WaitGroup
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range stores {
		for range writersPerMember {
			wg.Go(func() {
				for done := 0; done < increments && time.Now().Before(deadline); {
					err := s.Update(context.Background(), increment("counter", &attempts))
					if errors.Is(err, store.ErrConflict) {
						continue // nothing was written; try again
					}
					if err != nil {
						t.Errorf("Update: %v", err)
						return
					}
					done++
				}
			})
		}
	}
	wg.Wait()
	total := len(stores) * writersPerMember * increments
	if v, _ := valueOf(t, stores[2], "counter"); v != strconv.Itoa(total) {
		t.Errorf("counter = %s after %d increments", v, total)
	}
	if n := int(attempts.Load()); n <= total {
		t.Errorf("fn ran %d times for %d increments: no Update was rerun, so the writers never contended", n, total)
	} else {
		t.Logf("fn ran %d times for %d increments", n, total)
	}
}
