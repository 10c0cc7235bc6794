package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/seal"
)

func TestCreateRootKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "root.key")
	var stderr bytes.Buffer
	if code := run(t.Context(), []string{"create-root-key", path}, io.Discard, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, err := seal.LoadKeyFile(path); err != nil {
		t.Fatalf("the written key does not load: %v", err)
	}
	before, _ := os.ReadFile(path)
	stderr.Reset()
	if code := run(t.Context(), []string{"create-root-key", path}, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "exists") {
		t.Fatalf("overwriting must fail: exit %d: %s", code, stderr.String())
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("an existing root key was changed")
	}
	if code := run(t.Context(), []string{"create-root-key"}, io.Discard, &stderr); code != 2 {
		t.Fatalf("missing path: exit %d", code)
	}
}

func TestServeFlagsFromEnvironment(t *testing.T) {
	t.Setenv("TRENT_LISTEN", "127.0.0.1:9999")
	t.Setenv("TRENT_DATA_DIR", "/tmp/x")
	t.Setenv("TRENT_DEV", "true")
	f, err := parseServeFlags([]string{"--data-dir", "/tmp/y"})
	if err != nil {
		t.Fatal(err)
	}
	if f.listen != "127.0.0.1:9999" || f.dataDir != "/tmp/y" || !f.dev {
		t.Fatalf("flags %+v: the environment must set defaults and a flag must win", f)
	}
}

// TestCreateRootKeyErrors: the two mistakes of a first run, a directory
// that does not exist and a file that does, are said plainly.
func TestCreateRootKeyErrors(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "root.key")
	if r := runCommand(t, "create-root-key", existing); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	missingDir := filepath.Join(dir, "etc", "trent")
	for path, want := range map[string]string{
		existing: "trent create-root-key: " + existing + " already exists; a root key file is never overwritten, " +
			"because everything sealed under the old key would become unreadable: choose another path\n",
		filepath.Join(missingDir, "root.key"): "trent create-root-key: directory " + missingDir + " does not exist; create it first\n",
	} {
		r := runCommand(t, "create-root-key", path)
		if r.code != 1 || r.stderr != want || r.stdout != "" {
			t.Errorf("create-root-key %s: exit %d, stdout %q, stderr\n%q, want\n%q", path, r.code, r.stdout, r.stderr, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want only the first key", len(entries))
	}
}
