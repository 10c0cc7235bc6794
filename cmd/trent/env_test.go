package main

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/server"
)

// serveEnv lists every environment variable of trent serve: each
// setting's, and PORT (listen_port.go).
var serveEnv = func() []string {
	names := []string{"PORT"}
	for _, s := range serveSettings {
		names = append(names, s.env)
	}
	return names
}()

// clearServeEnv unsets every variable of trent serve for the test, so that the
// environment the tests run in does not leak into them.
func clearServeEnv(t *testing.T) {
	for _, name := range serveEnv {
		t.Setenv(name, "") // restores the old value afterwards
		os.Unsetenv(name)
	}
}

func defaultServeFlags() serveFlags {
	return serveFlags{
		listen: server.DefaultListen, dataDir: server.DefaultDataDir, rootKeyFile: "",
		dev: false, devAccount: server.DefaultDevAccount, logLevel: slog.LevelInfo, auditSync: audit.SyncInterval,
		cacheKeys: kms.DefaultCacheKeys, console: true, store: storeBolt, etcdPrefix: defaultEtcdPrefix,
		consistencyBound: defaultConsistencyBound,
	}
}

// TestEmptyEnvironmentIsUnset: a variable set to "" leaves the default in
// place, one variable at a time.
func TestEmptyEnvironmentIsUnset(t *testing.T) {
	for _, name := range serveEnv {
		t.Run(name, func(t *testing.T) {
			clearServeEnv(t)
			t.Setenv(name, "")
			f, err := parseServeFlags(nil)
			if err != nil {
				t.Fatalf("%s=\"\": %v", name, err)
			}
			if *f != defaultServeFlags() {
				t.Fatalf("%s=\"\" gave %+v, want the defaults %+v", name, *f, defaultServeFlags())
			}
		})
	}
}

// TestServeWithEmptyEnvironment runs trent serve --dev with every variable
// set but empty, as a blank line in a compose file or systemd unit does: it
// must use the default address (not every interface on a random port) and
// the default data directory.
//
// If the default address is free the server serves there, briefly, and
// keeps its store in the default directory. If something holds it (a
// developer's own trent), the start fails to listen on that very address,
// and, since a failed start leaves nothing behind, creates no directory.
func TestServeWithEmptyEnvironment(t *testing.T) {
	clearServeEnv(t)
	for _, name := range serveEnv {
		t.Setenv(name, "")
	}
	dir := t.TempDir()
	t.Chdir(dir) // the default data directory is relative
	s := startServe(t, "--dev")
	line, code := s.waitServingOrExit()
	store := filepath.Join(dir, server.DefaultDataDir, server.DataFileName)
	switch {
	case line != nil:
		if line["address"] != "http://"+server.DefaultListen {
			t.Fatalf("serving on %v, want the default %s", line["address"], server.DefaultListen)
		}
		if _, err := os.Stat(store); err != nil {
			t.Fatalf("the store is not in the default data directory: %v", err)
		}
		if code := s.stop(); code != 0 {
			t.Fatalf("exit %d after stopping; log:\n%s", code, s.stderr)
		}
	case code == 1:
		failed := logLine(s.stderr.String(), "cannot listen")
		if failed == nil || failed["address"] != server.DefaultListen {
			t.Fatalf("exit 1 without failing to listen on %s; log:\n%s", server.DefaultListen, s.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, server.DefaultDataDir)); !os.IsNotExist(err) {
			t.Fatalf("a start that could not listen left the data directory behind: %v", err)
		}
	default:
		t.Fatalf("exit %d; log:\n%s", code, s.stderr)
	}
}

// TestBooleanEnvironment: TRENT_DEV takes exactly what strconv.ParseBool
// takes.
func TestBooleanEnvironment(t *testing.T) {
	for value, want := range map[string]bool{
		"1": true, "t": true, "T": true, "TRUE": true, "true": true, "True": true,
		"0": false, "f": false, "F": false, "FALSE": false, "false": false, "False": false,
	} {
		clearServeEnv(t)
		t.Setenv("TRENT_DEV", value)
		f, err := parseServeFlags(nil)
		if err != nil || f.dev != want {
			t.Errorf("TRENT_DEV=%q: dev %v, error %v; want %v", value, f != nil && f.dev, err, want)
		}
	}
}

// TestServeRefusesBadBoolean: any other TRENT_DEV is a usage error naming
// the variable and the accepted values, and nothing is created.
func TestServeRefusesBadBoolean(t *testing.T) {
	for _, value := range []string{"on", "yes", "y", "enabled", " true", "2"} {
		clearServeEnv(t)
		t.Setenv("TRENT_DEV", value)
		dataDir := filepath.Join(t.TempDir(), "data")
		r := runCommand(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir)
		if r.code != 2 {
			t.Errorf("TRENT_DEV=%q: exit %d, want 2; stderr:\n%s", value, r.code, r.stderr)
			continue
		}
		for _, want := range []string{`TRENT_DEV="` + value + `"`, "1, t, T, TRUE, true, True", "0, f, F, FALSE, false, False"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("TRENT_DEV=%q: stderr does not say %q:\n%s", value, want, r.stderr)
			}
		}
		if _, err := os.Stat(dataDir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("TRENT_DEV=%q: the data directory was created: %v", value, err)
		}
	}
}

