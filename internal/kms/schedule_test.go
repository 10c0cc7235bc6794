package kms

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// hookedStore runs a hook once after the next View that scanned the
// scheduler index, or before the next Update, so a test can make another
// request's change land between the scheduler's steps, deterministically.
type hookedStore struct {
	store.Store
	mu                      sync.Mutex
	afterView, beforeUpdate func()
}

// scanSpy notes whether a View scanned the scheduler index.
type scanSpy struct {
	store.Tx
	due bool
}

func (s *scanSpy) Scan(prefix, after string, limit int) ([]store.Item, error) {
	s.due = s.due || prefix == layout.DuePrefix
	return s.Tx.Scan(prefix, after, limit)
}

func (h *hookedStore) take(hook *func()) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := *hook
	*hook = nil
	return f
}

func (h *hookedStore) View(ctx context.Context, fn func(store.Tx) error) error {
	spy := &scanSpy{}
	err := h.Store.View(ctx, func(tx store.Tx) error { spy.Tx = tx; return fn(spy) })
	if spy.due {
		if f := h.take(&h.afterView); f != nil {
			f()
		}
	}
	return err
}

func (h *hookedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if f := h.take(&h.beforeUpdate); f != nil {
		f()
	}
	return h.Store.Update(ctx, fn)
}

func testRequest(op string) context.Context {
	return request.NewContext(context.Background(), &request.Info{
		ID: "req-" + op, Operation: op, Region: "us-east-1",
		Caller: identity.RootCaller("111122223333", "test"),
	})
}

func (s *Service) testKey(t *testing.T, keyID string) *keys.Key {
	t.Helper()
	var k *keys.Key
	err := s.store.View(context.Background(), func(tx store.Tx) error {
		var err error
		k, err = getRecord[*keys.Key](tx, layout.Key("111122223333", "us-east-1", keyID))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestRotationSurvivesDisableAndEnableDuringRunDue: the scheduler lists a
// due rotation; the key is disabled before the scheduler looks at it, and
// enabled again before the scheduler acts. The key is then Enabled and
// overdue, so it must still rotate. (When the scheduler judged the entry
// stale on its earlier read and deleted it later without looking again, the
// key lost its index entry and never rotated again.)
func TestRotationSurvivesDisableAndEnableDuringRunDue(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	hooked := &hookedStore{}
	s := newRecordsTestServiceOn(t, clk, func(st store.Store) store.Store { hooked.Store = st; return hooked })
	created, err := s.CreateKey(testRequest("CreateKey"), &CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := created.KeyMetadata.KeyId
	if _, err := s.EnableKeyRotation(testRequest("EnableKeyRotation"), &EnableKeyRotationInput{KeyId: &id}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(366 * keys.Day)

	// The scheduler's read of the index lists the entry; then the key is
	// disabled, and just before the scheduler's next write, enabled again.
	hooked.afterView = func() {
		if _, err := s.DisableKey(testRequest("DisableKey"), &KeyIDInput{KeyId: &id}); err != nil {
			t.Error(err)
		}
		hooked.mu.Lock()
		hooked.beforeUpdate = func() {
			if _, err := s.EnableKey(testRequest("EnableKey"), &KeyIDInput{KeyId: &id}); err != nil {
				t.Error(err)
			}
		}
		hooked.mu.Unlock()
	}
	for range 2 {
		if err := s.RunDue(context.Background(), clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	k := s.testKey(t, id)
	if k.State != keys.StateEnabled || k.MaterialCount != 2 {
		t.Fatalf("key %s with %d material versions, want Enabled and rotated once", k.State, k.MaterialCount)
	}
	if !k.Rotation.Next.After(clk.Now()) {
		t.Fatalf("next rotation %v is not after now %v", k.Rotation.Next, clk.Now())
	}
}

// TestMalformedIndexEntriesAreSkipped: one entry that does not parse must
// not stop every other key's rotation and deletion; it is counted once.
func TestMalformedIndexEntriesAreSkipped(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s := newRecordsTestService(t, clk)
	var ids []string
	for range 2 {
		created, err := s.CreateKey(testRequest("CreateKey"), &CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, created.KeyMetadata.KeyId)
	}
	if _, err := s.EnableKeyRotation(testRequest("EnableKeyRotation"), &EnableKeyRotationInput{KeyId: &ids[0]}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ScheduleKeyDeletion(testRequest("ScheduleKeyDeletion"), &ScheduleKeyDeletionInput{KeyId: &ids[1]}); err != nil {
		t.Fatal(err)
	}
	// Damage sorting before, between and after the real entries, and a
	// damaged trash marker.
	bad := []string{
		layout.DuePrefix + "0000000000000001/old-format/us-east-1/k/rotate",
		layout.Due(clk.Now().Add(10*keys.Day), "111122223333", "us-east-1", "k", "explode"),
		layout.DuePrefix + "0000001800000000.000000000/too/few",
		layout.TrashPrefix + "not-enough-parts",
	}
	err := s.store.Update(context.Background(), func(tx store.Tx) error {
		for _, k := range bad {
			if err := tx.Put(k, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(400 * keys.Day)
	for range 2 {
		if err := s.RunDue(context.Background(), clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if k := s.testKey(t, ids[0]); k.MaterialCount != 2 {
		t.Errorf("key with due rotation has %d material versions, want 2", k.MaterialCount)
	}
	err = s.store.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.Get(layout.Key("111122223333", "us-east-1", ids[1]))
		return err
	})
	if err != store.ErrNotFound {
		t.Errorf("key past its deletion date: %v, want deleted", err)
	}
	if got := s.SchedulerStats().MalformedEntries; got != len(bad) {
		t.Errorf("MalformedEntries = %d, want %d (each counted once over two runs)", got, len(bad))
	}
}

// TestDeletingABigKeyFitsTheStoreLimits: a key with more aliases and
// material versions than one transaction may delete is removed in batches
// the store accepts, completely.
func TestDeletingABigKeyFitsTheStoreLimits(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s := newRecordsTestService(t, clk)
	created, err := s.CreateKey(testRequest("CreateKey"), &CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := created.KeyMetadata.KeyId
	for i := range 50 { // the most a key may have: with 26 material versions, more than one transaction removes
		name := fmt.Sprintf("alias/big-%03d", i)
		if _, err := s.CreateAlias(testRequest("CreateAlias"), &AliasInput{AliasName: &name, TargetKeyId: &id}); err != nil {
			t.Fatal(err)
		}
	}
	for range keys.MaxOnDemandRotations {
		if _, err := s.RotateKeyOnDemand(testRequest("RotateKeyOnDemand"), &KeyIDInput{KeyId: &id}); err != nil {
			t.Fatal(err)
		}
		if err := s.RunDue(context.Background(), clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ScheduleKeyDeletion(testRequest("ScheduleKeyDeletion"), &ScheduleKeyDeletionInput{KeyId: &id}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(31 * keys.Day)
	if err := s.RunDue(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	err = s.store.View(context.Background(), func(tx store.Tx) error {
		items, err := tx.Scan(layout.Account("111122223333", "us-east-1"), "", 0)
		if len(items) != 0 {
			t.Errorf("%d records remain after deletion, e.g. %s", len(items), items[0].Key)
		}
		trash, _ := tx.Scan(layout.TrashPrefix, "", 0)
		if len(trash) != 0 {
			t.Errorf("trash marker remains: %s", trash[0].Key)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
