package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

// failingUpdates is the real store, except that its next Update fails
// before it runs: what a crash between the log's fsync and the commit that
// confirms a shipped batch looks like to the next start.
type failingUpdates struct {
	store.Store
	fail bool
}

func (f *failingUpdates) Update(ctx context.Context, fn func(store.Tx) error) error {
	if f.fail {
		f.fail = false
		return errors.New("simulated crash before the commit")
	}
	return f.Store.Update(ctx, fn)
}

type shipperFixture struct {
	t     *testing.T
	dir   string
	store *bolt.Store
	clock *clock.Manual
}

func newShipperFixture(t *testing.T) *shipperFixture {
	dir := t.TempDir()
	st, err := bolt.Open(filepath.Join(dir, "trent.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &shipperFixture{t: t, dir: dir, store: st, clock: clock.NewManual(time.Unix(1_800_000_000, 0))}
}

func (f *shipperFixture) shipper(st store.Store) (*Shipper, *FileWriter) {
	w, err := OpenFile(filepath.Join(f.dir, FileName), f.clock)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { w.Close() })
	return NewShipper(st, testNodeID, w, f.clock, nil), w
}

// stage commits n records, each with a change, the way the service does.
func (f *shipperFixture) stage(s *Shipper, first, n int) []string {
	var ids []string
	for i := first; i < first+n; i++ {
		rec := Service(ServiceEvent{Name: "RotateKey", Account: "111122223333", Region: "us-east-1", KeyARN: fmt.Sprint("arn:k", i), Time: f.clock.Now()})
		ids = append(ids, rec.EventID)
		err := f.store.Update(context.Background(), func(tx store.Tx) error {
			if err := tx.Put(fmt.Sprint("change/", i), []byte("x")); err != nil {
				return err
			}
			return s.Stage(tx, rec)
		})
		if err != nil {
			f.t.Fatal(err)
		}
		f.clock.Advance(time.Millisecond)
	}
	return ids
}

// logged counts the records of each event ID in the log file.
func (f *shipperFixture) logged() map[string]int {
	file, err := os.Open(filepath.Join(f.dir, FileName))
	if err != nil {
		f.t.Fatal(err)
	}
	defer file.Close()
	counts := map[string]int{}
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			f.t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		counts[r.EventID]++
	}
	return counts
}

