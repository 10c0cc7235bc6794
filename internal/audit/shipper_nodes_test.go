package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// testNodeID is the node the fixture's shipper ships for.
const testNodeID = "node-1"

// TestNodesShipOnlyTheirOwnRecords: two nodes share one store, each with
// its own log file. Each file gets exactly the records its node staged,
// however the nodes' rounds interleave.
func TestNodesShipOnlyTheirOwnRecords(t *testing.T) {
	f := newShipperFixture(t)
	a, _ := f.shipper(f.store)
	otherDir := t.TempDir()
	otherFile, err := OpenFile(filepath.Join(otherDir, FileName), f.clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { otherFile.Close() })
	b := NewShipper(f.store, "node-2", otherFile, f.clock, nil)

	ofA := f.stage(a, 0, 150)
	ofB := f.stage(b, 150, 150)
	// b ships first: it must leave a's records alone, not append them.
	if err := b.Ship(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.Ship(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.wantExactlyOnce(ofA)
	inA, inB := f.logged(), countEvents(t, filepath.Join(otherDir, FileName))
	for _, id := range ofB {
		if inA[id] != 0 || inB[id] != 1 {
			t.Errorf("node-2's record %s is %d times in node-1's log and %d times in node-2's, want 0 and 1", id, inA[id], inB[id])
		}
	}
	if len(inB) != len(ofB) {
		t.Errorf("node-2's log holds %d records, want its %d", len(inB), len(ofB))
	}
}

// TestRecoverShipsTheLegacyOutbox: a store of layout version 2 may hold
// records a crash left in the store-wide outbox, some of them already
// appended to the log file after the recorded position. Recover ships the
// others exactly once and empties the old outbox.
func TestRecoverShipsTheLegacyOutbox(t *testing.T) {
	f := newShipperFixture(t)
	w, err := OpenFile(filepath.Join(f.dir, FileName), f.clock)
	if err != nil {
		t.Fatal(err)
	}
	// Version 2's shipper shipped one record and confirmed it...
	first := Service(ServiceEvent{Name: "RotateKey", Time: f.clock.Now()})
	at := f.appendLine(w, first)
	mark, _ := json.Marshal(at)
	// ...then appended a second one and crashed before confirming it; a
	// third was never appended.
	second := Service(ServiceEvent{Name: "DisableKey", Time: f.clock.Now()})
	third := Service(ServiceEvent{Name: "EnableKey", Time: f.clock.Now()})
	f.appendLine(w, second)
	w.Close()
	err = f.store.Update(context.Background(), func(tx store.Tx) error {
		for i, rec := range []*Record{second, third} {
			p, err := Prepare(rec)
			if err != nil {
				return err
			}
			if err := tx.Put(layout.LegacyOutbox(f.clock.Now().Add(time.Duration(i)), rec.EventID), p.line); err != nil {
				return err
			}
		}
		return tx.Put(layout.MetaAuditShipped, mark)
	})
	if err != nil {
		t.Fatal(err)
	}

	s, _ := f.shipper(f.store)
	if err := s.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.wantExactlyOnce([]string{first.EventID, second.EventID, third.EventID})
}

// appendLine appends rec to w durably and returns where the file ends.
func (f *shipperFixture) appendLine(w *FileWriter, rec *Record) Position {
	f.t.Helper()
	p, err := Prepare(rec)
	if err != nil {
		f.t.Fatal(err)
	}
	at, err := w.AppendDurable(append(p.line, '\n'))
	if err != nil {
		f.t.Fatal(err)
	}
	return at
}

func countEvents(t *testing.T, path string) map[string]int {
	t.Helper()
	recs, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, line := range bytes.Split(bytes.TrimSpace(recs), []byte("\n")) {
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		counts[r.EventID]++
	}
	return counts
}
