//go:build unix

package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// The group-commit crash test: a child process runs many writers at once,
// so its Updates are committed in batches, and is killed with SIGKILL at
// random moments. The parent checks that batching lost no acknowledged
// Update and committed nothing of a failed one.

const (
	batchWriterPathEnv  = "TRENT_BOLT_BATCH_CRASH_PATH"
	batchWriterCycleEnv = "TRENT_BOLT_BATCH_CRASH_CYCLE"
	// batchWriters run concurrently in the child; their Updates meet in
	// batches of up to this many.
	batchWriters = 24
	// Every batchFailEvery-th Update of a writer writes, then fails.
	batchFailEvery = 4
)

// batchRecord is the key and value of one part of writer w's n-th Update in
// a cycle, sized like the other crash test's records.
func batchRecord(cycle, w, n int, part string) (string, []byte) {
	key := fmt.Sprintf("brec/%02d/%02d/%06d/%s", cycle, w, n, part)
	return key, bytes.Repeat([]byte(key+";"), 1+(n*37+w*11)%300)
}

// batchFails reports whether writer w's n-th Update is one that fails.
func batchFails(n int) bool { return n%batchFailEvery == batchFailEvery-1 }

// writeBatchRecord is writer w's n-th Update: two parts of a record and
// the writer's counter. A failing one writes them all, then fails.
func writeBatchRecord(tx store.Tx, cycle, w, n int) error {
	for _, part := range []string{"meta", "material"} {
		if err := tx.Put(batchRecord(cycle, w, n, part)); err != nil {
			return err
		}
	}
	if err := tx.Put(fmt.Sprintf("bcounter/%02d/%02d", cycle, w), []byte(strconv.Itoa(n))); err != nil {
		return err
	}
	if batchFails(n) {
		return errRefused
	}
	return nil
}

