package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

// TestUpgradeShipsTheOldOutbox: a store written before each node had its
// own audit outbox (here the first release's data directory) holds records
// of changes a crash left in the old, store-wide outbox. The next start
// ships them to the log, once, and leaves no record in the old place.
func TestUpgradeShipsTheOldOutbox(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{server.DataFileName, server.DevRootKeyFileName} {
		b, err := os.ReadFile(filepath.Join("testdata", "layout-v1", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := bolt.Open(filepath.Join(dir, server.DataFileName), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	err = st.Update(context.Background(), func(tx store.Tx) error {
		for i, name := range []string{"DisableKey", "TagResource", "CreateAlias"} {
			rec := audit.Service(audit.ServiceEvent{Name: name, Account: testAccount, Region: testRegion, Time: testEpoch})
			line, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			left = append(left, rec.EventID)
			if err := tx.Put(layout.LegacyOutbox(testEpoch.Add(time.Duration(i)), rec.EventID), line); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	tn := startNodeWith(t, nodeOptions{dataDir: dir, epoch: testEpoch.Add(time.Hour)})
	counts := map[string]int{}
	for _, r := range tn.auditRecords() {
		counts[r.EventID]++
	}
	for _, id := range left {
		if counts[id] != 1 {
			t.Errorf("record %s left in the old outbox is in the log %d times, want 1", id, counts[id])
		}
	}
	tn.srv.Close()
	if err := tn.node.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = bolt.Open(filepath.Join(dir, server.DataFileName), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View(context.Background(), func(tx store.Tx) error {
		items, err := tx.Scan(layout.OutboxPrefix, "", 0)
		if len(items) != 0 {
			t.Errorf("%d records left in the outboxes, first %q", len(items), items[0].Key)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
