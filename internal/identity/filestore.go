package identity

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrNoFile is wrapped by Edit's error when the identities file does not
// exist and the edit may not create it.
var ErrNoFile = errors.New("no identities file")

// fileMode is the identities file's mode: it holds sealed secrets, and
// who may read it is nobody's business but the server's.
const fileMode = 0o600

// lockPath is the lock file beside the identities file. The file itself
// cannot be the lock: it is replaced by rename on every write.
func lockPath(path string) string { return path + ".lock" }

// fileStamp tells one version of the file from another without reading
// it: every write replaces the file by rename, so the inode changes.
type fileStamp struct {
	dev, ino uint64
	size     int64
	mtimeNs  int64
}

func stampOf(fi fs.FileInfo) fileStamp {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileStamp{size: fi.Size(), mtimeNs: fi.ModTime().UnixNano()}
	}
	return fileStamp{dev: uint64(st.Dev), ino: st.Ino, size: fi.Size(), mtimeNs: fi.ModTime().UnixNano()}
}

// readFile reads the file and its stamp from the same open file, so the
// stamp describes the bytes read.
func readFile(path string) ([]byte, fileStamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileStamp{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fileStamp{}, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fileStamp{}, err
	}
	return data, stampOf(fi), nil
}

// EditOptions say what Edit may do.
type EditOptions struct {
	// Create allows a missing file (and its directory): the edit starts
	// from an empty document.
	Create bool
}

// Edit changes the identities file at path under an exclusive lock, so
// that concurrent trent subcommands do not lose each other's changes. It
// reads the file, proves that sealer opens every secret in it (so that
// new secrets are never sealed under another root key than the old ones),
// calls change, validates the result and writes it atomically: to a
// temporary file in the same directory, fsynced, renamed over the file,
// and the directory fsynced. If change or validation fails, the file is
// left as it was.
func Edit(path string, sealer Sealer, opts EditOptions, change func(*Document) error) error {
	dir := filepath.Dir(path)
	if opts.Create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating the directory of the identities file: %w", err)
		}
	}
	unlock, err := lockFile(lockPath(path))
	if err != nil {
		return err
	}
	defer unlock()

	doc := &Document{Format: FormatVersion}
	data, _, err := readFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && opts.Create:
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w at %s", ErrNoFile, path)
	case err != nil:
		return fmt.Errorf("reading identities file: %w", err)
	default:
		if doc, err = ParseDocument(data); err != nil {
			return fmt.Errorf("identities file %s: %w", path, err)
		}
		if _, err := buildIndex(doc, sealer); err != nil {
			return fmt.Errorf("identities file %s: %w", path, err)
		}
	}
	if err := change(doc); err != nil {
		return err
	}
	if err := doc.Validate(); err != nil {
		return fmt.Errorf("the change would make the identities file invalid: %w", err)
	}
	out, err := doc.Encode()
	if err != nil {
		return err
	}
	return writeAtomically(path, out)
}

// Load reads and validates the identities file without changing it.
func Load(path string) (*Document, error) {
	data, _, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrNoFile, path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading identities file: %w", err)
	}
	doc, err := ParseDocument(data)
	if err != nil {
		return nil, fmt.Errorf("identities file %s: %w", path, err)
	}
	return doc, nil
}

// lockFile takes an exclusive flock on path (creating it), waiting for
// another holder to finish. The returned function releases it.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("opening the identities lock file: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking the identities file: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

// writeAtomically replaces path with data so that a reader (the server's
// reload, a crash) sees the old file or the new one, never a part.
func writeAtomically(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".identities-*.tmp")
	if err != nil {
		return fmt.Errorf("writing identities file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		_ = f.Close()
		_ = os.Remove(tmp) // fails harmlessly once renamed
	}()
	if err := f.Chmod(fileMode); err != nil {
		return fmt.Errorf("writing identities file: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing identities file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing identities file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing identities file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replacing identities file: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing the directory of the identities file: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing the directory of the identities file: %w", err)
	}
	return nil
}

// statStamp is the stamp of the file at path as it is now.
func statStamp(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return stampOf(fi), nil
}
