package kms

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// TestUpgradeLayoutRefusesANewerStore: records written by a newer Trent
// are refused, not misread; a fresh store is marked current.
func TestUpgradeLayoutRefusesANewerStore(t *testing.T) {
	t.Parallel()
	s := newRecordsTestService(t, clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)))
	ctx := context.Background()
	if err := s.UpgradeLayout(ctx); err != nil {
		t.Fatalf("fresh store: %v", err)
	}
	var rec layoutRecord
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		rec, err = getRecord[layoutRecord](tx, layout.MetaLayout)
		return err
	})
	if err != nil || rec.Version != layout.Version {
		t.Fatalf("fresh store marked %+v (%v), want version %d", rec, err, layout.Version)
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		return putRecord(tx, layout.MetaLayout, layoutRecord{Version: layout.Version + 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UpgradeLayout(ctx); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("layout version %d", layout.Version+1)) {
		t.Fatalf("UpgradeLayout of a newer store = %v, want a refusal naming its version", err)
	}
}
