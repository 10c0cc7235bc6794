package audit

import (
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
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if !strings.Contains(string(old), `"eventName":"old"`) || strings.Contains(string(old), `"new"`) || !strings.Contains(string(cur), `"eventName":"new"`) {
		t.Fatalf("old file %q, new file %q", old, cur)
	}
}
