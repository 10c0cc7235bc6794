package storetest

import (
	"context"
	"errors"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// testFnRunsAgain provokes one conflict and checks what the interface
// promises of it: fn runs again, in a fresh transaction that sees the
// winner's write, and the Update succeeds (a driver retries at least once
// before giving up with ErrConflict).
//
// U1 reads x and appends to it. While its first attempt waits, U2
// overwrites x. On a driver that runs Updates concurrently U2 commits
// during that wait, and U1's first attempt is stale: committing it would
// lose U2's write, so U1 must run again and build on U2's value. On a
// driver that serialises writers U2 waits for U1, and either serial order
// is a valid outcome. Either way the function counts its attempts, which
// must reach Harness.MinAttempts (2 under Rerun).
func testFnRunsAgain(t T, h Harness) {
	s := open(t, h)
	put(t, s, "x", "v0")
	u1Read := make(chan struct{})
	u2Done := make(chan error, 1)
	u2Attempts := 0
	go func() {
		select {
		case <-u1Read:
		case <-time.After(10 * time.Second):
			u2Done <- errors.New("U1 never read x")
			return
		}
		u2Done <- s.Update(context.Background(), func(tx store.Tx) error {
			u2Attempts++
			return tx.Put("x", []byte("winner"))
		})
	}()

	var reads []string // what each attempt of U1 read, in order
	var u2Err error
	u2Returned := false // U2 returned while U1's first attempt waited
	u1Err := s.Update(context.Background(), func(tx store.Tx) error {
		it, err := tx.Get("x")
		if err != nil {
			return err
		}
		reads = append(reads, string(it.Value))
		if len(reads) == 1 {
			close(u1Read)
			select {
			case u2Err = <-u2Done:
				u2Returned = true
			case <-time.After(interleaveWait):
			}
		}
		return tx.Put("x", append(it.Value, "+u1"...))
	})
	if !u2Returned {
		select {
		case u2Err = <-u2Done:
		case <-time.After(10 * time.Second):
			t.Fatalf("U2 did not return within 10s of U1")
		}
	}
	if u1Err != nil {
		t.Fatalf("U1 = %v after one conflict; a driver must run fn again rather than give up at once", u1Err)
	}
	if u2Err != nil {
		t.Fatalf("U2 = %v", u2Err)
	}
	final := string(get(t, s, "x").Value)
	last := reads[len(reads)-1]
	if u2Returned && u2Err == nil && (len(reads) < 2 || last != "winner") {
		t.Errorf("U2 committed while U1's first attempt held a stale read; U1 then ran %d time(s), last reading %q: it must run fn again and read %q", len(reads), last, "winner")
	}
	switch {
	case last == "v0" && final == "winner": // U1, then U2
	case last == "winner" && final == "winner+u1": // U2, then U1
	default:
		t.Errorf("x = %q, and U1's committed attempt read %q: no serial order of U1 and U2 gives that", final, last)
	}
	if len(reads) < h.MinAttempts || u2Attempts < h.MinAttempts {
		t.Errorf("fn ran %d and %d times; the harness says this store runs every fn at least %d times", len(reads), u2Attempts, h.MinAttempts)
	}
}
