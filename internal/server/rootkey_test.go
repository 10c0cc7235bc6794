package server

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

// racingStart is the real store, except that just before its first Update
// runs, another node's start (with another root key) writes its check
// value: two nodes starting at once on an empty shared store.
type racingStart struct {
	store.Store
	other []byte
	raced bool
}

func (r *racingStart) Update(ctx context.Context, fn func(store.Tx) error) error {
	if !r.raced {
		r.raced = true
		if err := r.Store.Update(ctx, func(tx store.Tx) error { return tx.Put(layout.MetaRootKeyCheck, r.other) }); err != nil {
			return err
		}
	}
	return r.Store.Update(ctx, fn)
}

// TestRootKeyCheckRaceIsDecidedByTheWinner: a node that finds no check
// value but loses the race to write one must prove its key against the
// winner's, and refuse to start with another key.
func TestRootKeyCheckRaceIsDecidedByTheWinner(t *testing.T) {
	dir := t.TempDir()
	keyFile := func(name string) *seal.Keyring {
		path := filepath.Join(dir, name)
		if err := seal.CreateKeyFile(path, nil); err != nil {
			t.Fatal(err)
		}
		k, err := seal.LoadKeyFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	winner, loser := keyFile("winner.key"), keyFile("loser.key")
	winnersCheck, err := winner.Seal(make([]byte, 32), rootCheckAAD, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		key    *seal.Keyring
		wantOK bool
	}{{"same key", winner, true}, {"another key", loser, false}} {
		st, err := bolt.Open(filepath.Join(t.TempDir(), DataFileName), bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = checkRootKey(&racingStart{Store: st, other: winnersCheck}, c.key, "the data in the test store", true)
		st.Close()
		if c.wantOK && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if !c.wantOK && (err == nil || !strings.Contains(err.Error(), "every node must use the same root key file")) {
			t.Errorf("%s: %v, want a refusal", c.name, err)
		}
	}
}
