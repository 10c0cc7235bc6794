package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/version"
)

// TestVersionCommand: trent version prints the version on the first line
// of stdout.
func TestVersionCommand(t *testing.T) {
	r := runCommand(t, "version")
	first, _, _ := strings.Cut(r.stdout, "\n")
	if r.code != 0 || r.stderr != "" || first != "trent "+version.Get().Version {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant the first line %q", r.code, r.stderr, r.stdout, "trent "+version.Get().Version)
	}
}

// TestStartLineHasVersion: the start line carries the version next to the
// fields other tests parse, which stay as they were.
func TestStartLineHasVersion(t *testing.T) {
	clearServeEnv(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	s := startServe(t, "--dev", "--listen", "127.0.0.1:0", "--data-dir", dataDir)
	line, code := s.waitServingOrExit()
	if line == nil {
		t.Fatalf("exit %d before serving; log:\n%s", code, s.stderr)
	}
	if line["version"] != version.Get().Version {
		t.Errorf("start line version %v, want %q", line["version"], version.Get().Version)
	}
	if addr, _ := line["address"].(string); !strings.HasPrefix(addr, "http://127.0.0.1:") || line["data_dir"] != dataDir || line["dev"] != true || line["level"] != "INFO" {
		t.Errorf("start line %v", line)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("exit %d after cancelling; log:\n%s", code, s.stderr)
	}
}

// TestCannotStartHasVersion: so does the line saying why a start failed,
// which is what ends up in a bug report.
func TestCannotStartHasVersion(t *testing.T) {
	clearServeEnv(t)
	missing := filepath.Join(t.TempDir(), "root.key")
	r := runCommand(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--root-key-file", missing)
	line := logLine(r.stderr, "cannot start")
	if r.code != 1 || line == nil || line["version"] != version.Get().Version {
		t.Fatalf("exit %d, cannot-start line %v; log:\n%s", r.code, line, r.stderr)
	}
}
