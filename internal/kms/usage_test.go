package kms

import (
	"context"
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
