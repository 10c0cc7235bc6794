package e2e

import (
	"bytes"
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
	// around one deletion. Records reach the log file moments after their
	// responses, so the log is read until they are all there.
	want := map[string]int{"GetParametersForImport": 2, "ImportKeyMaterial": 2, "DeleteImportedKeyMaterial": 1, "Decrypt": 1}
	var calls map[string]int
	awaitAuditLog(t, filepath.Join(dataDir, audit.FileName), func(records []audit.Record) bool {
		calls = successfulCalls(records)
		return maps.Equal(pick(calls, want), want)
	})
	if got := pick(calls, want); !maps.Equal(got, want) {
		t.Errorf("audit log's successful calls %v, want %v", got, want)
	}
}

// successfulCalls counts the successful calls of audit records by name.
func successfulCalls(records []audit.Record) map[string]int {
	calls := map[string]int{}
	for _, r := range records {
		if r.ErrorCode == "" {
			calls[r.EventName]++
		}
	}
	return calls
}

// awaitAuditLog reads the audit log at path until done accepts its
// records, for up to 10 s, and returns the last reading. A running server
// writes records moments after its responses: those of changes come
// through the outbox shipper, the others in batches (audit.WriteDelay).
func awaitAuditLog(t *testing.T, path string, done func([]audit.Record) bool) []audit.Record {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		records := readAuditLog(t, path)
		if done(records) || time.Now().After(deadline) {
			return records
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// readAuditLog reads the records of an audit log file. A last line
// without its newline is a batch the server is writing at this moment: it
// is left for the next reading.
func readAuditLog(t *testing.T, path string) []audit.Record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Record
	for line := range bytes.Lines(data) {
		if !bytes.HasSuffix(line, []byte("\n")) {
			break
		}
		var r audit.Record
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, r)
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
