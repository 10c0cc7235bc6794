package e2e

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Helpers of the seeding tests. The ciphertext helpers build on the
// standard-library rebuild of Trent's ciphertext format in import_test.go
// (blobGCM, openTrentBlob), so that a blob opening under the material a
// seed gave proves the key uses that material.

// openBlob opens keyID's blob made without encryption context under
// material, and returns the plaintext and the material version the header
// names.
func openBlob(t *testing.T, material []byte, keyID string, blob []byte) ([]byte, uint32, error) {
	t.Helper()
	pt, err := openTrentBlob(t, material, keyID, blob)
	if err != nil {
		return nil, 0, err
	}
	return pt, binary.BigEndian.Uint32(blob[18:22]), nil
}

// sealBlob makes a blob of plaintext for material version version of
// keyID under material, without encryption context, as Trent would.
func sealBlob(t *testing.T, material []byte, keyID string, version uint32, plaintext []byte) []byte {
	t.Helper()
	id, err := hex.DecodeString(strings.ReplaceAll(keyID, "-", ""))
	if err != nil || len(id) != 16 {
		t.Fatalf("key ID %s", keyID)
	}
	header := append([]byte{1, 1}, id...)
	header = binary.BigEndian.AppendUint32(header, version)
	header = append(append(header, randomBytes(16)...), randomBytes(12)...)
	return blobGCM(t, material, header).Seal(header, header[38:50], plaintext, append(bytes.Clone(header), emptyContext...))
}

// writeSeed writes a seed file in a directory of its own and returns its
// path.
func writeSeed(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// indentBlock indents every line of s by n spaces, for a YAML block
// scalar.
func indentBlock(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
}
