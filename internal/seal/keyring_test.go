package seal

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/randtest"
	"github.com/trent-kms/trent/internal/secret"
)

func testKeyring(t *testing.T, first byte) *Keyring {
	t.Helper()
	key := make([]byte, RootKeySize)
	for i := range key {
		key[i] = first + byte(i)
	}
	k, err := NewKeyring(secret.New(key))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCreateAndLoadKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "root.key")
	if err := CreateKeyFile(path, nil); err != nil {
		t.Fatal(err)
	}
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^trent-root-key v1\n[A-Za-z0-9+/]{43}=\n$`).Match(content) {
		t.Fatalf("key file is not in the documented format (%d bytes)", len(content))
	}

	a, err := LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID() != b.ID() || !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(a.ID()) {
		t.Fatalf("IDs %q and %q", a.ID(), b.ID())
	}
	sealed, err := a.Seal([]byte("material"), []byte("here"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Unseal(sealed, []byte("here"))
	if err != nil || string(got.Reveal()) != "material" {
		t.Fatalf("Unseal after reload = %v", err)
	}

	// Two files hold two different keys.
	other := filepath.Join(t.TempDir(), "root.key")
	if err := CreateKeyFile(other, nil); err != nil {
		t.Fatal(err)
	}
	c, err := LoadKeyFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID() == a.ID() {
		t.Fatal("two created key files share a root key ID")
	}
}

func TestCreateKeyFileWritesGivenRandomness(t *testing.T) {
	path := filepath.Join(t.TempDir(), "root.key")
	if err := CreateKeyFile(path, &randtest.Counting{}); err != nil {
		t.Fatal(err)
	}
	content, _ := os.ReadFile(path)
	want := "trent-root-key v1\n" + base64.StdEncoding.EncodeToString(testKeyBytes(0)) + "\n"
	if string(content) != want {
		t.Fatal("key file does not hold the bytes read from rand")
	}
}

func TestCreateKeyFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "root.key")
	if err := CreateKeyFile(path, nil); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Fatalf("mode %#o, want 0600", perm)
	}
	if w := FilePermissionWarning(path); w != "" {
		t.Fatalf("warning for a 0600 file: %s", w)
	}
}

func TestCreateKeyFileNeverOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "root.key")
	if err := CreateKeyFile(path, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	err := CreateKeyFile(path, nil)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second CreateKeyFile error = %v, want fs.ErrExist", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("CreateKeyFile changed an existing key file")
	}

	// Nor any other file, nor a dangling symlink's target.
	notAKey := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(notAKey, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CreateKeyFile(notAKey, nil); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("CreateKeyFile over another file: %v", err)
	}
	link := filepath.Join(t.TempDir(), "link")
	target := filepath.Join(t.TempDir(), "target")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := CreateKeyFile(link, nil); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("CreateKeyFile through a symlink: %v", err)
	}
	if _, err := os.Stat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("CreateKeyFile followed a symlink")
	}
}

func TestCreateKeyFileFailuresLeaveNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "root.key")
	if err := CreateKeyFile(path, randtest.Failing{}); err == nil {
		t.Fatal("CreateKeyFile ignored a failing reader")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("a failed CreateKeyFile left a file behind")
	}
	if err := CreateKeyFile(filepath.Join(t.TempDir(), "no", "such", "dir", "root.key"), nil); err == nil {
		t.Fatal("CreateKeyFile in a missing directory succeeded")
	}
}

func TestLoadKeyFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.key")
	_, err := LoadKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error = %v, want fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Fatalf("error %q does not name the path", err)
	}
}

// TestLoadKeyFileMalformed: each bad file is refused with an error that
// names the file and never quotes it (checklist row 17).
func TestLoadKeyFileMalformed(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(testKeyBytes(0x30))
	short := base64.StdEncoding.EncodeToString(testKeyBytes(0x30)[:16])
	long := base64.StdEncoding.EncodeToString(append(testKeyBytes(0x30), 0x99))
	urlSafe := base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xff}, 16))
	// The last character of good changed so that the unused padding bits are
	// not zero: decoders that are not strict accept it as the same key.
	nonCanonical := good[:42] + string(good[42]+1) + "="

	tests := map[string]string{
		"empty":                   "",
		"only a newline":          "\n",
		"header only":             "trent-root-key v1\n",
		"header without newline":  "trent-root-key v1",
		"wrong version":           "trent-root-key v2\n" + good + "\n",
		"header case":             "TRENT-ROOT-KEY V1\n" + good + "\n",
		"no header":               good + "\n",
		"PEM instead":             "-----BEGIN PRIVATE KEY-----\n" + good + "\n-----END PRIVATE KEY-----\n",
		"bad base64":              "trent-root-key v1\n" + strings.Repeat("!", 44) + "\n",
		"url-safe base64":         "trent-root-key v1\n" + urlSafe + "\n",
		"unpadded base64":         "trent-root-key v1\n" + strings.TrimRight(good, "=") + "\n",
		"non-canonical base64":    "trent-root-key v1\n" + nonCanonical + "\n",
		"16-byte key":             "trent-root-key v1\n" + short + "\n",
		"33-byte key":             "trent-root-key v1\n" + long + "\n",
		"hex key":                 "trent-root-key v1\n" + hex.EncodeToString(testKeyBytes(0x30)) + "\n",
		"space inside key":        "trent-root-key v1\n" + good[:20] + " " + good[20:] + "\n",
		"carriage return in key":  "trent-root-key v1\n" + good[:20] + "\r" + good[20:] + "\n",
		"trailing space":          "trent-root-key v1\n" + good + " \n",
		"extra line":              "trent-root-key v1\n" + good + "\n" + good + "\n",
		"extra blank line":        "trent-root-key v1\n" + good + "\n\n",
		"key on the header line":  "trent-root-key v1 " + good + "\n",
		"larger than the maximum": "trent-root-key v1\n" + good + "\n" + strings.Repeat("#", maxKeyFileSize),
	}
	dir := t.TempDir()
	for name, content := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadKeyFile(path)
		if err == nil {
			t.Errorf("%s: LoadKeyFile accepted a malformed file", name)
			continue
		}
		msg := err.Error()
		if !errors.Is(err, ErrMalformedKeyFile) || !strings.Contains(msg, path) {
			t.Errorf("%s: error %q does not wrap ErrMalformedKeyFile and name the path", name, msg)
		}
		for _, line := range strings.Split(content, "\n") {
			line = strings.TrimSpace(line)
			if len(line) >= 8 && strings.Contains(msg, line) {
				t.Errorf("%s: error quotes the file: %q", name, msg)
			}
		}
		for _, secretPart := range []string{good, good[:16], short, long, urlSafe} {
			if strings.Contains(msg, secretPart) {
				t.Errorf("%s: error contains key bytes: %q", name, msg)
			}
		}
	}
}

func TestLoadKeyFileAcceptsCRLFAndMissingFinalNewline(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(testKeyBytes(0x30))
	want := testKeyring(t, 0x30).ID()
	dir := t.TempDir()
	for i, content := range []string{
		"trent-root-key v1\r\n" + good + "\r\n",
		"trent-root-key v1\n" + good,
	} {
		path := filepath.Join(dir, string(rune('a'+i)))
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		k, err := LoadKeyFile(path)
		if err != nil || k.ID() != want {
			t.Errorf("content %d: %v", i, err)
		}
	}
}

func TestFilePermissionWarning(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "root.key")
	if err := CreateKeyFile(path, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		mode fs.FileMode
		warn bool
	}{
		{0o600, false}, {0o400, false}, {0o700, false},
		{0o644, true}, {0o640, true}, {0o604, true}, {0o620, true}, {0o602, true}, {0o666, true},
	} {
		if err := os.Chmod(path, tt.mode); err != nil {
			t.Fatal(err)
		}
		w := FilePermissionWarning(path)
		if (w != "") != tt.warn {
			t.Errorf("mode %#o: warning %q, want warning: %v", tt.mode, w, tt.warn)
		}
		if tt.warn && !strings.Contains(w, path) {
			t.Errorf("mode %#o: warning %q does not name the file", tt.mode, w)
		}
	}
	if FilePermissionWarning(filepath.Join(dir, "absent")) == "" {
		t.Error("no warning for a file that cannot be checked")
	}
}

func TestKeyringID(t *testing.T) {
	key := testKeyBytes(0)
	sum := sha256.Sum256(append([]byte("trent root key id v1"), key...))
	want := hex.EncodeToString(sum[:8])
	if got := testKeyring(t, 0).ID(); got != want || got != "bdd256ac9f7b17cb" {
		t.Fatalf("ID() = %s, want %s", got, want)
	}
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := NewKeyring(secret.New(make([]byte, n))); err == nil {
			t.Errorf("NewKeyring accepted a %d-byte key", n)
		}
	}
	var zero Keyring
	if zero.ID() != "" {
		t.Error("zero Keyring has an ID")
	}
}

func testKeyBytes(first byte) []byte {
	b := make([]byte, RootKeySize)
	for i := range b {
		b[i] = first + byte(i)
	}
	return b
}

// TestCreateKeyFileLeavesOnlyTheKey checks the write-then-link publication:
// after creating a key and after refusing to overwrite it, the directory
// holds the key file and nothing else (no temporary file).
func TestCreateKeyFileLeavesOnlyTheKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "root.key")
	if err := CreateKeyFile(path, nil); err != nil {
		t.Fatal(err)
	}
	if err := CreateKeyFile(path, nil); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second CreateKeyFile: %v, want fs.ErrExist", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "root.key" {
		t.Fatalf("directory holds %v, want only root.key", entries)
	}
}

// TestCreateKeyFileErrorMessages: the failures an operator meets first are
// told in terms of the path they gave. The temporary file CreateKeyFile
// writes first is an implementation detail and never named.
func TestCreateKeyFileErrorMessages(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "root.key")
	if err := CreateKeyFile(existing, nil); err != nil {
		t.Fatal(err)
	}
	missingDir := filepath.Join(dir, "no", "such")
	for _, tt := range []struct {
		name, path string
		is         error
		want       string
	}{
		{"exists", existing, fs.ErrExist, "seal: root key file " + existing + " already exists; it is never overwritten"},
		{"missing directory", filepath.Join(missingDir, "root.key"), fs.ErrNotExist,
			"seal: cannot create root key file " + filepath.Join(missingDir, "root.key") + ": directory " + missingDir + " does not exist"},
		{"parent is a file", filepath.Join(existing, "root.key"), nil,
			"seal: cannot create root key file " + filepath.Join(existing, "root.key") + ": not a directory"},
	} {
		err := CreateKeyFile(tt.path, nil)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: error %q does not wrap %v", tt.name, err, tt.is)
		}
		if err.Error() != tt.want {
			t.Errorf("%s: error\n%q, want\n%q", tt.name, err, tt.want)
		}
	}
}
