package main

import (
	"fmt"
	"io"

	"github.com/trent-kms/trent/internal/seal"
)

// createRootKey writes a new root key file for running without --dev. It
// never overwrites an existing file: replacing a root key would make every
// key sealed under it unreadable.
func createRootKey(args []string, stderr io.Writer) int {
	if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
		fmt.Fprint(stderr, "usage: trent create-root-key <path>\n")
		return 2
	}
	if err := seal.CreateKeyFile(args[0], nil); err != nil {
		fmt.Fprintf(stderr, "trent create-root-key: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "wrote a new root key to %s (mode 0600); keep it safe: without it the data sealed under it cannot be read\n", args[0])
	return 0
}
