package kms

import (
	"context"
	"fmt"
	"testing"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

// TestCachesHoldAtMostCacheKeys: with room for 3 keys, reading 10 keys'
// records and policies (each read twice, in turn) keeps at most 3 entries
// in every cache, and every read still returns that key's own record and
// policy.
func TestCachesHoldAtMostCacheKeys(t *testing.T) {
	st, err := bolt.Open(t.TempDir()+"/t.db", bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	const room, n = 3, 10
	var ks []*keys.Key
	err = st.Update(ctx, func(tx store.Tx) error {
		for i := range n {
			k := &keys.Key{ID: fmt.Sprintf("k%d", i), Account: "111122223333", Region: "us-east-1", Description: fmt.Sprint(i)}
			ks = append(ks, k)
			if err := putRecord(tx, layout.Key(k.Account, k.Region, k.ID), k); err != nil {
				return err
			}
			// A distinct text per key, so the by-text map fills too; its
			// condition key names the key, so a read can tell whose
			// policy it got.
			doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:k%d":"x"}}}]}`, i)
			if err := putRecord(tx, layout.Policy(k.Account, k.Region, k.ID), policyRecord{Name: defaultPolicyName, Document: doc}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	records, policies := newKeyRecordCache(room), newPolicyCache(room)
	for round := range 2 {
		for i, k := range ks {
			err := st.View(ctx, func(tx store.Tx) error {
				got, err := records.get(tx, layout.Key(k.Account, k.Region, k.ID))
				if err != nil {
					return err
				}
				if got.ID != k.ID || got.Description != fmt.Sprint(i) {
					t.Errorf("round %d: key %s read as %+v", round, k.ID, got)
				}
				p, err := policies.keyPolicy(tx, k)
				if err != nil {
					return err
				}
				if !p.Mentions("kms:EncryptionContext:" + k.ID) {
					t.Errorf("round %d: key %s got another key's policy", round, k.ID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(records.entries) > room || len(policies.byKey) > room || len(policies.keyText) > room {
				t.Fatalf("after %d reads: %d records, %d policies by key, %d by text; room for %d",
					round*n+i+1, len(records.entries), len(policies.byKey), len(policies.keyText), room)
			}
		}
	}
}
