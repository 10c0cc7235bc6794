package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/trent-kms/trent/internal/store"
)

// The cases in this file check that Updates are serialisable: whatever
// the driver runs concurrently, the outcome is one some serial order of the
// Updates would give. A driver that validates at commit only the keys it
// writes passes every other case and still lets each of these through.

// updateRetrying runs fn in an Update, again if the store gives up with
// ErrConflict (which promises that nothing was written).
func updateRetrying(s store.Store, fn func(store.Tx) error) error {
	var err error
	for range 10 {
		if err = s.Update(context.Background(), fn); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("still conflicting after 10 Updates: %w", err)
}

// testWriteSkew: two Updates each read x and y and take one of them off
// only if both are on. Serially, the second sees the first's change and
// keeps its own on. A driver that guards only the key each Update writes
// commits both (their writes do not overlap) and leaves neither on.
func testWriteSkew(t T, h Harness) {
	s := open(t, h)
	both := []string{"oncall/x", "oncall/y"}
	put(t, s, both[0], "on", both[1], "on")
	meet := newRendezvous(len(both))
	errs := make([]error, len(both))
	var wg sync.WaitGroup
	for i, mine := range both {
		wg.Go(func() {
			attempts := 0
			errs[i] = updateRetrying(s, func(tx store.Tx) error {
				attempts++
				on := 0
				for _, k := range both {
					it, err := tx.Get(k)
					if err != nil {
						return err
					}
					if string(it.Value) == "on" {
						on++
					}
				}
				if attempts == 1 {
					meet.arrive()
				}
				if on < len(both) {
					return nil
				}
				return tx.Put(mine, []byte("off"))
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Update taking %s off: %v", both[i], err)
		}
	}
	if x, y := get(t, s, both[0]), get(t, s, both[1]); string(x.Value) == "off" && string(y.Value) == "off" {
		t.Errorf("write skew: both Updates read x and y on and each took one off; a driver must guard what fn read, not only what it wrote")
	}
}

// testCreateIfAbsent: several Updates each claim a key if it is absent,
// and otherwise report who holds it. Exactly one may win, and every other
// must see the winner. A driver that does not guard a Get that found
// nothing lets every writer claim it, the last one silently winning.
func testCreateIfAbsent(t T, h Harness) {
	const writers = 4
	s := open(t, h)
	meet := newRendezvous(writers)
	// seen[i] is what writer i's last attempt, the one that committed,
	// found: its own name if it claimed the key.
	seen := make([]string, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		me := fmt.Sprintf("writer-%d", i)
		wg.Go(func() {
			attempts := 0
			errs[i] = updateRetrying(s, func(tx store.Tx) error {
				attempts++
				it, err := tx.Get("owner")
				if err == nil {
					seen[i] = string(it.Value)
					return nil
				}
				if !errors.Is(err, store.ErrNotFound) {
					return err
				}
				if attempts == 1 {
					meet.arrive()
				}
				seen[i] = me
				return tx.Put("owner", []byte(me))
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	owner := string(get(t, s, "owner").Value)
	winners := 0
	for i, got := range seen {
		if got == fmt.Sprintf("writer-%d", i) {
			winners++
		}
		if got != owner {
			t.Errorf("writer %d committed believing %q owns the key; %q does", i, got, owner)
		}
	}
	if winners != 1 {
		t.Errorf("%d writers created the absent key, want exactly 1; a driver must guard a Get that found nothing", winners)
	}
}

// testScanPhantoms: a group holds at most three members. Several Updates
// each count the members with a Scan and join only if there is room.
// Serially one joins and the others see the group full. A driver that
// guards the items a Scan returned but not the range it covered misses the
// new keys (phantoms) and lets all of them join.
func testScanPhantoms(t T, h Harness) {
	const writers, capacity = 3, 3
	s := open(t, h)
	put(t, s, "group/a", "member", "group/b", "member", "groupie", "not in the range")
	meet := newRendezvous(writers)
	joined := make([]bool, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			attempts := 0
			errs[i] = updateRetrying(s, func(tx store.Tx) error {
				attempts++
				members, err := tx.Scan("group/", "", 0)
				if err != nil {
					return err
				}
				if attempts == 1 {
					meet.arrive()
				}
				joined[i] = len(members) < capacity
				if !joined[i] {
					return nil
				}
				return tx.Put(fmt.Sprintf("group/w%d", i), []byte("member"))
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	var members []string
	err := s.View(context.Background(), func(tx store.Tx) error {
		members = scanKeys(t, tx, "group/", "", 0)
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	if len(members) != capacity {
		t.Errorf("group has %d members %q after concurrent joins, want %d; a driver must guard the range a Scan covered, not only the items it returned", len(members), members, capacity)
	}
	for i, in := range joined {
		if in {
			wantValue(t, s, fmt.Sprintf("group/w%d", i), "member")
		}
	}
}