// TestFlagWinsOverBadBoolean: a variable the command line overrides is not
// read, so it cannot fail the start.
func TestFlagWinsOverBadBoolean(t *testing.T) {
	clearServeEnv(t)
	t.Setenv("TRENT_DEV", "on")
	for _, args := range [][]string{{"--dev"}, {"--dev=false"}} {
		f, err := parseServeFlags(args)
		if err != nil || f.dev != (args[0] == "--dev") {
			t.Errorf("%v with TRENT_DEV=on: %+v, %v", args, f, err)
		}
	}
}

// TestBadLogLevelNamesItsSource: the error says whether the bad value came
// from the flag or the variable.
func TestBadLogLevelNamesItsSource(t *testing.T) {
	clearServeEnv(t)
	t.Setenv("TRENT_LOG_LEVEL", "loud")
	if r := runCommand(t, "serve", "--dev", "--data-dir", t.TempDir()); r.code != 2 || !strings.Contains(r.stderr, `TRENT_LOG_LEVEL="loud"`) {
		t.Errorf("TRENT_LOG_LEVEL=loud: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if r := runCommand(t, "serve", "--dev", "--data-dir", t.TempDir(), "--log-level", "quiet"); r.code != 2 || !strings.Contains(r.stderr, `--log-level "quiet"`) {
		t.Errorf("--log-level quiet: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// parseServeFlags parses the flags of trent serve as serve does, without
// printing anything.
func parseServeFlags(args []string) (*serveFlags, error) {
	f := &serveFlags{}
	cmd, check := serveCommand(f)
	if err := cmd.flags.Parse(args); err != nil {
		return nil, err
	}
	if err := check(); err != nil {
		return nil, err
	}
	return f, nil
}

// TestAuditSyncInterval: the flag and its variable take a duration, and a
// bad value names the setting and the reason.
func TestAuditSyncInterval(t *testing.T) {
	clearServeEnv(t)
	f, err := parseServeFlags([]string{"--audit-sync-interval", "250ms"})
	if err != nil || f.auditSync != 250*time.Millisecond {
		t.Fatalf("--audit-sync-interval 250ms: %v %v", f, err)
	}
	t.Setenv("TRENT_AUDIT_SYNC_INTERVAL", "2s")
	if f, err := parseServeFlags(nil); err != nil || f.auditSync != 2*time.Second {
		t.Fatalf("TRENT_AUDIT_SYNC_INTERVAL=2s: %v %v", f, err)
	}
	for _, bad := range []string{"0s", "-1s", "soon", "2m"} {
		t.Setenv("TRENT_AUDIT_SYNC_INTERVAL", bad)
		_, err := parseServeFlags(nil)
		if err == nil || !strings.Contains(err.Error(), "TRENT_AUDIT_SYNC_INTERVAL=\""+bad+"\"") || !strings.Contains(err.Error(), "at most 1m0s") {
			t.Errorf("TRENT_AUDIT_SYNC_INTERVAL=%s: %v", bad, err)
		}
		if _, err := parseServeFlags([]string{"--audit-sync-interval", "1s"}); err != nil {
			t.Errorf("the flag given, a bad variable still failed: %v", err)
		}
	}
}

// TestCacheKeys: the flag and its variable take a whole number of keys, and
// a bad value names the setting and the reason.
func TestCacheKeys(t *testing.T) {
	clearServeEnv(t)
	f, err := parseServeFlags([]string{"--cache-keys", "1000000"})
	if err != nil || f.cacheKeys != 1000000 {
		t.Fatalf("--cache-keys 1000000: %v %v", f, err)
	}
	t.Setenv("TRENT_CACHE_KEYS", "500")
	if f, err := parseServeFlags(nil); err != nil || f.cacheKeys != 500 {
		t.Fatalf("TRENT_CACHE_KEYS=500: %v %v", f, err)
	}
	for _, bad := range []string{"0", "-1", "many", "1e6", "16777217"} {
		t.Setenv("TRENT_CACHE_KEYS", bad)
		_, err := parseServeFlags(nil)
		if err == nil || !strings.Contains(err.Error(), "TRENT_CACHE_KEYS=\""+bad+"\"") || !strings.Contains(err.Error(), "from 1 to 16777216") {
			t.Errorf("TRENT_CACHE_KEYS=%s: %v", bad, err)
		}
	}
	t.Setenv("TRENT_CACHE_KEYS", "many")
	if _, err := parseServeFlags([]string{"--cache-keys", "none"}); err == nil || !strings.Contains(err.Error(), "--cache-keys \"none\"") {
		t.Errorf("a bad flag over a bad variable: %v", err)
	}
}
