package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/trent-kms/trent/internal/seal"
)

const createRootKeyHelp = `usage: trent create-root-key <path>

Writes a new root key to <path>, for trent serve --root-key-file. The file
gets mode 0600 and is fsynced before the command returns. An existing file
is never overwritten, and the directory must already exist.
`

// createRootKey writes a new root key file for running without --dev. It
// never overwrites an existing file: replacing a root key would make every
// key sealed under it unreadable.
func createRootKey(args []string, stdout, stderr io.Writer) int {
	cmd := newCommand("create-root-key", createRootKeyHelp)
	if code, done := cmd.parse(args, stdout, stderr); done {
		return code
	}
	if cmd.flags.NArg() != 1 || cmd.flags.Arg(0) == "" {
		return cmd.usageError(stderr, errors.New("want one argument: the path of the new root key file"))
	}
	path := cmd.flags.Arg(0)
	err := seal.CreateKeyFile(path, nil)
	// The two mistakes of a first run get a sentence with the way out;
	// CreateKeyFile's own message covers the rest.
	switch {
	case errors.Is(err, fs.ErrExist):
		fmt.Fprintf(stderr, "trent create-root-key: %s already exists; a root key file is never overwritten, "+
			"because everything sealed under the old key would become unreadable: choose another path\n", path)
		return 1
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(stderr, "trent create-root-key: directory %s does not exist; create it first\n", filepath.Dir(path))
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "trent create-root-key: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "wrote a new root key to %s (mode 0600); keep it safe: without it the data sealed under it cannot be read\n", path)
	return 0
}
