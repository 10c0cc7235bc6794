package seal

import (
	"bytes"
	"crypto/aes"
	gocipher "crypto/cipher"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/trent-kms/trent/internal/secret"
)

// RootKeySize is the length of a root key: AES-256.
const RootKeySize = 32

// keyFileHeader is the first line of a root key file. The version lets a
// later format (a wrapped key, a list of keys) be told apart.
const keyFileHeader = "trent-root-key v1"

// maxKeyFileSize bounds how much LoadKeyFile reads, so that a path pointing
// at the wrong thing (a log, /dev/zero) fails fast. A v1 file is 63 bytes.
const maxKeyFileSize = 4096

// rootKeyIDLabel separates the root key ID computation from any other use
// of a hash of the root key.
const rootKeyIDLabel = "trent root key id v1"

// ErrMalformedKeyFile is wrapped by LoadKeyFile's errors for a file that is
// not a v1 root key file. The messages never include the file's contents.
var ErrMalformedKeyFile = errors.New("seal: malformed root key file")

// rootKey is one root key, ready to seal and unseal.
type rootKey struct {
	id   [rootKeyIDLen]byte
	aead gocipher.AEAD
}

// Keyring holds the root keys. It seals under its current key and unseals
// records made under any key it holds. It is safe for concurrent use.
type Keyring struct {
	current *rootKey
	// byID holds every key that may unseal, the current one included. Root
	// key rotation will add the previous keys here.
	byID map[[rootKeyIDLen]byte]*rootKey
}

// NewKeyring returns a keyring with key as its only (and current) root key.
// It does not keep key; the caller may wipe it afterwards. Most callers use
// LoadKeyFile; this is for tests and for other key sources.
func NewKeyring(key *secret.Bytes) (*Keyring, error) {
	rk, err := newRootKey(key.Reveal())
	if err != nil {
		return nil, err
	}
	return &Keyring{current: rk, byID: map[[rootKeyIDLen]byte]*rootKey{rk.id: rk}}, nil
}

func newRootKey(key []byte) (*rootKey, error) {
	if len(key) != RootKeySize {
		return nil, fmt.Errorf("seal: root key is %d bytes, want %d", len(key), RootKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := gocipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &rootKey{id: rootKeyID(key), aead: aead}, nil
}

// rootKeyID is the first 8 bytes of SHA-256(rootKeyIDLabel ‖ key). It names
// a root key in sealed records and logs without revealing it: the key is 256
// bits of randomness, so the hash cannot be inverted. 64 bits keep records
// short; a keyring holds a handful of keys, so IDs do not collide by chance.
func rootKeyID(key []byte) [rootKeyIDLen]byte {
	h := sha256.New()
	h.Write([]byte(rootKeyIDLabel))
	h.Write(key)
	var id [rootKeyIDLen]byte
	copy(id[:], h.Sum(nil))
	return id
}

// ID returns the ID of the current root key as 16 lowercase hex characters,
// for logs and for operators comparing nodes.
func (k *Keyring) ID() string {
	if k == nil || k.current == nil {
		return ""
	}
	return hex.EncodeToString(k.current.id[:])
}

// CreateKeyFile writes a new root key file at path: the line
// "trent-root-key v1", then 32 bytes from rand (crypto/rand.Reader if nil)
// in standard base64 on the second line. It never replaces an existing file
// (the error then wraps fs.ErrExist): overwriting a root key makes every
// sealed record unreadable. A missing directory is not created (the error
// wraps fs.ErrNotExist): where the root key lives, and who may read that
// directory, is the operator's decision. The file is created with mode 0600
// and fsynced, and so is its directory, so the key is durable before
// anything is sealed under it.
func CreateKeyFile(path string, rand io.Reader) error {
	if rand == nil {
		rand = cryptorand.Reader
	}
	key := make([]byte, RootKeySize)
	defer clear(key)
	if _, err := io.ReadFull(rand, key); err != nil {
		return fmt.Errorf("seal: generating root key: %w", err)
	}
	content := make([]byte, 0, len(keyFileHeader)+1+base64.StdEncoding.EncodedLen(RootKeySize)+1)
	defer clear(content[:cap(content)])
	content = append(content, keyFileHeader+"\n"...)
	content = base64.StdEncoding.AppendEncode(content, key)
	content = append(content, '\n')

	// The key is written to a temporary file in the same directory and
	// then hard-linked into place: link(2) fails if path exists (so an
	// existing key is never replaced) and publishes the complete file in one
	// step, so a crash never leaves a half-written key file at path.
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".root-key-*.tmp")
	if errors.Is(err, fs.ErrNotExist) {
		return &keyFileError{fmt.Sprintf("seal: cannot create root key file %s: directory %s does not exist", path, dir), osError(err)}
	}
	if err != nil {
		return fmt.Errorf("seal: cannot create root key file %s: %w", path, osError(err))
	}
	tmp := f.Name()
	defer func() {
		_ = f.Close()
		_ = os.Remove(tmp)
	}()
	// CreateTemp uses 0600; set it exactly anyway, whatever the umask.
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("seal: cannot create root key file %s: %w", path, osError(err))
	}
	if _, err := f.Write(content); err != nil {
		return fmt.Errorf("seal: writing root key file %s: %w", path, osError(err))
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("seal: syncing root key file %s: %w", path, osError(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("seal: closing root key file %s: %w", path, osError(err))
	}
	err = os.Link(tmp, path)
	if errors.Is(err, fs.ErrExist) {
		return &keyFileError{fmt.Sprintf("seal: root key file %s already exists; it is never overwritten", path), osError(err)}
	}
	if err != nil {
		return fmt.Errorf("seal: cannot create root key file %s: hard-linking it into place: %w", path, osError(err))
	}
	// Without this the new directory entry may not survive a crash, and
	// material sealed in the meantime would be lost with the key.
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("seal: syncing directory of root key file %s: %w", path, err)
	}
	return nil
}

// keyFileError is a CreateKeyFile error whose message is written for the
// operator in full, while errors.Is still finds the cause (fs.ErrExist,
// fs.ErrNotExist) through Unwrap.
type keyFileError struct {
	msg   string
	cause error
}

func (e *keyFileError) Error() string { return e.msg }
func (e *keyFileError) Unwrap() error { return e.cause }

// osError drops the paths from an *fs.PathError or *os.LinkError. They name
// CreateKeyFile's temporary file, which the operator never asked for and
// which no longer exists once the error is read; the messages name the
// path they gave instead.
func osError(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	var linkErr *os.LinkError
	if errors.As(err, &linkErr) {
		return linkErr.Err
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return err
	}
	return d.Close()
}

// LoadKeyFile reads a root key file written by CreateKeyFile and returns a
// keyring holding its key. A missing file gives an error wrapping
// fs.ErrNotExist; a malformed one, an error wrapping ErrMalformedKeyFile
// that says what is wrong without quoting the file.
func LoadKeyFile(path string) (*Keyring, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("seal: no root key file at %s (create one first): %w", path, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("seal: opening root key file: %w", err)
	}
	defer f.Close()
	// One fixed buffer, wiped afterwards: io.ReadAll would grow through
	// several buffers and leave copies of the key behind in freed memory.
	buf := make([]byte, maxKeyFileSize+1)
	defer clear(buf)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("seal: reading root key file %s: %w", path, err)
	}
	content := buf[:n]
	key, err := parseKeyFile(content)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrMalformedKeyFile, path, err)
	}
	defer key.Wipe()
	return NewKeyring(key)
}