func (f *shipperFixture) outbox() int {
	var n int
	err := f.store.View(context.Background(), func(tx store.Tx) error {
		items, err := tx.Scan(layout.OutboxPrefix, "", 0)
		n = len(items)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *shipperFixture) wantExactlyOnce(ids []string) {
	f.t.Helper()
	counts := f.logged()
	for _, id := range ids {
		if counts[id] != 1 {
			f.t.Errorf("event %s is in the log %d times, want 1", id, counts[id])
		}
	}
	if n := f.outbox(); n != 0 {
		f.t.Errorf("%d records left in the outbox", n)
	}
}

func TestShipMovesTheOutboxToTheLog(t *testing.T) {
	f := newShipperFixture(t)
	s, _ := f.shipper(f.store)
	// More than one shipping transaction's worth, so batches are exercised.
	ids := f.stage(s, 0, 300)
	if got := len(f.logged()); got != 0 {
		t.Fatalf("%d records in the log before shipping", got)
	}
	if err := s.Ship(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.wantExactlyOnce(ids)
	// Shipping again finds nothing and adds nothing.
	if err := s.Ship(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.wantExactlyOnce(ids)
}

// TestRecoverAfterACrashBeforeTheConfirmingCommit: the batch reached the
// log file (fsynced) but its removal from the outbox was never committed.
// The next start ships the outbox again and must not duplicate it.
func TestRecoverAfterACrashBeforeTheConfirmingCommit(t *testing.T) {
	f := newShipperFixture(t)
	crashing := &failingUpdates{Store: f.store}
	s, w := f.shipper(crashing)
	early := f.stage(s, 0, 5)
	if err := s.Ship(context.Background()); err != nil {
		t.Fatal(err)
	}
	late := f.stage(s, 5, 7)
	crashing.fail = true
	if err := s.Ship(context.Background()); err == nil {
		t.Fatal("Ship succeeded although its commit failed")
	}
	if n := f.outbox(); n != 7 {
		t.Fatalf("outbox holds %d records after the failed commit, want 7", n)
	}
	// Records of reads are appended directly after the batch, before the
	// crash; they must not confuse recovery.
	if err := w.Write(Service(ServiceEvent{Name: "Decrypt", Time: f.clock.Now()})); err != nil {
		t.Fatal(err)
	}
	w.Close()

	restarted, _ := f.shipper(f.store)
	if err := restarted.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.wantExactlyOnce(append(early, late...))
	// Recovery's position is where the log ends now: new records after it
	// ship once as well.
	more := f.stage(restarted, 12, 3)
	if err := restarted.Ship(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.wantExactlyOnce(append(append(early, late...), more...))
}

// TestRecoverWhenTheLogWasRotatedAway: the file the position names is
// gone; recovery reads the whole current file instead.
func TestRecoverWhenTheLogWasRotatedAway(t *testing.T) {
	f := newShipperFixture(t)
	s, w := f.shipper(f.store)
	shipped := f.stage(s, 0, 3)
	if err := s.Ship(context.Background()); err != nil {
		t.Fatal(err)
	}
	pending := f.stage(s, 3, 2)
	w.Close()
	path := filepath.Join(f.dir, FileName)
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	restarted, _ := f.shipper(f.store)
	if err := restarted.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.wantExactlyOnce(pending)
	for _, id := range shipped {
		if f.logged()[id] != 0 {
			t.Errorf("record %s of the rotated file was shipped again", id)
		}
	}
}

// run runs s.Run until the test ends.
func (f *shipperFixture) run(s *Shipper) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	f.t.Cleanup(func() { cancel(); <-done })
}

// waitOutboxEmpty waits up to 10 s for the shipper to empty the outbox.
func (f *shipperFixture) waitOutboxEmpty(what string) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.outbox() != 0 {
		if time.Now().After(deadline) {
			f.t.Fatalf("%s: the outbox was not emptied in 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRunShipsWhenKicked(t *testing.T) {
	f := newShipperFixture(t)
	s, _ := f.shipper(f.store)
	f.run(s)
	ids := f.stage(s, 0, 2)
	s.Kick()
	f.waitOutboxEmpty("a kicked shipper")
	f.wantExactlyOnce(ids)
}

// TestRunSpacesItsRounds: a kick right after a round is served once
// ShipSpacing of the shipper's clock has passed, not before.
func TestRunSpacesItsRounds(t *testing.T) {
	f := newShipperFixture(t)
	s, _ := f.shipper(f.store)
	f.run(s)
	first := f.stage(s, 0, 1)
	s.Kick()
	f.waitOutboxEmpty("first kick")
	// The shipper now pauses on a ticker of its own, besides its retry
	// ticker and the log's sync ticker.
	stop := make(chan struct{})
	timer := time.AfterFunc(10*time.Second, func() { close(stop) })
	defer timer.Stop()
	if !f.clock.WaitForTickers(3, stop) {
		t.Fatal("the shipper did not pause on a ticker after its round")
	}
	second := f.stage(s, 1, 1)
	s.Kick()
	time.Sleep(50 * time.Millisecond)
	if f.outbox() != 1 {
		t.Fatal("a kick within ShipSpacing of the last round was served at once")
	}
	f.clock.Advance(ShipSpacing)
	f.waitOutboxEmpty("after ShipSpacing")
	f.wantExactlyOnce(append(first, second...))
}

// TestFailedConfirmIsNotShippedTwice: when the commit that confirms a
// shipped batch fails (a conflict, a cancelled context at shutdown), the
// records are in the file but still in the outbox; the next round must
// confirm them without appending them again.
func TestFailedConfirmIsNotShippedTwice(t *testing.T) {
	f := newShipperFixture(t)
	crashing := &failingUpdates{Store: f.store}
	s, _ := f.shipper(crashing)
	ids := f.stage(s, 0, 4)
	crashing.fail = true
	if err := s.Ship(context.Background()); err == nil {
		t.Fatal("Ship succeeded although its commit failed")
	}
	if err := s.Ship(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.wantExactlyOnce(ids)
}

// TestShipConfirmsDespiteCancellation: a round whose context ends after
// the batch reached the file still confirms it.
func TestShipConfirmsDespiteCancellation(t *testing.T) {
	f := newShipperFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancelling := &cancelOnUpdate{Store: f.store, cancel: cancel}
	s, _ := f.shipper(cancelling)
	ids := f.stage(s, 0, 3)
	cancelling.armed = true
	_ = s.Ship(ctx)
	if n := f.outbox(); n != 0 {
		t.Fatalf("%d shipped records left unconfirmed by a cancelled round", n)
	}
	f.wantExactlyOnce(ids)
}

// cancelOnUpdate cancels a context just before its first armed Update.
type cancelOnUpdate struct {
	store.Store
	cancel func()
	armed  bool
}

func (c *cancelOnUpdate) Update(ctx context.Context, fn func(store.Tx) error) error {
	if c.armed {
		c.armed = false
		c.cancel()
	}
	return c.Store.Update(ctx, fn)
}

func TestReadRecordsRefusesATornLine(t *testing.T) {
	good := `{"eventName":"CreateKey","eventID":"a"}` + "\n"
	recs, err := ReadRecords(strings.NewReader(good + good))
	if err != nil || len(recs) != 2 || recs[1].EventName != "CreateKey" {
		t.Fatalf("ReadRecords = %+v, %v", recs, err)
	}
	if _, err := ReadRecords(strings.NewReader(good + `{"eventName":"Cre`)); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("a torn line: %v, want an error naming line 2", err)
	}
}
