package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNodeIDIsKeptInTheDataDirectory: the first start makes a random ID
// and keeps it; later starts reuse it; Config.NodeID overrides it; a file
// with an ID of the wrong form is refused with a message naming it; an
// empty file (a crash before the ID was synced) gets a new ID.
func TestNodeIDIsKeptInTheDataDirectory(t *testing.T) {
	dir := t.TempDir()
	open := func(cfg Config) (string, error) {
		cfg.DataDir, cfg.Dev = dir, true
		n, err := Open(cfg)
		if err != nil {
			return "", err
		}
		defer n.Close()
		return n.ID(), nil
	}
	first, err := open(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if ValidNodeID(first) != nil || len(first) != 16 {
		t.Fatalf("first ID %q, want 16 hex digits", first)
	}
	if again, err := open(Config{}); err != nil || again != first {
		t.Fatalf("second start: ID %q (%v), want the kept %q", again, err, first)
	}
	if named, err := open(Config{NodeID: "node-a"}); err != nil || named != "node-a" {
		t.Fatalf("Config.NodeID: %q %v", named, err)
	}
	if _, err := open(Config{NodeID: "a/b"}); err == nil || !strings.Contains(err.Error(), `node ID "a/b" is not made of`) {
		t.Fatalf("Config.NodeID a/b: %v", err)
	}
	path := filepath.Join(dir, NodeIDFileName)
	if err := os.WriteFile(path, []byte("not valid!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := open(Config{}); err == nil || !strings.Contains(err.Error(), "the node ID file "+path) {
		t.Fatalf("an invalid node-id file: %v", err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	fresh, err := open(Config{})
	if err != nil || fresh == first || ValidNodeID(fresh) != nil {
		t.Fatalf("an empty node-id file: ID %q (%v), want a new one", fresh, err)
	}
}

// TestFailedStartRemovesTheNodeIDItMade: a start that fails leaves no
// node-id file behind in a data directory it created.
func TestFailedStartRemovesTheNodeIDItMade(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	_, err := Open(Config{DataDir: dir, Dev: true, SeedFile: filepath.Join(dir, "..", "absent-seed.yaml")})
	if err == nil {
		t.Fatal("a start with a missing seed file succeeded")
	}
	if got := dirEntries(t, dir); got != nil {
		t.Fatalf("the failed start left %v", got)
	}
}
