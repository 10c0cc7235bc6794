package kms

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/secret"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

// TestDueKeysSortByTime: the scheduler scans the index in key order and
// stops at the first entry in the future, so key order must be time order,
// across changes in the number of digits of the Unix time too.
func TestDueKeysSortByTime(t *testing.T) {
	t.Parallel()
	times := []time.Time{
		time.Unix(9_999_999_999, 0),   // 2286, eleven digits
		time.Unix(1_000_000_000, 0),   // 2001-09-09, ten digits
		time.Unix(999_999_999, 0),     // nine digits
		time.Unix(1, 0),               // 1970
		time.Unix(1_798_200_000, 0),   // 2026
		time.Unix(1_798_200_001, 0),   // one second later
		time.Unix(253_402_300_799, 0), // 9999-12-31T23:59:59Z
	}
	var entries []string
	for i, at := range times {
		// Accounts and key IDs sorting against time order, so only the time
		// can put the keys in order.
		account := strings.Repeat(string(rune('9'-i)), 12)
		entries = append(entries, dueKey(at, account, "us-east-1", "key-"+string(rune('z'-i)), dueRotation))
	}
	slices.Sort(entries)
	var got []time.Time
	for _, k := range entries {
		e, err := parseDueKey(k)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.At)
	}
	if !slices.IsSortedFunc(got, time.Time.Compare) {
		t.Fatalf("index keys in key order are not in time order: %v", got)
	}
}

func TestDueKeyParsesBack(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, kind := range []dueKind{dueDeletion, dueRotation} {
		k := dueKey(at, "111122223333", "eu-west-2", "mrk-1234abcd12ab34cd56ef1234567890ab", kind)
		if !strings.HasPrefix(k, duePrefix) {
			t.Fatalf("%q is outside the scheduler index", k)
		}
		e, err := parseDueKey(k)
		if err != nil {
			t.Fatal(err)
		}
		want := dueEntry{At: at, Account: "111122223333", Region: "eu-west-2", KeyID: "mrk-1234abcd12ab34cd56ef1234567890ab", Kind: kind}
		if e != want {
			t.Fatalf("parseDueKey(%q) = %+v, want %+v", k, e, want)
		}
		if again := dueKey(e.At, e.Account, e.Region, e.KeyID, e.Kind); again != k {
			t.Fatalf("re-encoded entry %q differs from %q", again, k)
		}
	}
}

// TestDueKeyWholeSeconds: the index holds whole seconds while the wall
// clock has nanoseconds. An entry names the due time rounded up, so it never
// comes due before its work does; a time already on a whole second is kept.
func TestDueKeyWholeSeconds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ at, want time.Time }{
		{time.Date(2026, 11, 25, 12, 0, 0, 500_000_000, time.UTC), time.Date(2026, 11, 25, 12, 0, 1, 0, time.UTC)},
		{time.Date(2026, 11, 25, 12, 0, 0, 1, time.UTC), time.Date(2026, 11, 25, 12, 0, 1, 0, time.UTC)},
		{time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)},
	} {
		e, err := parseDueKey(dueKey(c.at, "111122223333", "us-east-1", "1234abcd-12ab-34cd-56ef-1234567890ab", dueDeletion))
		if err != nil {
			t.Fatal(err)
		}
		if !e.At.Equal(c.want) || e.At.Location() != time.UTC || e.At.Before(c.at) {
			t.Fatalf("entry due at %v for work due at %v, want %v", e.At, c.at, c.want)
		}
		if !sameDueSecond(c.at, e.At) {
			t.Fatalf("sameDueSecond(%v, %v) = false", c.at, e.At)
		}
	}
}

func TestDueKeyMalformed(t *testing.T) {
	t.Parallel()
	for _, k := range []string{
		"due/",
		"due/0000000001798200000/111122223333/us-east-1/key",
		"due/0000000001798200000/111122223333/us-east-1/key/rotate/extra",
		"due/soon/111122223333/us-east-1/key/rotate",
	} {
		if e, err := parseDueKey(k); err == nil {
			t.Errorf("parseDueKey(%q) = %+v, want an error", k, e)
		}
	}
}

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

// TestSchedulerRunsSubSecondDueTimes: with the wall clock a due time has
// nanoseconds but its index entry whole seconds; the scheduler must still
// take the entry for the key's and do the work, not drop it as stale.
func TestSchedulerRunsSubSecondDueTimes(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 250_000_000, time.UTC))
	s := newRecordsTestService(t, clk)
	ctx := request.NewContext(context.Background(), &request.Info{
		ID: "req-1", Region: "us-east-1",
		Caller: identity.Caller{Account: "111122223333", ARN: "arn:aws:iam::111122223333:root"},
	})
	created, err := s.CreateKey(ctx, &CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyID := created.KeyMetadata.KeyId
	if _, err := s.RotateKeyOnDemand(ctx, &KeyIDInput{KeyId: &keyID}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if err := s.RunDue(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	var k *keys.Key
	err = s.store.View(context.Background(), func(tx store.Tx) error {
		k, err = getRecord[*keys.Key](tx, keyKey("111122223333", "us-east-1", keyID))
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
	dir := t.TempDir()
	st, err := bolt.Open(filepath.Join(dir, "trent.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keyring, err := seal.NewKeyring(secret.New([]byte(strings.Repeat("k", 32))))
	if err != nil {
		t.Fatal(err)
	}
	auditLog, err := audit.OpenFile(filepath.Join(dir, audit.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := errors.Join(auditLog.Close(), st.Close()); err != nil {
			t.Error(err)
		}
	})
	s, err := New(Config{Store: st, Sealer: keyring, Clock: clk, Audit: auditLog})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
