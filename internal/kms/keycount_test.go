package kms

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// fillKeyRecords writes n key records spread over three accounts and
// Regions, each followed in key order by the other records a key has
// (material, tags, usage), as a real store holds them.
func fillKeyRecords(tb testing.TB, s *Service, n int, state keys.State) {
	tb.Helper()
	places := [][2]string{{"111122223333", "us-east-1"}, {"111122223333", "eu-west-2"}, {"444455556666", "us-east-1"}}
	for start := 0; start < n; start += 40 {
		err := s.store.Update(context.Background(), func(tx store.Tx) error {
			for i := start; i < min(start+40, n); i++ {
				p := places[i%len(places)]
				k := &keys.Key{ID: fmt.Sprintf("%08d-0000-4000-8000-000000000000", i), Account: p[0], Region: p[1],
					Spec: keys.SpecSymmetricDefault, Usage: keys.UsageEncryptDecrypt, Origin: keys.OriginAWSKMS, Manager: keys.ManagerCustomer,
					State: state, CreatedAt: time.Unix(0, 0).UTC(), MaterialCount: 1}
				for _, name := range []string{
					layout.Material(k.Account, k.Region, k.ID, 0), layout.Tags(k.Account, k.Region, k.ID),
				} {
					if err := tx.Put(name, []byte(`{}`)); err != nil {
						return err
					}
				}
				if err := putRecord(tx, layout.Key(k.Account, k.Region, k.ID), k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// TestCountKeys: every account's and Region's key records are counted
// once, by state and spec, and no other record is.
func TestCountKeys(t *testing.T) {
	s := newRecordsTestService(t, clock.NewManual(time.Unix(0, 0)))
	fillKeyRecords(t, s, 2*keyCountPage+7, keys.StateEnabled)
	counts, err := s.CountKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[KeyClass]int{{State: keys.StateEnabled, Spec: keys.SpecSymmetricDefault}: 2*keyCountPage + 7}
	if !maps.Equal(counts, want) {
		t.Fatalf("counts = %v, want %v", counts, want)
	}
}

// BenchmarkCountKeys is one count of 100,000 keys; ns/op divided by the
// keys is the cost of a key, which sets how often trent_keys is recounted.
func BenchmarkCountKeys(b *testing.B) {
	const n = 100_000
	s := newRecordsTestServiceOn(b, clock.NewManual(time.Unix(0, 0)), nil)
	fillKeyRecords(b, s, n, keys.StateEnabled)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.CountKeys(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/key")
}
