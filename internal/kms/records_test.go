package kms

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/secret"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

func TestRecordEnvelopeRoundTrip(t *testing.T) {
	t.Parallel()
	rec := aliasRecord{
		Name: "alias/app", TargetKeyID: "1234abcd-12ab-34cd-56ef-1234567890ab",
		CreatedAt: time.Date(2026, 11, 25, 12, 0, 0, 123_456_789, time.UTC),
		UpdatedAt: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
	}
	b, err := encodeRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Format *int            `json:"format"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil || env.Format == nil || *env.Format != recordFormat || len(env.Data) == 0 {
		t.Fatalf("record %s is not {\"format\":%d,\"data\":...} (%v)", b, recordFormat, err)
	}
	got, err := decodeRecord[aliasRecord](b)
	if err != nil {
		t.Fatal(err)
	}
	if got != rec {
		t.Fatalf("decoded %+v, want %+v", got, rec)
	}
}

// TestRecordFormatChecked: a record written by a newer (or unknown) format
// is refused rather than read as if it were this version's.
func TestRecordFormatChecked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, record, wantInErr string }{
		{"newer format", `{"format":2,"data":{"name":"alias/app","targetKeyId":"k"}}`, "format 2"},
		{"no format", `{"data":{"name":"alias/app","targetKeyId":"k"}}`, "format 0"},
		{"bare document", `{"name":"alias/app","targetKeyId":"k"}`, "format 0"},
		{"corrupt", `{"format":1,"data":`, "corrupt"},
		{"empty", ``, "corrupt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := decodeRecord[aliasRecord]([]byte(tc.record))
			if err == nil || !strings.Contains(err.Error(), tc.wantInErr) {
				t.Fatalf("decodeRecord(%s) = %v, want an error about %q", tc.record, err, tc.wantInErr)
			}
		})
	}
}

// TestOnDemandRotationIsDueAtOnce: with the wall clock a due time has
// nanoseconds. The scheduler, woken right after RotateKeyOnDemand, must
// find the rotation due at that very moment (not a whole second later,
// which left it for the next 30 s tick) and must take the index entry for
// the key's, not drop it as stale.
func TestOnDemandRotationIsDueAtOnce(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 250_000_000, time.UTC))
	s := newRecordsTestService(t, clk)
	ctx := request.NewContext(context.Background(), &request.Info{
		ID: "req-1", Region: "us-east-1",
		Caller: identity.RootCaller("111122223333", "test"),
	})
	created, err := s.CreateKey(ctx, &CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyID := created.KeyMetadata.KeyId
	if _, err := s.RotateKeyOnDemand(ctx, &KeyIDInput{KeyId: &keyID}); err != nil {
		t.Fatal(err)
	}
	if err := s.RunDue(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	var k *keys.Key
	err = s.store.View(context.Background(), func(tx store.Tx) error {
		k, err = getRecord[*keys.Key](tx, layout.Key("111122223333", "us-east-1", keyID))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if k.MaterialCount != 2 || !k.Rotation.OnDemandStarted.IsZero() {
		t.Fatalf("after RunDue: %d material versions, on-demand rotation started %v; want 2 and none pending",
			k.MaterialCount, k.Rotation.OnDemandStarted)
	}
}

// newRecordsTestService returns a service on a bolt store in a temp dir.
func newRecordsTestService(t *testing.T, clk clock.Clock) *Service {
	t.Helper()
	return newRecordsTestServiceOn(t, clk, nil)
}

// newRecordsTestServiceOn is newRecordsTestService with the store wrapped.
func newRecordsTestServiceOn(t testing.TB, clk clock.Clock, wrap func(store.Store) store.Store) *Service {
	t.Helper()
	dir := t.TempDir()
	bst, err := bolt.Open(filepath.Join(dir, "trent.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var st store.Store = bst
	if wrap != nil {
		st = wrap(bst)
	}
	keyring, err := seal.NewKeyring(secret.New([]byte(strings.Repeat("k", 32))))
	if err != nil {
		t.Fatal(err)
	}
	auditLog, err := audit.OpenFile(filepath.Join(dir, audit.FileName), clk)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := errors.Join(auditLog.Close(), st.Close()); err != nil {
			t.Error(err)
		}
	})
	s, err := New(Config{Store: st, Sealer: keyring, Clock: clk, Audit: audit.NewShipper(st, "node-1", auditLog, clk, nil)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
