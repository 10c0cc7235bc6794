//go:build unix

package bolt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// The crash test runs this test binary again as a writer child. These
// variables switch the child into writer mode and tell it what to write.
const (
	writerPathEnv  = "TRENT_BOLT_CRASH_WRITER_PATH"
	writerCycleEnv = "TRENT_BOLT_CRASH_WRITER_CYCLE"
)

// record returns the key and value of one part of the n-th record a
// writer writes in a cycle. The sizes vary up to a few pages so that
// commits split leaves and use overflow pages.
func record(cycle, n int, part string) (string, []byte) {
	key := fmt.Sprintf("rec/%02d/%06d/%s", cycle, n, part)
	return key, bytes.Repeat([]byte(key+";"), 1+n*37%300)
}

// writeRecord is one writer Update: two parts of a record plus a counter
// overwritten every time, so the parent can check the Update was atomic.
func writeRecord(tx store.Tx, cycle, n int) error {
	for _, part := range []string{"meta", "material"} {
		if err := tx.Put(record(cycle, n, part)); err != nil {
			return err
		}
	}
	return tx.Put(fmt.Sprintf("counter/%02d", cycle), []byte(strconv.Itoa(n)))
}

// TestHelperWriter is the child half of TestCrashKeepsAcknowledgedWrites and
// does nothing in a normal run. It commits records until it is killed,
// printing "ack N" only after Update N has returned: from then on the
// record must survive.
func TestHelperWriter(t *testing.T) {
	s, cycle, ok := openAsChild(t, writerPathEnv, writerCycleEnv)
	if !ok {
		return
	}
	// The parent kills this process long before this; the bound only keeps
	// a child orphaned by a dead parent from writing forever.
	giveUp := time.After(10 * time.Second)
	for n := 0; ; n++ {
		select {
		case <-giveUp:
			t.Fatal("writer was never killed")
		default:
		}
		if err := s.Update(context.Background(), func(tx store.Tx) error { return writeRecord(tx, cycle, n) }); err != nil {
			t.Fatal(err)
		}
		// os.Stdout is unbuffered: the line reaches the pipe before the
		// next Update starts.
		fmt.Printf("ack %d\n", n)
	}
}

// TestCrashKeepsAcknowledgedWrites kills a writer process with SIGKILL at a
// random moment, over and over on the same file, and checks after each kill
// that the file is sound and holds every acknowledged write, whole.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	const cycles = 10
	path := filepath.Join(t.TempDir(), "trent.db")
	var acked []int // acked[c]: Updates the writer of cycle c acknowledged
	total := 0
	for cycle := range cycles {
		delay := 50*time.Millisecond + rand.N(250*time.Millisecond)
		n := runWriter(t, path, cycle, delay)
		acked = append(acked, n)
		total += n
		t.Logf("cycle %d: killed after %v, %d Updates acknowledged", cycle, delay, n)

		s := mustOpen(t, path)
		if err := s.Check(); err != nil {
			t.Fatalf("cycle %d: %v", cycle, err)
		}
		verifyRecords(t, s, acked)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if total == 0 {
		t.Fatal("no writer acknowledged anything, so nothing was tested")
	}
}

// runWriter starts a writer, kills it delay after it has opened the file,
// and returns how many Updates it acknowledged.
func runWriter(t *testing.T, path string, cycle int, delay time.Duration) int {
	t.Helper()
	n := 0
	runKilledChild(t, "TestHelperWriter", []string{writerPathEnv + "=" + path, writerCycleEnv + "=" + strconv.Itoa(cycle)}, delay,
		func(line string) error {
			if want := fmt.Sprintf("ack %d", n); line != want {
				return fmt.Errorf("writer said %q, want %q", line, want)
			}
			n++
			return nil
		})
	return n
}

// openAsChild is the start of a child half: outside a crash test (the
// store path variable unset) ok is false and the test does nothing;
// otherwise it opens the store at that path, reads the cycle, and tells
// the parent it is ready.
func openAsChild(t *testing.T, pathEnv, cycleEnv string) (s *Store, cycle int, ok bool) {
	path := os.Getenv(pathEnv)
	if path == "" {
		return nil, 0, false
	}
	cycle, err := strconv.Atoi(os.Getenv(cycleEnv))
	if err != nil {
		t.Fatal(err)
	}
	if s, err = Open(path, Options{Timeout: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	return s, cycle, true
}

// runKilledChild runs the test helper in a child process of this test
// binary, with env added, and kills it with SIGKILL delay after it prints
// "ready" (timing the kill from there makes it land among commits rather
// than in process start-up). Every later line of its output goes to line,
// whose error fails the test. The child must end by that SIGKILL: anything
// else means it failed on its own.
func runKilledChild(t *testing.T, helper string, env []string, delay time.Duration, line func(string) error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+helper+"$")
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || lines.Text() != "ready" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("writer did not start: %q\n%s", lines.Text(), stderr.Bytes())
	}
	killer := time.AfterFunc(delay, func() { cmd.Process.Signal(syscall.SIGKILL) })
	defer killer.Stop()
	for lines.Scan() {
		if err := line(lines.Text()); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("%v\n%s", err, stderr.Bytes())
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("writer ended with %v, want killed\n%s", err, stderr.Bytes())
	}
}

// verifyRecords checks the file against what the writers acknowledged:
// every acknowledged record is there with its value; at most one more (the
// Update committed just before the kill, whose ack was never printed); each
// Update landed whole; and revisions kept increasing across crashes.
func verifyRecords(t *testing.T, s *Store, acked []int) {
	t.Helper()
	err := s.View(context.Background(), func(tx store.Tx) error {
		var prevRev int64
		for cycle, n := range acked {
			items, err := tx.Scan(fmt.Sprintf("rec/%02d/", cycle), "", 0)
			if err != nil {
				return err
			}
			// An Update writes "material" and "meta" of one record, which
			// sort in that order.
			if len(items)%2 != 0 {
				t.Fatalf("cycle %d: %d record parts, not whole records", cycle, len(items))
			}
			committed := len(items) / 2
			if committed != n && committed != n+1 {
				t.Fatalf("cycle %d: %d records committed, %d acknowledged", cycle, committed, n)
			}
			for i := range committed {
				for j, part := range []string{"material", "meta"} {
					it := items[2*i+j]
					key, value := record(cycle, i, part)
					if it.Key != key || !bytes.Equal(it.Value, value) {
						t.Fatalf("cycle %d: item %q (%d bytes), want %q (%d bytes)", cycle, it.Key, len(it.Value), key, len(value))
					}
				}
				if rev := items[2*i].Revision; rev <= prevRev || items[2*i+1].Revision != rev {
					t.Fatalf("cycle %d record %d: revisions %d and %d after %d", cycle, i, rev, items[2*i+1].Revision, prevRev)
				}
				prevRev = items[2*i].Revision
			}
			if committed == 0 {
				continue
			}
			counter, err := tx.Get(fmt.Sprintf("counter/%02d", cycle))
			if err != nil {
				return err
			}
			if string(counter.Value) != strconv.Itoa(committed-1) || counter.Revision != prevRev {
				t.Fatalf("cycle %d: counter %q rev %d, want %d rev %d", cycle, counter.Value, counter.Revision, committed-1, prevRev)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