// TestHelperBatchWriter is the child half of
// TestCrashUnderBatchingKeepsAcknowledgedWrites and does nothing in a
// normal run. Its writers print "ack W N" only after writer W's Update N
// has returned nil, and "fail W N" after it has returned its error.
func TestHelperBatchWriter(t *testing.T) {
	s, cycle, ok := openAsChild(t, batchWriterPathEnv, batchWriterCycleEnv)
	if !ok {
		return
	}
	// The parent kills this process long before; the bound only keeps a
	// child orphaned by a dead parent from writing forever.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := range batchWriters {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				err := s.Update(ctx, func(tx store.Tx) error { return writeBatchRecord(tx, cycle, w, n) })
				switch {
				case err == nil && !batchFails(n):
					// One write of a short line: lines from the
					// writers never interleave.
					fmt.Printf("ack %d %d\n", w, n)
				case errors.Is(err, errRefused) && batchFails(n):
					fmt.Printf("fail %d %d\n", w, n)
				case ctx.Err() != nil:
					return
				default:
					fmt.Printf("wrong %d %d %v\n", w, n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	t.Fatal("writer was never killed")
}

// TestCrashUnderBatchingKeepsAcknowledgedWrites kills a child running
// batchWriters concurrent writers with SIGKILL, over and over on the same
// file, and checks after each kill that the file is sound, that every
// acknowledged Update is there whole, that nothing of a failed one is,
// and that revisions are distinct and kept increasing across crashes.
func TestCrashUnderBatchingKeepsAcknowledgedWrites(t *testing.T) {
	const cycles = 8
	path := filepath.Join(t.TempDir(), "trent.db")
	var lastRev int64
	total := 0
	for cycle := range cycles {
		delay := 100*time.Millisecond + rand.N(300*time.Millisecond)
		acked := runBatchWriter(t, path, cycle, delay)
		n := 0
		for _, a := range acked {
			n += a
		}
		total += n
		t.Logf("cycle %d: killed after %v, %d Updates decided (acknowledged or failed)", cycle, delay, n)

		s := mustOpen(t, path)
		if err := s.Check(); err != nil {
			t.Fatalf("cycle %d: %v", cycle, err)
		}
		lastRev = verifyBatchRecords(t, s, cycle, acked, lastRev)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if total == 0 {
		t.Fatal("no writer acknowledged anything, so nothing was tested")
	}
}

// runBatchWriter starts a child, kills it delay after it has opened the
// file, and returns, per writer, how many of its Updates were decided
// (acknowledged or failed): its Updates before that number have their
// outcome printed, in order, and the one at it may be in flight.
func runBatchWriter(t *testing.T, path string, cycle int, delay time.Duration) []int {
	t.Helper()
	decided := make([]int, batchWriters)
	runKilledChild(t, "TestHelperBatchWriter", []string{batchWriterPathEnv + "=" + path, batchWriterCycleEnv + "=" + strconv.Itoa(cycle)}, delay,
		func(line string) error {
			var word string
			var w, n int
			if _, err := fmt.Sscanf(line, "%s %d %d", &word, &w, &n); err != nil || w < 0 || w >= batchWriters {
				return fmt.Errorf("writer said %q", line)
			}
			want := "ack"
			if batchFails(n) {
				want = "fail"
			}
			if word != want || n != decided[w] {
				return fmt.Errorf("writer said %q, want %q for writer %d's Update %d", line, want, w, decided[w])
			}
			decided[w]++
			return nil
		})
	return decided
}

// verifyBatchRecords checks cycle's records against what the writers
// decided and returns the highest revision seen. Each writer runs its
// Updates one after another, so what it committed is its successful
// Updates below decided[w], plus perhaps the one in flight (decided[w]
// itself) if that is not a failing one. Nothing of a failing Update may
// exist. Revisions must be distinct across Updates, the same within one,
// increasing along a writer's Updates, and above those of earlier cycles.
func verifyBatchRecords(t *testing.T, s *Store, cycle int, decided []int, prevMax int64) int64 {
	t.Helper()
	maxRev := prevMax
	owners := map[int64]string{}
	err := s.View(context.Background(), func(tx store.Tx) error {
		for w, d := range decided {
			items, err := tx.Scan(fmt.Sprintf("brec/%02d/%02d/", cycle, w), "", 0)
			if err != nil {
				return err
			}
			if len(items)%2 != 0 {
				t.Fatalf("cycle %d writer %d: %d record parts, not whole records", cycle, w, len(items))
			}
			var prev int64
			last := -1  // the writer's last committed Update
			expect := 0 // the writer's next successful Update
			for j := 0; j < len(items); j += 2 {
				var n int
				if _, err := fmt.Sscanf(items[j].Key, fmt.Sprintf("brec/%02d/%02d/%%06d/material", cycle, w), &n); err != nil {
					t.Fatalf("cycle %d: unexpected item %q", cycle, items[j].Key)
				}
				if batchFails(n) {
					t.Fatalf("cycle %d writer %d: failed Update %d was committed", cycle, w, n)
				}
				if n > d {
					t.Fatalf("cycle %d writer %d: Update %d committed, but only %d were decided", cycle, w, n, d)
				}
				for batchFails(expect) {
					expect++
				}
				if n != expect {
					t.Fatalf("cycle %d writer %d: Update %d committed, but acknowledged Update %d is missing", cycle, w, n, expect)
				}
				expect++
				for k, part := range []string{"material", "meta"} {
					it := items[j+k]
					key, value := batchRecord(cycle, w, n, part)
					if it.Key != key || !bytes.Equal(it.Value, value) {
						t.Fatalf("cycle %d: item %q (%d bytes), want %q (%d bytes)", cycle, it.Key, len(it.Value), key, len(value))
					}
				}
				rev := items[j].Revision
				if items[j+1].Revision != rev || rev <= prev || rev <= prevMax {
					t.Fatalf("cycle %d writer %d Update %d: revisions %d and %d after %d (earlier cycles up to %d)", cycle, w, n, rev, items[j+1].Revision, prev, prevMax)
				}
				if other, ok := owners[rev]; ok {
					t.Fatalf("cycle %d: %s and %s share revision %d", cycle, other, items[j].Key, rev)
				}
				owners[rev] = items[j].Key
				prev, last = rev, n
				maxRev = max(maxRev, rev)
			}
			// The committed Updates are a gapless run of the writer's
			// successful ones; it must reach every acknowledged one.
			for batchFails(expect) {
				expect++
			}
			if expect < d {
				t.Fatalf("cycle %d writer %d: acknowledged Update %d is missing (%d decided)", cycle, w, expect, d)
			}
			if last < 0 {
				continue
			}
			// The counter was last written by the last committed Update:
			// a failed Update's write of it was taken back.
			counter, err := tx.Get(fmt.Sprintf("bcounter/%02d/%02d", cycle, w))
			if err != nil {
				return err
			}
			if string(counter.Value) != strconv.Itoa(last) || counter.Revision != prev {
				t.Fatalf("cycle %d writer %d: counter %q rev %d, want %d rev %d", cycle, w, counter.Value, counter.Revision, last, prev)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return maxRev
}
