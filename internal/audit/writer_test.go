package audit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
)

// TestWriteIsNotHeldUpByAnFsync: the fsync of the log runs while records
// keep being written; only the fsync itself waits for the disk.
func TestWriteIsNotHeldUpByAnFsync(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	w, err := OpenFile(path, clock.NewManual(time.Unix(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	inSync, release := make(chan struct{}), make(chan struct{})
	w.syncing = func() { close(inSync); <-release }
	if err := w.Write(Service(ServiceEvent{Name: "first", Time: time.Unix(0, 0)})); err != nil {
		t.Fatal(err)
	}
	synced := make(chan error, 1)
	go func() { synced <- w.Sync() }()
	<-inSync
	wrote := make(chan error, 1)
	go func() { wrote <- w.Write(Service(ServiceEvent{Name: "during", Time: time.Unix(0, 0)})) }()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		close(release)
		t.Fatal("a Write waited for an fsync in progress")
	}
	close(release)
	if err := <-synced; err != nil {
		t.Fatal(err)
	}
	w.syncing = nil
}

// TestSyncRunsOnTheInjectedClock: records reach the disk within the sync
// interval of the clock that drives the writer, the default or another.
func TestSyncRunsOnTheInjectedClock(t *testing.T) {
	for _, every := range []time.Duration{SyncInterval, 100 * time.Millisecond} {
		t.Run(every.String(), func(t *testing.T) { testSyncEvery(t, every) })
	}
}

func testSyncEvery(t *testing.T, every time.Duration) {
	c := clock.NewManual(time.Unix(0, 0))
	w, err := OpenFileSyncing(filepath.Join(t.TempDir(), FileName), c, every)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	synced := make(chan struct{}, 1)
	w.syncing = func() { synced <- struct{}{} }
	if err := w.Write(Service(ServiceEvent{Name: "x", Time: time.Unix(0, 0)})); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer close(done)
	if !c.WaitForTickers(1, done) {
		t.Fatal("no sync ticker")
	}
	select {
	case <-synced:
		t.Fatal("fsynced before the interval passed")
	case <-time.After(50 * time.Millisecond):
	}
	c.Advance(every)
	select {
	case <-synced:
	case <-time.After(5 * time.Second):
		t.Fatalf("moving the clock by %v did not fsync the log", every)
	}
}

func TestSyncIntervalMustBePositive(t *testing.T) {
	if _, err := OpenFileSyncing(filepath.Join(t.TempDir(), FileName), clock.Real{}, 0); err == nil {
		t.Fatal("a zero sync interval was accepted")
	}
}

func TestReopenStartsANewFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	w, err := OpenFile(path, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	before := w.Position()
	if err := w.Write(Service(ServiceEvent{Name: "old", Time: time.Unix(0, 0)})); err != nil {
		t.Fatal(err)
	}
	// A log rotator moves the file away and signals: the next record goes
	// to a new file at the same path.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := w.Reopen(); err != nil {
		t.Fatal(err)
	}
	after := w.Position()
	if after.Offset != 0 || (after.Dev == before.Dev && after.Ino == before.Ino && before.Ino != 0) {
		t.Fatalf("position after Reopen %+v, before %+v: not a new file", after, before)
	}
	if err := w.Write(Service(ServiceEvent{Name: "new", Time: time.Unix(0, 0)})); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if !strings.Contains(string(old), `"eventName":"old"`) || strings.Contains(string(old), `"new"`) || !strings.Contains(string(cur), `"eventName":"new"`) {
		t.Fatalf("old file %q, new file %q", old, cur)
	}
}

// TestWriteBatchesWithinWriteDelay: a record given to Write waits in
// memory until WriteDelay of the writer's clock has passed, then reaches
// the file, with the others of its batch.
func TestWriteBatchesWithinWriteDelay(t *testing.T) {
	c := clock.NewManual(time.Unix(0, 0))
	path := filepath.Join(t.TempDir(), FileName)
	w, err := OpenFile(path, c)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	done := make(chan struct{})
	defer close(done)
	if !c.WaitForTickers(1, done) { // the sync loop's
		t.Fatal("no sync ticker")
	}
	for _, name := range []string{"one", "two"} {
		if err := w.Write(Service(ServiceEvent{Name: name, Time: time.Unix(0, 0)})); err != nil {
			t.Fatal(err)
		}
	}
	if !c.WaitForTickers(2, done) {
		t.Fatal("the write loop did not start its delay")
	}
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Fatalf("records reached the file before WriteDelay passed: %q", b)
	}
	c.Advance(WriteDelay)
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), `"eventName":"one"`) && strings.Contains(string(b), `"eventName":"two"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("moving the clock by WriteDelay did not write the batch: %q", b)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestFullBatchIsWrittenAtOnce: once writeBatchBytes wait, Write writes
// them itself, whatever the clock says.
func TestFullBatchIsWrittenAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	w, err := OpenFile(path, clock.NewManual(time.Unix(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	n := 0
	for size := int64(0); size < writeBatchBytes; size += 400 {
		if err := w.Write(Service(ServiceEvent{Name: "r", Time: time.Unix(0, 0)})); err != nil {
			t.Fatal(err)
		}
		n++
	}
	b, _ := os.ReadFile(path)
	if got := strings.Count(string(b), "\n"); got == 0 || got > n {
		t.Fatalf("%d records given, %d in the file without the clock moving", n, got)
	}
}

// TestWriteFailsClosed: when records cannot reach the file, Write says so
// (its request then fails) instead of piling up records that never land.
func TestWriteFailsClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	w, err := OpenFile(path, clock.NewManual(time.Unix(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write(Service(ServiceEvent{Name: "lost", Time: time.Unix(0, 0)})); err != nil {
		t.Fatal(err)
	}
	w.f.Close() // the file can no longer be written
	if err := w.Flush(); err == nil {
		t.Fatal("writing to a closed file succeeded")
	}
	if err := w.Write(Service(ServiceEvent{Name: "next", Time: time.Unix(0, 0)})); err == nil {
		t.Fatal("Write succeeded while the log cannot be written")
	}
}

// TestFailedWriteKeepsOnlyAcknowledgedRecords: when the write a full batch
// triggers fails, the record whose Write failed (its request fails too)
// is never written later; the records of earlier, acknowledged Writes are,
// once the file can be written again.
func TestFailedWriteKeepsOnlyAcknowledgedRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	w, err := OpenFile(path, clock.NewManual(time.Unix(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rec := func(name string) *Record { return Service(ServiceEvent{Name: name, Time: time.Unix(0, 0)}) }
	// Acknowledged records, just short of a full batch.
	acked := 0
	for {
		line, err := encodeLine(rec("acked"))
		if err != nil {
			t.Fatal(err)
		}
		size := len(*line)
		releaseLine(line)
		if len(w.pending)+2*size >= writeBatchBytes {
			break
		}
		if err := w.Write(rec("acked")); err != nil {
			t.Fatal(err)
		}
		acked++
	}
	// The file cannot be written for a moment: the Write that fills the
	// batch fails.
	good := w.f
	readOnly, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	w.f = readOnly
	refused := ""
	for i := 0; refused == ""; i++ {
		name := fmt.Sprint("try-", i)
		if err := w.Write(rec(name)); err != nil {
			refused = name
			break
		}
		if len(w.pending) > 2*writeBatchBytes {
			t.Fatal("no Write failed while the file could not be written")
		}
		acked++ // it fit in the batch without a write: acknowledged
	}
	w.f = good
	readOnly.Close()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), `"eventName":"`+refused+`"`) {
		t.Fatalf("the record of the failed Write (%s) reached the file", refused)
	}
	if got := strings.Count(string(b), "\n"); got != acked {
		t.Fatalf("%d records in the file, want the %d acknowledged ones", got, acked)
	}
}
