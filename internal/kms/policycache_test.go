package kms

import (
	"context"
	"testing"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

// TestKeyPolicyCache: keys whose policies have the same text share one
// compilation; a new revision of a key's policy is compiled anew.
func TestKeyPolicyCache(t *testing.T) {
	st, err := bolt.Open(t.TempDir()+"/t.db", bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	key := func(id string) *keys.Key { return &keys.Key{ID: id, Account: "111122223333", Region: "us-east-1"} }
	a, b, c := key("a"), key("b"), key("c")
	other := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Encrypt","Resource":"*"}]}`
	put := func(k *keys.Key, doc string) {
		t.Helper()
		err := st.Update(ctx, func(tx store.Tx) error {
			return putRecord(tx, layout.Policy(k.Account, k.Region, k.ID), policyRecord{Name: defaultPolicyName, Document: doc})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put(a, defaultPolicy(a))
	put(b, defaultPolicy(b))
	put(c, other)
	pc := newPolicyCache(DefaultCacheKeys)
	get := func(k *keys.Key) *policy.Policy {
		t.Helper()
		var p *policy.Policy
		if err := st.View(ctx, func(tx store.Tx) (err error) { p, err = pc.keyPolicy(tx, k); return err }); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pa, pb, pcc := get(a), get(b), get(c)
	if pa != pb {
		t.Error("two keys with the default policy compiled it twice")
	}
	if pa == pcc {
		t.Error("different policy texts share a compilation")
	}
	// A's policy changes: a new revision reads and compiles the new text.
	put(a, other)
	a.PolicyRevision++
	if got := get(a); got != pcc {
		t.Error("a's new policy text did not give the compilation of that text")
	}
	if get(b) != pb {
		t.Error("b's compiled policy changed with a's")
	}
}
