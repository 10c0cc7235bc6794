package server

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// createdPaths records the files and directories a start creates, so that
// a start that fails can remove them and leave the disk as it found it.
type createdPaths struct{ paths []string }

// noteIfNew records path if nothing exists there yet (it is about to be
// created).
func (c *createdPaths) noteIfNew(path string) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		c.paths = append(c.paths, path)
	}
}

// mkdirAll creates dir (mode 0700) and its missing parents, recording each
// one it creates.
func (c *createdPaths) mkdirAll(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, d := range slices.Backward(missing) {
		c.paths = append(c.paths, d)
	}
	return nil
}

// remove deletes what was recorded, newest first. A directory is removed
// only if it is empty again.
func (c *createdPaths) remove() {
	for _, p := range slices.Backward(c.paths) {
		_ = os.Remove(p)
	}
	c.paths = nil
}
