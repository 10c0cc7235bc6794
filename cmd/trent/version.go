package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/trent-kms/trent/internal/version"
)

const versionHelp = `usage: trent version

Prints the version of this build on the first line, then the commit it was
built from, the commit's time and the Go version, when the build recorded
them.
`

// printVersion is trent version. The first line is "trent <version>" alone,
// so a script can read it; the details follow, one "name: value" a line.
func printVersion(args []string, stdout, stderr io.Writer) int {
	cmd := newCommand("version", versionHelp)
	if code, done := cmd.parse(args, stdout, stderr); done {
		return code
	}
	if cmd.flags.NArg() != 0 {
		return cmd.usageError(stderr, errors.New("takes no arguments"))
	}
	v := version.Get()
	fmt.Fprintf(stdout, "trent %s\n", v.Version)
	if v.Revision != "" {
		fmt.Fprintf(stdout, "commit: %s\n", v.Revision)
		fmt.Fprintf(stdout, "modified: %t\n", v.Modified)
	}
	if v.Time != "" {
		fmt.Fprintf(stdout, "commit time: %s\n", v.Time)
	}
	if v.GoVersion != "" {
		fmt.Fprintf(stdout, "go: %s\n", v.GoVersion)
	}
	return 0
}