// parseKeyFile returns the key in a v1 root key file. Its errors say what is
// wrong and never quote the content, which holds the key. A trailing
// newline and CRLF line ends (a file edited on Windows) are accepted; nothing
// else is: a key that could be read two ways is a key an operator could
// restore wrongly.
func parseKeyFile(content []byte) (*secret.Bytes, error) {
	if len(content) == 0 {
		return nil, errors.New("the file is empty")
	}
	if len(content) > maxKeyFileSize {
		return nil, fmt.Errorf("the file is larger than %d bytes", maxKeyFileSize)
	}
	lines := bytes.Split(content, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = bytes.TrimSuffix(l, []byte("\r"))
	}
	if string(lines[0]) != keyFileHeader {
		return nil, fmt.Errorf("the first line is not %q", keyFileHeader)
	}
	if len(lines) != 2 {
		return nil, fmt.Errorf("want 2 lines (the header and the base64 key), found %d", len(lines))
	}
	encoded := lines[1]
	key := make([]byte, base64.StdEncoding.DecodedLen(len(encoded)))
	n, err := base64.StdEncoding.Strict().Decode(key, encoded)
	// The decoder skips CR and LF inside its input; a line holding them is
	// not what CreateKeyFile writes, so the line must also be exactly as long
	// as the encoding of what it decoded to.
	if err != nil || base64.StdEncoding.EncodedLen(n) != len(encoded) {
		clear(key)
		return nil, errors.New("the second line is not standard base64")
	}
	if n != RootKeySize {
		clear(key)
		return nil, fmt.Errorf("the key is %d bytes, want %d", n, RootKeySize)
	}
	return secret.New(key[:n]), nil
}

// FilePermissionWarning returns a warning for the operator if the root key
// file at path can be read or written by its group or by other users, and ""
// otherwise. Trent still starts: Kubernetes mounts secrets with mode 0644
// unless told otherwise, and refusing would only push people to work around
// it.
func FilePermissionWarning(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Sprintf("cannot check the permissions of root key file: %v", err)
	}
	if perm := fi.Mode().Perm(); perm&0o066 != 0 {
		return fmt.Sprintf("root key file %s has mode %#o, so other users may read or replace the root key; "+
			"chmod 600 it (on Kubernetes, set defaultMode: 0400 on the secret volume)", path, perm)
	}
	return ""
}
