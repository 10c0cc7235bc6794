package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/audit"
)

// TestREADMEImportingKeyMaterial runs the README's "Importing key
// material" block as written (with the endpoint of a fresh `trent serve`),
// with the AWS CLI and OpenSSL 3.0: the seed workflow of creating an
// EXTERNAL key, wrapping material with OpenSSL, importing it, deleting it
// and importing it again, after which the old ciphertext decrypts.
func TestREADMEImportingKeyMaterial(t *testing.T) {
	t.Parallel()
	var block *readmeBlock
	for _, b := range readmeBlocks(t, "Importing key material") {
		if b.lang == "sh" {
			if block != nil {
				t.Fatalf("README's Importing key material section has two sh blocks (%s, %s)", *block, b)
			}
			block = &b
		}
	}
	if block == nil {
		t.Fatal("README's Importing key material section has no sh block")
	}
	ensureAWSCLI(t)
	ensureOpenSSL(t)
	endpoint, dataDir := readmeServer(t)
	script := filepath.Join(t.TempDir(), "import.sh")
	writeFile(t, script, block.pointedAt(t, endpoint))
	ctx, cancel := context.WithTimeout(context.Background(), snippetTimeout)
	defer cancel()
	stdout, stderr, err := runBounded(ctx, t.TempDir(), append(snippetEnv(t), "AWS_PAGER="), "/bin/bash", "-euo", "pipefail", script)
	if err != nil {
		t.Fatalf("%s does not work as written: %v\nstdout:\n%s\nstderr:\n%s", *block, err, stdout, stderr)
	}
	if want := "hello, imported key\n"; stdout != want {
		t.Fatalf("%s printed %q, want %q\nstderr:\n%s", *block, stdout, want, stderr)
	}
	// The audit log shows the workflow went through Trent: two imports
	// around one deletion. Changes reach the log file through the outbox
	// shipper, moments after their responses, so the log is read until
	// they are all there (a few seconds at most).
	want := map[string]int{"GetParametersForImport": 2, "ImportKeyMaterial": 2, "DeleteImportedKeyMaterial": 1, "Decrypt": 1}
	var calls map[string]int
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		calls = successfulCalls(t, filepath.Join(dataDir, audit.FileName))
		if maps.Equal(pick(calls, want), want) || time.Now().After(deadline) {
			break
		}
	}
	if got := pick(calls, want); !maps.Equal(got, want) {
		t.Errorf("audit log's successful calls %v, want %v", got, want)
	}
}

// successfulCalls counts the successful calls of an audit log by name.
func successfulCalls(t *testing.T, path string) map[string]int {
	t.Helper()
	calls := map[string]int{}
	for _, r := range readAuditLog(t, path) {
		if r.ErrorCode == "" {
			calls[r.EventName]++
		}
	}
	return calls
}

// readAuditLog reads the records of an audit log file.
func readAuditLog(t *testing.T, path string) []audit.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []audit.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r audit.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pick returns the entries of m whose keys are in like.
func pick(m, like map[string]int) map[string]int {
	out := map[string]int{}
	for k := range like {
		out[k] = m[k]
	}
	return out
}
