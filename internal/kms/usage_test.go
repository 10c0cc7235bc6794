package kms

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// TestFlushUsageFitsTheStoreLimits: usage noted for many keys is written
// in transactions the store accepts (each key's entry reads two records),
// and every entry reaches the store.
func TestFlushUsageFitsTheStoreLimits(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s := newRecordsTestService(t, clk)
	const n = 150 // more than one transaction's worth at etcd's 128
	var ids []string
	for range n {
		created, err := s.CreateKey(testRequest("CreateKey"), &CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		id := created.KeyMetadata.KeyId
		ids = append(ids, id)
		if _, err := s.Encrypt(testRequest("Encrypt"), &EncryptInput{KeyId: &id, Plaintext: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.FlushUsage(context.Background()); err != nil {
		t.Fatalf("FlushUsage of %d keys: %v", n, err)
	}
	err := s.store.View(context.Background(), func(tx store.Tx) error {
		for _, id := range ids {
			rec, err := getRecord[usageRecord](tx, layout.Usage("111122223333", "us-east-1", id))
			if err != nil {
				return err
			}
			if rec.Operation != "Encrypt" {
				t.Errorf("usage of %s: %+v", id, rec)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// usesDuringFlush is the store under test with one more use of a key
// noted at the start of every Update, as requests keep using a hot key
// while its usage is being written.
type usesDuringFlush struct {
	store.Store
	use     func()
	updates int
}

func (u *usesDuringFlush) Update(ctx context.Context, fn func(store.Tx) error) error {
	u.updates++
	if u.updates > 5 {
		return errors.New("FlushUsage is still writing after 5 transactions")
	}
	u.use()
	return u.Store.Update(ctx, fn)
}

// TestFlushUsageWritesWhatWasPendingOnce: a flush writes the uses noted
// before it began and returns, even while new uses of the key keep coming
// (they wait for the next flush). A flush that took new uses as it went
// never returned under load, writing the same record over and over.
func TestFlushUsageWritesWhatWasPendingOnce(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s := newRecordsTestService(t, clk)
	created, err := s.CreateKey(testRequest("CreateKey"), &CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := created.KeyMetadata.KeyId
	encrypt := func() {
		if _, err := s.Encrypt(testRequest("Encrypt"), &EncryptInput{KeyId: &id, Plaintext: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	encrypt()
	hot := &usesDuringFlush{Store: s.store, use: func() { clk.Advance(time.Second); encrypt() }}
	s.store = hot
	if err := s.FlushUsage(context.Background()); err != nil {
		t.Fatalf("FlushUsage: %v", err)
	}
	if hot.updates != 1 {
		t.Errorf("FlushUsage wrote in %d transactions, want 1", hot.updates)
	}
	if _, ok := s.usage.lookup(layout.Usage("111122223333", "us-east-1", id)); !ok {
		t.Error("the use noted during the flush is not pending for the next one")
	}
}
