package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/server"
)

// trent serve as an operator meets it: configuration errors at startup are
// exit code 1 with a clear message, flags and environment variables mean the
// same, and SIGINT/SIGTERM stop it cleanly.

// wantStartupError asserts a failed start: exit code 1 and a log line at
// level ERROR saying every part of want.
func wantStartupError(t *testing.T, code int, log string, want ...string) {
	t.Helper()
	if code != 1 {
		t.Fatalf("exit code %d, want 1; log:\n%s", code, log)
	}
	for _, w := range want {
		if !strings.Contains(log, w) {
			t.Fatalf("log does not say %q:\n%s", w, log)
		}
	}
	if !strings.Contains(log, `"level":"ERROR"`) {
		t.Fatalf("no ERROR line:\n%s", log)
	}
}

func TestProcessStartupErrors(t *testing.T) {
	t.Parallel()
	t.Run("no root key", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "data")
		code, log := runTrentToExit(t, nil, "--listen", "127.0.0.1:0", "--data-dir", dir)
		wantStartupError(t, code, log, "a root key file is required", "--root-key-file", "--dev")
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("the data directory was created by a start that failed: %v", err)
		}
	})
	t.Run("dev start on a port in use", func(t *testing.T) {
		t.Parallel()
		busy := serveTrent(t, t.TempDir())
		dir := filepath.Join(t.TempDir(), "data")
		code, log := runTrentToExit(t, nil, "--dev", "--listen", strings.TrimPrefix(busy.start.Address, "http://"), "--data-dir", dir)
		wantStartupError(t, code, log, "cannot listen")
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("a failed --dev start left the data directory behind: %v", err)
		}
	})
	t.Run("missing root key file", func(t *testing.T) {
		t.Parallel()
		keyFile := filepath.Join(t.TempDir(), "no-such-root.key")
		code, log := runTrentToExit(t, nil, "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--root-key-file", keyFile)
		wantStartupError(t, code, log, "cannot start", "no root key file at "+keyFile)
	})
	t.Run("data dir locked by a running server", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		first := serveTrent(t, dir)
		key := must[*kms.CreateKeyOutput](t)(first.kms().CreateKey(ctx, &kms.CreateKeyInput{}))
		code, log := runTrentToExit(t, nil, "--dev", "--listen", "127.0.0.1:0", "--data-dir", dir)
		wantStartupError(t, code, log, "cannot start", filepath.Join(dir, server.DataFileName)+" is locked", "another trent process")
		// The first server is unharmed.
		must[*kms.EncryptOutput](t)(first.kms().Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("x")}))
		if code := first.stop(syscall.SIGTERM); code != 0 {
			t.Fatalf("first server: exit code %d", code)
		}
	})
}

// A data directory started under one root key refuses another, says so,
// and is left as it was: the right key still opens everything.
func TestProcessWrongRootKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := serveTrent(t, dir)
	c := p.kms()
	key := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("kept")}))
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	before := readDataFiles(t, dir)

	otherKey := filepath.Join(t.TempDir(), "other.key")
	if err := seal.CreateKeyFile(otherKey, nil); err != nil {
		t.Fatal(err)
	}
	code, log := runTrentToExit(t, nil, "--listen", "127.0.0.1:0", "--data-dir", dir, "--root-key-file", otherKey)
	wantStartupError(t, code, log, "does not match the data in "+dir)
	if after := readDataFiles(t, dir); !equalFiles(before, after) {
		t.Fatal("a start refused for the wrong root key changed the data directory")
	}

	// The right key, passed as a file rather than found by --dev (which
	// needs an identities file, made with that key, holding the account
	// the key was made in).
	rootID, rootSecret := createAccount(t, dir, filepath.Join(dir, server.DevRootKeyFileName), server.DefaultDevAccount)
	right := launchTrent(t, nil, "--listen", "127.0.0.1:0", "--data-dir", dir, "--root-key-file", filepath.Join(dir, server.DevRootKeyFileName))
	if !right.waitServing() {
		t.Fatalf("the right root key does not start: %s", right.log)
	}
	dec := must[*kms.DecryptOutput](t)(right.clientAs(rootID, rootSecret, "").Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}))
	if string(dec.Plaintext) != "kept" {
		t.Fatalf("decrypted %q", dec.Plaintext)
	}
}

func readDataFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{server.DataFileName, audit.FileName, server.DevRootKeyFileName} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

func equalFiles(a, b map[string][]byte) bool {
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			return false
		}
	}
	return len(a) == len(b)
}

