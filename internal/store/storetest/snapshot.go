package storetest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// testViewSnapshot: every Update writes pair/a and pair/b together, with
// the same value. A View reads a, waits for another Update to commit, then
// reads b and scans both: they must agree, because a View reads one
// snapshot. A driver whose View reads the latest committed state at every
// call sees a from one Update and b from the next.
func testViewSnapshot(t T, h Harness) {
	const rounds = 3
	s := open(t, h)
	put(t, s, "pair/a", "0", "pair/b", "0")
	committed := make(chan struct{}, 1) // a notice that an Update committed
	stop := make(chan struct{})
	var writer sync.WaitGroup
	writer.Go(func() {
		for i := 1; i <= 10_000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			v := []byte(strconv.Itoa(i))
			err := s.Update(context.Background(), func(tx store.Tx) error {
				return errors.Join(tx.Put("pair/a", v), tx.Put("pair/b", v))
			})
			if errors.Is(err, store.ErrConflict) {
				continue
			}
			if err != nil {
				t.Errorf("writer Update: %v", err)
				return
			}
			select {
			case committed <- struct{}{}:
			default:
			}
		}
	})
	for range rounds {
		err := s.View(context.Background(), func(tx store.Tx) error {
			a, err := tx.Get("pair/a")
			if err != nil {
				return err
			}
			// Drop a notice of a commit that may predate the read of a,
			// then wait for one that follows it. The wait is bounded: a
			// driver may hold writers back while a View is open.
			select {
			case <-committed:
			default:
			}
			select {
			case <-committed:
			case <-time.After(interleaveWait):
			}
			b, err := tx.Get("pair/b")
			if err != nil {
				return err
			}
			items, err := tx.Scan("pair/", "", 0)
			if err != nil {
				return err
			}
			if string(a.Value) != string(b.Value) || a.Revision != b.Revision {
				t.Errorf("one View read pair/a = %q (rev %d) and pair/b = %q (rev %d), which no commit wrote together; a View must read one snapshot",
					a.Value, a.Revision, b.Value, b.Revision)
			}
			for _, it := range items {
				if string(it.Value) != string(a.Value) {
					t.Errorf("Scan in the same View found %s = %q, Get found pair/a = %q", it.Key, it.Value, a.Value)
				}
			}
			return nil
		})
		if err != nil {
			t.Errorf("View: %v", err)
			break
		}
	}
	close(stop)
	writer.Wait()
}
