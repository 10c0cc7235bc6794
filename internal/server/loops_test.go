package server

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// TestBackgroundLoopsRunOnTheInjectedClock: the usage flush, like the
// scheduler tick, the audit shipper and the audit fsync, ticks on the
// node's clock, so moving a manual clock drives it without sleeping.
func TestBackgroundLoopsRunOnTheInjectedClock(t *testing.T) {
	c := clock.NewManual(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	n, srv, client := serveNodeOn(t, t.TempDir(), c)
	n.Start()
	defer func() { srv.Close(); n.Close() }()
	ctx := context.Background()
	key, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	usage := layout.Usage("111122223333", "us-east-1", *key.KeyMetadata.KeyId)
	stored := func() bool {
		err := n.store.View(ctx, func(tx store.Tx) error {
			_, err := tx.Get(usage)
			return err
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	if stored() {
		t.Fatal("usage written before the flush interval passed")
	}
	// The scheduler, the usage flusher, the shipper and the log's fsync.
	done := make(chan struct{})
	defer close(done)
	if !c.WaitForTickers(4, done) {
		t.Fatal("the loops did not start their tickers")
	}
	c.Advance(UsageFlushInterval)
	deadline := time.Now().Add(10 * time.Second)
	for !stored() {
		if time.Now().After(deadline) {
			t.Fatal("moving the clock by the flush interval did not write the usage")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