// TRENT_LISTEN, TRENT_DATA_DIR and TRENT_DEV configure the server as the
// flags do, a flag beats its variable, and the start line says where the
// server listens and where its data lives.
func TestProcessEnvironment(t *testing.T) {
	t.Parallel()
	envDir := filepath.Join(t.TempDir(), "from-env")
	p := launchTrent(t, []string{"TRENT_LISTEN=127.0.0.1:0", "TRENT_DATA_DIR=" + envDir, "TRENT_DEV=1"})
	if !p.waitServing() {
		t.Fatalf("did not serve: %s", p.log)
	}
	if p.start.DataDir != envDir || !p.start.Dev {
		t.Fatalf("start line %+v, want data_dir %s and dev", p.start, envDir)
	}
	if !strings.HasPrefix(p.start.Address, "http://127.0.0.1:") || strings.HasSuffix(p.start.Address, ":4599") {
		t.Fatalf("start line address %q: want the port TRENT_LISTEN asked the kernel for", p.start.Address)
	}
	must[*kms.CreateKeyOutput](t)(p.kms().CreateKey(ctx, &kms.CreateKeyInput{}))
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, name := range []string{server.DataFileName, audit.FileName, server.DevRootKeyFileName} {
		if _, err := os.Stat(filepath.Join(envDir, name)); err != nil {
			t.Fatalf("TRENT_DATA_DIR: %v", err)
		}
	}

	flagDir := filepath.Join(t.TempDir(), "from-flag")
	q := launchTrent(t, []string{"TRENT_LISTEN=127.0.0.1:0", "TRENT_DATA_DIR=" + envDir, "TRENT_DEV=1"}, "--data-dir", flagDir)
	if !q.waitServing() {
		t.Fatalf("did not serve: %s", q.log)
	}
	if q.start.DataDir != flagDir {
		t.Fatalf("data_dir %q, want the flag's %q", q.start.DataDir, flagDir)
	}
	if keys := must[*kms.ListKeysOutput](t)(q.kms().ListKeys(ctx, &kms.ListKeysInput{})); len(keys.Keys) != 0 {
		t.Fatalf("the flag's data dir lists %d keys: the environment's was used", len(keys.Keys))
	}
}

// SIGINT and SIGTERM stop the server cleanly: exit code 0 within a few
// seconds, "stopped" logged, and the data is there after a restart.
func TestProcessSignalShutdown(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := serveTrent(t, dir)
			key := must[*kms.CreateKeyOutput](t)(p.kms().CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(sig.String())}))
			start := time.Now()
			if code := p.stop(sig); code != 0 {
				t.Fatalf("exit code %d; log:\n%s", code, p.log)
			}
			took := time.Since(start)
			msgs := p.log.messages()
			if len(msgs) < 2 || msgs[len(msgs)-2] != "shutting down" || msgs[len(msgs)-1] != "stopped" {
				t.Fatalf("log ends %q, want shutting down, stopped", msgs)
			}
			t.Logf("%v: stopped in %v", sig, took.Round(time.Millisecond))
			q := serveTrent(t, dir)
			d := must[*kms.DescribeKeyOutput](t)(q.kms().DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyMetadata.KeyId})).KeyMetadata
			if aws.ToString(d.Description) != sig.String() {
				t.Fatalf("after restart: %+v", d)
			}
		})
	}
}

// SIGHUP reopens the audit log: after a log rotator moves audit.log away,
// new records go to a new audit.log, and none is lost or written twice.
func TestProcessAuditLogRotation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := serveTrent(t, dir)
	c := p.kms()
	before := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("before")}))
	logPath := filepath.Join(dir, audit.FileName)
	// The record of the change is shipped from the store moments after the
	// commit: wait for it before rotating.
	waitForRecord(t, logPath, *before.KeyMetadata.KeyId)
	if err := os.Rename(logPath, logPath+".1"); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the audit log reopened", func() bool { return strings.Contains(p.log.String(), "reopened the audit log") })
	after := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("after")}))
	waitForRecord(t, logPath, *after.KeyMetadata.KeyId)
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d; log:\n%s", code, p.log)
	}
	old, _ := os.ReadFile(logPath + ".1")
	cur, _ := os.ReadFile(logPath)
	for _, c := range []struct {
		file  []byte
		has   string
		lacks string
	}{{old, *before.KeyMetadata.KeyId, *after.KeyMetadata.KeyId}, {cur, *after.KeyMetadata.KeyId, *before.KeyMetadata.KeyId}} {
		if bytes.Count(c.file, []byte(`"keyId":"`+c.has+`"`)) != 1 || bytes.Contains(c.file, []byte(c.lacks)) {
			t.Errorf("a log file names %s %d times and %s %d times, want once and never:\n%s",
				c.has, bytes.Count(c.file, []byte(`"keyId":"`+c.has+`"`)), c.lacks, bytes.Count(c.file, []byte(c.lacks)), c.file)
		}
	}
}

// waitForRecord waits until the audit log at path names keyID.
func waitForRecord(t *testing.T, path, keyID string) {
	t.Helper()
	waitFor(t, "the audit record of "+keyID, func() bool {
		b, _ := os.ReadFile(path)
		return bytes.Contains(b, []byte(keyID))
	})
}

// waitFor polls cond for at most 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
