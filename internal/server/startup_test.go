package server

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

// dirEntries lists what is in dir, or nil if it does not exist.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestStoreWithKeysButNoRootKeyCheckRefused: the check value is what proves
// the root key is the one the data was sealed with. If it is gone while
// keys remain, Trent must not seal a new one under whatever key it was
// given (that would bless a wrong key), but refuse to start.
func TestStoreWithKeysButNoRootKeyCheckRefused(t *testing.T) {
	dir := t.TempDir()
	n, srv, c := serveNode(t, dir)
	if _, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, DataFileName)
	st, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(context.Background(), func(tx store.Tx) error { return tx.Delete(layout.MetaRootKeyCheck) }); err != nil {
		t.Fatal(err)
	}
	st.Close()

	// Another root key, as after a mix-up of key files.
	other := filepath.Join(t.TempDir(), "other.key")
	if err := seal.CreateKeyFile(other, nil); err != nil {
		t.Fatal(err)
	}
	_, err = Open(Config{DataDir: dir, RootKeyFile: other})
	if err == nil || !strings.Contains(err.Error(), "holds keys but no root key check") {
		t.Fatalf("Open = %v, want a refusal naming the missing check value", err)
	}
	st, err = bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.Get(layout.MetaRootKeyCheck)
		return err
	})
	if err != store.ErrNotFound {
		t.Fatalf("a check value was written under the wrong key: %v", err)
	}
}

// TestFailedDevStartLeavesNothingBehind: a --dev start that fails creates
// nothing, and in particular never writes a new root key beside a store
// sealed under another one.
func TestFailedDevStartLeavesNothingBehind(t *testing.T) {
	t.Run("store without its root key", func(t *testing.T) {
		dir := t.TempDir()
		n, srv, _ := serveNode(t, dir)
		srv.Close()
		n.Close()
		if err := os.Remove(filepath.Join(dir, DevRootKeyFileName)); err != nil {
			t.Fatal(err)
		}
		before := dirEntries(t, dir)
		_, err := Open(Config{DataDir: dir, Dev: true})
		if err == nil || !strings.Contains(err.Error(), "not the root key") {
			t.Fatalf("Open = %v, want a refusal naming the missing root key", err)
		}
		if after := dirEntries(t, dir); !slices.Equal(before, after) {
			t.Fatalf("the failed start changed the data directory: %v -> %v", before, after)
		}
	})
	t.Run("fresh directory", func(t *testing.T) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "a", "trent-data")
		// A store that fails (here: already closed) makes the start fail
		// after the data directory and the dev root key were created.
		st, err := bolt.Open(filepath.Join(t.TempDir(), DataFileName), bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		if _, err := Open(Config{DataDir: dir, Dev: true, Store: st}); err == nil {
			t.Fatal("Open succeeded on a closed store")
		}
		if got := dirEntries(t, parent); len(got) != 0 {
			t.Fatalf("the failed start left %v behind", got)
		}
	})
}
